"""The single path for outgoing mail: messages are rows, added in the caller's transaction."""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, g, has_request_context

from webapp.extensions import db
from webapp.links import public_base_url
from webapp.models import OutboxAttachment, OutboxMessage
from webapp.text import single_line

# What a reader of the Mail page sees where a password was blanked after sending.
PASSWORD_REMOVED = "[password removed after sending]"
# ... and where a single-use set-password link was.
LINK_REMOVED = "[link removed after sending]"


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes
    # The same file with passwords blanked, stored in place of `data` once sent.
    redacted_data: bytes | None = None
    # Both given gzip-compressed: stored so, decompressed when sent and downloaded.
    compressed: bool = False


@dataclass(frozen=True)
class RenderedEmail:
    text: str
    html: str
    redacted_text: str | None = None
    redacted_html: str | None = None


def render_email(name: str, **context) -> tuple[str, str]:
    """Render templates/email/<name>.txt and .html with the given context."""
    context.setdefault("base_url", public_base_url())
    context.setdefault("sign_in_url", context["base_url"] + "/login")
    # Straight from the Jinja environment: emails are also built in background jobs, where
    # the page context processors (navigation, signed-in user) have no request to read.
    env = current_app.jinja_env
    return (
        env.get_template(f"email/{name}.txt").render(context),
        env.get_template(f"email/{name}.html").render(context),
    )


def render_with_password(name: str, password: str, **context) -> RenderedEmail:
    """Render an email twice: with the password, and with it blanked for the kept copy."""
    text, html = render_email(name, password=password, **context)
    redacted_text, redacted_html = render_email(name, password=PASSWORD_REMOVED, **context)
    return RenderedEmail(text, html, redacted_text, redacted_html)


def keeps_mail_only() -> bool:
    """True when no MAIL_SERVER is configured: mail is kept on the Mail page, never sent."""
    return not current_app.config.get("MAIL_SERVER")


def initial_status() -> str:
    """'kept' in keep-only mode, else 'queued' for the sender."""
    return "kept" if keeps_mail_only() else "queued"


def new_message_id() -> str:
    """A stable, unique Message-ID for one outbox row."""
    domain = current_app.config.get("MAIL_MESSAGE_ID_DOMAIN", "onboarding.local")
    return f"<{secrets.token_hex(16)}@{domain}>"


def _note_queued() -> None:
    # Lets the in-process sender wake up right after this request commits, and a job's or
    # command's commit enqueue delivery (webapp.mail.delivery).
    db.session.info["mail_queued"] = True
    if has_request_context():
        g.mail_queued = True


def queue(*, org_id: int | None, kind: str, to_address: str, subject: str, text_body: str,
          html_body: str = "", to_user_id: int | None = None, carries_password: bool = False,
          attachments: tuple[Attachment, ...] = (), redacted_text_body: str | None = None,
          redacted_html_body: str | None = None) -> OutboxMessage:
    """Add a message to the outbox in the current transaction; the caller commits."""
    message = OutboxMessage(
        org_id=org_id, kind=kind, to_address=to_address, to_user_id=to_user_id,
        subject=single_line(subject), text_body=text_body, html_body=html_body,
        redacted_text_body=redacted_text_body, redacted_html_body=redacted_html_body,
        message_id=new_message_id(), carries_password=carries_password,
        status=initial_status(),
    )
    message.attachments = [
        OutboxAttachment(filename=a.filename, content_type=a.content_type, data=a.data,
                         redacted_data=a.redacted_data, compressed=a.compressed)
        for a in attachments
    ]
    db.session.add(message)
    _note_queued()
    return message


def queue_rows(rows: list[dict]) -> None:
    """Bulk-insert many messages (without attachments) in one statement; the caller commits.

    Each row has the keys of `queue` (org_id, kind, to_address, subject, text_body, ...),
    including redacted_text_body / redacted_html_body for rows that carry a password.
    """
    if not rows:
        return
    status = initial_status()
    for row in rows:
        row["subject"] = single_line(row["subject"])  # a header never carries a line break
        row.setdefault("message_id", new_message_id())
        row.setdefault("status", status)
        row.setdefault("html_body", "")
        row.setdefault("carries_password", False)
        row.setdefault("attempts", 0)
        row.setdefault("last_error", "")
        row.setdefault("redacted", False)
        row.setdefault("redacted_text_body", None)
        row.setdefault("redacted_html_body", None)
    # The ORM batches consecutive rows whose NULL columns match into one executemany;
    # grouping them keeps a mix of password-carrying and plain messages to a few statements.
    rows.sort(key=lambda row: tuple(row[key] is None for key in sorted(row)))
    db.session.execute(db.insert(OutboxMessage), rows)
    _note_queued()
