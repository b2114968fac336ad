"""The staged table's changes: inline edits, row choices and bulk actions, set-based (its pages are read in
table_pages.py, its Undo in table_undo.py)."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import and_, case, false, func, or_, select, update

from webapp.csvsafe import write_csv
from webapp.extensions import db
from webapp.imports import bound, choices, recheck, removal, row_changes, row_counts, search_rows
from webapp.imports.cleaning import ACCOUNT_TYPE_LABELS, check_values
from webapp.imports.fields import check_batch, staged_fields
from webapp.imports.problems import outcome_problems, sentences
from webapp.imports.row_changes import (Chosen, TableError, addresses, any_row,
                                        new_undo, require_editable, update_rows)
from webapp.imports.staged import staged_value
from webapp.imports.table_pages import apart_chosen, as_shown, matching, page_of_rows
from webapp.imports.staging import OPEN_STATUSES, refresh_rows, status_expression
from webapp.imports.suggestions import suggestion_for
from webapp.models import BulkUndo, ImportBatch, RowStatus, StagedRow

BULK_ACTIONS = {
    "set_type": "Set account type",
    "invite_on": "Tick Send Invite & Password",
    "invite_off": "Clear Send Invite & Password",
    "remove": "Remove rows",
    "restore": "Restore removed rows",
}
# Columns find and replace may change.
# What each kind of change writes. These few columns keep their undo values in the row itself
# (StagedRow.undo_*): the change and its undo record are one UPDATE, not a copy of 100,000 rows.
_TYPE_COLUMNS = ("account_type", "account_type_error", "status")
_INVITE_COLUMNS = ("send_invite",)
STATUS_COLUMNS = ("status",)
IN_ROW = {"account_type": StagedRow.undo_account_type, "account_type_error": StagedRow.undo_account_type_error,
           "send_invite": StagedRow.undo_send_invite, "status": StagedRow.undo_status}
# A choice's generation (see choices.py) is kept beside it: (the row's gen, the key of its undo column).
UNDO_GEN = {"account_type": (StagedRow.type_gen, "undo_type_gen"),
             "send_invite": (StagedRow.invite_gen, "undo_invite_gen")}
_NOT_OPEN = (RowStatus.DUPLICATE, RowStatus.REMOVED, RowStatus.CREATED, RowStatus.FAILED)
# A remove's undo record says so: its rows are then found through the status index, not the whole batch.
_REMOVED = {"removed": True}


def get_row(batch: ImportBatch, row_id: int) -> StagedRow | None:
    """A row of this batch, or None (with the values it shows)."""
    found = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.id == row_id))
    return shown(found) if found is not None else None


def shown(row: StagedRow) -> StagedRow:
    """The row with the account type and Send Invite it shows (a value set for every row, or its own)."""
    return as_shown(row.batch_id, [row])[0]


def edit_row(batch: ImportBatch, row: StagedRow, values: dict | None = None, *,
             send_invite: bool | None = None, **named) -> StagedRow:
    """Save an inline edit (cell texts by field key), check it again, and recompute conflicts."""
    require_editable(batch, row, settle=False)  # (rows removed apart that share its addresses: settled below)
    raw = {**(values or {}), **named}
    fields = [f for f in staged_fields() if f.key in raw and f.key != "send_invite" and f.shown_for(batch)]
    checked = check_values(raw, fields=fields)
    if "first_name" not in raw or "last_name" not in raw:  # names left alone keep their value
        checked.problems[:] = [p for p in checked.problems if p["code"] != "names_missing"]
    type_error = next((p for p in checked.problems if p["code"] == "unknown_account_type"), None)
    own = [p for p in checked.problems if p is not type_error]
    old_email = row.email
    for import_field in fields:
        value = checked.values[import_field.key]
        if import_field.key == "account_type":
            if type_error is None:
                row.account_type, row.type_gen = value, choices.kept(batch.id).gen
        elif import_field.column:
            setattr(row, import_field.column, value)
        else:
            row.extra = {**(row.extra or {}), import_field.key: value}
    if "email" in raw:
        row.email_ok = checked.email_ok
    row.errors, row.fields_ok = own, not own
    row.account_type_error = type_error["params"]["value"] if type_error else None
    row.suggested_email = suggestion_for(row.email, row.email_ok)
    if send_invite is not None:
        row.send_invite, row.invite_gen = send_invite, choices.kept(batch.id).gen
    removal.settle_rows_of(batch.id, {old_email, row.email}, row.id)  # (flushes the row's new address first)
    emails = StagedRow.email.in_({old_email, row.email})
    scope = or_(and_(StagedRow.batch_id == batch.id, emails), StagedRow.id == row.id)
    counted = row_counts.before(batch.id, scope)  # (flushes the row: its status is not changed yet)
    # With their ids beside the emails: given the emails alone, SQLite (without statistics) walked the
    # batch's status index (100,000 rows) instead of finding the few rows by key.
    ids = db.session.scalars(select(StagedRow.id).where(StagedRow.batch_id == batch.id, emails)).all()
    same_email = and_(emails, StagedRow.id.in_(ids))
    refresh_rows(batch, same_email, same_email)
    search_rows.refresh(batch.id, StagedRow.id == row.id)
    check_batch(batch, StagedRow.id == row.id)
    row_counts.after(batch.id, scope, counted)
    db.session.commit()
    db.session.refresh(row)
    return shown(row)


def set_choice(batch: ImportBatch, row: StagedRow, *, account_type: str | None = None,
               send_invite: bool | None = None) -> StagedRow:
    """Change one row's account type or its Send Invite tick."""
    require_editable(batch, row, settle=False)  # its status reads no other row
    values, gen = {}, choices.kept(batch.id).gen
    if account_type is not None:
        values.update(account_type=_known_type(account_type), account_type_error=None, type_gen=gen)
    if send_invite is not None:
        values.update(send_invite=send_invite, invite_gen=gen)
    this_row = StagedRow.id == row.id
    counted = row_counts.before(batch.id, this_row)
    db.session.execute(update(StagedRow).where(this_row).values(**values))
    db.session.execute(update(StagedRow).where(this_row).values(status=status_expression(batch.org_id)))
    row_counts.after(batch.id, this_row, counted)
    db.session.commit()
    db.session.refresh(row)
    return shown(row)


