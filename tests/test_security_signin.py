"""Sign-in: the same work whatever the case, a lockout that states the real wait, and a limit
that holds under simultaneous attempts (PostgreSQL)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import delete, event, func, select, update
from sqlalchemy.orm import Session

from tests.conftest import TEST_PASSWORD, CSRFClient, _prime_csrf
from webapp import credentials
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import SigninFailure, User


@pytest.fixture
def checks(monkeypatch):
    """Every password check werkzeug runs, by kind of hash (the real check still runs)."""
    seen = []
    real = credentials.check_password_hash

    def counting(stored_hash, password):
        seen.append(stored_hash.split(":", 1)[0])
        return real(stored_hash, password)

    monkeypatch.setattr(credentials, "check_password_hash", counting)
    return seen


def _unknown(make_user):
    return "nobody@example.example"


def _generated(make_user):
    return make_user(email="gen@example.example", generated=True).email


def _chosen(make_user):
    user = make_user(email="chosen@example.example")
    user.password_hash = credentials.hash_chosen_password(TEST_PASSWORD)
    db.session.commit()
    return user.email


def _deactivated(make_user):
    return make_user(email="gone@example.example", is_active_account=False).email


@pytest.mark.parametrize("account", [_unknown, _generated, _chosen, _deactivated])
@pytest.mark.parametrize("password", ["wrong-password-123", TEST_PASSWORD])
def test_every_case_costs_exactly_one_full_scrypt_check(client, make_user, checks, account, password):
    email = account(make_user)
    checks.clear()
    response = client.post("/login", data={"email": email, "password": password})
    assert checks.count("scrypt") == 1, checks
    if account in (_unknown, _deactivated) or password != TEST_PASSWORD:
        assert response.status_code == 401


def test_the_lockout_states_the_real_wait(client, make_user, app):
    user = make_user()
    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert client.post("/login", data={"email": user.email, "password": "wrong-password-x"}).status_code == 401
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Try again in 15 minutes." in response.get_data(as_text=True)
    assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60

    # Ten minutes later the oldest failures are that much closer to leaving the window.
    db.session.execute(update(SigninFailure).values(created_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Try again in 5 minutes." in response.get_data(as_text=True)


def test_a_refused_attempt_does_not_extend_the_lockout(client, make_user, app):
    user = make_user()
    for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "wrong-password-x"})
    for _ in range(3):
        assert client.post("/login", data={"email": user.email, "password": "x"}).status_code == 429
    assert db.session.scalar(select(func.count()).select_from(SigninFailure)) == \
        app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]


ATTEMPTS = 40


def test_simultaneous_wrong_passwords_never_get_more_checks_than_the_limit(app, make_user):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("Needs PostgreSQL (set FLASK_TEST_DATABASE_URL): SQLite serialises every write, "
                    "so it cannot show a race between workers.")
    user = make_user(email="target@example.example")
    email = user.email
    limit = app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
    app.test_client_class = CSRFClient
    browsers = []
    for _ in range(ATTEMPTS):
        browser = app.test_client()
        _prime_csrf(browser, app)
        browsers.append(browser)
    start = threading.Barrier(ATTEMPTS)

    def attempt(browser):
        start.wait()
        return browser.post("/login", data={"email": email, "password": "wrong-password-x"},
                            environ_base={"REMOTE_ADDR": f"10.0.0.{len(browsers)}"}).status_code

    with ThreadPoolExecutor(ATTEMPTS) as pool:
        statuses = list(pool.map(attempt, browsers))
    # 401: the password was checked and was wrong. 429: refused before any check.
    assert statuses.count(401) <= limit, statuses
    assert statuses.count(401) + statuses.count(429) == ATTEMPTS, statuses
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(SigninFailure)
                             .where(SigninFailure.email == user.email)) == statuses.count(401)
    assert db.session.get(User, user.id).signed_in_at is None


@pytest.mark.parametrize("password, answer", [("wrong-password-x", 401), (TEST_PASSWORD, 302)])
def test_a_sign_in_answers_when_a_simultaneous_one_clears_its_attempt(client, make_user, password, answer):
    """Right after this attempt is recorded, another browser of the same person signs in and clears the
    account's failures, this attempt's row among them (as 16 clients signing in at once did): no 500."""
    user = make_user()

    cleared = []

    def other_sign_in_clears(session):
        if not cleared:
            with db.engine.begin() as other:
                cleared.append(other.execute(delete(SigninFailure).where(SigninFailure.email == user.email)).rowcount)

    event.listen(Session, "after_commit", other_sign_in_clears)
    try:
        response = client.post("/login", data={"email": user.email, "password": password})
    finally:
        event.remove(Session, "after_commit", other_sign_in_clears)
    assert cleared == [1]  # the attempt's own row, cleared before the sign-in read it again
    assert response.status_code == answer
