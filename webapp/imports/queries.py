"""What other features ask of an import: its users, and the banner numbers for the Users list."""
from __future__ import annotations

from sqlalchemy import Select, select

from webapp.extensions import db
from webapp.imports.outcomes import count_lines
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
    """The outcome of every line of a finished batch of this organisation, for the Users list banner.

    {"filename", "created", "failed", "duplicates", "total", "outcomes": [(words, count), ...]};
    the counts in "outcomes" add up to "total", every line read. None for another org's batch.
    """
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.org_id != org_id or batch.status != BatchStatus.DONE:
        return None
    counts = count_lines(batch)
    from webapp.imports.sync import banner_counts  # updated, unchanged, deactivated, undone

    return {
        "filename": batch.filename, "created": counts["created"], "failed": counts["failed"],
        "duplicates": counts["duplicate"], "total": counts.total,
        "outcomes": [(_banner_words(key, counts[key]), counts[key]) for key in BANNER_WORDS if counts[key]],
        **banner_counts(batch),
    }


def _banner_words(outcome: str, count: int) -> str:
    if outcome == "created":
        return "user created" if count == 1 else "users created"
    if outcome == "duplicate" and count == 1:
        return "ignored as a duplicate of an earlier line"
    return BANNER_WORDS[outcome]


# How the banner names each outcome after its count ("3 failed", "2 removed by you").
BANNER_WORDS = {
    "created": "created",
    "updated": "updated",
    "unchanged": "unchanged (already up to date)",
    "failed": "failed",
    "problem": "left out with a problem",
    "duplicate": "ignored as duplicates of earlier lines",
    "removed": "removed by an admin before Create Users",
    "skipped": "skipped as not a person (titles, notes)",
}
