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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    # {"first_name": index|None, "last_name": ..., "email": ..., "account_type": ..., "full_name": ...}
    column_map: Mapped[dict] = mapped_column(JSON, default=dict)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)

    upload: Mapped[ImportUpload | None] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, uselist=False
    )

    @property
    def has_type_column(self) -> bool:
        return (self.column_map or {}).get("account_type") is not None

    @property
    def editable(self) -> bool:
        return self.status == BatchStatus.STAGED


class ImportUpload(db.Model):
    """The uploaded bytes, kept apart so reading a batch never loads the file."""

    __tablename__ = "import_uploads"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True
    )
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
    # Problems with the names or the email (conflicts with other rows are computed apart).
    errors: Mapped[list] = mapped_column(JSON, default=list)
    fields_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    email_ok: Mapped[bool] = mapped_column(Boolean, default=True)
    account_type_error: Mapped[str | None] = mapped_column(Text)
    # The address the admin most likely meant ("jane at gmial.com" -> "jane@gmail.com"), if any.
    suggested_email: Mapped[str | None] = mapped_column(String(320))
    duplicate_of: Mapped[int | None] = mapped_column(Integer)
    conflict_with: Mapped[int | None] = mapped_column(Integer)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def problems(self) -> list[str]:
        """Every problem to show beside the row, in plain sentences."""
        found = list(self.errors or [])
        if self.account_type_error:
            found.append(self.account_type_error)
        if self.conflict_with:
            found.append(f"Same email as line {self.conflict_with}, with different details.")
        return found


class ImportUndo(db.Model):
    """The last bulk change made to a batch, kept so the admin can undo it."""

    __tablename__ = "import_undos"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text, default="")
    # The row columns this change wrote (and an undo puts back); the others were kept as defaults.
    columns: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class ImportUndoRow(db.Model):
    """A touched row's values before a bulk change (restored as they were by an undo)."""

    __tablename__ = "import_undo_rows"

    undo_id: Mapped[int] = mapped_column(ForeignKey("import_undos.id", ondelete="CASCADE"), primary_key=True)
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
