""""Remove" of every row of a batch at once, kept in the batch instead of written to each row.

Writing Removed into 100,000 rows (and back) costs 0.7 s on SQLite and 1.6 s on PostgreSQL, far past a
request's 100 ms. So the batch keeps "every row in play is removed" (ImportBatch.all_removed): while it
holds, each row whose own status is in play shows as Removed, and the rows keep their own status and
conflict underneath. The staged table's reads respect it (filters, counts, pages, a row, the problems
CSV); anything else that reads or changes rows calls settle() first, which writes it into the rows.

A bulk remove of chosen rows (a search's 11,000, say) is kept apart in the same way, in the narrow table
staged_removals (StagedRemoval): writing the status of 11,000 wide rows costs PostgreSQL ~130 ms, as each
row is written again in every index of staged_rows. The same readers fold it in, and settle() writes it
into the rows too.
"""
from __future__ import annotations


from sqlalchemy import Integer, and_, delete, event, func, insert, literal, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.imports import bound
from webapp.models import ImportBatch, RowStatus, StagedRemoval, StagedRow

# The statuses a removal takes a row from (as bulk remove does): the open ones, and ignored duplicates.
IN_PLAY = (RowStatus.VALID, RowStatus.INVALID, RowStatus.EXISTING, RowStatus.DUPLICATE)
# updated_at left as it was: it stamps the batch's kept row counts (row_counts.py), moved apart.
_SAME_TIME = {"updated_at": ImportBatch.updated_at}


_READ = "removal_read"  # (the key of what this transaction has read, in the session's info)


def _read_once(column, batch_id: int):
    """A batch's `column` (all_removed or rows_apart), read once per transaction, both in one query: a table request
    asked up to eight times (~2.5 ms). Only this module writes them, and forgets what it read when it does."""
    seen = db.session.info.setdefault(_READ, {})
    if batch_id not in seen:
        found = db.session.execute(select(ImportBatch.all_removed, ImportBatch.rows_apart)
                                   .where(ImportBatch.id == batch_id)).first()
        seen[batch_id] = found._asdict() if found else {"all_removed": None, "rows_apart": 0}
    return seen[batch_id][column.key]



@event.listens_for(Session, "after_transaction_end")
def _forget_read(session, transaction) -> None:
    session.info.pop(_READ, None)


def _written() -> None:
    db.session.info.pop(_READ, None)


def state(batch_id: int) -> dict | None:
    """The batch's removal of every row, read now: {"token", "by_status"}; None when not in force."""
    return _read_once(ImportBatch.all_removed, batch_id)


def put(batch_id: int, removed: dict | None) -> None:
    """Put a removal of every row in force ({"token": undo id, "by_status": {own status: rows}}), or end it."""
    _written()
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values(all_removed=removed, **_SAME_TIME).execution_options(synchronize_session=False))


def apart(batch_id: int):
    """A SELECT of the ids of the batch's rows removed apart (in staged_removals, in force)."""
    return select(StagedRemoval.row_id).where(StagedRemoval.batch_id == batch_id)


def any_apart(batch_id: int) -> bool:
    """Whether some of the batch's rows are removed apart."""
    return bool(_read_once(ImportBatch.rows_apart, batch_id))


def _count_apart(batch_id: int, rows: int) -> None:
    """Add `rows` to the batch's count of rows removed apart."""
    if rows:
        _written()
        db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                           .values(rows_apart=ImportBatch.rows_apart + rows, **_SAME_TIME)
                           .execution_options(synchronize_session=False))


def apart_by_status(batch_id: int, *clauses) -> dict:
    """{own status: rows} of the batch's rows removed apart (those the clauses on StagedRemoval select)."""
    return dict(db.session.execute(
        select(StagedRemoval.status, func.count()).where(StagedRemoval.batch_id == batch_id, *clauses)
        .group_by(StagedRemoval.status)).all())


def status_in(batch_id: int, statuses):
    """A where-clause: the rows showing one of `statuses`."""
    own = _own_status_in(batch_id, statuses)
    if not any_apart(batch_id):
        return own
    if RowStatus.REMOVED in statuses:
        return or_(own, StagedRow.id.in_(apart(batch_id)))
    return and_(own, StagedRow.id.not_in(apart(batch_id)))


