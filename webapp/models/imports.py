"""File Import models: an import batch, its uploaded file, and the rows staged from it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import false
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.extensions import db


class BatchStatus:
    """Where a batch is in the flow."""

    STAGING = "staging"    # a background job is reading the file
    STAGED = "staged"      # rows are ready to check and edit
    CREATING = "creating"  # Create Users has claimed the batch
    DONE = "done"          # accounts were created
    FAILED = "failed"      # staging in the background failed; last_error says why


class RowStatus:
    """A staged row's state; only VALID rows are created."""

    VALID = "valid"
    INVALID = "invalid"
    DUPLICATE = "duplicate"
    EXISTING = "existing"
    CREATED = "created"
    FAILED = "failed"
    REMOVED = "removed"  # taken out by the admin; can be restored, never created


class ImportBatch(db.Model):
    __tablename__ = "import_batches"
    __table_args__ = (Index("ix_import_batches_org_created", "org_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    admin_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default=BatchStatus.STAGED)
    encoding: Mapped[str] = mapped_column(String(20), default="")
    encoding_detected: Mapped[str] = mapped_column(String(20), default="")
    delimiter: Mapped[str | None] = mapped_column(String(2))
    delimiter_detected: Mapped[str | None] = mapped_column(String(2))
    headers: Mapped[list] = mapped_column(JSON, default=list)
    # {import field key (see imports/fields.py): column index or None}
    column_map: Mapped[dict] = mapped_column(JSON, default=dict)
    # How the file was read beyond encoding and delimiter: sheet, sheet_names, header_line, headerless,
    # skipped [{line, text, reason}], encoding_guessed, and the mapping's doubts (why a person should look).
    read_info: Mapped[dict | None] = mapped_column(JSON)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # The rows' counts by status, kept for the staged table (see imports/table_pages.counters); trusted only
    # while its stamp matches the batch's status, updated_at and counts_version, which a status change raises.
    row_counts: Mapped[dict | None] = mapped_column(JSON)
    counts_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # An account type or Send Invite set for every row at once is kept here, not written to 100,000 rows:
    # it holds for each row whose own *_gen is older than all_*_gen (see imports/choices.py).
    choice_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    all_account_type: Mapped[str | None] = mapped_column(String(20))
    all_type_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    all_send_invite: Mapped[bool | None] = mapped_column(Boolean)
    all_invite_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # "Remove" of every row at once, kept here, not written to 100,000 rows (see imports/removal.py):
    # {"token": the change's BulkUndo id, "by_status": {own status: rows}}; None when not in force.
    all_removed: Mapped[dict | None] = mapped_column(JSON)
    # How many rows are removed apart (staged_removals): asked on every read of the table, where the narrow
    # table's index still walks the entries a restore just deleted.
    rows_apart: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Upload mode and full-list options (webapp/imports/sync.py): add, add_update or update.
    mode: Mapped[str] = mapped_column(String(12), default="add", server_default="add")
    deactivate_missing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    create_missing_groups: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def has_type_column(self) -> bool:
        return (self.column_map or {}).get("account_type") is not None

    @property
    def editable(self) -> bool:
        return self.status == BatchStatus.STAGED

    @property
    def lines_not_created(self) -> int:
        """Lines read that Add new people neither created nor failed (problems, duplicates, removed rows), so the
        counts shown add up to the rows read; 0 in the other modes, whose other lines were updated or unchanged."""
        return max(0, self.rows_read - self.created_count - self.failed_count) if self.mode == "add" else 0


class ImportUpload(db.Model):
    """One part of an uploaded file (see imports/uploads.py): parts, not one value, so no copy of a large file
    is ever made at once, and reading a batch never loads it."""

    __tablename__ = "import_upload_parts"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    part: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class StagedRow(db.Model):
    __tablename__ = "staged_rows"
    __table_args__ = (
        Index("ix_staged_rows_batch_line", "batch_id", "line"),
        Index("ix_staged_rows_batch_status_line", "batch_id", "status", "line"),
        Index("ix_staged_rows_batch_email_line", "batch_id", "email", "line"),
        # Few rows have a suggested fix: counting them for "Apply all N" reads this small index only.
        Index("ix_staged_rows_batch_suggested", "batch_id", "status",
              postgresql_where=text("suggested_email IS NOT NULL"),
              sqlite_where=text("suggested_email IS NOT NULL")),
        # Few rows have an account type that was not understood: setting a type on all rows finds them
        # here instead of reading the whole batch a second time.
        Index("ix_staged_rows_batch_type_error", "batch_id",
              postgresql_where=text("account_type_error IS NOT NULL"),
              sqlite_where=text("account_type_error IS NOT NULL")),
        # Few rows conflict with another: a removal checks only these again (recheck.conflicted).
        Index("ix_staged_rows_batch_conflict", "batch_id",
              postgresql_where=text("conflict_with IS NOT NULL"),
              sqlite_where=text("conflict_with IS NOT NULL")),
        # Bulk actions rewrite every row of a batch; free room on each page lets PostgreSQL
        # update in place (HOT) instead of rewriting all three indexes: ~0.8 s -> ~0.1 s.
        {"postgresql_with": {"fillfactor": 40}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    line: Mapped[int] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(300), default="")
    last_name: Mapped[str] = mapped_column(String(300), default="")
    # Lower-cased when valid; otherwise the text as read or typed, so nothing is lost.
    email: Mapped[str] = mapped_column(String(320), default="")
    account_type: Mapped[str] = mapped_column(String(20), default="user")
    send_invite: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=RowStatus.VALID)
    # Problems with the row's own values, as data: [{"field", "code", "params"}] (see imports/problems.py).
    # The account type refusal and email conflicts live in their own columns, recomputed set-based.
    errors: Mapped[list] = mapped_column(JSON, default=list)
    # Values of registered fields that have no column of their own: {field key: value}.
    extra: Mapped[dict | None] = mapped_column(JSON)
    fields_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    email_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    # The account type text that was not understood (None when the type is fine).
    account_type_error: Mapped[str | None] = mapped_column(Text)
    # The address the admin most likely meant ("jane at gmial.com" -> "jane@gmail.com"), if any.
    suggested_email: Mapped[str | None] = mapped_column(String(320))
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    conflict_with: Mapped[int | None] = mapped_column(Integer)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # A bulk change of type, Send Invite or status keeps the values it replaced in the row itself,
    # under the BulkUndo id as token: one UPDATE writes both, where a copy to bulk_undo_rows cost as much again.
    undo_token: Mapped[int | None] = mapped_column(Integer)
    undo_account_type: Mapped[str | None] = mapped_column(String(20))
    undo_account_type_error: Mapped[str | None] = mapped_column(Text)
    undo_send_invite: Mapped[bool | None] = mapped_column(Boolean)
    undo_status: Mapped[str | None] = mapped_column(String(10))
    # The batch's choice_gen when account_type / send_invite were last set on this row itself.
    type_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    invite_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    undo_type_gen: Mapped[int | None] = mapped_column(Integer)
    undo_invite_gen: Mapped[int | None] = mapped_column(Integer)
    # The text a find and replace or suggested fix replaced (in the column its BulkUndo names).
    undo_text: Mapped[str | None] = mapped_column(String(320))


class StagedSearch(db.Model):
    """A staged row's search text, lower-cased "first last email", in a narrow table of its own: a search
    or a deep page reads this (~90 bytes a row) instead of the wide staged rows (~300 bytes a row).

    Written at staging, and again for the rows whose names or email change (search_rows.py). Keyed by
    line first, so a batch's rows are read in the table's order.
    """

    __tablename__ = "staged_search"
    # SQLite: the rows are the key's b-tree, in order. PostgreSQL: half of each page is left free, so a search
    # text written again (a find and replace over 11,111 rows) is updated in place, not moved and indexed again.
    __table_args__ = ({"sqlite_with_rowid": False, "postgresql_with": {"fillfactor": 50}},)

    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    line: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    search: Mapped[str] = mapped_column(Text, default="")


class StagedRemoval(db.Model):
    """A staged row removed by a bulk remove of chosen rows, kept here instead of written into the wide row: writing
    11,000 rows' status costs PostgreSQL ~130 ms (every index of staged_rows), a narrow insert a tenth of that.

    The row keeps its own status and conflict underneath; `status` is a copy of it (nothing writes the row
    while it is here); token: the bulk change that removed it (its BulkUndo id). See imports/removal.py.
    """

    __tablename__ = "staged_removals"
    __table_args__ = ({"sqlite_with_rowid": False},)  # one b-tree: the key's

    batch_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    token: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))


