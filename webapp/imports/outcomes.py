"""Every data line of an import with its outcome: the completion summary and the banner use these.

Created, failed (why), left out with a problem (which), ignored as a duplicate of line N,
removed by the admin before Create Users, or skipped as not a person. The counts add up
to the lines read. Removed rows are listed when kept with status "removed"; when they were
deleted only their number is known (rows_read minus the rows still there).
"""
from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import SimpleNamespace

from sqlalchemy import Text, cast, func, select

from webapp.extensions import db
from webapp.imports.problems import sentences, stored_problems
from webapp.mail.messages import SummaryLine, summary_line
from webapp.models import ImportBatch, RowStatus, StagedChange, StagedRow, SyncAction

REMOVED = "removed"  # a row the admin removed, when removals keep the row
# Staged row status -> outcome (rows still open when counted count as left out).
STATUS_OUTCOMES = {
    RowStatus.CREATED: "created",
    RowStatus.FAILED: "failed",
    RowStatus.INVALID: "problem",
    RowStatus.EXISTING: "problem",
    RowStatus.VALID: "problem",
    RowStatus.DUPLICATE: "duplicate",
    REMOVED: "removed",
    "updated": "updated",      # an existing person changed by an update-mode import (imports/sync.py)
    "unchanged": "unchanged",  # an existing person the file matched with nothing to change
}
# Staged rows read per page when every line is listed.
PAGE_ROWS = 5000
ORDER = ("created", "updated", "unchanged", "failed", "problem", "duplicate", "removed", "skipped")


def skipped_lines(batch: ImportBatch) -> list[dict]:
    """Lines read but not taken as people (titles, footers): [{"line", "text", "reason"}]."""
    lines = (batch.read_info or {}).get("skipped") or []
    return [line for line in lines if isinstance(line, dict)]


@dataclass(frozen=True)
class LineCounts:
    """How many lines of a file had each outcome; `total` is every line read."""

    counts: dict[str, int]
    removed_unlisted: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __getitem__(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)


def count_lines(batch: ImportBatch) -> LineCounts:
    """Outcome counts for a batch in one GROUP BY."""
    by_status = dict(db.session.execute(
        select(StagedRow.status, func.count()).where(StagedRow.batch_id == batch.id)
        .group_by(StagedRow.status)
    ).all())
    counts = dict.fromkeys(ORDER, 0)
    for status, count in by_status.items():
        counts[STATUS_OUTCOMES.get(status, "problem")] += count
    present = sum(by_status.values())
    removed_unlisted = max(0, (batch.rows_read or 0) - present)
    counts["removed"] += removed_unlisted
    counts["skipped"] = len(skipped_lines(batch))
    return LineCounts(counts=counts, removed_unlisted=removed_unlisted)


def problem_reason(row) -> str:
    """Why a row was left out, in the words the staged table shows."""
    if row.status == RowStatus.EXISTING:
        return "Already has an account in this organisation."
    found = sentences(stored_problems(row.errors, row.account_type_error, row.conflict_with))
    return " ".join(found) or "Not ready when Create Users was pressed."


def _reason(row, outcome: str) -> str:
    if outcome == "failed":
        return row.failure_reason or "Not created."
    if outcome == "problem":
        return problem_reason(row)
    if outcome == "duplicate":
        return f"Same as line {row.duplicate_of} in every field." if row.duplicate_of else \
            "Same as an earlier line in every field."
    return ""


def line_outcomes(batch: ImportBatch,
                  passwords: Callable[[list[int]], list[str]] | None = None) -> Iterator[SummaryLine]:
    """Every line of the batch with its outcome, in file order, read a page at a time (the summary streams them).

    `passwords(row_ids)` gives the created rows' passwords, a page at a time.
    """
    query = (select(StagedRow.id, StagedRow.line, StagedRow.first_name, StagedRow.last_name,
                    StagedRow.email, StagedRow.account_type, StagedRow.status,
                    # As text: only the lines with problems need their problems decoded.
                    cast(StagedRow.errors, Text).label("errors"), StagedRow.account_type_error, StagedRow.conflict_with, StagedRow.duplicate_of,
                    StagedRow.failure_reason)
             .where(StagedRow.batch_id == batch.id).order_by(StagedRow.line, StagedRow.id)
             .execution_options(yield_per=PAGE_ROWS))
    skipped = sorted((summary_line(str(line.get("text") or "")[:200], "", "", "", "skipped",
                                   str(line.get("reason") or "Not a person."), "", line.get("line"))
                      for line in skipped_lines(batch)), key=_in_file_order)
    return heapq.merge(_staged_outcomes(query, passwords), skipped, key=_in_file_order)


