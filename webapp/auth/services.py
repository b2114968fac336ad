"""Auth services: first-run organisation set-up, throttled sign-in, password changes."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from webapp import audit, credentials, signals
from webapp.addresses import normalise_email
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AccountType, InviteStatus, Organisation, SigninFailure, User
from webapp.users.membership import ensure_all_org_users_group, sync_all_org_users


class SetupError(ValueError):
    """The organisation could not be created as asked (slug taken, and so on)."""


class Throttled(Exception):
    """Too many failed sign-ins for this account or client address."""


@dataclass(frozen=True)
class NewOrganisation:
    org: Organisation
    admin: User


def organisation_exists() -> bool:
    """True once any organisation has been set up."""
    return db.session.scalar(select(func.count()).select_from(Organisation)) > 0


def slugify(name: str) -> str:
    """A URL-safe slug from an organisation name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:60] or "org"


def create_organisation(*, name: str, slug: str | None, admin_email: str, admin_first_name: str,
                        admin_last_name: str, admin_password: str | None = None) -> tuple[NewOrganisation, str | None]:
    """Create an organisation and its first admin; return the generated password if none given."""
    slug = slugify(slug or name)
    if db.session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise SetupError(f"An organisation with the slug '{slug}' already exists.")
    email = normalise_email(admin_email)
    org = Organisation(name=name.strip(), slug=slug)
    db.session.add(org)
    db.session.flush()
    generated = None
    if admin_password:
        password_hash, is_generated = credentials.hash_chosen_password(admin_password), False
    else:
        generated = credentials.generate_password()
        password_hash, is_generated = credentials.hash_generated_password(generated), True
    admin = User(org_id=org.id, first_name=admin_first_name.strip(),
                 last_name=admin_last_name.strip(), email=email,
                 account_type=AccountType.ADMIN.value, invite_status=InviteStatus.CREATED.value,
                 password_hash=password_hash, password_is_generated=is_generated,
                 password_set_at=utcnow())
    db.session.add(admin)
    db.session.flush()
    ensure_all_org_users_group(org.id)
    sync_all_org_users(org.id, [admin.id])
    audit.record(org.id, admin.id, "org.create", target_type="organisation", target_id=org.id,
                 name=org.name, slug=slug)
    signals.send(signals.users_created, org_id=org.id, user_ids=[admin.id], actor_id=None,
                 source=signals.current_source(web="setup"))
    db.session.commit()
    return NewOrganisation(org=org, admin=admin), generated


def _recent_failures(column, value: str) -> int:
    since = utcnow() - timedelta(seconds=current_app.config["SIGNIN_WINDOW_SECONDS"])
    return db.session.scalar(
        select(func.count()).select_from(SigninFailure)
        .where(column == value, SigninFailure.created_at >= since)
    )


def authenticate(email: str, password: str, address: str) -> User | None:
    """Return the active user for these credentials, or None; raise Throttled past the limits.

    The same answer, and about the same work, whether or not the email has an account.
    """
    email_key = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    config = current_app.config
    if (_recent_failures(SigninFailure.email, email_key) >= config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]
            or _recent_failures(SigninFailure.address, address) >= config["SIGNIN_MAX_FAILURES_PER_ADDRESS"]):
        raise Throttled()
    # An address may have accounts in several organisations: the password picks the one.
    candidates = db.session.scalars(select(User).where(User.email == email_key)).all()
    user = next((u for u in candidates if credentials.check_password(u.password_hash, password)), None)
    if not candidates:
        credentials.check_password(_dummy_hash(), password)
    if user is None or not user.is_active:
        forget_old_failures()
        db.session.add(SigninFailure(email=email_key, address=address))
        db.session.commit()
        return None
    db.session.execute(delete(SigninFailure).where(SigninFailure.email == email_key))
    note_signed_in(user)
    return user


def note_signed_in(user: User) -> None:
    """Record a sign-in: it ends the 48-hour window for enrolment passwords."""
    user.signed_in_at = utcnow()
    audit.record(user.org_id, user.id, "auth.sign_in", target_type="user", target_id=user.id)
    db.session.commit()


_dummy_hash_cache: list[str] = []


def _dummy_hash() -> str:
    # Checking a real scrypt hash for unknown emails keeps timing alike either way.
    if not _dummy_hash_cache:
        _dummy_hash_cache.append(credentials.hash_chosen_password("not-a-real-password"))
    return _dummy_hash_cache[0]


def set_own_password(user: User, new_password: str) -> None:
    """Store a password the user chose (full KDF); it is no longer a generated one."""
    user.password_hash = credentials.hash_chosen_password(new_password)
    user.password_is_generated = False
    user.password_set_at = utcnow()
    audit.record(user.org_id, user.id, "auth.password_change", target_type="user", target_id=user.id)
    db.session.commit()


def forget_old_failures() -> None:
    """Drop failed sign-ins older than the throttling window, so the table stays small."""
    since = utcnow() - timedelta(seconds=current_app.config["SIGNIN_WINDOW_SECONDS"])
    db.session.execute(delete(SigninFailure).where(SigninFailure.created_at < since))
