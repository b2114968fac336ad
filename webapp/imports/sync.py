"""Keep the directory in step from a file: plan (diff) each row's change, then apply it set-based.

Modes: "add" (new people only; an existing account fails its row), "add_update" and "update"
(match people on email within the organisation and change what differs). The optional Group,
Series and Status columns (sync_fields) and the full-list option (leavers) work in every mode.
Create Users calls `before_create` and `after_create` inside its one transaction.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, insert, literal, select, update

from webapp import audit
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import leavers, reading, sync_fields
from webapp.models import (
    AccountType,
    EffectKind,
    Enrolment,
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
from webapp.users.membership import sync_all_org_users

MODES = {"add": "Add new people", "add_update": "Add and update", "update": "Update only"}
UPDATE_MODES = ("add_update", "update")
FIELD_LABELS = {"first_name": "First name", "last_name": "Last name", "account_type": "Account type",
                "active": "Status"}
# StagedRow statuses for existing people once an update import is applied.
UPDATED, UNCHANGED = "updated", "unchanged"

NO_ACCOUNT = ("No account with this email address. Update only changes people who already have "
              "an account; choose Add and update to create them too.")
GUEST_PROMOTION = "A Guest cannot become an Admin or a Team Manager."
LAST_ADMIN = ("This is the organisation's last active admin, who cannot be demoted or deactivated. "
              "Make someone else an admin first.")
SELF_CHANGE = "You cannot demote or deactivate your own account from an import."


class SyncError(ValueError):
    """An option that cannot be used; str(error) says why."""


@dataclass
class PlanCounts:
    create: int = 0
    update: int = 0
    unchanged: int = 0
    blocked: int = 0
    leavers: int = 0
    by_action: dict = field(default_factory=dict)


def configure(batch: ImportBatch, *, mode: str | None = None, deactivate_missing: bool | None = None,
              create_missing_groups: bool | None = None) -> None:
    """Set the batch's upload mode and options; the caller commits."""
    if mode is not None:
        if mode not in MODES:
            raise SyncError("Choose Add new people, Add and update, or Update only.")
        batch.mode = mode
    if deactivate_missing is not None:
        batch.deactivate_missing = bool(deactivate_missing)
    if create_missing_groups is not None:
        batch.create_missing_groups = bool(create_missing_groups)


def extra_columns(batch: ImportBatch) -> dict[str, int]:
    """The Group, Series and Status columns of the batch's file, by header synonym."""
    return sync_fields.find_columns(batch.headers or [])


def in_use(batch: ImportBatch) -> bool:
    """True when this batch does more than add new people (a mode, leavers or extra columns)."""
    return batch.mode in UPDATE_MODES or bool(batch.deactivate_missing) or bool(extra_columns(batch))


def _extra_cells(batch: ImportBatch) -> dict[int, dict[str, sync_fields.Parsed]]:
    """{line: {field key: Parsed}} for the extra columns, read again from the kept file."""
    columns = extra_columns(batch)
    if not columns or batch.upload is None:
        return {}
    table = reading.read_table(batch.upload.data, batch.filename, encoding=batch.encoding or None,
                               delimiter=batch.delimiter or None)
    by_key = {f.key: f for f in sync_fields.FIELDS}
    cells = {}
    for line, row in table.rows:
        cells[line] = {key: by_key[key].parse(row[index] if index < len(row) else "")
                       for key, index in columns.items()}
    return cells


def plan(batch: ImportBatch, actor_id: int | None = None) -> PlanCounts:
    """Work out, for every open row, what applying it will do; replace the batch's plan (bulk insert)."""
    db.session.execute(delete(StagedChange).where(StagedChange.batch_id == batch.id))
    if not in_use(batch):
        return PlanCounts()
    update_mode = batch.mode in UPDATE_MODES
    cells = _extra_cells(batch)
    groups = {name.casefold(): gid for gid, name in db.session.execute(
        select(Group.id, Group.name).where(Group.org_id == batch.org_id, Group.is_builtin.is_(False)))}
    series = {name.casefold(): (sid, name, archived) for sid, name, archived in db.session.execute(
        select(Series.id, Series.name, Series.is_archived).where(Series.org_id == batch.org_id))}
    rows = db.session.execute(
        select(StagedRow.id, StagedRow.line, StagedRow.first_name, StagedRow.last_name,
               StagedRow.account_type, StagedRow.status, User.id.label("user_id"),
               User.first_name.label("old_first"), User.last_name.label("old_last"),
               User.account_type.label("old_type"), User.is_active_account.label("old_active"))
        .outerjoin(User, and_(User.org_id == batch.org_id, User.email == StagedRow.email))
        .where(StagedRow.batch_id == batch.id,
               StagedRow.status.in_((RowStatus.VALID, RowStatus.EXISTING)))
        .order_by(StagedRow.line)
    ).all()
    members, enrolled = _existing_links(batch)
    # Plain values read once: ORM attribute access in a 100,000-row loop adds up.
    options = _Options(batch.id, batch.mode, batch.has_type_column, batch.create_missing_groups)
    planned = []
    for row in rows:
        if row.user_id is not None and not update_mode:
            continue  # Add new people: Create Users fails this row as an existing account
        item = _plan_row(options, row, cells.get(row.line, {}), groups, series, members, enrolled,
                         actor_id)
        if item is not None:
            planned.append(item)
    _protect_last_admin(batch, planned)
    if planned:
        # Core insert on the table: the ORM's bulk path costs more than the rows here.
        db.session.execute(insert(StagedChange.__table__), planned)
    counts = PlanCounts()
    for item in planned:
        counts.by_action[item["action"]] = counts.by_action.get(item["action"], 0) + 1
    counts.create = counts.by_action.get(SyncAction.CREATE, 0)
    counts.update = counts.by_action.get(SyncAction.UPDATE, 0)
    counts.unchanged = counts.by_action.get(SyncAction.UNCHANGED, 0)
    counts.blocked = counts.by_action.get(SyncAction.BLOCKED, 0)
    if batch.deactivate_missing:
        counts.leavers = leavers.count(batch, actor_id)
    return counts


