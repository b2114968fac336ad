"""First-run set-up, sign-in, throttling, landing pages, password rules and redirects."""
import pytest

from webapp.extensions import db
from webapp.models import AccountType, Group, GroupMember, Organisation, User
from tests.conftest import TEST_PASSWORD


def test_root_leads_to_setup_until_an_organisation_exists(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")
    page = client.get("/setup").get_data(as_text=True)
    assert "Set up your organisation" in page


def test_setup_creates_org_and_admin_then_is_gone(client):
    response = client.post("/setup", data={
        "org_name": "Harbour Training", "first_name": "Hana", "last_name": "Hart",
        "email": "Hana@Harbour.example", "password": "seagulls over the quay 7",
        "confirm": "seagulls over the quay 7",
    })
    assert response.status_code == 302
    admin = db.session.scalar(db.select(User))
    assert admin.email == "hana@harbour.example" and admin.is_admin
    assert not admin.password_is_generated
    assert admin.signed_in_at is not None  # set-up signs the admin in
    group = db.session.scalar(db.select(Group).where(Group.is_builtin.is_(True)))
    assert db.session.get(GroupMember, (group.id, admin.id)) is not None
    assert client.get("/setup").status_code == 404
    assert client.get("/").headers["Location"].endswith("/users/")


@pytest.mark.parametrize("password, message", [
    ("short", "at least 12 characters"),
    ("password1234", "too common"),
    ("aaaaaaaaaaaaaa", "too common"),
])
def test_setup_refuses_weak_passwords_beside_the_field(client, password, message):
    response = client.post("/setup", data={
        "org_name": "Harbour", "first_name": "Hana", "last_name": "Hart",
        "email": "hana@harbour.example", "password": password, "confirm": password,
    })
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page.lower() or message in page
    assert 'value="Harbour"' in page  # what was typed is kept
    assert db.session.scalar(db.select(db.func.count()).select_from(Organisation)) == 0


def test_setup_post_without_csrf_token_is_refused(client):
    response = client.post("/setup", data={"org_name": "X"}, with_csrf=False)
    assert response.status_code == 400
    assert "form expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("account_type, landing", [
    (AccountType.ADMIN, "/users/"),
    (AccountType.USER, "/learning"),
    (AccountType.GUEST, "/learning"),
    (AccountType.TEAM_MANAGER, "/team"),
])
def test_each_account_type_lands_on_its_page(client, make_user, account_type, landing):
    user = make_user(account_type=account_type)
    response = client.post("/login", data={"email": user.email.upper(), "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(landing)
    assert client.get(landing).status_code == 200


def test_learner_page_is_empty_until_enrolled(client, make_user, login_as):
    login_as(make_user())
    page = client.get("/learning").get_data(as_text=True)
    assert "My learning" in page and "not enrolled in any series yet" in page


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "nobody@example.example", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert "do not match an account" in wrong.get_data(as_text=True)
    assert "do not match an account" in unknown.get_data(as_text=True)


def test_failed_sign_ins_are_throttled_per_account(client, make_user, app):
    user = make_user()
    for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]):
        client.post("/login", data={"email": user.email, "password": "wrong-password-x"})
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_failed_sign_ins_are_throttled_per_address(client, make_user, app):
    app.config["SIGNIN_MAX_FAILURES_PER_ADDRESS"] = 3
    user = make_user()
    for n in range(3):
        client.post("/login", data={"email": f"someone{n}@example.example", "password": "wrong-password-x"})
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 429


def test_deactivated_user_cannot_sign_in(client, make_user):
    user = make_user(is_active_account=False)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 401


def test_generated_password_must_be_replaced_before_going_on(client, make_user):
    user = make_user(generated=True)
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert "/choose-password" in response.headers["Location"]
    assert "/choose-password" in client.get("/learning").headers["Location"]
    same = client.post("/choose-password", data={"password": TEST_PASSWORD, "confirm": TEST_PASSWORD})
    assert "not the one you were sent" in same.get_data(as_text=True)
    done = client.post("/choose-password", data={"password": "my own garden gate 9", "confirm": "my own garden gate 9"})
    assert done.headers["Location"].endswith("/learning")
    assert client.get("/learning").status_code == 200
    db.session.refresh(user)
    assert not user.password_is_generated
    assert user.password_hash.startswith("scrypt:")


