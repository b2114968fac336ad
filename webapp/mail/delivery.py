"""Mail/ starts its own delivery: after a commit that queued mail, and when a worker starts.

The job runner and the commands know nothing about mail. A commit outside a web request (a job,
a command) that queued a message enqueues a delivery run on RQ; a web request's mail is left to
the after-request nudge (webapp.mail.views.wake_sender), which also drives the in-process sender.
"""
from __future__ import annotations

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp.jobs import worker_starting
from webapp.mail import jobs as mail_jobs


@event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    if not session.info.pop("mail_queued", False) or has_request_context() or not has_app_context():
        return
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL") and mail_jobs.delivers_automatically(app):
        mail_jobs.request_delivery(app)  # Redis only: no SQL inside the commit


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("mail_queued", None)  # the queued rows are gone with the transaction


@worker_starting.connect
def _deliver_what_waited(app) -> None:
    mail_jobs.deliver_if_queued(app)  # mail left queued while no worker ran
