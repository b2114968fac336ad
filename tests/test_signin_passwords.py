"""Forgot password by single-use link, the reset-password command, and organisations that email links."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select, update

from tests.conftest import CSRFClient, _prime_csrf
from webapp import credentials
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.mail.sender import send_queued
from webapp.models import OutboxMessage, PasswordToken, User
from webapp.users.services import create_user

NEW_PASSWORD = "lanterns by the harbour 9"


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link_in(message) -> str:
    return re.search(r"http://\S+/reset-password/\S+", body(message)).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


@pytest.fixture
def visitor(app):
    """A browser nobody is signed in on (it sends the CSRF token like a real one)."""
    app.test_client_class = CSRFClient
    client = app.test_client()
    _prime_csrf(client, app)
    return client


def ask(visitor, email):
    return visitor.post("/forgot-password", data={"email": email}, follow_redirects=True)


def test_the_sign_in_page_links_to_forgot_password(visitor, org):
    assert 'href="/forgot-password"' in visitor.get("/login").get_data(as_text=True)


def test_same_answer_whether_or_not_the_address_has_an_account(visitor, make_user, smtp_server):
    make_user(email="known@example.com")
    known = " ".join(unescape(ask(visitor, "known@example.com").get_data(as_text=True)).split())
    unknown = " ".join(unescape(ask(visitor, "nobody@example.com").get_data(as_text=True)).split())
    answer = "we have sent it an email with a link to choose a new password. The link works once, for 1 hour."
    assert answer in known and answer in unknown
    assert known.replace("known@", "X@") == unknown.replace("nobody@", "X@")
    send_queued()
    assert [m["To"] for m in smtp_server.messages] == ["known@example.com"]


def test_the_emailed_link_works_once_and_only_its_hash_is_stored(visitor, make_user, smtp_server):
    user = make_user(email="forgetful@example.com")
    ask(visitor, "forgetful@example.com")
    send_queued()
    [message] = smtp_server.to("forgetful@example.com")
    assert message["Subject"] == "Choose a new password for Acme Learning"
    link = link_in(message)
    token = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordToken))
    assert stored.token_hash != token and token not in stored.token_hash
    kept = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "password_reset"))
    assert token not in kept.text_body + kept.html_body  # the kept copy has the link blanked

    page = visitor.get(path_of(link))
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
    done = visitor.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert credentials.check_password(changed.password_hash, NEW_PASSWORD) and not changed.password_is_generated
    signed = visitor.post("/login", data={"email": "forgetful@example.com", "password": NEW_PASSWORD})
    assert signed.status_code == 302 and "choose-password" not in signed.headers["Location"]

    again = visitor.get(path_of(link))
    assert again.status_code == 410 and "This link no longer works" in again.get_data(as_text=True)


def test_an_expired_link_opens_nothing(visitor, make_user, smtp_server):
    make_user(email="late@example.com")
    ask(visitor, "late@example.com")
    send_queued()
    link = link_in(smtp_server.to("late@example.com")[0])
    db.session.execute(update(PasswordToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert visitor.get(path_of(link)).status_code == 410
    refused = visitor.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert refused.status_code == 410


@pytest.mark.parametrize("password, problem", [
    ("short", "Use at least 12 characters."),
    ("password1234", "This password is too common."),
])
def test_the_same_password_rules_as_changing_a_password(visitor, make_user, smtp_server, password, problem):
    make_user(email="rules@example.com")
    ask(visitor, "rules@example.com")
    send_queued()
    link = link_in(smtp_server.to("rules@example.com")[0])
    response = visitor.post(path_of(link), data={"password": password, "confirm": password})
    assert response.status_code == 200 and problem in unescape(response.get_data(as_text=True))


def test_asking_again_and_again_does_not_flood_the_mailbox(visitor, make_user):
    make_user(email="flood@example.com")
    for _ in range(6):
        ask(visitor, "flood@example.com")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 3


def test_a_deactivated_account_gets_no_link(visitor, make_user):
    make_user(email="gone@example.com", is_active_account=False)
    ask(visitor, "gone@example.com")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_keep_only_mode_tells_the_visitor_to_ask_their_admin(visitor, org):
    page = visitor.get("/forgot-password").get_data(as_text=True)
    assert "This console does not send email yet" in page


def test_reset_password_command_prints_a_generated_password_once(app, runner, make_user, visitor):
    make_user(email="locked@example.com")
    result = runner.invoke(args=["users", "reset-password", "Locked@Example.com", "--org", "acme"])
    assert result.exit_code == 0, result.output
    password = re.search(r"in Acme Learning: (\S+)", result.output).group(1)
    assert "shown only this once" in result.output
    signed = visitor.post("/login", data={"email": "locked@example.com", "password": password})
    assert signed.status_code == 302 and "/choose-password" in signed.headers["Location"]


@pytest.mark.parametrize("args, message", [
    (["nobody@example.com", "--org", "acme"], "Acme Learning has no account with the email address nobody@example.com."),
    (["a@example.com", "--org", "nope"], "No organisation has the slug 'nope'."),
])
def test_reset_password_command_says_what_is_wrong(runner, org, args, message):
    result = runner.invoke(args=["users", "reset-password", *args])
    assert result.exit_code == 1 and message in result.output


def test_mail_settings_switch_to_links_and_welcome_emails_carry_a_link(signed_in, org, admin, visitor,
                                                                        smtp_server):
    page = signed_in.get("/mail/settings").get_data(as_text=True)
    assert 'value="password" checked' in page or re.search(r'checked[^>]*value="password"', page)
    saved = signed_in.post("/mail/settings", data={"password_delivery": "link"}, follow_redirects=True)
    assert "a single-use link instead of a password" in saved.get_data(as_text=True)
    created = signed_in.post("/users/new", data={
        "first_name": "Lina", "last_name": "Link", "email": "lina@example.com", "account_type": "admin",
        "send_invite": "y"}, follow_redirects=True)
    assert "The welcome email with a link to choose their password is on its way." in \
        unescape(created.get_data(as_text=True))
    send_queued()
    [message] = smtp_server.to("lina@example.com")
    text = body(message)
    assert "Password:" not in text and "Choose your password here" in text
    link = link_in(message)
    done = visitor.post(path_of(link), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    signed = visitor.post("/login", data={"email": "lina@example.com", "password": NEW_PASSWORD})
    assert signed.status_code == 302 and "/users/" in signed.headers["Location"]


def test_in_link_mode_the_completion_summary_csv_carries_no_passwords(signed_in, org, admin):
    from pathlib import Path

    from webapp.imports import staging

    org.password_delivery = "link"
    db.session.commit()
    data = (Path(__file__).parent / "data" / "import_mixed.csv").read_bytes()
    batch = staging.stage_upload(org.id, admin.id, "mixed.csv", data, max_bytes=10**6, ttl_days=7)
    signed_in.post(f"/users/import/{batch.id}/create")
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    rows = list(csv.DictReader(io.StringIO(summary.attachments[0].content.decode("utf-8-sig"))))
    assert "Password" not in rows[0] and not summary.carries_password
    assert "It holds no passwords" in summary.text_body


def test_sign_in_details_in_link_mode_send_a_link_not_a_password(signed_in, org, admin, smtp_server):
    org.password_delivery = "link"
    db.session.commit()
    user = create_user(org, admin, first_name="Lou", last_name="L", email="lou@example.com").user
    old_hash = user.password_hash
    signed_in.post(f"/users/{user.id}/send-details")
    send_queued()
    [message] = smtp_server.to("lou@example.com")
    assert "/reset-password/" in body(message) and "Password:" not in body(message)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


@pytest.mark.parametrize("send_invite", ["yes", "no"])
def test_in_link_mode_enrolment_emails_carry_links_not_passwords(signed_in, org, admin, send_invite):
    from webapp.enrolments import services as enrolments

    org.password_delivery = "link"
    db.session.commit()
    series = enrolments.create_series(org.id, admin, name="Safety", description="")
    learner = create_user(org, admin, first_name="Ed", last_name="E", email="ed@example.com").user
    signed_in.post("/enrolments/new", data={"source": "selection", "user_id": learner.id,
                                            "series": series.id, "send_invite": send_invite})
    message = db.session.scalar(select(OutboxMessage).order_by(OutboxMessage.id.desc()))
    assert message.to_address == ("ed@example.com" if send_invite == "yes" else "admin@acme.example")
    assert "/reset-password/" in message.text_body
    assert not re.search(r"[Pp]assword: [a-z0-9]{5}-", message.text_body)
    for attachment in message.attachments:
        assert b"New password" not in attachment.content and b"/reset-password/" in attachment.content
