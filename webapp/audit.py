"""The audit log: one row per action, written in the action's own transaction."""
from __future__ import annotations

from webapp.extensions import db
from webapp.models import AuditEvent


def record(org_id: int | None, actor_id: int | None, action: str, *, target_type: str | None = None,
           target_id: int | None = None, **detail) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(AuditEvent(org_id=org_id, actor_id=actor_id, action=action,
                              target_type=target_type, target_id=target_id, detail=detail))
