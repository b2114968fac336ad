"""Core models: organisations, users, groups, the audit log, sign-in failures and jobs."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.searchtext import search_text_for


class AccountType(str, enum.Enum):
    """The four account types; the value is what the database stores."""

    USER = "user"
    GUEST = "guest"
    ADMIN = "admin"
    TEAM_MANAGER = "team_manager"

    @property
    def label(self) -> str:
        return ACCOUNT_TYPE_LABELS[self]

    @property
    def in_all_org_users(self) -> bool:
        """Guests are never members of the built-in All Org Users group."""
        return self is not AccountType.GUEST


ACCOUNT_TYPE_LABELS = {
    AccountType.USER: "User",
    AccountType.GUEST: "Guest",
    AccountType.ADMIN: "Admin",
    AccountType.TEAM_MANAGER: "Team Manager",
}


class InviteStatus(str, enum.Enum):
    """Invited: a welcome email with a password was sent at creation. Created: no email then."""

    INVITED = "invited"
    CREATED = "created"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # How sign-in details travel: "password" in the email (the product's default) or a
    # single-use "link" to choose one, for organisations that prefer no password in email.
    password_delivery: Mapped[str] = mapped_column(String(10), default="password",
                                                   server_default="password")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    @property
    def sends_password_links(self) -> bool:
        return self.password_delivery == "link"


def _search_text_default(context) -> str:
    """Column default for INSERTs that do not go through the ORM unit of work (bulk inserts)."""
    params = context.get_current_parameters()
    return search_text_for(params.get("first_name"), params.get("last_name"), params.get("email"))


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Emails are stored lower-cased, so this makes them unique case-insensitively.
        UniqueConstraint("org_id", "email", name="uq_users_org_email"),
        CheckConstraint("email = lower(email)", name="email_lowercase"),
        CheckConstraint(
            "account_type IN ('user', 'guest', 'admin', 'team_manager')", name="account_type_known"
        ),
        CheckConstraint("invite_status IN ('invited', 'created')", name="invite_status_known"),
        # One index per sort of the Users list, ending in id: the keyset pager's tie-breaker.
        Index("ix_users_org_last_name", "org_id", "last_name", "first_name", "id"),
        Index("ix_users_org_created", "org_id", "created_at", "id"),
        Index("ix_users_org_type", "org_id", "account_type", "id"),
        Index("ix_users_org_status", "org_id", "invite_status", "id"),
        Index("ix_users_org_signed_in", "org_id", "signed_in_at", "id"),
        # Trigram index for "contains" search on PostgreSQL (pg_trgm). SQLite's LIKE '%word%' reads no index: there
        # it holds no row (WHERE 0), so creating an account writes nothing to it.
        Index("ix_users_search_text", "search_text", postgresql_using="gin",
              postgresql_ops={"search_text": "gin_trgm_ops"}, sqlite_where=text("0")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: uq_users_org_email and every Users list index start with it.
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    account_type: Mapped[str] = mapped_column(String(20), default=AccountType.USER.value)
    invite_status: Mapped[str] = mapped_column(String(10), default=InviteStatus.CREATED.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # True while the password is one the system generated: the user must set their own.
    password_is_generated: Mapped[bool] = mapped_column(Boolean, default=True)
    password_set_at: Mapped[datetime | None] = mapped_column(DateTime)
    signed_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    is_active_account: Mapped[bool] = mapped_column("active", Boolean, default=True)
    # Part of the session id: raised on sign-out, password change and deactivation, so every
    # earlier session cookie of this user stops working.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Folded "first last email" for the Users list search; filled on every insert and update.
    search_text: Mapped[str] = mapped_column(String(460), default=_search_text_default)

    org: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(remote_side=[id])

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot sign in
        return self.is_active_account

    @property
    def type(self) -> AccountType:
        return AccountType(self.account_type)

    @property
    def status(self) -> InviteStatus:
        return InviteStatus(self.invite_status)

    @property
    def invite_label(self) -> str:
        """Invited or Created; an admin who has signed in shows as such, never as Created."""
        if self.is_admin and self.signed_in_at is not None and self.invite_status == InviteStatus.CREATED.value:
            return "Signed in"
        return self.status.label

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.email

    @property
    def is_admin(self) -> bool:
        return self.account_type == AccountType.ADMIN.value

    def get_id(self) -> str:
        # "<id>:<session_version>": nothing derived from the password hash is in the cookie.
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Make every session cookie issued so far for this user useless."""
        self.session_version = (self.session_version or 0) + 1


@event.listens_for(User, "before_insert")
@event.listens_for(User, "before_update")
def _refresh_search_text(mapper, connection, user: User) -> None:
    # An UPDATE only carries the changed columns, so a column onupdate could not see the rest.
    user.search_text = search_text_for(user.first_name, user.last_name, user.email)


class Group(db.Model):
    __tablename__ = "groups"
    __table_args__ = (UniqueConstraint("org_id", "name", name="uq_groups_org_name"),)

    ALL_ORG_USERS = "All Org Users"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # Built-in groups (All Org Users) are private and their membership follows the rules.
    is_builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    owner: Mapped[User | None] = relationship()


class GroupMember(db.Model):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class AuditEvent(db.Model):
    """Who did what, when: one row per action (a bulk action is one row with counts)."""

    __tablename__ = "audit_events"
    # A person's page reads their own events; an import adds one per person, so the org's are many.
    __table_args__ = (Index("ix_audit_events_org_at", "org_id", "created_at"),
                      Index("ix_audit_events_target", "target_id", "target_type"))

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(80))
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class SigninFailure(db.Model):
    """A failed sign-in, kept briefly to throttle by account and by client address."""

    __tablename__ = "signin_failures"
    __table_args__ = (
        Index("ix_signin_failures_email_at", "email", "created_at"),
        Index("ix_signin_failures_address_at", "address", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Job(db.Model):
    """A background job's state and progress, read by progress bars in any process."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    # queued, running, done, failed
    status: Mapped[str] = mapped_column(String(10), default="queued")
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