def remove_row(batch: ImportBatch, row: StagedRow) -> None:
    """Move one row to Removed; rows that conflicted with it are checked again."""
    _require_editable_row(batch, row)
    same_email = StagedRow.email == row.email
    counted = row_counts.before(batch.id, _email_of(batch, row))
    db.session.execute(update(StagedRow).where(StagedRow.id == row.id)
                       .values(status=RowStatus.REMOVED, conflict_with=None))
    refresh_rows(batch, same_email, same_email)
    row_counts.after(batch.id, _email_of(batch, row), counted)
    db.session.commit()
    db.session.refresh(row)
    shown(row)


def _require_editable_row(batch: ImportBatch, row: StagedRow) -> None:
    """Refuse a remove or restore of one row the batch cannot take; write into the rows what it reads: a removal of
    every row, and the rows removed apart that share the row's address (or are the row)."""
    require_editable(batch, settle=False)
    removal.settle(batch.id, rows_apart=False)
    removal.settle_rows_of(batch.id, {row.email}, row.id)


def restore_row(batch: ImportBatch, row: StagedRow) -> None:
    """Bring a removed row back; its status and its email's conflicts are worked out again."""
    _require_editable_row(batch, row)
    if row.status != RowStatus.REMOVED:
        raise TableError("This row is not removed, so there is nothing to restore.")
    same_email = StagedRow.email == row.email
    counted = row_counts.before(batch.id, _email_of(batch, row))
    db.session.execute(update(StagedRow).where(StagedRow.id == row.id).values(status=_restored_status(batch)))
    refresh_rows(batch, same_email, same_email)
    row_counts.after(batch.id, _email_of(batch, row), counted)
    db.session.commit()
    db.session.refresh(row)
    shown(row)


def _email_of(batch: ImportBatch, row: StagedRow):
    """The rows sharing this row's address (it among them)."""
    return and_(StagedRow.batch_id == batch.id, StagedRow.email == row.email)


def _restored_status(batch: ImportBatch):
    # A restored duplicate is ignored again; any other row takes the status its values give it.
    return case((StagedRow.duplicate_of.is_not(None), RowStatus.DUPLICATE), else_=status_expression(batch.org_id))


def _known_type(value: str) -> str:
    if value not in ACCOUNT_TYPE_LABELS:
        raise TableError("Choose an account type from the list.")
    return value


