"""Conflicts and statuses worked out again after a change of many staged rows, writing only the rows
that differ: refreshing every row sharing an address with 11,000 changed ones rewrote them all, where
nearly none had a conflict to gain or lose."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import String, func, select, update
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.imports import bound
from webapp.imports.staging import conflict_expression, status_expression
from webapp.models import ImportBatch, RowStatus, StagedRow

# Every status but the open ones (OPEN_STATUSES), in a batch still being checked.
_CLOSED = (RowStatus.DUPLICATE, RowStatus.REMOVED, RowStatus.CREATED, RowStatus.FAILED)


def conflicts(batch: ImportBatch, emails, *clauses, besides=None) -> list[int]:
    """Work out again the conflicts of the open rows with one of `emails` (addresses, or a SELECT of them);
    returns the ids of the rows whose conflict changed. besides: a SELECT of the ids of rows out of play whatever
    their own status (rows removed apart, removal.py): none of them is checked, no row conflicts with one."""
    if isinstance(emails, (set, frozenset, list, tuple)):
        if not emails:
            return []
        emails = bound.listed(sorted(set(emails)), String)
    return _changed_conflicts(batch, StagedRow.email.in_(emails), *clauses, besides=besides)


def conflicted(batch: ImportBatch, besides=None) -> list[int]:
    """Work out again the conflicts of the open rows that have one (a small partial index finds them):
    after a removal, no other row's can differ; returns the ids of the rows whose conflict changed."""
    return _changed_conflicts(batch, StagedRow.conflict_with.is_not(None), besides=besides)


def _changed_conflicts(batch: ImportBatch, *scope, besides=None) -> list[int]:
    new = conflict_expression(besides)
    out_of_play = [] if besides is None else [StagedRow.id.not_in(besides)]
    # Open said as "not closed": the rows are then found by `scope` (address), not by reading every open
    # row. A batch still being checked has no other statuses.
    return list(db.session.scalars(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, *scope, *out_of_play, StagedRow.status.not_in(_CLOSED),
               StagedRow.conflict_with.is_distinct_from(new))
        .values(conflict_with=new).returning(StagedRow.id)
        .execution_options(synchronize_session=False)))


def shared_emails(batch: ImportBatch):
    """A SELECT of the addresses more than one row of the batch has: a change of which rows are in play
    can give or take a conflict only there (one pass over an index, where most batches share few)."""
    row = aliased(StagedRow)
    return select(row.email).where(row.batch_id == batch.id).group_by(row.email).having(func.count() > 1)


def statuses(batch: ImportBatch, *scope) -> Counter:
    """Work out again the status of the open rows the where-clauses `scope` select (rows of this batch
    only); returns {status: rows gained (or lost)}."""
    new = status_expression(batch.org_id)
    # Open said as "not closed" (as in _conflicts), and no batch_id: the rows are then found by `scope`
    # (ids, say), where SQLite would otherwise read the whole batch through its status index.
    clauses = (*scope, StagedRow.status.not_in(_CLOSED), StagedRow.status != new)
    # Counted before the UPDATE, as (old, new) pairs: the kept counts move by exactly these rows.
    differing = select(StagedRow.status.label("old"), new.label("new")).where(*clauses).subquery()
    pairs = db.session.execute(select(differing.c.old, differing.c.new, func.count())
                               .group_by(differing.c.old, differing.c.new)).all()
    moves = Counter()
    if pairs:
        db.session.execute(update(StagedRow).where(*clauses).values(status=new)
                           .execution_options(synchronize_session=False))
    for old, now, rows in pairs:
        moves[old] -= rows
        moves[now] += rows
    return moves


def statuses_of(batch: ImportBatch, ids: list[int]) -> Counter:
    """statuses() of the batch's rows with these ids (bound as one value: one statement however many)."""
    return statuses(batch, bound.ids_in(StagedRow.id, ids)) if ids else Counter()


def moves(before: Counter, after: Counter) -> Counter:
    """{status: rows gained (or lost)} when rows with the statuses `before` now have `after`."""
    moved = Counter(after)
    moved.subtract(before)
    return moved
