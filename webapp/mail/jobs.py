"""Mail delivery as an RQ job, used instead of the in-process sender when REDIS_URL is set.

`deliver_due_mail()` is a plain function around send_queued(). The web process enqueues it
after a request (or a job) that queued mail; when messages wait for a retry, the job books
another run for that time, which the worker's scheduler starts. Two small Redis keys keep
the queue from filling with identical delivery jobs; a duplicate that slips through is
harmless, because the sender claims each message before sending it.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from flask import Flask, current_app
from sqlalchemy import exists, func, select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.jobs import rq_queue, worker_app_context
from webapp.models import OutboxMessage

log = logging.getLogger(__name__)

ENTRY_POINT = "webapp.mail.jobs.run_on_worker"
JOB_TIMEOUT_SECONDS = 3600
# A delivery job not started within this long (busy or lost worker) may be enqueued again.
PENDING_TTL_SECONDS = 300


def _keys(app: Flask) -> tuple[str, str]:
    prefix = f"webapp:{app.config['RQ_QUEUE']}:mail-delivery"
    return f"{prefix}:pending", f"{prefix}:scheduled-at"


def _queue(app: Flask):
    return rq_queue(app)


def delivers_automatically(app: Flask) -> bool:
    """Mail is really sent, and not left to `flask mail send`."""
    return bool(app.config.get("MAIL_SERVER") and app.config.get("MAIL_SEND_IN_BACKGROUND", True))


def request_delivery(app: Flask) -> bool:
    """Enqueue a delivery job unless one is already waiting; True when one was enqueued."""
    from redis.exceptions import RedisError

    pending_key, _ = _keys(app)
    try:
        queue = _queue(app)
        if not queue.connection.set(pending_key, "1", nx=True, ex=PENDING_TTL_SECONDS):
            return False
        queue.enqueue(ENTRY_POINT, job_timeout=JOB_TIMEOUT_SECONDS)
    except RedisError:
        # The mail stays queued in the database; the next request or worker start sends it.
        log.exception("Could not enqueue mail delivery on Redis; the mail stays queued.")
        return False
    return True


def deliver_if_queued(app: Flask) -> bool:
    """After a job or at worker start: enqueue delivery when queued mail is waiting."""
    if not (app.config.get("REDIS_URL") and delivers_automatically(app)):
        return False
    if not db.session.scalar(select(exists().where(OutboxMessage.status == "queued"))):
        return False
    return request_delivery(app)


def deliver_due_mail() -> dict:
    """Send every due queued message; book a later run for messages waiting to be retried."""
    from webapp.mail.sender import send_queued

    app = current_app._get_current_object()
    queue = _queue(app) if app.config.get("REDIS_URL") else None
    if queue is not None:
        _forget_bookings_that_are_due(app, queue.connection)
    report = send_queued()
    if queue is not None and not report.kept_only:
        schedule_next_retry(app, queue)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


def _forget_bookings_that_are_due(app: Flask, redis) -> None:
    # Mail queued from now on needs a new run, and this run is the one booked for now.
    pending_key, scheduled_key = _keys(app)
    redis.delete(pending_key)
    booked = redis.get(scheduled_key)
    if booked is not None and float(booked) <= time.time() + 1:
        redis.delete(scheduled_key)


def schedule_next_retry(app: Flask, queue) -> None:
    """Book one delivery run at the earliest retry time, unless an earlier one is booked."""
    now = utcnow()
    next_at = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at))
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at > now))
    if next_at is None:
        return
    delay = max(next_at - now, timedelta(seconds=1))
    run_at = time.time() + delay.total_seconds()
    _, scheduled_key = _keys(app)
    booked = queue.connection.get(scheduled_key)
    if booked is not None and float(booked) <= run_at:
        return
    queue.connection.set(scheduled_key, repr(run_at), ex=int(delay.total_seconds()) + 120)
    queue.enqueue_in(delay, ENTRY_POINT, job_timeout=JOB_TIMEOUT_SECONDS)


def run_on_worker() -> dict:
    """Entry point for an RQ worker: build the app from its settings and deliver."""
    with worker_app_context():
        return deliver_due_mail()