@dataclass(frozen=True)
class _Options:
    batch_id: int
    mode: str
    has_type_column: bool
    create_missing_groups: bool


def _existing_links(batch: ImportBatch) -> tuple[set, set]:
    """(user_id, group_id) memberships and (user_id, series_id) enrolments of the file's people."""
    people = (select(User.id).join(StagedRow, and_(User.email == StagedRow.email,
                                                    User.org_id == batch.org_id))
              .where(StagedRow.batch_id == batch.id))
    members = set(db.session.execute(
        select(GroupMember.user_id, GroupMember.group_id).where(GroupMember.user_id.in_(people))).all())
    enrolled = set(db.session.execute(
        select(Enrolment.user_id, Enrolment.series_id).where(Enrolment.user_id.in_(people))).all())
    return members, enrolled


def _plan_row(batch, row, cells, groups, series, members, enrolled, actor_id) -> dict | None:
    problems: list[str] = []
    changes: dict = {}
    existing = row.user_id is not None
    if not existing and batch.mode == "update":
        return _item(batch, row, SyncAction.BLOCKED, reason=NO_ACCOUNT)
    if existing:
        for name, old, new in (("first_name", row.old_first, row.first_name),
                               ("last_name", row.old_last, row.last_name)):
            if new and new[:100] != old:
                changes[name] = [old, new[:100]]
        if batch.has_type_column and row.account_type != row.old_type:
            changes["account_type"] = [row.old_type, row.account_type]
            if row.old_type == AccountType.GUEST.value and row.account_type in (
                    AccountType.ADMIN.value, AccountType.TEAM_MANAGER.value):
                problems.append(GUEST_PROMOTION)
    status = cells.get("status")
    active = None
    for key, parsed in cells.items():
        if parsed.problem:
            problems.append(sync_fields.problem_text(parsed.problem))
    if status is not None and status.value is not None:
        active = bool(status.value)
        if existing and active != bool(row.old_active):
            changes["active"] = [bool(row.old_active), active]
        elif existing or active:
            active = None  # no change to make (new people start active)
    if existing and row.user_id == actor_id and (
            changes.get("active", [None, True])[1] is False
            or ("account_type" in changes and row.account_type != AccountType.ADMIN.value)):
        problems.append(SELF_CHANGE)
    group_ids, new_groups, shown_groups = [], [], []
    parsed = cells.get("groups")
    for name in (parsed.value if parsed is not None and not parsed.problem else []):
        gid = groups.get(name.casefold())
        if gid is None and not batch.create_missing_groups:
            problems.append(sync_fields.problem_text(
                {"field": "groups", "code": "unknown", "params": {"name": name}}))
        elif gid is None:
            new_groups.append(name)
            shown_groups.append(name)
        elif (row.user_id, gid) not in members:
            group_ids.append(gid)
            shown_groups.append(name)
    series_ids, shown_series = [], []
    parsed = cells.get("series")
    for name in (parsed.value if parsed is not None and not parsed.problem else []):
        known = series.get(name.casefold())
        if known is None:
            problems.append(sync_fields.problem_text(
                {"field": "series", "code": "unknown", "params": {"name": name}}))
        elif known[2]:
            problems.append(sync_fields.problem_text(
                {"field": "series", "code": "archived", "params": {"name": known[1]}}))
        elif (row.user_id, known[0]) not in enrolled:
            series_ids.append(known[0])
            shown_series.append(known[1])
    if shown_groups:
        changes["groups"] = shown_groups
    if new_groups:
        changes["new_groups"] = new_groups
    if shown_series:
        changes["series"] = shown_series
    if problems:
        return _item(batch, row, SyncAction.BLOCKED, reason=" ".join(problems), changes=changes)
    if not existing:
        action = SyncAction.CREATE
        if not changes and active is None:
            return None  # a plain new person: Create Users does everything
    else:
        action = SyncAction.UPDATE if changes else SyncAction.UNCHANGED
    return _item(batch, row, action, changes=changes, group_ids=group_ids, series_ids=series_ids,
                 active=active)


