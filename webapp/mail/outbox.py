"""The single path for outgoing mail: messages are rows, added in the caller's transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, render_template

from webapp.extensions import db
from webapp.models import OutboxAttachment, OutboxMessage


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


def render_email(name: str, **context) -> tuple[str, str]:
    """Render templates/email/<name>.txt and .html with the given context."""
    context.setdefault("base_url", current_app.config["BASE_URL"].rstrip("/"))
    return (
        render_template(f"email/{name}.txt", **context),
        render_template(f"email/{name}.html", **context),
    )


def new_message_id() -> str:
    """A stable, unique Message-ID for one outbox row."""
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "onboarding.local")
    return f"<{secrets.token_hex(16)}@{domain}>"


def queue(*, org_id: int | None, kind: str, to_address: str, subject: str, text_body: str,
          html_body: str = "", to_user_id: int | None = None, carries_password: bool = False,
          attachments: tuple[Attachment, ...] = ()) -> OutboxMessage:
    """Add a message to the outbox in the current transaction; the caller commits."""
    message = OutboxMessage(
        org_id=org_id, kind=kind, to_address=to_address, to_user_id=to_user_id,
        subject=subject, text_body=text_body, html_body=html_body,
        message_id=new_message_id(), carries_password=carries_password, status="queued",
    )
    message.attachments = [
        OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data)
        for a in attachments
    ]
    db.session.add(message)
    return message


def queue_rows(rows: list[dict]) -> None:
    """Bulk-insert many messages (without attachments) in one statement; the caller commits.

    Each row has the keys of `queue` (org_id, kind, to_address, subject, text_body, ...).
    """
    if not rows:
        return
    for row in rows:
        row.setdefault("message_id", new_message_id())
        row.setdefault("status", "queued")
        row.setdefault("html_body", "")
        row.setdefault("carries_password", False)
        row.setdefault("attempts", 0)
        row.setdefault("last_error", "")
        row.setdefault("redacted", False)
    db.session.execute(db.insert(OutboxMessage), rows)