def _staged_outcomes(query, passwords) -> Iterator[SummaryLine]:
    # A Core result, not ORM rows: a million lines are read.
    for page in db.session.connection().execute(query).partitions():
        created = [row.id for row in page if row.status == RowStatus.CREATED]
        made = dict(zip(created, passwords(created))) if passwords and created else {}
        changed = _changes_said([row.id for row in page if row.status in ("updated", "unchanged")])
        for row in page:
            row_id, line, first_name, last_name, email, account_type, status = row[:7]
            if status == RowStatus.CREATED:  # most lines: nothing to look up
                yield summary_line(first_name, last_name, email, account_type, "created", "",
                                   made.get(row_id, ""), line)
                continue
            outcome = STATUS_OUTCOMES.get(status, "problem")
            if outcome == "problem":
                row = _decoded(row)
            yield summary_line(row.first_name, row.last_name, row.email, row.account_type, outcome,
                               changed.get(row.id) or _reason(row, outcome), "", row.line)


def _changes_said(row_ids: list[int]) -> dict[int, str]:
    """What an update import changed for each of these rows of a page ("No change." when nothing), one query."""
    if not row_ids:
        return {}
    from webapp.imports.sync import describe  # update modes build on the outcomes, not the other way

    found = db.session.execute(select(StagedChange.row_id, StagedChange.action, StagedChange.changes)
                               .where(StagedChange.row_id.in_(row_ids)))
    return {row.row_id: describe(row.changes) if row.action == SyncAction.UPDATE else "No change."
            for row in found if row.action in (SyncAction.UPDATE, SyncAction.UNCHANGED)}


def _decoded(row) -> SimpleNamespace:
    """The row with its problems read from their JSON text."""
    values = row._asdict()
    values["errors"] = (json.loads(values["errors"]) if values["errors"] else None) or []
    return SimpleNamespace(**values)


def _in_file_order(outcome: SummaryLine) -> tuple:
    return outcome.line is None, outcome.line or 0


# The rows "Download problems" lists (table.problems_csv): every row that will not be, or was not, created.
LEFT_OUT = (RowStatus.INVALID, RowStatus.EXISTING, RowStatus.DUPLICATE, RowStatus.FAILED, RowStatus.REMOVED)


def left_out(by_status: dict) -> int:
    """How many rows the problems download would list, from the rows counted by status."""
    return sum(by_status.get(status, 0) for status in LEFT_OUT)


@dataclass(frozen=True)
class Planned:
    """What Create Users will do to people, by the plan the changes panel shows; None: the mode does not do it."""

    create: int | None
    update: int | None
    unchanged: int
    blocked: int
    create_extras: int  # new people with a group, series or status (the changes panel's last tab)
    deactivate: int | None

    def tab_counts(self) -> dict[str, int]:
        """The changes panel's tabs and their counts."""
        return {"update": self.update or 0, "unchanged": self.unchanged, "blocked": self.blocked,
                "create": self.create_extras}

    def sentence(self) -> str:
        """The confirmation's words: "1,204 users will be created, 37 people will be updated and 5 ...", or fewer."""
        parts = [_will(count, noun, verb) for count, noun, verb in (
            (self.create, ("user", "users"), "created"), (self.update, ("person", "people"), "updated"),
            (self.deactivate, ("person", "people"), "deactivated")) if count is not None]
        return (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]) + "."

    def button(self) -> str:
        """The confirmation's button: "Create 1,204 users, update 37, deactivate 5"."""
        parts = []
        if self.create is not None:
            parts.append(f"create {self.create:,} {'user' if self.create == 1 else 'users'}")
        if self.update is not None:
            parts.append(f"update {self.update:,}" if parts else
                         f"update {self.update:,} {'person' if self.update == 1 else 'people'}")
        if self.deactivate is not None:
            parts.append(f"deactivate {self.deactivate:,}")
        said = ", ".join(parts)
        return said[0].upper() + said[1:]


def _will(count: int, noun: tuple[str, str], verb: str) -> str:
    return f"{count:,} {noun[0] if count == 1 else noun[1]} will be {verb}"


def planned(batch: ImportBatch, ready: int, leavers: int | None = None) -> Planned:
    """Count the batch's stored plan (imports/sync.plan writes it) in one grouped count, with no query per row.

    `ready` is the rows ready to create; `leavers` the people a full-list import deactivates.
    """
    counted = {action: (rows, existing) for action, rows, existing in db.session.execute(
        select(StagedChange.action, func.count(), func.count(StagedChange.user_id))
        .where(StagedChange.batch_id == batch.id).group_by(StagedChange.action)).all()}
    blocked, blocked_existing = counted.get(SyncAction.BLOCKED, (0, 0))
    updating = batch.mode != "add"
    return Planned(
        # New people stopped by the plan (in Update only, every one) are not created.
        create=None if batch.mode == "update" else max(0, ready - (blocked - blocked_existing)),
        update=counted.get(SyncAction.UPDATE, (0, 0))[0] if updating else None,
        unchanged=counted.get(SyncAction.UNCHANGED, (0, 0))[0], blocked=blocked,
        create_extras=counted.get(SyncAction.CREATE, (0, 0))[0],
        deactivate=(leavers or 0) if batch.deactivate_missing else None,
    )