def bulk_scope(batch: ImportBatch, scope: str, row_ids: list[int], filter_name: str, query: str,
               page: int):
    """Where-clauses for the rows a bulk action applies to: chosen, this page, or all matching."""
    if scope == "all_matching":
        return matching(batch.id, filter_name, query)
    if scope == "page":
        row_ids = [row.id for row in page_of_rows(batch.id, filter_name, query, page).rows]
    if not row_ids:
        raise TableError("Select at least one row first, or choose all rows on this page or all matching rows.")
    return Chosen([StagedRow.batch_id == batch.id, StagedRow.id.in_(row_ids)], batch_id=batch.id, ids=row_ids)


def bulk_action(batch: ImportBatch, action: str, clauses, *, account_type: str | None = None,
                every_row: bool = False) -> int:
    """Apply a bulk action to the rows the clauses select; returns how many rows it touched.

    The touched rows' values are kept in the rows as they change, so the action can be undone (see undo).
    every_row: the clauses select every row in play (no filter, no search), so a type or Send Invite
    is kept in the batch instead of written to each row; for restore, every removed row. A remove or
    restore of every row is kept in the batch too (removal.py).
    """
    # A type or Send Invite reads no status but the rows' own: a removal of every row is written into the rows
    # (its rows keep their own status), rows removed apart stay apart (_choose leaves them out).
    require_editable(batch, settle=False)
    if action not in ("remove", "restore"):
        removal.settle(batch.id, rows_apart=False)
    if action == "set_type":
        touched = _choose(batch, "account_type", _known_type(account_type or ""), clauses, every_row)
    elif action in ("invite_on", "invite_off"):
        touched = _choose(batch, "send_invite", action == "invite_on", clauses, every_row)
    elif action == "remove":
        touched = _remove_every_row(batch) if every_row else _remove(batch, clauses)
    elif action == "restore":
        touched = _restore_every_row(batch) if every_row else _restore(batch, clauses)
    else:
        raise TableError("Choose a bulk action from the list.")
    db.session.commit()
    return touched


def _remove(batch: ImportBatch, clauses) -> int:
    """Move the chosen rows in play to Removed, kept apart (removal.py): no wide row is written; returns how
    many. Only a row in a conflict with a removed one can change with it (its conflict may be gone), so only
    those are checked again."""
    seen = row_counts.current(batch.id)
    token = new_undo(batch, STATUS_COLUMNS, batch_values=_REMOVED)
    if removal.state(batch.id) is not None:  # every row is removed already
        return 0
    by_status = removal.remove_apart(batch, token, clauses)
    touched = sum(by_status.values())
    moved = recheck.moves(Counter(by_status), Counter({RowStatus.REMOVED: touched}))
    besides = removal.apart(batch.id)
    if touched <= row_changes.FEW_ADDRESSES:
        emails = removal.emails_removed_by(batch.id, token)
        freed = recheck.conflicts(batch, emails, StagedRow.conflict_with.is_not(None), besides=besides)
    else:
        freed = recheck.conflicted(batch, besides)
    moved.update(recheck.statuses_of(batch, freed))
    row_counts.move(batch.id, seen, moved)
    return touched


def _remove_every_row(batch: ImportBatch) -> int:
    """Remove every row in play, kept in the batch (removal.py): no row is written; returns how many.
    With no row left open, no conflict is left to check again."""
    if removal.state(batch.id) is not None:
        return _remove(batch, [false()])
    seen = row_counts.current(batch.id)
    by_status = in_play(batch, seen)
    touched = sum(by_status.values())
    token = new_undo(batch, STATUS_COLUMNS)
    removed = {"token": token, "by_status": by_status}
    removal.put(batch.id, removed)
    db.session.execute(update(BulkUndo).where(BulkUndo.id == token)
                       .values(batch_values={**_REMOVED, "removed_all": removed, "set": True, "rows": touched}))
    row_counts.move(batch.id, seen, recheck.moves(Counter(by_status), Counter({RowStatus.REMOVED: touched})))
    return touched


