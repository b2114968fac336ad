"""Mail page services: find, count and resend outbox messages of one organisation."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update

from webapp import audit
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.mail.outbox import keeps_mail_only
from webapp.models import OutboxAttachment, OutboxMessage, User
from webapp.paging import PageNumbers, clamp_page

STATUSES = ("queued", "sending", "sent", "failed", "kept")
STATUS_LABELS = {"queued": "Queued", "sending": "Sending", "sent": "Sent", "failed": "Failed",
                 "kept": "Kept, not sent"}
KIND_LABELS = {"welcome": "Welcome", "created_users_summary": "Created users summary",
               "sign_in_details": "Sign-in details", "password_reset": "Password reset"}


class NotResendable(ValueError):
    """The message cannot be sent again (only failed messages can, with a mail server set)."""


def kind_label(kind: str) -> str:
    """A readable name for a kind of message."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


@dataclass(frozen=True)
class MailFilters:
    status: str = ""
    kind: str = ""
    recipient: str = ""
    page: int = 1

    def query_args(self, **changes) -> dict:
        """The filters as URL arguments, without empty ones."""
        values = {"status": self.status, "kind": self.kind, "recipient": self.recipient,
                  "page": self.page, **changes}
        return {key: value for key, value in values.items()
                if value and not (key == "page" and value == 1)}


@dataclass(frozen=True)
class MailPage(PageNumbers):
    messages: list[OutboxMessage]
    total: int
    page: int
    per_page: int
    attachment_counts: dict[int, int]


def _conditions(org_id: int, filters: MailFilters) -> list:
    conditions = [OutboxMessage.org_id == org_id]
    if filters.status:
        conditions.append(OutboxMessage.status == filters.status)
    if filters.kind:
        conditions.append(OutboxMessage.kind == filters.kind)
    if filters.recipient.strip():
        pattern = f"%{filters.recipient.strip().lower()}%"
        conditions.append(func.lower(OutboxMessage.to_address).like(pattern))
    return conditions


def find_messages(org_id: int, filters: MailFilters, per_page: int = 50) -> MailPage:
    """One page of the organisation's messages, newest first, filtered."""
    conditions = _conditions(org_id, filters)
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage).where(*conditions))
    page = clamp_page(filters.page, total, per_page)
    messages = db.session.scalars(
        select(OutboxMessage).where(*conditions)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    attachment_counts = dict(db.session.execute(
        select(OutboxAttachment.message_id, func.count())
        .where(OutboxAttachment.message_id.in_([m.id for m in messages]))
        .group_by(OutboxAttachment.message_id)
    ).all()) if messages else {}
    return MailPage(list(messages), total, page, per_page, attachment_counts)


def status_counts(org_id: int) -> dict[str, int]:
    """How many of the organisation's messages are in each status (all statuses listed)."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).where(OutboxMessage.org_id == org_id)
        .group_by(OutboxMessage.status)
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: count for status, count in rows})
    return counts


def kinds_in_use(org_id: int) -> list[str]:
    """The kinds of message this organisation has, for the filter."""
    return list(db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.org_id == org_id)
        .group_by(OutboxMessage.kind).order_by(OutboxMessage.kind)
    ))


RESENDABLE = ("failed", "kept")


def can_resend(message: OutboxMessage) -> bool:
    """A failed message, or one kept before a mail server was configured, can be queued."""
    return message.status in RESENDABLE and not keeps_mail_only()


def resend(message: OutboxMessage, actor: User) -> None:
    """Queue a failed (or kept) message again, with a fresh set of attempts."""
    if keeps_mail_only():
        raise NotResendable("This server keeps mail locally, so nothing can be sent. "
                            "Configure MAIL_SERVER to send.")
    if message.status not in RESENDABLE:
        raise NotResendable(f"Only a failed or kept message can be sent; this one is "
                            f"{STATUS_LABELS.get(message.status, message.status).lower()}.")
    message.status, message.attempts, message.next_attempt_at = "queued", 0, utcnow()
    message.last_error = ""
    audit.record(message.org_id, actor.id, "mail.resend", target_type="outbox_message",
                 target_id=message.id, to=message.to_address, kind=message.kind)
    db.session.commit()


def count_failed(org_id: int, filters: MailFilters) -> int:
    """How many failed messages match the filter (what Resend all failed would queue)."""
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage)
        .where(*_conditions(org_id, filters), OutboxMessage.status == "failed")
    ) or 0


def resend_all_failed(org_id: int, filters: MailFilters, actor: User) -> int:
    """Queue every failed message matching the filter again, in one UPDATE; return how many."""
    if keeps_mail_only():
        raise NotResendable("This server keeps mail locally, so nothing can be sent. "
                            "Configure MAIL_SERVER to send.")
    queued = db.session.execute(
        update(OutboxMessage)
        .where(*_conditions(org_id, filters), OutboxMessage.status == "failed")
        .values(status="queued", attempts=0, next_attempt_at=utcnow(), last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount or 0
    audit.record(org_id, actor.id, "mail.resend_failed", target_type=None, count=queued,
                 kind=filters.kind, recipient=filters.recipient)
    db.session.commit()
    return queued
