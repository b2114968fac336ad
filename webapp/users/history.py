"""A user's recent audit trail, in plain words."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import AccountType, AuditEvent, ImportBatch, User

FIELD_LABELS = {"first_name": "first name", "last_name": "last name", "email": "email address",
                "account_type": "account type"}


# What an import did to a person; the page adds the import's file name (linked while its page exists).
IMPORT_SENTENCES = {"user.import_create": "Account created by the import of",
                    "user.import_deactivate": "Deactivated by the import of",
                    "user.import_reactivate": "Reactivated by the import of",
                    "user.import_undone": "Changes reversed, where they could be, by the undo of the import of"}


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    what: str
    # For what an import did: its file's name, and its batch while its page still exists.
    source: str | None = None
    batch_id: int | None = None


def _value(field: str, value) -> str:
    if field == "account_type" and value in {t.value for t in AccountType}:
        return AccountType(value).label
    return str(value)


def describe(event: AuditEvent) -> str:
    """One plain sentence for an audit event about a user."""
    detail = event.detail or {}
    if event.action == "user.create":
        how = "with the welcome email" if detail.get("invited") else "without an email"
        return f"Account created {how}"
    if event.action in IMPORT_SENTENCES:
        return IMPORT_SENTENCES[event.action]
    if event.action in ("user.update", "user.import_update"):
        changes = detail.get("changes", {})
        parts = [f"{FIELD_LABELS.get(field, field)} from “{_value(field, old)}” to “{_value(field, new)}”"
                 for field, (old, new) in changes.items()]
        said = "Changed " + "; ".join(parts) if parts else "Details saved"
        return said + " by the import of" if event.action == "user.import_update" else said
    labels = {
        "user.deactivate": "Deactivated: can no longer sign in",
        "user.activate": "Reactivated: can sign in again",
        "auth.sign_in": "Signed in",
        "auth.password_change": "Set their own password",
        "auth.password_reset": "Chose a new password with an emailed link",
        "auth.password_reset_cli": "Given a new generated password from the command line",
        "user.send_details": "Sign-in details sent",
    }
    return labels.get(event.action, event.action.replace(".", ": ").replace("_", " ").capitalize())


def recent_history(user: User, limit: int = 10) -> list[HistoryEntry]:
    """The latest events about this user, newest first, with who did each (and a query for the imports named)."""
    actor = aliased(User)
    rows = db.session.execute(
        select(AuditEvent, actor)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .where(AuditEvent.org_id == user.org_id, AuditEvent.target_type == "user",
               AuditEvent.target_id == user.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    sources = {event.id: (event.detail or {}).get("batch_id") for event, _ in rows
               if event.action.startswith("user.import_")}
    kept = set(db.session.scalars(select(ImportBatch.id).where(
        ImportBatch.org_id == user.org_id, ImportBatch.id.in_(set(sources.values()))))) if sources else set()
    return [HistoryEntry(at=event.created_at, who=who.full_name if who else "The system", what=describe(event),
                         source=(event.detail or {}).get("filename") if event.id in sources else None,
                         batch_id=sources.get(event.id) if sources.get(event.id) in kept else None)
            for event, who in rows]
