"""Applying an import's plan inside Create Users' one transaction: updates, groups, series, statuses, leavers.

Create Users calls `before_create` (which rows to still create) and `after_create` (everything else);
each step is a fixed number of statements whatever the number of rows.
"""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import and_, func, insert, literal, select, update

from webapp import audit
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import leavers
from webapp.imports.raw_table import chunk_rows
from webapp.imports.sync import UNCHANGED, UPDATED, in_use, plan, sync_counts
from webapp.models import (
    EffectKind,
    Group,
    GroupMember,
    ImportBatch,
    ImportEffect,
    RowStatus,
    Series,
    StagedChange,
    StagedRow,
    SyncAction,
    User,
)
from webapp.accounts.membership import sync_all_org_users


def before_create(batch: ImportBatch, actor_id: int | None) -> set[int]:
    """Plan afresh; return the ids of ready rows Create Users must not create (blocked ones).

    Writes only the plan: Create Users may commit progress before its one real transaction.
    """
    if not in_use(batch):
        return set()
    plan(batch, actor_id)
    return set(db.session.scalars(select(StagedChange.row_id).where(
        StagedChange.batch_id == batch.id, StagedChange.action == SyncAction.BLOCKED)))


def _settle_rows(batch: ImportBatch) -> None:
    """Blocked rows fail with their reason; existing people become updated or unchanged (set-based)."""
    def rows_with(action):
        return select(StagedChange.row_id).where(StagedChange.batch_id == batch.id,
                                                 StagedChange.action == action)

    reason = (select(StagedChange.reason).where(StagedChange.row_id == StagedRow.id)
              .limit(1).scalar_subquery())
    db.session.execute(
        update(StagedRow).where(StagedRow.batch_id == batch.id,
                                StagedRow.id.in_(rows_with(SyncAction.BLOCKED)))
        .values(status=RowStatus.FAILED, failure_reason=reason, user_id=None)
        .execution_options(synchronize_session=False))
    user_id = (select(StagedChange.user_id).where(StagedChange.row_id == StagedRow.id)
               .limit(1).scalar_subquery())
    for action, status in ((SyncAction.UPDATE, UPDATED), (SyncAction.UNCHANGED, UNCHANGED)):
        db.session.execute(
            update(StagedRow).where(StagedRow.batch_id == batch.id,
                                    StagedRow.id.in_(rows_with(action)))
            .values(status=status, user_id=user_id, failure_reason=None)
            .execution_options(synchronize_session=False))


def after_create(batch: ImportBatch, actor_id: int | None) -> list[dict]:
    """Record what Create Users made, apply updates, groups, series, statuses and leavers.

    Returns outcome dicts of the people deactivated, for the completion summary.
    """
    if in_use(batch):
        _settle_rows(batch)
    record_created(batch)
    _keep_for_undo(batch)
    if not in_use(batch):
        return []
    # Created people's planned extras need their new ids.
    created_id = (select(StagedRow.user_id).where(StagedRow.id == StagedChange.row_id)
                  .limit(1).scalar_subquery())
    db.session.execute(
        update(StagedChange).where(StagedChange.batch_id == batch.id,
                                   StagedChange.action == SyncAction.CREATE)
        .values(user_id=created_id).execution_options(synchronize_session=False))
    # A chunk of planned changes at a time: each chunk records its effects and applies its fields and groups;
    # statuses and enrolments then follow from the recorded effects, set-based, in the order they always had.
    group_ids: dict[str, int] = {}
    for changes in _planned_changes(batch):
        _apply_fields(batch, changes)
        _record_active(batch, changes, True)
        _record_active(batch, changes, False)
        _apply_groups(batch, changes, group_ids)
        _record_series(batch, changes, actor_id)
    _set_active(batch, True)
    _apply_series(batch, actor_id)
    _set_active(batch, False)
    left = leavers.deactivate(batch, actor_id) if batch.deactivate_missing else 0
    outcomes = _outcomes(batch)
    counts = sync_counts(batch)
    audit.record(batch.org_id, actor_id, "users.import_synced", target_type="import_batch",
                 target_id=batch.id, mode=batch.mode, updated=counts["updated"],
                 unchanged=counts["unchanged"], deactivated=counts["deactivated"], leavers=left)
    return outcomes