def ids_in(batch_id: int, statuses) -> list:
    """SELECTs of ids whose union is the batch's rows showing one of `statuses`: the rows removed apart are
    their own SELECT, so neither is read through an OR."""
    own = select(StagedRow.id).where(StagedRow.batch_id == batch_id, _own_status_in(batch_id, statuses))
    if not any_apart(batch_id):
        return [own]
    if RowStatus.REMOVED in statuses:
        return [own, apart(batch_id)]
    return [own.where(StagedRow.id.not_in(apart(batch_id)))]


def _own_status_in(batch_id: int, statuses):
    if state(batch_id) is None:
        return StagedRow.status.in_(statuses)
    if RowStatus.REMOVED not in statuses:
        return StagedRow.status.in_([s for s in statuses if s not in IN_PLAY])
    # Every row but created or failed ones: the (batch_id, line) index gives them in file order.
    return StagedRow.status.not_in([s for s in (RowStatus.CREATED, RowStatus.FAILED) if s not in statuses])


def not_removed(batch_id: int):
    """A where-clause: the rows not showing Removed."""
    if state(batch_id) is None:
        own = StagedRow.status != RowStatus.REMOVED
    else:
        own = StagedRow.status.in_((RowStatus.CREATED, RowStatus.FAILED))
    return and_(own, StagedRow.id.not_in(apart(batch_id))) if any_apart(batch_id) else own


def fold(batch_id: int, by_status: dict) -> dict:
    """Counts of the rows' own statuses -> counts of the statuses they show."""
    moved = apart_by_status(batch_id)
    if moved:
        by_status = {s: by_status.get(s, 0) - moved.get(s, 0) for s in by_status}
        by_status = {s: n for s, n in by_status.items() if n}
        by_status[RowStatus.REMOVED] = by_status.get(RowStatus.REMOVED, 0) + sum(moved.values())
    if state(batch_id) is None:
        return by_status
    shown = {s: n for s, n in by_status.items() if s not in IN_PLAY}
    moved = sum(n for s, n in by_status.items() if s in IN_PLAY)
    if moved:
        shown[RowStatus.REMOVED] = shown.get(RowStatus.REMOVED, 0) + moved
    return shown


def show(batch_id: int, rows):
    """Give loaded rows the status (and conflict) they show, without marking them changed; returns the rows."""
    if not rows:
        return rows
    every = state(batch_id) is not None
    removed = set(db.session.scalars(apart(batch_id).where(StagedRemoval.row_id.in_([row.id for row in rows]))))
    for row in rows:
        if row.id in removed or every and row.status in IN_PLAY:
            set_committed_value(row, "status", RowStatus.REMOVED)
            set_committed_value(row, "conflict_with", None)
    return rows


def settle(batch_id: int, *, rows_apart: bool = True) -> None:
    """Write a removal of every row into the rows, each keeping its status for the change's Undo (as a
    bulk remove does), and end it: before anything that reads or changes rows beyond the staged table.
    rows_apart: write the rows removed apart first (each with its own change's token), else leave them apart."""
    if rows_apart:
        _settle_apart(batch_id)
    removed = state(batch_id)
    if removed is None:
        return
    besides = [StagedRow.id.not_in(apart(batch_id))] if not rows_apart and any_apart(batch_id) else []
    db.session.execute(
        update(StagedRow).where(StagedRow.batch_id == batch_id, StagedRow.status.in_(IN_PLAY), *besides)
        .values(status=RowStatus.REMOVED, conflict_with=None, undo_status=StagedRow.status,
                undo_token=removed["token"])
        .execution_options(synchronize_session=False))
    put(batch_id, None)


def _settle_apart(batch_id: int) -> None:
    """Write the rows removed apart into the rows, each keeping its status for its change's Undo."""
    if not any_apart(batch_id):
        return
    _write_apart(batch_id, apart(batch_id))
    forget(batch_id)


def settle_rows_of(batch_id: int, emails, row_id: int) -> None:
    """Write into the rows those removed apart that a change of one row can read: the row itself and the rows with
    one of `emails` (its addresses before and after). The others stay apart: the first edit after a search's
    removal of 11,000 rows wrote them all (~130 ms on PostgreSQL)."""
    if not any_apart(batch_id):
        return
    sharing = select(StagedRow.id).where(StagedRow.batch_id == batch_id,
                                         or_(StagedRow.email.in_(sorted(set(emails))), StagedRow.id == row_id))
    chosen = apart(batch_id).where(StagedRemoval.row_id.in_(sharing))
    ids = list(db.session.scalars(chosen))
    if ids:
        _write_apart(batch_id, bound.listed(ids, Integer))
        db.session.execute(delete(StagedRemoval).where(StagedRemoval.batch_id == batch_id,
                                                       bound.ids_in(StagedRemoval.row_id, ids))
                           .execution_options(synchronize_session=False))
        _count_apart(batch_id, -len(ids))


