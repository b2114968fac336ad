"""Enrolment models: series (units of learning) and who is enrolled in them."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models.core import User


class Series(db.Model):
    __tablename__ = "series"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_series_org_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    archived_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()


class Enrolment(db.Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("series_id", "user_id", name="uq_enrolments_series_user"),
        Index("ix_enrolments_org_user", "org_id", "user_id"),
        Index("ix_enrolments_series_enrolled", "series_id", "enrolled_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_date: Mapped[date | None] = mapped_column(Date)
    enrolled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    send_invite: Mapped[bool] = mapped_column(Boolean, default=True)
    # Which notice went out for this enrolment (see webapp.enrolments.notifications.NoticeKind).
    notice: Mapped[str] = mapped_column(String(40))
    # True when this enrolment generated a new password (emailed to the learner or the admin).
    new_password: Mapped[bool] = mapped_column(Boolean, default=False)

    series: Mapped[Series] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    enrolled_by: Mapped[User | None] = relationship(foreign_keys=[enrolled_by_id])
