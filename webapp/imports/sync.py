"""Keep the directory in step from a file: plan (diff) each row's change, then apply it set-based.

Modes: "add" (new people only; an existing account fails its row), "add_update" and "update"
(match people on email within the organisation and change what differs). The optional Group,
Series and Status fields (sync_fields, staged in StagedRow.extra) and the full-list option
(leavers) work in every mode.
Create Users applies the plan through sync_apply, inside its one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, delete, func, insert, select

from webapp.extensions import db
from webapp.imports import choices, leavers, removal, sync_fields
from webapp.imports.fields import check_batch
from webapp.imports.problems import problem, sentence
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
    if create_missing_groups is not None and bool(create_missing_groups) != bool(batch.create_missing_groups):
        batch.create_missing_groups = bool(create_missing_groups)
        db.session.flush()
        removal.settle(batch.id)  # rows removed apart hold a copy of their status, which the check can change
        check_batch(batch)  # unknown groups stop or stop being row problems


def in_use(batch: ImportBatch) -> bool:
    """True when this batch does more than add new people (a mode, leavers or a Group/Series/Status column)."""
    return batch.mode in UPDATE_MODES or bool(batch.deactivate_missing) or bool(sync_fields.mapped(batch))


def plan(batch: ImportBatch, actor_id: int | None = None) -> PlanCounts:
    """Work out, for every open row, what applying it will do; replace the batch's plan (bulk insert)."""
    removal.settle(batch.id)  # the rows' own statuses are read below
    db.session.execute(delete(StagedChange).where(StagedChange.batch_id == batch.id))
    if not in_use(batch):
        return PlanCounts()
    update_mode = batch.mode in UPDATE_MODES
    groups = {name.casefold(): gid for gid, name in db.session.execute(
        select(Group.id, Group.name).where(Group.org_id == batch.org_id, Group.is_builtin.is_(False)))}
    series = {name.casefold(): (sid, name, archived) for sid, name, archived in db.session.execute(
        select(Series.id, Series.name, Series.is_archived).where(Series.org_id == batch.org_id))}
    rows = db.session.execute(
        select(StagedRow.id, StagedRow.line, StagedRow.first_name, StagedRow.last_name,
               choices.account_type(batch.id), StagedRow.status, User.id.label("user_id"),
               *(StagedRow.extra[key].as_string().label(key) for key in sync_fields.KEYS),
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
        item = _plan_row(options, row, groups, series, members, enrolled, actor_id)
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


def _plan_row(batch, row, groups, series, members, enrolled, actor_id) -> dict | None:
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
    active = sync_fields.status_value(row.account_status)
    if active is not None:
        if existing and active != bool(row.old_active):
            changes["active"] = [bool(row.old_active), active]
        elif existing or active:
            active = None  # no change to make (new people start active)
    if existing and row.user_id == actor_id and (
            changes.get("active", [None, True])[1] is False
            or ("account_type" in changes and row.account_type != AccountType.ADMIN.value)):
        problems.append(SELF_CHANGE)
    group_ids, new_groups, shown_groups = [], [], []
    # Staging checked the names; a group or series removed since then still stops the row here.
    for name in sync_fields.listed(row.groups, groups):
        gid = groups.get(name.casefold())
        if gid is None and not batch.create_missing_groups:
            problems.append(sentence(problem("groups", "unknown_group", name=name)))
        elif gid is None:
            new_groups.append(name)
            shown_groups.append(name)
        elif (row.user_id, gid) not in members:
            group_ids.append(gid)
            shown_groups.append(name)
    series_ids, shown_series = [], []
    for name in sync_fields.listed(row.series, series):
        known = series.get(name.casefold())
        if known is None:
            problems.append(sentence(problem("series", "unknown_series", name=name)))
        elif known[2]:
            problems.append(sentence(problem("series", "archived_series", name=known[1])))
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
