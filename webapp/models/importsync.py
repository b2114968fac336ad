"""Keeping the directory in step from a file: each staged row's planned change, what an import did, undos."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models.core import User
from webapp.models.enrolments import Enrolment
from webapp.models.imports import StagedRow
from webapp.models.mail import OutboxMessage


class SyncAction:
    """What applying a staged row will do (StagedChange.action)."""

    CREATE = "create"        # a new person
    UPDATE = "update"        # an existing person, with changes
    UNCHANGED = "unchanged"  # an existing person, already as the file says
    BLOCKED = "blocked"      # cannot be applied; reason says why


class EffectKind:
    """One thing an import did, kept so it can be undone (ImportEffect.kind)."""

    CREATED = "created"          # user_id: an account it created
    FIELD = "field"              # user_id, field, old_value, new_value
    MEMBERSHIP = "membership"    # user_id, group_id
    GROUP = "group"              # group_id: a group it created
    ENROLMENT = "enrolment"      # user_id, series_id
    DEACTIVATED = "deactivated"  # user_id
    REACTIVATED = "reactivated"  # user_id


class StagedChange(db.Model):
    """The plan for one staged row in an update or full-list import, computed set-based."""

    __tablename__ = "staged_changes"
    __table_args__ = (Index("ix_staged_changes_batch_action_line", "batch_id", "action", "line"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    row_id: Mapped[int] = mapped_column(ForeignKey("staged_rows.id", ondelete="CASCADE"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(12))
    # {"first_name": ["old", "new"], ...} plus "groups"/"series" lists of names being added.
    changes: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)
    group_ids: Mapped[list] = mapped_column(JSON, default=list)
    series_ids: Mapped[list] = mapped_column(JSON, default=list)
    # From a Status column: True (active), False (inactive) or None (no change asked).
    active: Mapped[bool | None] = mapped_column(Boolean)


class ImportEffect(db.Model):
    """One thing an applied import did, with the value it replaced, so it can be undone."""

    __tablename__ = "import_effects"
    __table_args__ = (Index("ix_import_effects_batch_kind", "batch_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    # Plain ids, not foreign keys: the effect outlives what it points at, and undo checks.
    user_id: Mapped[int | None] = mapped_column(Integer)
    group_id: Mapped[int | None] = mapped_column(Integer)
    series_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(320))
    new_value: Mapped[str | None] = mapped_column(String(320))


class ImportUndo(db.Model):
    """An import that was undone: by whom, when, and the report shown and emailed."""

    __tablename__ = "import_undos"

    batch_id: Mapped[int] = mapped_column(
        ForeignKey("import_batches.id", ondelete="CASCADE"), primary_key=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    undone_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    report: Mapped[dict] = mapped_column(JSON, default=dict)


# Removing many users at once makes the database look up every row that points at each one;
# without these indexes each look-up reads a whole table (minutes for 100,000 people).
# A staged row has a user only once created: staging 100,000 rows indexes none of their NULLs.
Index("ix_staged_rows_user_id", StagedRow.user_id, postgresql_where=StagedRow.user_id.is_not(None),
      sqlite_where=StagedRow.user_id.is_not(None))
Index("ix_outbox_messages_to_user_id", OutboxMessage.to_user_id)
Index("ix_users_created_by_id", User.created_by_id)
Index("ix_enrolments_user_id", Enrolment.user_id)
Index("ix_enrolments_enrolled_by_id", Enrolment.enrolled_by_id)
