"""Worked extension: POST {org_id, user_ids, source} to WEBHOOK_URL after people are created.

The users_created receiver only notes the payload; it is posted once the transaction has committed
(so the HR system never hears of people a rollback undid), and a failure is logged, never raised.
"""
from __future__ import annotations

import json
import logging
import urllib.request

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from webapp import signals
from webapp.extensions import db

log = logging.getLogger(__name__)
PENDING = "webhook_payloads"


def init_app(app: Flask) -> None:
    signals.users_created.connect(_note, sender=app, weak=False)


def _note(app, *, org_id, user_ids, source, **_):
    db.session.info.setdefault(PENDING, []).append(
        (app.config["WEBHOOK_URL"], {"event": "users_created", "org_id": org_id, "user_ids": user_ids,
                                     "source": source}))


@event.listens_for(Session, "after_commit")
def _post_after_commit(session: Session) -> None:
    for url, payload in session.info.pop(PENDING, []):
        request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=current_app.config.get("WEBHOOK_TIMEOUT", 5)):
                pass
        except Exception:  # the people are created whatever the HR system says
            log.exception("Webhook POST to %s failed for organisation %s", url, payload["org_id"])


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)
