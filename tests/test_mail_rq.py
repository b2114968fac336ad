"""Mail delivery on RQ: the web enqueues a delivery job, a real `flask worker` process sends
through a real SMTP server, and a failed delivery books its retry with the RQ scheduler."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
from sqlalchemy import select

from tests.scale import PYTHON, ROOT, process_env, require_redis
from webapp.extensions import db
from webapp.mail import background
from webapp.models import OutboxMessage

pytestmark = pytest.mark.redis

NEW_USER = {"first_name": "Nina", "last_name": "Newcomer", "account_type": "user", "send_invite": "y"}


@pytest.fixture
def rq_setup(app, admin, login_as, client, smtp_server, app_config, tmp_path):
    """The app on a fresh RQ queue of a real Redis, an admin signed in, and a worker command."""
    from redis import Redis
    from rq import Queue

    url = require_redis()
    queue_name = f"webapp-mail-test-{os.getpid()}-{time.time_ns()}"
    app.config.update(REDIS_URL=url, RQ_QUEUE=queue_name, MAIL_SEND_IN_BACKGROUND=True)
    login_as(admin)
    connection = Redis.from_url(url)
    env = process_env(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "worker",
                      REDIS_URL=url, RQ_QUEUE=queue_name, MAIL_SERVER="127.0.0.1",
                      MAIL_PORT=smtp_server.port, MAIL_SEND_IN_BACKGROUND="true",
                      MAIL_RETRY_BASE_SECONDS=1, MAIL_OUTAGE_PROBE_SECONDS=1)

    def run_worker():
        result = subprocess.run([PYTHON, "-m", "flask", "--app", "webapp", "worker", "--burst"],
                                env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        db.session.expire_all()

    yield Queue(queue_name, connection=connection), run_worker
    for key in connection.scan_iter(f"*{queue_name}*"):
        connection.delete(key)


def _outbox(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)))


def _create_user(client, email: str) -> None:
    response = client.post("/users/new", data={**NEW_USER, "email": email})
    assert response.status_code == 302


def test_welcome_mail_is_sent_once_by_a_real_rq_worker(app, client, smtp_server, rq_setup):
    queue, run_worker = rq_setup
    _create_user(client, "nina@example.com")
    _create_user(client, "omar@example.com")

    [message] = _outbox("nina@example.com")
    assert (message.kind, message.status) == ("welcome", "queued")
    assert queue.count == 1  # one delivery job for both requests, not one each
    assert id(app) not in background._senders  # no sender thread in the web process
    assert smtp_server.messages == []

    run_worker()

    assert len(smtp_server.to("nina@example.com")) == 1
    assert len(smtp_server.to("omar@example.com")) == 1
    assert len(smtp_server.messages) == 2
    assert [m.status for m in _outbox("nina@example.com") + _outbox("omar@example.com")] == ["sent", "sent"]
    assert queue.count == 0


def test_a_failed_delivery_is_retried_at_its_time_by_the_worker_scheduler(client, smtp_server, rq_setup):
    from rq.registry import ScheduledJobRegistry

    queue, run_worker = rq_setup
    smtp_server.stop()
    _create_user(client, "nina@example.com")
    run_worker()

    [message] = _outbox("nina@example.com")
    assert message.status == "queued" and message.attempts == 0  # an outage uses no attempt
    assert "connection refused" in message.last_error
    assert ScheduledJobRegistry(queue=queue).count == 1  # the retry is booked, once

    smtp_server.start()
    time.sleep(2)  # MAIL_OUTAGE_PROBE_SECONDS=1 in the worker: the booked probe time has come
    run_worker()

    assert len(smtp_server.to("nina@example.com")) == 1
    [message] = _outbox("nina@example.com")
    assert message.status == "sent"
    assert ScheduledJobRegistry(queue=queue).count == 0


def test_mail_a_command_queues_is_enqueued_by_mail_after_the_commit_and_not_after_a_rollback(
        admin, smtp_server, rq_setup):
    from webapp.mail.outbox import queue as queue_message

    queue, run_worker = rq_setup
    message = {"org_id": admin.org_id, "kind": "welcome", "subject": "Welcome", "text_body": "Hello"}
    queue_message(to_address="gone@example.com", **message)
    db.session.rollback()
    assert queue.count == 0  # nothing was saved, so nothing to deliver

    queue_message(to_address="kept@example.com", **message)
    db.session.flush()
    assert queue.count == 0  # not before the commit: the worker could not see the row yet
    db.session.commit()
    assert queue.count == 1

    run_worker()
    assert len(smtp_server.to("kept@example.com")) == 1 and smtp_server.to("gone@example.com") == []


def test_mail_left_queued_while_no_worker_ran_goes_out_when_a_worker_starts(app, admin, smtp_server, rq_setup):
    from webapp.mail.outbox import queue as queue_message

    queue, run_worker = rq_setup
    url = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = None  # queued while this process had no Redis: nobody asked for delivery
    queue_message(org_id=admin.org_id, kind="welcome", subject="Welcome", text_body="Hello",
                  to_address="waiting@example.com")
    db.session.commit()
    app.config["REDIS_URL"] = url
    assert queue.count == 0

    run_worker()  # jobs.worker_starting: mail/ enqueues what waited, and the burst sends it
    assert len(smtp_server.to("waiting@example.com")) == 1
