"""What other features ask of an import: its users, and the banner numbers for the Users list."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from webapp.extensions import db
from webapp.models import BatchStatus, ImportBatch, RowStatus, StagedRow


def user_ids_for_batch(org_id: int, batch_id: int) -> Select:
    """A SELECT of the ids of users this organisation's batch created (for an IN clause)."""
    return (
        select(StagedRow.user_id)
        .join(ImportBatch, ImportBatch.id == StagedRow.batch_id)
        .where(ImportBatch.org_id == org_id, ImportBatch.id == batch_id,
               StagedRow.status == RowStatus.CREATED, StagedRow.user_id.is_not(None))
    )


def batch_banner(org_id: int, batch_id: int) -> dict | None:
    """{"created", "failed", "duplicates"} for a finished batch of this organisation, else None."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.org_id != org_id or batch.status != BatchStatus.DONE:
        return None
    duplicates = db.session.scalar(
        select(func.count()).select_from(StagedRow)
        .where(StagedRow.batch_id == batch_id, StagedRow.status == RowStatus.DUPLICATE)
    ) or 0
    from webapp.imports.sync import banner_counts  # updated, unchanged, deactivated, undone

    return {"created": batch.created_count, "failed": batch.failed_count, "duplicates": duplicates,
            **banner_counts(batch)}