def in_play(batch: ImportBatch, seen, moved: Counter | None = None) -> dict:
    """{status: rows} of the rows in play: from the kept counts read as `seen` (moved by `moved` since),
    else counted."""
    if seen is None:
        return dict(db.session.execute(
            select(StagedRow.status, func.count())
            .where(StagedRow.batch_id == batch.id, removal.status_in(batch.id, removal.IN_PLAY))
            .group_by(StagedRow.status)).all())
    counts = Counter(seen.row_counts["by_status"])
    counts.update(moved or {})
    return {s: counts[s] for s in removal.IN_PLAY if counts[s] > 0}


def _restore_every_row(batch: ImportBatch) -> int:
    """Restore every removed row: a removal of every row ends (its rows show their own status again, as
    no row was written meanwhile), and rows removed on their own are restored; returns how many."""
    removed = removal.state(batch.id)
    if removed is None:
        return _restore(batch, matching(batch.id, "removed"))
    seen = row_counts.current(batch.id)
    removal.put(batch.id, None)
    by_status = removed["by_status"]
    row_counts.move(batch.id, seen, recheck.moves(Counter({RowStatus.REMOVED: sum(by_status.values())}),
                                                  Counter(by_status)))
    return _restore(batch, matching(batch.id, "removed"), removed)


def _restore(batch: ImportBatch, clauses, removed: dict | None = None) -> int:
    """Bring the chosen removed rows back; returns how many. Rows removed apart show their own status again
    (removal.py); rows removed in the row take their status in one UPDATE. Then only the rows whose conflict
    a restored row changes are checked again. `removed`: a removal of every row this restore ended, kept for
    its Undo."""
    # Only some rows come back: the others must hold a removal of every row themselves.
    removal.settle(batch.id, rows_apart=False)
    seen = row_counts.current(batch.id)
    token = new_undo(batch, STATUS_COLUMNS)
    rows = []
    if any_row(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.REMOVED):
        restoring = [*clauses, StagedRow.status == RowStatus.REMOVED]
        rows = db.session.execute(_in_row(token, STATUS_COLUMNS, restoring, {
            "status": _restored_status(batch), "conflict_with": None})
            .returning(StagedRow.status, StagedRow.email)).all()
    back = removal.restore_apart(batch, apart_chosen(batch.id, clauses))
    touched = len(rows) + len(back)
    moved = recheck.moves(Counter({RowStatus.REMOVED: touched}), Counter(status for status, _ in rows))
    moved.update(status for _, status in back)
    emails = {email for _, email in rows}
    if back and touched > row_changes.FEW_ADDRESSES:
        scope = row_changes.shared_addresses(batch)  # (as addresses() gives for many)
    else:
        scope = addresses(batch, token, emails | removal.emails_of([row_id for row_id, _ in back]))
    besides = removal.apart(batch.id) if removal.any_apart(batch.id) else None
    moved.update(recheck.statuses_of(batch, recheck.conflicts(batch, scope, besides=besides)))
    row_counts.move(batch.id, seen, moved)
    # For its Undo: the rows restored apart, and whether any row holds this change's undo values.
    kept = {"apart": [row_id for row_id, _ in back], "in_rows": len(rows)} if back else {}
    if removed is not None:
        kept.update({"removed_all": removed, "set": False, "rows": touched + sum(removed["by_status"].values()),
                     "own": touched})
        touched += sum(removed["by_status"].values())
    if kept:
        db.session.execute(update(BulkUndo).where(BulkUndo.id == token).values(batch_values=kept))
    return touched