def _item(batch, row, action, *, reason=None, changes=None, group_ids=(), series_ids=(),
          active=None) -> dict:
    return {"batch_id": batch.batch_id, "row_id": row.id, "line": row.line, "user_id": row.user_id,
            "action": action, "changes": changes or {}, "reason": reason,
            "group_ids": list(group_ids), "series_ids": list(series_ids), "active": active}


def _protect_last_admin(batch: ImportBatch, planned: list[dict]) -> None:
    """Block the changes that would leave the organisation with no active admin."""
    def loses_admin(item):
        changes = item["changes"]
        demoted = "account_type" in changes and changes["account_type"][0] == AccountType.ADMIN.value
        deactivated = changes.get("active", [None, True])[1] is False
        return item["action"] == SyncAction.UPDATE and (demoted or deactivated)

    losing = [item for item in planned if loses_admin(item)]
    if not losing:
        return
    active_admins = set(db.session.scalars(
        select(User.id).where(User.org_id == batch.org_id, User.is_active_account.is_(True),
                              User.account_type == AccountType.ADMIN.value)))
    if active_admins - {item["user_id"] for item in losing}:
        return
    for item in losing:
        item["action"], item["reason"] = SyncAction.BLOCKED, LAST_ADMIN


# --- Applying, inside Create Users' transaction ------------------------------------------------

def before_create(batch: ImportBatch, actor_id: int | None, ready: list) -> list:
    """Plan afresh; return the ready rows Create Users should still create (not blocked ones).

    Writes only the plan: Create Users may commit progress before its one real transaction.
    """
    if not in_use(batch):
        return ready
    plan(batch, actor_id)
    blocked = set(db.session.scalars(select(StagedChange.row_id).where(
        StagedChange.batch_id == batch.id, StagedChange.action == SyncAction.BLOCKED)))
    return [row for row in ready if row.id not in blocked] if blocked else ready


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

    Returns outcome dicts (updated, unchanged, deactivated) for the completion summary.
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
    changes = db.session.execute(
        select(StagedChange.user_id, StagedChange.action, StagedChange.changes,
               StagedChange.group_ids, StagedChange.series_ids, StagedChange.active)
        .where(StagedChange.batch_id == batch.id, StagedChange.user_id.is_not(None),
               StagedChange.action.in_((SyncAction.CREATE, SyncAction.UPDATE)))
    ).all()
    _apply_fields(batch, changes)
    _apply_active(batch, changes, True)
    _apply_groups(batch, changes)
    _apply_series(batch, actor_id, changes)
    _apply_active(batch, changes, False)
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


def _apply_active(batch: ImportBatch, changes, active: bool) -> None:
    ids = [c.user_id for c in changes if c.active is active]
    if not ids:
        return
    kind = EffectKind.REACTIVATED if active else EffectKind.DEACTIVATED
    db.session.execute(insert(ImportEffect), [
        {"batch_id": batch.id, "kind": kind, "user_id": uid} for uid in ids])
    chosen = select(ImportEffect.user_id).where(ImportEffect.batch_id == batch.id, ImportEffect.kind == kind)
    db.session.execute(update(User).where(User.id.in_(chosen), User.org_id == batch.org_id)
                       .values(is_active_account=active, updated_at=utcnow())
                       .execution_options(synchronize_session=False))
    if not active:
        leavers.cancel_waiting_mail(chosen)


def _apply_groups(batch: ImportBatch, changes) -> None:
    new_names = {}
    for change in changes:
        for name in change.changes.get("new_groups", []):
            new_names.setdefault(name.casefold(), name)
    name_to_id = {}
    if new_names:
        now = utcnow()
        db.session.execute(insert(Group), [{"org_id": batch.org_id, "name": name, "is_builtin": False,
                                            "created_at": now} for name in new_names.values()])
        name_to_id = {name.casefold(): gid for gid, name in db.session.execute(
            select(Group.id, Group.name).where(Group.org_id == batch.org_id,
                                               Group.name.in_(list(new_names.values()))))}
        db.session.execute(insert(ImportEffect), [
            {"batch_id": batch.id, "kind": EffectKind.GROUP, "group_id": gid} for gid in name_to_id.values()])
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


