"""A mail server that cannot be reached pauses delivery; no message loses an attempt to it."""
from __future__ import annotations

import socket
import time

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from tests.smtp import SMTPServer, free_port
from webapp.extensions import db
from webapp.mail import outage, sender
from webapp.mail.outbox import queue
from webapp.models import DeliveryAttempt, OutboxMessage


def queue_mail(org, count: int) -> None:
    for n in range(count):
        queue(org_id=org.id, kind="welcome", to_address=f"person{n}@example.com",
              subject=f"Hello {n}", text_body="Hello.")
    db.session.commit()


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def silent_server():
    """A port that accepts connections but never says hello (a hung server)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@pytest.mark.parametrize("cause, expected", [
    ("refused", "connection refused"),
    ("dns", "Could not talk to the mail server"),
    ("timeout", "did not answer in time"),
])
def test_an_unreachable_server_leaves_every_message_queued_with_its_attempts(
        app, org, cause, expected, silent_server):
    server, port = {"refused": ("127.0.0.1", free_port()),
                    "dns": ("mail.no-such-host.invalid", 25),
                    "timeout": ("127.0.0.1", silent_server)}[cause]
    app.config.update(MAIL_SERVER=server, MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=0.5)
    queue_mail(org, 3)

    report = sender.send_queued()

    assert (report.sent, report.retrying, report.failed) == (0, 0, 0)
    assert expected in report.unreachable
    assert "goes out once the server answers" in report.describe()
    for message in outbox():
        assert message.status == "queued" and message.attempts == 0
        assert expected in message.last_error
    assert db.session.scalars(select(DeliveryAttempt)).all() == []


def test_delivery_pauses_during_an_outage_and_resumes_when_the_server_answers(app, org):
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_OUTAGE_PROBE_SECONDS=60)
    # The app's clock is frozen and moved by hand, so the pause ends when the test says,
    # however slowly this machine starts the server (the SMTP server's own loop keeps real time).
    with freeze_time("2026-03-02 09:00:00", ignore=["asyncio", "aiosmtpd", "tests.smtp"]) as clock:
        queue_mail(org, 5)
        assert sender.send_queued().unreachable

        server = SMTPServer(port)
        server.start()
        try:
            # Still inside the pause: the sender does not even knock.
            assert sender.send_queued().paused
            assert server.messages == []
            clock.tick(61)
            for _ in range(200):
                if len(server.messages) >= 5:
                    break
                sender.send_queued()
                time.sleep(0.05)
        finally:
            server.stop()
    assert sorted(str(m["To"]) for m in server.messages) == [f"person{n}@example.com" for n in range(5)]
    assert {(m.status, m.attempts) for m in outbox()} == {("sent", 1)}
    assert outage.seconds_left() == 0


def test_each_failed_probe_waits_twice_as_long_up_to_a_cap(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_OUTAGE_PROBE_SECONDS=15,
                      MAIL_OUTAGE_MAX_SECONDS=100)
    assert [outage.unreachable() for _ in range(5)] == [15, 30, 60, 100, 100]
    assert outage.seconds_left() > 90
    outage.reachable()
    assert outage.seconds_left() == 0


def test_a_large_batch_is_recorded_per_message(app, org, admin, smtp_server):
    """Set-based bookkeeping: every message gets its own status, attempt and log line."""
    from webapp.mail.outbox import Attachment

    app.config["MAIL_SEND_BATCH"] = 40
    smtp_server.handler.reject.add("ghost@example.com")
    for n in range(90):
        address = "ghost@example.com" if n == 45 else f"p{n}@example.com"
        secret = n % 3 == 0
        queue(org_id=org.id, kind="welcome", to_address=address, subject=f"Hi {n}",
              text_body=f"Password: Secret-{n}" if secret else "Hi.",
              redacted_text_body="Password: [removed]" if secret and n % 2 else None,
              carries_password=secret,
              attachments=(Attachment("list.csv", "text/csv", b"Secret", b"[removed]"),) if n == 3 else ())
    db.session.commit()

    report = sender.send_queued()

    assert (report.sent, report.failed) == (89, 1)
    assert len(smtp_server.messages) == 89
    messages = outbox()
    assert all(len(m.delivery_attempts) == 1 and m.attempts == 1 for m in messages)
    assert not any("Secret-" in m.text_body for m in messages if m.status == "sent")
    assert {m.text_body for m in messages if m.carries_password and m.status == "sent"} == {
        "Password: [removed]", "[password removed after sending]"}
    assert messages[3].attachments[0].data == b"[removed]"
    ghost = messages[45]
    assert ghost.status == "failed" and "550" in ghost.last_error
