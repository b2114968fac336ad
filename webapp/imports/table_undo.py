"""Undo of the staged table's latest bulk change: rows take back what the change kept, in the row itself or
in bulk_undo_rows, then the conflicts and statuses that can differ are worked out again."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.imports import choices, recheck, removal, rewriting, row_changes, row_counts, search_rows
from webapp.imports.row_changes import UNDO_COLUMNS, TableError, addresses, require_editable, update_rows
from webapp.imports.table import IN_ROW, STATUS_COLUMNS, UNDO_GEN, in_play
from webapp.models import BulkUndo, BulkUndoRow, ImportBatch, RowStatus, StagedRow


def latest_undo(batch: ImportBatch) -> BulkUndo | None:
    """The bulk change of this batch that can still be undone, if any: its latest, unless undone."""
    latest = db.session.scalar(select(BulkUndo).where(BulkUndo.batch_id == batch.id)
                               .order_by(BulkUndo.id.desc()).limit(1))
    return latest if latest is not None and not latest.undone else None


def name_undo(batch: ImportBatch, message: str) -> BulkUndo | None:
    """Label the batch's latest change with the notice shown for it ("3 rows removed."), for the caller to commit."""
    undo = latest_undo(batch)
    if undo is not None:
        undo.message = message
    return undo


def undo(batch: ImportBatch, undo_id: int) -> int:
    """Put the rows of a bulk change back as they were; returns how many."""
    require_editable(batch, settle=False)  # only a remove or restore of every row can leave one in force
    kept = latest_undo(batch)
    if kept is None or kept.id != undo_id:
        raise TableError("That change can no longer be undone: only the latest change to the rows can be.")
    seen = row_counts.current(batch.id)
    columns = list(kept.columns or UNDO_COLUMNS)
    if kept.rewrote:
        restored, moved = rewriting.undo_rewrite(batch, kept)
    elif set(columns) <= set(IN_ROW):
        restored, moved = _undo_in_row(batch, kept, columns)
    else:
        restored, moved = _undo_saved(batch, kept, columns), None
    kept.undone = True
    db.session.execute(delete(BulkUndoRow).where(BulkUndoRow.undo_id == kept.id))
    if moved is None:
        row_counts.changed(batch.id)
    elif moved:
        row_counts.move(batch.id, seen, moved)
    db.session.commit()
    return restored


def _undo_in_row(batch: ImportBatch, kept: BulkUndo, columns) -> tuple[int, Counter]:
    """Undo a change of type, Send Invite or status: each row takes back its undo columns."""
    every = (kept.batch_values or {}).get("removed_all")
    if every is not None and kept.batch_values["set"] and (removal.state(batch.id) or {}).get("token") == kept.id:
        # A removal of every row still kept in the batch alone ends: no row carries it.
        removal.put(batch.id, None)
        rows = kept.batch_values["rows"]
        return rows, recheck.moves(Counter({RowStatus.REMOVED: rows}), Counter(every["by_status"]))
    if every is not None and not kept.batch_values["set"] and not kept.batch_values["own"]:
        # A restore of every row that brought back no row removed on its own: no row to put back.
        return kept.batch_values["rows"], _remove_again(batch, every["token"], Counter())
    # The token is negated, not cleared: the rows stay findable for the check below, yet no undo
    # matches them again.
    values = {c: IN_ROW[c] for c in columns}
    values.update({gen.key: func.coalesce(getattr(StagedRow, undo_key), gen)
                   for column, (gen, undo_key) in UNDO_GEN.items() if column in columns})
    marked = [StagedRow.batch_id == batch.id, StagedRow.undo_token == kept.id]
    if (kept.batch_values or {}).get("removed"):  # (a row restored since is in play already: left alone)
        marked.append(StagedRow.status == RowStatus.REMOVED)
    moved = Counter()
    if "status" in columns:
        # Rows the change removed or restored apart (removal.py) first.
        back, again = removal.undo_apart(batch.id, kept.id, (kept.batch_values or {}).get("apart", []))
        apart = len(back) + sum(again.values())
        # Swapped, so the UPDATE returns each row's status before and after; a removed row has no conflict.
        values.update(undo_status=StagedRow.status, conflict_with=case(
            (StagedRow.undo_status == RowStatus.REMOVED, None), else_=StagedRow.conflict_with))
        changed = [] if (kept.batch_values or {}).get("in_rows") == 0 else db.session.execute(
            update(StagedRow).where(*marked).values(**values, undo_token=-kept.id)
            .returning(StagedRow.undo_status, StagedRow.status, StagedRow.email)
            .execution_options(synchronize_session=False)).all()
        moved = recheck.moves(Counter(row[0] for row in changed), Counter(row[1] for row in changed))
        moved.update(recheck.moves(Counter({RowStatus.REMOVED: len(back)}), Counter(status for _, status in back)))
        moved.update(recheck.moves(Counter(again), Counter({RowStatus.REMOVED: sum(again.values())})))
        restored, emails = len(changed) + apart, {row[2] for row in changed}
        if apart and restored > row_changes.FEW_ADDRESSES:
            emails = None
        elif apart:
            emails |= removal.emails_of([row_id for row_id, _ in back] + (kept.batch_values or {}).get("apart", []))
    else:
        restored, emails = update_rows(marked, {**values, "undo_token": -kept.id}), set()
    if "rows" in (kept.batch_values or {}):  # a change of every row: the batch's value before it, and its count
        if "column" in kept.batch_values:
            choices.put_back(batch.id, kept.batch_values)
        restored = kept.batch_values["rows"]
    # A type or invite change never touched emails or which rows are in play: no conflict can differ.
    if columns == list(STATUS_COLUMNS):
        scope = addresses(batch, -kept.id, emails) if emails is not None else row_changes.shared_addresses(batch)
        besides = removal.apart(batch.id) if removal.any_apart(batch.id) else None
        moved.update(recheck.statuses_of(batch, recheck.conflicts(batch, scope, besides=besides)))
    if every is not None and not kept.batch_values["set"]:
        moved.update(_remove_again(batch, every["token"], moved))
    return restored, moved


def _remove_again(batch: ImportBatch, token: int, moved: Counter) -> Counter:
    """Undo a restore of every row that ended a removal of every row: it is in force again, over the rows'
    statuses as they are now (the restore may have given some a conflict); returns the counts' moves."""
    by_status = in_play(batch, row_counts.current(batch.id), moved)
    removal.put(batch.id, {"token": token, "by_status": by_status})
    return recheck.moves(Counter(by_status), Counter({RowStatus.REMOVED: sum(by_status.values())}))


def _undo_saved(batch: ImportBatch, kept: BulkUndo, columns) -> int:
    """Undo a registered bulk action: its rows take back the values kept in bulk_undo_rows."""
    saved = BulkUndoRow
    restored = db.session.execute(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, StagedRow.id == saved.row_id, saved.undo_id == kept.id)
        .values({c: getattr(saved, c) for c in columns})
        .execution_options(synchronize_session=False)
    ).rowcount
    ids = select(saved.row_id).where(saved.undo_id == kept.id)
    now = aliased(StagedRow)
    emails = select(saved.email).where(saved.undo_id == kept.id).union(
        select(now.email).where(now.batch_id == batch.id, now.id.in_(ids)))
    search_rows.refresh(batch.id, StagedRow.id.in_(ids))
    recheck.statuses_of(batch, recheck.conflicts(batch, emails))
    recheck.statuses(batch, StagedRow.batch_id == batch.id, StagedRow.id.in_(ids))
    return restored

