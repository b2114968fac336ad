"""The audit log: one row per action, written in the action's own transaction."""
from __future__ import annotations

from sqlalchemy import JSON, DateTime, Integer, String, func, insert, literal, select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AuditEvent, EffectKind, ImportBatch, ImportEffect, User

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
    source = literal({"batch_id": batch.id, "filename": batch.filename}, JSON)
    for kind, action in IMPORT_ACTIONS.items():
        _per_person(batch, actor_id, action, source, ImportEffect.kind == kind)
    # Field changes: one row per person, their changes gathered in SQL as {"field": [old, new]}.
    _per_person(batch, actor_id, "user.import_update", _with_changes(batch), ImportEffect.kind == EffectKind.FIELD)


def record_import_undone(batch: ImportBatch, actor_id: int | None) -> None:
    """Add to the history of each person the undone import had touched, and who is still there, that it was undone."""
    still_here = select(User.id).where(User.org_id == batch.org_id)
    _per_person(batch, actor_id, "user.import_undone", literal({"batch_id": batch.id, "filename": batch.filename},
                                                               JSON), ImportEffect.user_id.in_(still_here))


def _per_person(batch: ImportBatch, actor_id: int | None, action: str, detail, condition) -> None:
    """One INSERT ... SELECT: an event about each person among the batch's effects that meet the condition."""
    columns = ["org_id", "actor_id", "action", "target_type", "target_id", "detail", "created_at"]
    db.session.execute(insert(AuditEvent).from_select(columns, select(
        literal(batch.org_id, Integer), literal(actor_id, Integer), literal(action, String), literal("user", String),
        ImportEffect.user_id, detail, literal(utcnow(), DateTime))
        .where(ImportEffect.batch_id == batch.id, ImportEffect.user_id.is_not(None), condition)
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
