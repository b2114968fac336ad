"""Outbox models: every email is a row here, written in the transaction that causes it."""
from __future__ import annotations

import gzip
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index("ix_outbox_messages_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_messages_org_created", "org_id", "created_at"),
        # A person's messages newest last (their latest email), and an org's failed mail by person.
        Index("ix_outbox_messages_to_user", "to_user_id", "id"),
        Index("ix_outbox_messages_org_status_user", "org_id", "status", "to_user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # welcome, created_users_summary, series_enrolment, ...
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text, default="")
    # What the bodies become once sent over SMTP when they carry a password (None: no change).
    redacted_text_body: Mapped[str | None] = mapped_column(Text)
    redacted_html_body: Mapped[str | None] = mapped_column(Text)
    # Stable across retries, so a receiver can drop a duplicate after an at-least-once resend.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    # True when the body or an attachment carries a password; blanked once sent over SMTP.
    carries_password: Mapped[bool] = mapped_column(Boolean, default=False)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)
    # queued, sending, sent, failed, kept (kept-only mode: stored, not sent)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    attachments: Mapped[list[OutboxAttachment]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="OutboxAttachment.id"
    )
    delivery_attempts: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="DeliveryAttempt.id"
    )


class OutboxAttachment(db.Model):
    __tablename__ = "outbox_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # What `data` becomes once sent when it carries a password (None: no change).
    redacted_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    # data and redacted_data are stored gzip-compressed (a million people's summary CSV); read `content`.
    compressed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def content(self) -> bytes:
        """The file as sent and downloaded (decompressed when stored compressed)."""
        return gzip.decompress(self.data) if self.compressed else self.data

    @property
    def size(self) -> int:
        """The file's size in bytes as downloaded (a gzip member ends with it, modulo 4 GB)."""
        return int.from_bytes(self.data[-4:], "little") if self.compressed else len(self.data)

    message: Mapped[OutboxMessage] = relationship(back_populates="attachments")


class DeliveryAttempt(db.Model):
    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # sent, retry, failed
    outcome: Mapped[str] = mapped_column(String(10))
    detail: Mapped[str] = mapped_column(Text, default="")

    message: Mapped[OutboxMessage] = relationship(back_populates="delivery_attempts")
