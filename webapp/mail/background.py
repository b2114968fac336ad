"""The in-process sender: one daemon thread per app, started by the first request.

It drains the outbox when a request has queued mail, and every MAIL_POLL_SECONDS for mail
queued by background jobs and for retries. Several processes may each run one: claiming in
the sender keeps them from sending the same message twice. With REDIS_URL set there is no
thread: delivery is an RQ job (webapp.mail.jobs), enqueued here when a request queued mail.
"""
from __future__ import annotations

import logging
import threading

from flask import Flask

from webapp.extensions import db

log = logging.getLogger(__name__)

_senders: dict[int, BackgroundSender] = {}
_lock = threading.Lock()


class BackgroundSender:
    """A daemon thread that runs send_queued() when woken, or every few seconds."""

    def __init__(self, app: Flask):
        self.app = app
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name="mail-sender")

    def run(self) -> None:
        from webapp.mail.sender import send_queued

        while not self.stopping.is_set():
            self.wake.wait(timeout=self.app.config.get("MAIL_POLL_SECONDS", 5))
            self.wake.clear()
            if self.stopping.is_set():
                return
            with self.app.app_context():
                try:
                    send_queued()
                except Exception:  # the thread must survive a database hiccup
                    log.exception("The background mail sender failed; it will try again.")
                finally:
                    db.session.remove()


def wanted(app: Flask) -> bool:
    """Run in the background only when mail is really sent, and never in tests."""
    config = app.config
    return bool(config.get("MAIL_SERVER") and config.get("MAIL_SEND_IN_BACKGROUND", True)
                and not config.get("TESTING"))


def nudge(app: Flask, *, mail_queued: bool) -> None:
    """Start this app's sender if needed; wake it when the request queued mail."""
    if app.config.get("REDIS_URL"):
        if mail_queued:
            from webapp.mail import jobs as mail_jobs

            if mail_jobs.delivers_automatically(app):
                mail_jobs.request_delivery(app)
        return
    if not wanted(app):
        return
    sender = _senders.get(id(app))
    if sender is None:
        with _lock:
            sender = _senders.get(id(app))
            if sender is None:
                sender = _senders[id(app)] = BackgroundSender(app)
                sender.thread.start()
    if mail_queued:
        sender.wake.set()


def stop(app: Flask, timeout: float = 10) -> None:
    """Stop this app's sender thread after its current run (tests, orderly shutdown)."""
    sender = _senders.pop(id(app), None)
    if sender is not None:
        sender.stopping.set()
        sender.wake.set()
        sender.thread.join(timeout)