def _write_apart(batch_id: int, ids) -> None:
    """Write Removed into the rows removed apart with these ids (a SELECT of them), each keeping its status and
    its change's token for that change's Undo (as a bulk remove in the rows does)."""
    token = (select(StagedRemoval.token)
             .where(StagedRemoval.batch_id == batch_id, StagedRemoval.row_id == StagedRow.id).scalar_subquery())
    db.session.execute(
        update(StagedRow).where(StagedRow.batch_id == batch_id, StagedRow.id.in_(ids))
        .values(status=RowStatus.REMOVED, conflict_with=None, undo_status=StagedRow.status, undo_token=token)
        .execution_options(synchronize_session=False))


def remove_apart(batch: ImportBatch, token: int, clauses) -> dict:
    """Remove the rows in play the clauses select (none removed apart already), apart, by the change `token`;
    returns {own status: rows}."""
    chosen = select(StagedRow.batch_id, StagedRow.id, literal(token, Integer), StagedRow.status).where(
        *clauses, StagedRow.batch_id == batch.id, StagedRow.status.in_(IN_PLAY), StagedRow.id.not_in(apart(batch.id)))
    db.session.execute(insert(StagedRemoval).from_select(["batch_id", "row_id", "token", "status"], chosen))
    removed = apart_by_status(batch.id, StagedRemoval.token == token)
    _count_apart(batch.id, sum(removed.values()))
    return removed


def restore_apart(batch: ImportBatch, chosen) -> list:
    """Bring back the rows removed apart the where-clause `chosen` (on StagedRemoval) selects; returns their
    (id, own status). Their own status and conflict are as they were: no row was written meanwhile."""
    back = db.session.execute(delete(StagedRemoval).where(StagedRemoval.batch_id == batch.id, chosen)
                              .returning(StagedRemoval.row_id, StagedRemoval.status)
                              .execution_options(synchronize_session=False)).all()
    _count_apart(batch.id, -len(back))
    return back


def undo_apart(batch_id: int, token: int, restored: list[int]) -> tuple[list, dict]:
    """Undo what the change `token` did apart: the rows it removed show their own status again, the rows it
    restored (ids) are removed again if still in play, with the status they have now; returns the (id, own
    status) of the rows back, and {own status: rows removed again}."""
    back = db.session.execute(delete(StagedRemoval).where(StagedRemoval.batch_id == batch_id,
                                                          StagedRemoval.token == token)
                              .returning(StagedRemoval.row_id, StagedRemoval.status)
                              .execution_options(synchronize_session=False)).all()
    # (None of them is apart: a change apart since would be the one to undo.)
    chosen = select(StagedRow.batch_id, StagedRow.id, literal(token, Integer), StagedRow.status).where(
        StagedRow.batch_id == batch_id, bound.ids_in(StagedRow.id, restored), StagedRow.status.in_(IN_PLAY))
    if restored:
        db.session.execute(insert(StagedRemoval).from_select(["batch_id", "row_id", "token", "status"], chosen))
    again = apart_by_status(batch_id, StagedRemoval.token == token) if restored else {}
    _count_apart(batch_id, sum(again.values()) - len(back))
    return back, again


def emails_removed_by(batch_id: int, token: int) -> set:
    """The addresses of the rows the change `token` removed apart."""
    ids = select(StagedRemoval.row_id).where(StagedRemoval.batch_id == batch_id, StagedRemoval.token == token)
    return set(db.session.scalars(select(StagedRow.email).where(StagedRow.id.in_(ids))))


def emails_of(ids: list[int]) -> set:
    """The addresses of the rows with these ids."""
    return set(db.session.scalars(select(StagedRow.email).where(bound.ids_in(StagedRow.id, ids)))) if ids else set()


def forget(*batch_ids: int) -> None:
    """Drop the rows removed apart of these batches (their rows are gone or staged afresh)."""
    db.session.execute(delete(StagedRemoval).where(StagedRemoval.batch_id.in_(batch_ids))
                       .execution_options(synchronize_session=False))
    _written()
    db.session.execute(update(ImportBatch).where(ImportBatch.id.in_(batch_ids)).values(rows_apart=0, **_SAME_TIME)
                       .execution_options(synchronize_session=False))