def _choose(batch: ImportBatch, column: str, value, clauses, every_row: bool) -> int:
    """Set the account type or Send Invite of the chosen open rows; returns how many rows it changed.

    For every row the value is kept in the batch (choices.py): a row set on its own afterwards keeps
    its value if this change is undone, where a change of chosen rows puts each of its rows back."""
    columns = _TYPE_COLUMNS if column == "account_type" else _INVITE_COLUMNS
    token = new_undo(batch, columns)
    now = choices.kept(batch.id)
    gen_key = choices.COLUMNS[column][0].key
    # Rows removed apart show Removed whatever their own status (removal.py): the change is not for them.
    apart = removal.apart(batch.id) if removal.any_apart(batch.id) else None
    in_play = [StagedRow.id.not_in(apart)] if apart is not None else []
    open_rows = [StagedRow.status.in_(OPEN_STATUSES)]
    touched = 0
    if column == "account_type":
        refused = StagedRow.account_type_error.is_not(None)
        # Asked of the batch first (a small partial index): a search's rows are only looked at if any has one.
        if any_row(StagedRow.batch_id == batch.id, refused) and any_row(*clauses, *open_rows, *in_play, refused):
            row_counts.changed(batch.id)
            # Rows whose type was refused take it themselves, and their status is worked out again.
            touched += _change_in_row(token, columns, [*clauses, *open_rows, *in_play, refused],
                                      {column: value, gen_key: now.gen + every_row, "account_type_error": None,
                                       "status": status_expression(batch.org_id, type_error_cleared=True)})
        open_rows.append(StagedRow.account_type_error.is_(None))
    differs = now.value(column) != value
    if not every_row:
        return touched + _change_in_row(token, columns, [*clauses, *open_rows, *in_play, differs],
                                        {column: value, gen_key: now.gen})
    # Every row in play: the batch's open rows are counted, and those removed apart taken off below (NOT IN their
    # 11,111 ids, tested on each of 100,000 rows, cost 25-55 ms).
    touched += db.session.scalar(select(func.count()).where(StagedRow.batch_id == batch.id, *open_rows, differs))
    # Rows the change is not for (ignored duplicates, removed rows) keep the value they show now.
    kept = {column: now.value(column), gen_key: now.gen + 1}
    update_rows([StagedRow.batch_id == batch.id, StagedRow.status.in_(_NOT_OPEN)], kept)
    if apart is not None:
        # Found by key; the same UPDATE gives what tells whether each was counted above (its own status open, no
        # refused type, a value other than the new one: kept as it shows, it still differs as it did). Tested here,
        # not in RETURNING: there SQLite 3.40 gives "x IS NULL" as false for every row of a table whose key is
        # declared INTEGER NOT NULL (as staged_rows' is).
        counted = db.session.execute(
            update(StagedRow).where(StagedRow.batch_id == batch.id, bound.found_by_key(StagedRow.id, apart))
            .values(**kept)
            .returning(StagedRow.status, StagedRow.account_type_error, differs)
            .execution_options(synchronize_session=False))
        touched -= sum(1 for status, error, differs_now in counted if status in OPEN_STATUSES and differs_now
                       and (column != "account_type" or error is None))
    replaced = choices.set_all(batch.id, column, value)
    db.session.execute(update(BulkUndo).where(BulkUndo.id == token)
                       .values(batch_values={**replaced, "rows": touched}))
    return touched


def _change_in_row(token: int, columns, clauses, values: dict) -> int:
    """Write values and, in the same UPDATE, the columns' current ones to the row's undo columns;
    returns how many rows."""
    return db.session.execute(_in_row(token, columns, clauses, values)).rowcount


def _in_row(token: int, columns, clauses, values: dict):
    """The UPDATE of _change_in_row, to run (or to add RETURNING to)."""
    kept = {IN_ROW[column].key: getattr(StagedRow, column) for column in columns}
    kept.update({UNDO_GEN[column][1]: UNDO_GEN[column][0] for column in columns if column in UNDO_GEN})
    return (update(StagedRow).where(*clauses).values(**values, **kept, undo_token=token)
            .execution_options(synchronize_session=False))


def row_problem_items(row) -> list[dict]:
    """Why a row will not be created, as data."""
    return outcome_problems(row)


def row_reason(row) -> str:
    """Why a row will not be created, in one sentence or more."""
    return " ".join(sentences(row_problem_items(row)))


def problems_csv(batch: ImportBatch) -> bytes:
    """A CSV of every row that will not be (or was not) created, with a Reason column."""
    rows = db.session.scalars(
        select(StagedRow).where(
            StagedRow.batch_id == batch.id,
            removal.status_in(batch.id, (RowStatus.INVALID, RowStatus.EXISTING, RowStatus.DUPLICATE,
                                         RowStatus.FAILED, RowStatus.REMOVED)),
        ).order_by(StagedRow.line, StagedRow.id)
    ).all()
    as_shown(batch.id, rows)
    fields = [f for f in staged_fields() if f.in_problems_csv and f.shown_for(batch)]

    def shown(row, import_field):
        value = staged_value(row, import_field.key)
        if import_field.key == "account_type":
            return ACCOUNT_TYPE_LABELS.get(value, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return value

    return write_csv(
        ["Line", *(f.label for f in fields), "Reason"],
        ([row.line, *(shown(row, f) for f in fields), row_reason(row)] for row in rows),
    )