class ImportMapping(db.Model):
    """The column mapping an organisation confirmed for a set of headers, offered again next time."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("org_id", "headers_key", name="uq_import_mappings_org_headers"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    # sha256 of the normalised headers (see columns.headers_key).
    headers_key: Mapped[str] = mapped_column(String(64))
    # {field key: column index or None}
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class BulkUndo(db.Model):
    """The last bulk change made to a batch, kept so the admin can undo it."""

    __tablename__ = "bulk_undos"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    # The row columns this change wrote (and an undo puts back); the others were kept as defaults.
    columns: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Marked, not deleted, once undone: the newest id of all stays taken, so SQLite never hands it to
    # a later change, whose Undo would then also match rows still carrying it as their undo token.
    undone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A change of every row kept in the batch: the batch values it replaced and how many rows it changed.
    batch_values: Mapped[dict | None] = mapped_column(JSON)
    # The text column a find and replace or suggested fix rewrote; its old values are in the rows' undo_text.
    rewrote: Mapped[str | None] = mapped_column(String(20))
    # Every row the rewrite changed has its old checks in bulk_undo_rows (not only those whose checks changed):
    # the Undo then finds the rows there, by key, instead of reading the batch for its token.
    kept_all: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class BulkUndoRow(db.Model):
    """A row's values before a find and replace or suggested fix (type, invite and status changes keep theirs in the row)."""

    __tablename__ = "bulk_undo_rows"

    undo_id: Mapped[int] = mapped_column(ForeignKey("bulk_undos.id", ondelete="CASCADE"), primary_key=True)
    # No foreign key: restaging deletes rows by the thousand, and an undo of rows that are gone
    # simply matches nothing.
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    first_name: Mapped[str] = mapped_column(String(300), default="")
    last_name: Mapped[str] = mapped_column(String(300), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    account_type: Mapped[str] = mapped_column(String(20), default="user")
    send_invite: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default=RowStatus.VALID)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    fields_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    email_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    account_type_error: Mapped[str | None] = mapped_column(Text)
    suggested_email: Mapped[str | None] = mapped_column(String(320))