def _keep_for_undo(batch: ImportBatch) -> None:
    """The batch (and so its record of effects) must outlive the undo window."""
    from datetime import timedelta

    from flask import current_app

    keep_until = utcnow() + timedelta(days=current_app.config["IMPORT_UNDO_DAYS"])
    if batch.expires_at is None or batch.expires_at < keep_until:
        batch.expires_at = keep_until


def record_created(batch: ImportBatch) -> None:
    """Remember the accounts this import created (one INSERT ... SELECT), so it can be undone."""
    db.session.execute(insert(ImportEffect).from_select(
        ["batch_id", "kind", "user_id"],
        select(literal(batch.id), literal(EffectKind.CREATED), StagedRow.user_id)
        .where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.CREATED,
               StagedRow.user_id.is_not(None))))


def _apply_fields(batch: ImportBatch, changes) -> None:
    effects, per_user = [], defaultdict(dict)
    for change in changes:
        for name in ("first_name", "last_name", "account_type"):
            if name in change.changes:
                old, new = change.changes[name]
                per_user[change.user_id][name] = new
                effects.append({"batch_id": batch.id, "kind": EffectKind.FIELD, "user_id": change.user_id,
                                "field": name, "old_value": old, "new_value": new})
    if not effects:
        return
    db.session.execute(insert(ImportEffect), effects)
    now = utcnow()
    # Grouped by the set of fields changed: one executemany per shape.
    shapes = defaultdict(list)
    for user_id, values in per_user.items():
        shapes[tuple(sorted(values))].append({"id": user_id, **values, "updated_at": now})
    for rows in shapes.values():
        db.session.execute(update(User), rows)
    retyped = [uid for uid, values in per_user.items() if "account_type" in values]
    if retyped:
        sync_all_org_users(batch.org_id, retyped)


def _planned_changes(batch: ImportBatch):
    """The planned creates and updates of people, a chunk of IMPORT_CHUNK_ROWS at a time (keyset on id)."""
    size = chunk_rows()
    query = (select(StagedChange.id, StagedChange.user_id, StagedChange.action, StagedChange.changes,
                    StagedChange.group_ids, StagedChange.series_ids, StagedChange.active)
             .where(StagedChange.batch_id == batch.id, StagedChange.user_id.is_not(None),
                    StagedChange.action.in_((SyncAction.CREATE, SyncAction.UPDATE)))
             .order_by(StagedChange.id).limit(size))
    after = 0
    while changes := db.session.execute(query.where(StagedChange.id > after)).all():
        yield changes
        after = changes[-1].id


def _record_active(batch: ImportBatch, changes, active: bool) -> None:
    ids = [c.user_id for c in changes if c.active is active]
    if ids:
        kind = EffectKind.REACTIVATED if active else EffectKind.DEACTIVATED
        db.session.execute(insert(ImportEffect), [
            {"batch_id": batch.id, "kind": kind, "user_id": uid} for uid in ids])


