"""Enrolment emails through a real SMTP server: the emailed password signs the learner in."""
import pytest
from sqlalchemy import select

from tests.conftest import _prime_csrf
from webapp import credentials
from webapp.enrolments import services
from webapp.extensions import db
from webapp.mail.sender import send_queued
from webapp.models import OutboxMessage, User
from webapp.users.services import create_user


@pytest.fixture
def series(admin):
    return services.create_series(admin.org_id, admin, name="Fire Safety",
                                  description="Five lessons on what to do when the alarm rings.")


def body_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def emailed_password(message) -> str:
    line = next(text for text in body_text(message).splitlines() if "assword:" in text)
    return line.split(":", 1)[1].strip()


def test_created_users_first_enrolment_email_signs_them_in(signed_in, series, org, admin, app,
                                                           smtp_server):
    learner = create_user(org, admin, first_name="Cleo", last_name="Created",
                          email="cleo@example.com").user
    assert smtp_server.messages == []  # Created: nothing at account creation

    response = signed_in.post("/enrolments/new", data={
        "source": "selection", "user_id": learner.id, "series": series.id, "send_invite": "yes"})
    assert response.status_code == 302
    report = send_queued()
    assert report.sent == 1

    [message] = smtp_server.to("cleo@example.com")
    assert "Fire Safety" in message["Subject"] and org.name in message["Subject"]
    text = body_text(message)
    assert "Fire Safety" in text and "http://testserver/login" in text
    password = emailed_password(message)

    browser = app.test_client()
    _prime_csrf(browser, app)
    signed_in = browser.post("/login", data={"email": "cleo@example.com", "password": password})
    assert signed_in.status_code == 302 and "/choose-password" in signed_in.headers["Location"]
    assert "/choose-password" in browser.get("/learning").headers["Location"]
    chosen = browser.post("/choose-password", data={
        "password": "lanterns by the harbour 9", "confirm": "lanterns by the harbour 9"})
    assert chosen.status_code == 302
    page = browser.get("/learning").get_data(as_text=True)
    assert "Fire Safety" in page and "Five lessons" in page

    stored = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_user_id == learner.id))
    assert password not in stored.text_body  # the kept copy no longer holds the password


def test_later_enrolment_within_48_hours_sends_no_new_password(signed_in, series, org, admin, app,
                                                               smtp_server):
    learner = create_user(org, admin, first_name="Lin", last_name="Later", email="lin@example.com").user
    second = services.create_series(org.id, admin, name="First Aid", description="")
    for target in (series, second):
        signed_in.post("/enrolments/new", data={
            "source": "selection", "user_id": learner.id, "series": target.id, "send_invite": "yes"})
    send_queued()
    first, later = smtp_server.to("lin@example.com")
    password = emailed_password(first)
    assert "First Aid" in later["Subject"] and "assword:" not in body_text(later)
    assert "the password you were given for this account" in body_text(later)

    browser = app.test_client()
    _prime_csrf(browser, app)
    assert browser.post("/login", data={"email": "lin@example.com", "password": password}).status_code == 302


def test_send_invite_no_mails_only_the_admin_with_a_csv(signed_in, series, org, admin, smtp_server):
    learners = [create_user(org, admin, first_name=f"Quiet{i}", last_name="Learner",
                            email=f"quiet{i}@example.com").user for i in range(3)]
    signed_in.post("/enrolments/new", data={
        "source": "selection", "user_id": [u.id for u in learners], "series": series.id,
        "send_invite": "no"})
    send_queued()
    assert all(smtp_server.to(u.email) == [] for u in learners)
    [summary] = smtp_server.to(admin.email)
    assert "3 learners" in summary["Subject"]
    [attachment] = [part for part in summary.iter_attachments()]
    csv_text = attachment.get_content()
    if isinstance(csv_text, bytes):
        csv_text = csv_text.decode("utf-8-sig")
    for learner in learners:
        assert learner.email in csv_text
        line = next(text for text in body_text(summary).splitlines() if learner.email in text)
        password = line.split("password:")[1].strip()
        assert credentials.check_password(db.session.get(User, learner.id).password_hash, password)
