"""The audit log: one row per action, written in the action's own transaction."""
from __future__ import annotations

from sqlalchemy import JSON, DateTime, Integer, String, func, insert, literal, select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, EffectKind, ImportBatch, ImportEffect

# What an import did to a person, as the action recorded on that person's history.
IMPORT_ACTIONS = {EffectKind.CREATED: "user.import_create", EffectKind.DEACTIVATED: "user.import_deactivate",
                  EffectKind.REACTIVATED: "user.import_reactivate"}


def record(org_id: int | None, actor_id: int | None, action: str, *, target_type: str | None = None,
           target_id: int | None = None, **detail) -> None:
    """Add an audit event to the current transaction (the caller commits)."""
    db.session.add(AuditEvent(org_id=org_id, actor_id=actor_id, action=action,
                              target_type=target_type, target_id=target_id, detail=detail))


def record_import_people(batch: ImportBatch, actor_id: int | None) -> None:
    """Add to each person's history what this import did to them, from its recorded effects (set-based).

    The effects go when the batch expires; these rows stay, so a person's page still names the import.
    """
    now, source = utcnow(), {"batch_id": batch.id, "filename": batch.filename}
    columns = ["org_id", "actor_id", "action", "target_type", "target_id", "detail", "created_at"]
    fixed = (literal(batch.org_id, Integer), literal(actor_id, Integer))
    person, at = literal("user", String), literal(now, DateTime)
    for kind, action in IMPORT_ACTIONS.items():
        db.session.execute(insert(AuditEvent).from_select(columns, select(
            *fixed, literal(action, String), person, ImportEffect.user_id, literal(source, JSON), at)
            .where(ImportEffect.batch_id == batch.id, ImportEffect.kind == kind).group_by(ImportEffect.user_id)))
    # Field changes: one row per person, their changes gathered in SQL as {"field": [old, new]}.
    db.session.execute(insert(AuditEvent).from_select(columns, select(
        *fixed, literal("user.import_update", String), person, ImportEffect.user_id, _with_changes(batch), at)
        .where(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.FIELD)
        .group_by(ImportEffect.user_id)))


def _with_changes(batch: ImportBatch):
    """The detail of an import_update row: the batch, its file name, and the person's changes (per dialect)."""
    batch_id, filename = literal(batch.id, Integer), literal(batch.filename, String)
    old, new, field = ImportEffect.old_value, ImportEffect.new_value, ImportEffect.field
    if db.session.get_bind().dialect.name == "postgresql":
        changes = func.json_object_agg(field, func.json_build_array(old, new))
        return func.json_build_object("batch_id", batch_id, "filename", filename, "changes", changes, type_=JSON)
    changes = func.json(func.json_group_object(field, func.json_array(old, new)))
    return func.json_object("batch_id", batch_id, "filename", filename, "changes", changes, type_=JSON)