def _set_active(batch: ImportBatch, active: bool) -> None:
    """Apply the recorded reactivations or deactivations (one UPDATE; deactivation cancels waiting mail)."""
    kind = EffectKind.REACTIVATED if active else EffectKind.DEACTIVATED
    chosen = select(ImportEffect.user_id).where(ImportEffect.batch_id == batch.id, ImportEffect.kind == kind)
    if db.session.scalar(select(chosen.exists())) is not True:
        return
    db.session.execute(update(User).where(User.id.in_(chosen), User.org_id == batch.org_id)
                       .values(is_active_account=active, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    if not active:
        leavers.cancel_waiting_mail(chosen)


def _apply_groups(batch: ImportBatch, changes, name_to_id: dict[str, int]) -> None:
    """Memberships for a chunk; groups it names first are made once (`name_to_id` carries them across chunks)."""
    new_names = {}
    for change in changes:
        for name in change.changes.get("new_groups", []):
            if name.casefold() not in name_to_id:
                new_names.setdefault(name.casefold(), name)
    if new_names:
        now = utcnow()
        db.session.execute(insert(Group), [{"org_id": batch.org_id, "name": name, "is_builtin": False,
                                            "created_at": now} for name in new_names.values()])
        made = {name.casefold(): gid for gid, name in db.session.execute(
            select(Group.id, Group.name).where(Group.org_id == batch.org_id,
                                               Group.name.in_(list(new_names.values()))))}
        db.session.execute(insert(ImportEffect), [
            {"batch_id": batch.id, "kind": EffectKind.GROUP, "group_id": gid} for gid in made.values()])
        name_to_id.update(made)
    pairs = set()
    for change in changes:
        pairs.update((change.user_id, gid) for gid in change.group_ids)
        pairs.update((change.user_id, name_to_id[n.casefold()]) for n in change.changes.get("new_groups", [])
                     if n.casefold() in name_to_id)
    if not pairs:
        return
    now = utcnow()
    db.session.execute(insert(GroupMember), [{"group_id": g, "user_id": u, "added_at": now} for u, g in pairs])
    db.session.execute(insert(ImportEffect), [
        {"batch_id": batch.id, "kind": EffectKind.MEMBERSHIP, "user_id": u, "group_id": g} for u, g in pairs])


def _record_series(batch: ImportBatch, changes, actor_id: int | None) -> None:
    pairs = {(c.user_id, sid) for c in changes for sid in c.series_ids}
    if pairs and actor_id is not None:  # enrolments need someone to enrol them
        db.session.execute(insert(ImportEffect), [
            {"batch_id": batch.id, "kind": EffectKind.ENROLMENT, "user_id": u, "series_id": s} for u, s in pairs])


def _apply_series(batch: ImportBatch, actor_id: int | None) -> None:
    """Enrol through the enrolment service: its email rules, once per series and Send Invite choice."""
    series_ids = db.session.scalars(select(ImportEffect.series_id).distinct().where(
        ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.ENROLMENT)).all()
    if not series_ids or actor_id is None:
        return
    from webapp.enrolments.services import add_enrolments
    from webapp.models import Organisation

    org = db.session.get(Organisation, batch.org_id)
    actor = db.session.get(User, actor_id)
    for series_id in sorted(series_ids):
        series = db.session.get(Series, series_id)
        for send_invite in (True, False):
            people = (select(ImportEffect.user_id)
                      .join(StagedRow, and_(StagedRow.batch_id == ImportEffect.batch_id,
                                            StagedRow.user_id == ImportEffect.user_id))
                      .where(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.ENROLMENT,
                             ImportEffect.series_id == series_id, StagedRow.send_invite.is_(send_invite)))
            if db.session.scalar(select(func.count()).select_from(people.subquery())):
                add_enrolments(org, actor, series, people, send_invite=send_invite, due_date=None)


def _outcomes(batch: ImportBatch) -> list[dict]:
    """Outcome dicts for the people deactivated, listed after the file's lines in the summary.

    Updated and unchanged lines say what changed from the summary's own pages (outcomes.line_outcomes),
    so no list of everyone matched is made here.
    """
    gone = db.session.execute(
        select(User.first_name, User.last_name, User.email, User.account_type)
        .where(User.id.in_(select(ImportEffect.user_id).where(
            ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.DEACTIVATED)))
        .order_by(User.last_name, User.first_name)).all()
    return [{"first_name": r.first_name, "last_name": r.last_name, "email": r.email,
             "account_type": r.account_type, "password": "", "outcome": "deactivated",
             "reason": "Deactivated by this import."} for r in gone]
