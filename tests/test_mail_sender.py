"""The sender against a real SMTP server: delivery, outages, refusals, claiming, redaction."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.mail import messages, sender
from webapp.mail.outbox import PASSWORD_REMOVED, queue
from webapp.models import AccountType, OutboxMessage
from webapp.users.services import create_user


def invite(org, admin, email, first_name="Nina", account_type=AccountType.USER):
    return create_user(org, admin, first_name=first_name, last_name="Newcomer", email=email,
                       account_type=account_type, send_invite=True)


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def password_in(received) -> str:
    text = received.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"Password:\s+(\S+)", text).group(1)


def test_welcome_email_reaches_the_user_with_org_name_link_and_a_working_password(
        org, admin, client, smtp_server):
    invite(org, admin, "nina@example.com")

    report = sender.send_queued()

    assert report.sent == 1
    [received] = smtp_server.to("nina@example.com")
    assert received["Subject"] == "Welcome to Acme Learning: your sign-in details"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Acme Learning" in text and "http://testserver/login" in text
    html = received.get_body(preferencelist=("html",)).get_content()
    assert 'href="http://testserver/login"' in html
    response = client.post("/login", data={"email": "nina@example.com",
                                           "password": password_in(received)})
    assert response.status_code == 302
    assert "/choose-password" in response.headers["Location"]
    assert smtp_server.to("admin@acme.example") == []  # the password went to nobody else


def test_message_id_header_is_the_stored_one(org, admin, smtp_server):
    invite(org, admin, "nina@example.com")
    sender.send_queued()
    [message] = outbox()
    assert smtp_server.messages[0]["Message-ID"] == message.message_id


def test_many_messages_go_out_in_one_run(org, admin, smtp_server):
    for n in range(5):
        invite(org, admin, f"person{n}@example.com")
    report = sender.send_queued()
    assert report.sent == 5
    assert {m.status for m in outbox()} == {"sent"}
    assert len(smtp_server.messages) == 5


def test_limit_sends_only_that_many(org, admin, smtp_server):
    for n in range(3):
        invite(org, admin, f"person{n}@example.com")
    assert sender.send_queued(limit=2).sent == 2
    assert [m.status for m in outbox()] == ["sent", "sent", "queued"]


def test_outage_keeps_mail_queued_with_the_error_then_delivers_it_exactly_once(
        org, admin, smtp_server, app, client, login_as):
    app.config["MAIL_OUTAGE_PROBE_SECONDS"] = 0  # probe again at once, so the test need not wait
    invite(org, admin, "nina@example.com")
    smtp_server.stop()

    report = sender.send_queued()

    assert (report.sent, report.retrying, report.failed) == (0, 0, 0)
    assert "connection refused" in report.unreachable
    [message] = outbox()
    assert message.status == "queued" and message.attempts == 0  # an outage uses no attempt
    assert "connection refused" in message.last_error and "paused" in message.last_error
    login_as(admin)
    page = client.get(f"/mail/{message.id}").get_data(as_text=True)
    assert "Waiting to try again" in page and "connection refused" in page

    smtp_server.start()
    assert sender.send_queued().sent == 1
    assert sender.send_queued().sent == 0
    assert len(smtp_server.to("nina@example.com")) == 1
    [message] = outbox()
    assert message.status == "sent" and message.attempts == 1
    assert [a.outcome for a in message.delivery_attempts] == ["sent"]


def answer_rcpt(smtp_server, address: str, reply: str) -> None:
    """Make the real server answer `reply` to RCPT TO:<address>."""
    original = smtp_server.handler.handle_RCPT

    async def answer(server, session, envelope, rcpt, rcpt_options):
        if rcpt == address:
            return reply
        return await original(server, session, envelope, rcpt, rcpt_options)

    smtp_server.handler.handle_RCPT = answer


def test_a_retry_waits_for_its_backoff(org, admin, smtp_server):
    answer_rcpt(smtp_server, "nina@example.com", "451 4.3.0 Try again later")
    invite(org, admin, "nina@example.com")
    sender.send_queued()

    assert sender.send_queued().handled == 0  # not due yet
    [message] = outbox()
    assert message.attempts == 1
    assert message.next_attempt_at > utcnow() + timedelta(seconds=50)


@pytest.mark.parametrize("attempts, seconds", [(1, 60), (2, 120), (3, 240), (6, 1920), (20, 6 * 3600)])
def test_backoff_doubles_up_to_a_cap(app, attempts, seconds):
    assert sender.retry_delay(attempts) == timedelta(seconds=seconds)


def test_gives_up_after_max_attempts(org, admin, smtp_server, app):
    app.config.update(MAIL_RETRY_BASE_SECONDS=0, MAIL_MAX_ATTEMPTS=3)
    answer_rcpt(smtp_server, "nina@example.com", "451 4.3.0 Try again later")
    invite(org, admin, "nina@example.com")
    for _ in range(3):
        sender.send_queued()
    [message] = outbox()
    assert message.status == "failed"
    assert message.last_error.startswith("Gave up after 3 attempts.")
    assert [a.outcome for a in message.delivery_attempts] == ["retry", "retry", "failed"]


def test_550_for_one_recipient_fails_that_message_and_the_others_go_out(
        org, admin, smtp_server, client, login_as):
    smtp_server.handler.reject.add("ghost@example.com")
    invite(org, admin, "first@example.com")
    invite(org, admin, "ghost@example.com")
    invite(org, admin, "last@example.com")

    report = sender.send_queued()

    assert (report.sent, report.failed) == (2, 1)
    assert len(smtp_server.to("first@example.com")) == len(smtp_server.to("last@example.com")) == 1
    ghost = next(m for m in outbox() if m.to_address == "ghost@example.com")
    assert ghost.status == "failed" and ghost.attempts == 1
    assert "550" in ghost.last_error and "No such user here" in ghost.last_error
    login_as(admin)
    listing = client.get("/mail/?status=failed").get_data(as_text=True)
    assert "ghost@example.com" in listing and "No such user here" in listing
    assert "first@example.com" not in listing


def test_a_message_stuck_in_sending_is_taken_back_and_sent(org, admin, smtp_server, app):
    invite(org, admin, "nina@example.com")
    [message] = outbox()
    # A sender claimed it twenty minutes ago and died before finishing.
    message.status, message.claimed_by = "sending", "dead-host:1:abc"
    message.claimed_at = utcnow() - timedelta(minutes=20)
    db.session.commit()

    report = sender.send_queued()

    assert (report.reclaimed, report.sent) == (1, 1)
    [message] = outbox()
    assert message.status == "sent"
    assert [a.outcome for a in message.delivery_attempts] == ["retry", "sent"]
    assert len(smtp_server.to("nina@example.com")) == 1


def test_a_message_being_sent_right_now_is_left_alone(org, admin, smtp_server):
    invite(org, admin, "nina@example.com")
    [message] = outbox()
    message.status, message.claimed_by, message.claimed_at = "sending", "other:1:x", utcnow()
    db.session.commit()

    report = sender.send_queued()

    assert (report.reclaimed, report.sent) == (0, 0)
    assert smtp_server.messages == []


def test_two_senders_never_claim_the_same_message(org, admin, smtp_server):
    for n in range(4):
        invite(org, admin, f"person{n}@example.com")
    first = sender.claim("sender-a", 3)
    second = sender.claim("sender-b", 3)
    assert len(first) == 3 and len(second) == 1
    assert not {m.id for m in first} & {m.id for m in second}
    assert sender.claim("sender-c", 3) == []


def test_rollback_of_the_causing_transaction_sends_nothing(org, admin, smtp_server):
    from webapp.models import User

    user = User(org_id=org.id, first_name="Rolled", last_name="Back", email="gone@example.com",
                account_type="user", invite_status="invited", password_hash="x")
    db.session.add(user)
    db.session.flush()
    messages.welcome(user, org, "Secret-Pass-1")
    db.session.rollback()

    assert sender.send_queued().sent == 0
    assert outbox() == [] and smtp_server.messages == []


def test_password_is_blanked_from_the_kept_copy_after_sending(org, admin, smtp_server):
    created = invite(org, admin, "nina@example.com")
    sender.send_queued()
    [message] = outbox()
    assert created.password in password_in(smtp_server.messages[0])
    assert message.redacted
    assert created.password not in message.text_body + message.html_body
    assert PASSWORD_REMOVED in message.text_body and "[password removed after sending]" in message.html_body
    assert message.redacted_text_body is None and message.redacted_html_body is None


def test_summary_attachment_passwords_are_blanked_after_sending(org, admin, smtp_server):
    outcomes = [dict(first_name="A", last_name="One", email="a@example.com", account_type="user",
                     outcome="created", reason="", password="Pw-Alpha-1"),
                dict(first_name="B", last_name="Two", email="b@example.com", account_type="guest",
                     outcome="created", reason="", password="Pw-Bravo-2")]
    messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    sender.send_queued()
    received = smtp_server.messages[0]
    [csv_part] = list(received.iter_attachments())
    assert "Pw-Alpha-1" in csv_part.get_content()
    [message] = outbox()
    data = message.attachments[0].content.decode("utf-8-sig")
    assert "Pw-Alpha-1" not in data and "Pw-Bravo-2" not in data
    assert data.count(PASSWORD_REMOVED) == 2


def test_password_message_without_prepared_copy_is_blanked_whole(org, admin, smtp_server):
    queue(org_id=org.id, kind="custom", to_address="x@example.com", subject="Hi",
          text_body="Your password: Hunter-22", html_body="<p>Hunter-22</p>", carries_password=True)
    db.session.commit()
    sender.send_queued()
    [message] = outbox()
    assert "Hunter-22" not in message.text_body + message.html_body
    assert PASSWORD_REMOVED in message.text_body


def test_keep_only_mode_keeps_everything_and_never_talks_smtp(org, admin, app):
    assert not app.config.get("MAIL_SERVER")
    created = invite(org, admin, "nina@example.com")

    report = sender.send_queued()

    assert report.kept_only and report.handled == 0
    [message] = outbox()
    assert message.status == "kept" and not message.redacted
    assert created.password in message.text_body  # nothing left the machine: shown in full
    assert message.delivery_attempts == []


def test_cli_send_prints_counts(org, admin, smtp_server, runner):
    invite(org, admin, "nina@example.com")
    smtp_server.handler.reject.add("ghost@example.com")
    invite(org, admin, "ghost@example.com")
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "Sent 1, will retry 0, failed 1." in result.output


def test_cli_send_in_keep_only_mode_says_why_nothing_went(org, admin, runner):
    invite(org, admin, "nina@example.com")
    result = runner.invoke(args=["mail", "send"])
    assert "MAIL_SERVER is not set" in result.output


def test_background_sender_delivers_after_a_request_queues_mail(org, admin, smtp_server, app,
                                                                 client, login_as):
    import time

    from webapp.mail import background

    app.config.update(TESTING=False, MAIL_SEND_IN_BACKGROUND=True, MAIL_POLL_SECONDS=0.2)
    try:
        login_as(admin)  # the first request starts the sender thread
        invite(org, admin, "nina@example.com")
        deadline = time.monotonic() + 60  # generous: the machine may be busy
        while not smtp_server.to("nina@example.com") and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        background.stop(app)
        app.config["TESTING"] = True
    assert len(smtp_server.to("nina@example.com")) == 1
    assert outbox()[0].status == "sent"


@pytest.mark.parametrize("config", [
    {"MAIL_SERVER": None, "MAIL_SEND_IN_BACKGROUND": True, "TESTING": False},
    {"MAIL_SERVER": "smtp.example.com", "MAIL_SEND_IN_BACKGROUND": False, "TESTING": False},
    {"MAIL_SERVER": "smtp.example.com", "MAIL_SEND_IN_BACKGROUND": True, "TESTING": True},
])
def test_no_background_sender_without_a_server_when_switched_off_or_in_tests(app, config):
    from webapp.mail import background

    app.config.update(config)
    assert not background.wanted(app)


@pytest.mark.parametrize("reply, status, outcome", [
    ("451 4.3.0 Mailbox busy, try again later", "queued", "retry"),
    ("452 4.2.2 Mailbox full", "queued", "retry"),
    ("550 5.1.1 No such user here", "failed", "failed"),
    ("553 5.1.3 Address not allowed", "failed", "failed"),
])
def test_temporary_replies_retry_and_permanent_ones_fail(org, admin, smtp_server, reply, status,
                                                          outcome):
    original = smtp_server.handler.handle_RCPT

    async def answer(server, session, envelope, address, rcpt_options):
        if address == "picky@example.com":
            return reply
        return await original(server, session, envelope, address, rcpt_options)

    smtp_server.handler.handle_RCPT = answer
    invite(org, admin, "picky@example.com")
    invite(org, admin, "easy@example.com")

    sender.send_queued()

    picky = next(m for m in outbox() if m.to_address == "picky@example.com")
    assert picky.status == status and picky.attempts == 1
    assert reply.split(" ", 1)[1] in picky.last_error
    assert [a.outcome for a in picky.delivery_attempts] == [outcome]
    assert len(smtp_server.to("easy@example.com")) == 1