def test_change_password_needs_the_current_one(client, make_user, login_as):
    user = make_user()
    login_as(user)
    bad = client.post("/account/password", data={"current": "not-it-at-all", "password": "new river stones 88", "confirm": "new river stones 88"})
    assert "not your current password" in bad.get_data(as_text=True)
    good = client.post("/account/password", data={"current": TEST_PASSWORD, "password": "new river stones 88", "confirm": "new river stones 88"})
    assert good.status_code == 302
    client.post("/logout")
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 401
    assert client.post("/login", data={"email": user.email, "password": "new river stones 88"}).status_code == 302


@pytest.mark.parametrize("target, allowed", [
    ("/users/", True),
    ("https://evil.example/", False),
    ("//evil.example/x", False),
    ("/\\evil.example", False),
    ("javascript:alert(1)", False),
])
def test_next_redirects_only_to_local_paths(client, admin, target, allowed):
    response = client.post(f"/login?next={target}", data={"email": admin.email, "password": TEST_PASSWORD})
    location = response.headers["Location"]
    assert (location == target) is allowed
    assert "evil" not in location


def test_sign_out(client, admin, login_as):
    login_as(admin)
    assert client.get("/users/").status_code == 200
    client.post("/logout")
    assert client.get("/users/").status_code == 302


def test_session_cookie_is_httponly_and_lax(client, admin):
    response = client.post("/login", data={"email": admin.email, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_non_admin_gets_403_in_the_console(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/users/")
    assert response.status_code == 403
    assert "do not have access" in response.get_data(as_text=True)


def test_unknown_page_gets_the_app_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_behind_a_proxy_throttling_counts_the_real_client_address(app_config):
    from webapp import create_app

    app = create_app({**app_config, "PROXY_FIX_X_FOR": 1, "SIGNIN_MAX_FAILURES_PER_ADDRESS": 2,
                      "WTF_CSRF_ENABLED": False})
    client = app.test_client()
    with app.app_context():
        from webapp.models import SigninFailure

        for _ in range(2):
            client.post("/login", data={"email": "x@example.com", "password": "wrong-password-1"},
                        headers={"X-Forwarded-For": "203.0.113.7"})
        addresses = {f.address for f in db.session.scalars(db.select(SigninFailure))}
        assert addresses == {"203.0.113.7"}
        other = client.post("/login", data={"email": "y@example.com", "password": "wrong-password-1"},
                            headers={"X-Forwarded-For": "198.51.100.9"})
        assert other.status_code == 401  # another client behind the same proxy is not locked out
        same = client.post("/login", data={"email": "z@example.com", "password": "wrong-password-1"},
                           headers={"X-Forwarded-For": "203.0.113.7"})
        assert same.status_code == 429
        db.session.remove()


def test_empty_setup_form_says_what_each_field_needs(client):
    page = client.post("/setup", data={}).get_data(as_text=True)
    for message in ("Enter your organisation&#39;s name.", "Enter your first name.", "Enter your email address.",
                    "Choose a password.", "Type the password again."):
        assert message in page
    assert "This field is required" not in page


@pytest.mark.parametrize("account_type, links", [
    (AccountType.ADMIN, ["Users", "Groups", "Series", "Mail", "My learning"]),
    (AccountType.TEAM_MANAGER, ["My groups", "My learning"]),
    (AccountType.USER, ["My learning"]),
    (AccountType.GUEST, ["My learning"]),
])
def test_top_bar_offers_each_account_type_its_pages(client, make_user, login_as, account_type, links):
    import re

    login_as(make_user(account_type=account_type))
    page = client.get("/learning").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', page, re.S).group(1)
    assert re.findall(r">([^<>]+)</a>", nav) == links
    assert 'aria-current="page">My learning<' in nav


def test_old_failed_sign_ins_are_forgotten_and_stop_counting(client, make_user, app):
    from datetime import timedelta

    from webapp.clock import utcnow
    from webapp.models import SigninFailure

    user = make_user()
    long_ago = utcnow() - timedelta(seconds=app.config["SIGNIN_WINDOW_SECONDS"] + 60)
    db.session.add_all(SigninFailure(email=user.email, address="127.0.0.1", created_at=long_ago)
                       for _ in range(app.config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]))
    db.session.commit()
    client.post("/login", data={"email": "someone@example.com", "password": "wrong-password-x"})
    assert db.session.scalar(db.select(db.func.count()).select_from(SigninFailure)) == 1
    assert client.post("/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
