"""A batch's staged rows counted by status, kept in the batch: counting 100,000 rows costs PostgreSQL
40-90 ms, more than a whole request of the staged table may take."""
from __future__ import annotations

from sqlalchemy import func, select, update

from webapp.extensions import db
from webapp.models import BatchStatus, ImportBatch, StagedRow


def by_status(batch_id: int) -> dict[str, int]:
    """{row status: how many rows}, from the kept counts while they are current, else counted (and kept)."""
    seen = db.session.execute(select(ImportBatch.status, ImportBatch.updated_at, ImportBatch.counts_version,
                                     ImportBatch.row_counts).where(ImportBatch.id == batch_id)).one()
    stamp = _stamp(seen)
    kept = seen.row_counts or {}
    # Only an editable batch's rows change through the staged table alone, which marks each change (changed()).
    if seen.status == BatchStatus.STAGED and kept.get("stamp") == stamp:
        return dict(kept["by_status"])
    counted = dict(db.session.execute(
        select(StagedRow.status, func.count()).where(StagedRow.batch_id == batch_id).group_by(StagedRow.status)
    ).all())
    if seen.status == BatchStatus.STAGED and not (db.session.new or db.session.dirty or db.session.deleted):
        # Kept only if no change was marked since the stamp was read; updated_at is kept as it was.
        db.session.execute(
            update(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.counts_version == seen.counts_version,
                                      ImportBatch.updated_at == seen.updated_at)
            .values(row_counts={"stamp": stamp, "by_status": counted}, updated_at=seen.updated_at)
            .execution_options(synchronize_session=False))
        db.session.commit()
    return counted


def changed(batch_id: int) -> None:
    """Mark the kept counts out of date: some of the batch's rows changed status (the caller commits)."""
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values(counts_version=ImportBatch.counts_version + 1)
                       .execution_options(synchronize_session=False))


def _stamp(seen) -> str:
    return f"{seen.status}|{seen.updated_at.isoformat() if seen.updated_at else ''}|{seen.counts_version}"
