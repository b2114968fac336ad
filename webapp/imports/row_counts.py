"""A batch's staged rows counted by status, kept in the batch: counting 100,000 rows costs PostgreSQL
40-90 ms, more than a whole request of the staged table may take."""
from __future__ import annotations

from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.imports import removal
from webapp.models import BatchStatus, ImportBatch, StagedRow


def by_status(batch_id: int) -> dict[str, int]:
    """{row status: how many rows}, from the kept counts while they are current, else counted (and kept)."""
    seen = _seen(batch_id)
    stamp = _stamp(seen)
    if _current(seen):
        return dict(seen.row_counts["by_status"])
    counted = removal.fold(batch_id, _count(StagedRow.batch_id == batch_id))
    if seen.status == BatchStatus.STAGED and not (db.session.new or db.session.dirty or db.session.deleted):
        # Kept only if no change was marked since the stamp was read; updated_at is kept as it was.
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.counts_version == seen.counts_version,
                                      ImportBatch.updated_at == seen.updated_at)
            .values(row_counts={"stamp": stamp, "by_status": counted}, updated_at=seen.updated_at)
            .execution_options(synchronize_session=False))
        db.session.commit()
    return counted


def before(batch_id: int, scope):
    """Count the rows a coming change can move (the where-clause `scope`, a few rows found by index),
    if the kept counts are current; pass the result to after()."""
    seen = _seen(batch_id)
    return (seen, _count(scope, grouped=func.coalesce(StagedRow.status, ""))) if _current(seen) else None


def after(batch_id: int, scope, counted_before) -> None:
    """Move the kept counts by what the change did within `scope` (or mark them out of date)."""
    if counted_before is None:
        return changed(batch_id)
    seen, old = counted_before
    new = _count(scope, grouped=func.coalesce(StagedRow.status, ""))
    move(batch_id, seen, {status: new.get(status, 0) - old.get(status, 0) for status in {*old, *new}})


def current(batch_id: int):
    """The batch's kept counts as read now, for move(); None when they are out of date."""
    seen = _seen(batch_id)
    return seen if _current(seen) else None


def move(batch_id: int, seen, moves: dict) -> None:
    """Add {status: rows gained (or lost, below 0)} to the counts read as `seen` (None: mark out of date)."""
    if seen is None:
        return changed(batch_id)
    kept = dict(seen.row_counts["by_status"])
    for status, n in moves.items():
        kept[status] = kept.get(status, 0) + n
    version = seen.counts_version + 1
    stamp = _stamp(seen, version)
    moved = db.session.execute(
        update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.counts_version == seen.counts_version,
                                  ImportBatch.updated_at == seen.updated_at)
        .values(counts_version=version, updated_at=seen.updated_at,
                row_counts={"stamp": stamp, "by_status": {k: n for k, n in kept.items() if n}})
        .execution_options(synchronize_session=False)).rowcount
    if moved != 1:  # something else changed the batch meanwhile: count afresh next time
        changed(batch_id)


def changed(batch_id: int) -> None:
    """Mark the kept counts out of date: some of the batch's rows changed status (the caller commits)."""
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values(counts_version=ImportBatch.counts_version + 1)
                       .execution_options(synchronize_session=False))


def _seen(batch_id: int):
    return db.session.execute(select(ImportBatch.status, ImportBatch.updated_at, ImportBatch.counts_version,
                                     ImportBatch.row_counts).where(ImportBatch.id == batch_id)).one()


def _current(seen) -> bool:
    # Only an editable batch's rows change through the staged table alone, which marks each change.
    return seen.status == BatchStatus.STAGED and (seen.row_counts or {}).get("stamp") == _stamp(seen)


def _count(*clauses, grouped=StagedRow.status) -> dict[str, int]:
    # A few rows are grouped by an expression: grouped by the column itself, SQLite reads the whole
    # batch through the (batch_id, status) index to skip a sort, instead of finding the rows by email.
    return dict(db.session.execute(select(grouped, func.count()).where(*clauses).group_by(grouped)).all())


def _stamp(seen, version: int | None = None) -> str:
    version = seen.counts_version if version is None else version
    return f"{seen.status}|{seen.updated_at.isoformat() if seen.updated_at else ''}|{version}"
