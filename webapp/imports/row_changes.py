"""What every change of staged rows shares: the refusal of a change, the undo record, and the addresses
whose conflicts a change can alter."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select, update
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.imports import recheck, removal
from webapp.imports.staging import OPEN_STATUSES
from webapp.models import BulkUndo, BulkUndoRow, ImportBatch, RowStatus, StagedRow

# A row's own values, as an undo puts them back (status and conflicts are then worked out again).
UNDO_COLUMNS = ("first_name", "last_name", "email", "account_type", "send_invite", "status", "errors",
                "fields_ok", "email_ok", "account_type_error", "suggested_email")
# The checks a find and replace or suggested fix can change, kept (for rows where they do) for an undo.
CHECK_COLUMNS = ("errors", "fields_ok", "email_ok", "suggested_email")
# Up to this many addresses, rows sharing one with a change are found address by address.
FEW_ADDRESSES = 5_000
# Ids per statement: within every database's limit of bound values.
FEW_IDS = 500


class TableError(ValueError):
    """A request on the table that cannot be carried out; str(error) says why."""


def require_editable(batch: ImportBatch, row: StagedRow | None = None, *, settle: bool = True) -> None:
    """Refuse a change the batch or row cannot take; with settle, write a removal of every row into the
    rows first (the change reads or writes them beyond what removal.py lets the table show)."""
    if not batch.editable:
        raise TableError("This import is no longer being checked, so its rows cannot be changed.")
    if row is not None:
        removal.show(batch.id, [row])
    if settle:
        removal.settle(batch.id)
    if row is not None and row.status == RowStatus.REMOVED:
        raise TableError("This row was removed; restore it first to change it.")
    if row is not None and row.status not in OPEN_STATUSES:
        raise TableError("This row is a duplicate that is ignored; remove it or leave it.")


class Chosen(list):
    """Where-clauses for rows the admin chose by id, with the ids."""

    def __init__(self, clauses, *, batch_id: int, ids: list[int]):
        super().__init__(clauses)
        self.batch_id, self.ids = batch_id, ids


def addresses(batch: ImportBatch, token: int, emails: set, *, side: str | None = None):
    """The addresses whose rows a change can give or take a conflict: as they are when few (each found
    by index); when many, every address more than one row shares, or for a rewrite of addresses those of the
    rows the change marked (one pass over the batch, where thousands of look-ups cost more), by `side`: "email"
    for the addresses it wrote, "undo_text" for those they replaced."""
    if len(emails) <= FEW_ADDRESSES:
        return emails
    if side is None:
        return shared_addresses(batch)
    marked = aliased(StagedRow)
    return select(getattr(marked, side)).where(marked.batch_id == batch.id, marked.undo_token == token)


def shared_addresses(batch: ImportBatch):
    """The addresses more than one row of the batch has, read first when few: given as a SELECT to the UPDATE
    that checks their rows, PostgreSQL expects a third of the batch's addresses shared and compiles the
    statement (JIT), 350 ms against 30 ms for the few most batches share."""
    shared = set(db.session.scalars(recheck.shared_emails(batch).limit(FEW_ADDRESSES + 1)))
    return shared if len(shared) <= FEW_ADDRESSES else recheck.shared_emails(batch)


def any_row(*clauses) -> bool:
    return db.session.scalar(select(StagedRow.id).where(*clauses).limit(1)) is not None


def new_undo(batch: ImportBatch, columns, rewrote: str | None = None, batch_values: dict | None = None, *,
             kept_all: bool = False) -> int:
    """Start the batch's undo record for a change of these columns; older ones can no longer be undone."""
    undo = BulkUndo(batch_id=batch.id, message="", columns=list(columns), rewrote=rewrote, batch_values=batch_values,
                    kept_all=kept_all)
    db.session.add(undo)
    db.session.flush()
    # Dropped after the insert, so the new id is never an old one reused: a stale Undo stays refused.
    db.session.execute(delete(BulkUndo).where(BulkUndo.batch_id == batch.id, BulkUndo.id != undo.id))
    return undo.id


def remember(batch: ImportBatch, clauses, columns=UNDO_COLUMNS) -> int:
    """Keep the values of the rows a bulk change is about to touch (INSERT ... SELECT); returns how many.

    Only the latest change of a batch can be undone, so older kept values are dropped.
    """
    undo_id = new_undo(batch, columns)
    kept = select(literal(undo_id), StagedRow.id, *(getattr(StagedRow, c) for c in columns)).where(*clauses)
    db.session.execute(insert(BulkUndoRow).from_select(["undo_id", "row_id", *columns], kept))
    # Counted apart: drivers do not all report a row count for INSERT ... SELECT.
    return db.session.scalar(select(func.count()).select_from(BulkUndoRow)
                             .where(BulkUndoRow.undo_id == undo_id)) or 0


def update_rows(clauses, values) -> int:
    return db.session.execute(
        update(StagedRow).where(*clauses).values(**values).execution_options(synchronize_session=False)
    ).rowcount
