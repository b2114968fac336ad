"""Sessions end: a copied session cookie stops working after sign-out, password change or
deactivation, and the cookie carries nothing derived from the password hash."""
import pytest
from flask.sessions import SecureCookieSessionInterface

from tests.conftest import TEST_PASSWORD, CSRFClient, _prime_csrf
from webapp.extensions import db

NEW_PASSWORD = "a-brand-new-passphrase-77"


def copy_of(client, app) -> CSRFClient:
    """A second browser holding a copy of the client's session cookie."""
    app.test_client_class = CSRFClient
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def refused(client, path: str) -> bool:
    response = client.get(path)
    return response.status_code == 302 and response.headers["Location"].startswith("/login")


def sign_out(client):
    return client.post("/logout")


def change_password(client):
    response = client.post("/account/password", data={
        "current": TEST_PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302


@pytest.mark.parametrize("end_session", [sign_out, change_password])
def test_a_copied_cookie_is_refused_after_the_owner_ends_the_session(signed_in, app, end_session):
    thief = copy_of(signed_in, app)
    assert thief.get("/users/").status_code == 200  # the copy works while the session lives
    end_session(signed_in)
    assert refused(thief, "/users/")


def test_the_browser_that_changed_its_password_stays_signed_in(signed_in):
    change_password(signed_in)
    assert signed_in.get("/users/").status_code == 200


def test_a_copied_cookie_is_refused_after_an_admin_deactivates_the_account(app, signed_in, make_user):
    learner = make_user(email="lena@example.example")
    app.test_client_class = CSRFClient
    browser = app.test_client()
    _prime_csrf(browser, app)
    assert browser.post("/login", data={"email": learner.email, "password": TEST_PASSWORD}).status_code == 302
    thief = copy_of(browser, app)
    assert thief.get("/learning").status_code == 200

    assert signed_in.post(f"/users/{learner.id}/deactivate").status_code == 302
    assert refused(thief, "/learning")
    assert refused(browser, "/learning")
    # Reactivating lets the person sign in again, but the old cookies stay dead.
    assert signed_in.post(f"/users/{learner.id}/reactivate").status_code == 302
    assert refused(thief, "/learning")


def test_the_cookie_carries_no_part_of_the_password_hash(signed_in, app, admin):
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    session = serializer.loads(signed_in.get_cookie("session").value)
    db.session.refresh(admin)
    assert session["_user_id"] == f"{admin.id}:{admin.session_version}"
    hash_parts = admin.password_hash.split("$")
    assert not any(part[-8:] in session["_user_id"] for part in hash_parts if len(part) >= 8)


def test_every_page_names_the_signed_in_person_and_their_organisation(signed_in, org, admin):
    """The session loads the person with their organisation: the top bar shows both, and a
    renamed organisation shows its new name on the next page."""
    page = signed_in.get("/users/").get_data(as_text=True)
    assert "Ada Admin · Acme Learning" in page
    org.name = "Acme Training"
    db.session.commit()
    page = signed_in.get("/users/groups").get_data(as_text=True)
    assert "Ada Admin · Acme Training" in page