def _apply_series(batch: ImportBatch, actor_id: int | None, changes) -> None:
    """Enrol through the enrolment service: its email rules, once per series and Send Invite choice."""
    pairs = {(c.user_id, sid) for c in changes for sid in c.series_ids}
    if not pairs or actor_id is None:
        return
    from webapp.enrolments.services import add_enrolments
    from webapp.models import Organisation

    db.session.execute(insert(ImportEffect), [
        {"batch_id": batch.id, "kind": EffectKind.ENROLMENT, "user_id": u, "series_id": s} for u, s in pairs])
    org = db.session.get(Organisation, batch.org_id)
    actor = db.session.get(User, actor_id)
    for series_id in sorted({s for _, s in pairs}):
        series = db.session.get(Series, series_id)
        for send_invite in (True, False):
            people = (select(ImportEffect.user_id)
                      .join(StagedRow, and_(StagedRow.batch_id == ImportEffect.batch_id,
                                            StagedRow.user_id == ImportEffect.user_id))
                      .where(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.ENROLMENT,
                             ImportEffect.series_id == series_id, StagedRow.send_invite.is_(send_invite)))
            if db.session.scalar(select(func.count()).select_from(people.subquery())):
                add_enrolments(org, actor, series, people, send_invite=send_invite, due_date=None)


def sync_counts(batch: ImportBatch) -> dict:
    """{"updated", "unchanged", "deactivated"} for an applied batch (two GROUP BYs)."""
    by_status = dict(db.session.execute(
        select(StagedRow.status, func.count()).where(StagedRow.batch_id == batch.id,
                                                     StagedRow.status.in_((UPDATED, UNCHANGED)))
        .group_by(StagedRow.status)).all())
    deactivated = db.session.scalar(
        select(func.count(func.distinct(ImportEffect.user_id))).where(
            ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.DEACTIVATED)) or 0
    return {"updated": by_status.get(UPDATED, 0), "unchanged": by_status.get(UNCHANGED, 0),
            "deactivated": deactivated}


def banner_counts(batch: ImportBatch) -> dict:
    """What the Users list banner adds for a finished import: updates, deactivations, an undo."""
    from webapp.models import ImportUndo

    counts = {**sync_counts(batch), "undone": db.session.get(ImportUndo, batch.id) is not None}
    # Only what happened: a plain import's banner keeps exactly its own keys.
    return {key: value for key, value in counts.items() if value}


def change_parts(changes: dict) -> list[dict]:
    """A row's changes for people: [{"label", "old", "new"}] for fields, [{"label", "added"}] for links."""
    parts = []
    for name, label in FIELD_LABELS.items():
        if name in changes:
            old, new = changes[name]
            if name == "account_type":
                old, new = AccountType(old).label, AccountType(new).label
            elif name == "active":
                old, new = ("Active" if old else "Inactive"), ("Active" if new else "Inactive")
            parts.append({"label": label, "old": old or "(blank)", "new": new})
    if changes.get("groups"):
        parts.append({"label": "Groups", "added": ", ".join(changes["groups"])})
    if changes.get("series"):
        parts.append({"label": "Series", "added": ", ".join(changes["series"])})
    return parts


def describe(changes: dict) -> str:
    """One line for a row's changes: "First name: Ann → Anne; Groups: + Sales"."""
    return "; ".join(f"{p['label']}: {p['old']} → {p['new']}" if "old" in p else f"{p['label']}: + {p['added']}"
                     for p in change_parts(changes))


def _outcomes(batch: ImportBatch) -> list[dict]:
    """Outcome dicts for updated, unchanged and deactivated people (the summary's extra kinds)."""
    rows = db.session.execute(
        select(User.first_name, User.last_name, User.email, User.account_type,
               StagedChange.action, StagedChange.changes)
        .join(User, User.id == StagedChange.user_id)
        .where(StagedChange.batch_id == batch.id,
               StagedChange.action.in_((SyncAction.UPDATE, SyncAction.UNCHANGED)))
        .order_by(StagedChange.line)).all()
    outcomes = [{"first_name": r.first_name, "last_name": r.last_name, "email": r.email,
                 "account_type": r.account_type, "password": "",
                 "outcome": "updated" if r.action == SyncAction.UPDATE else "unchanged",
                 "reason": describe(r.changes) if r.action == SyncAction.UPDATE else "No change."}
                for r in rows]
    gone = db.session.execute(
        select(User.first_name, User.last_name, User.email, User.account_type)
        .where(User.id.in_(select(ImportEffect.user_id).where(
            ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.DEACTIVATED)))
        .order_by(User.last_name, User.first_name)).all()
    outcomes += [{"first_name": r.first_name, "last_name": r.last_name, "email": r.email,
                  "account_type": r.account_type, "password": "", "outcome": "deactivated",
                  "reason": "Deactivated by this import."} for r in gone]
    return outcomes
