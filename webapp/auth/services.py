"""Auth services: first-run organisation set-up, throttled sign-in, password changes."""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from webapp import audit, credentials, signals
from webapp.addresses import normalise_email
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AccountType, InviteStatus, Organisation, SigninFailure, User
from webapp.text import single_line
from webapp.accounts.creating import add_account


class SetupError(ValueError):
    """The organisation could not be created as asked (slug taken, and so on)."""


class Throttled(Exception):
    """Too many failed sign-ins for this account or client address; wait_seconds until the next try."""

    def __init__(self, wait_seconds: int):
        super().__init__(wait_seconds)
        self.wait_seconds = wait_seconds

    @property
    def wait_minutes(self) -> int:
        return max(1, math.ceil(self.wait_seconds / 60))


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
    org = Organisation(name=single_line(name), slug=slug)
    db.session.add(org)
    db.session.flush()
    generated = None
    if admin_password:
        password_hash, is_generated = credentials.hash_chosen_password(admin_password), False
    else:
        generated = credentials.generate_password()
        password_hash, is_generated = credentials.hash_generated_password(generated), True
    admin = add_account(org.id, first_name=admin_first_name, last_name=admin_last_name, email=email,
                        account_type=AccountType.ADMIN.value, invite_status=InviteStatus.CREATED.value,
                        password_hash=password_hash, password_is_generated=is_generated)
    audit.record(org.id, admin.id, "org.create", target_type="organisation", target_id=org.id,
                 name=org.name, slug=slug)
    signals.send(signals.users_created, org_id=org.id, user_ids=[admin.id], actor_id=None,
                 source=signals.current_source(web="setup"))
    db.session.commit()
    return NewOrganisation(org=org, admin=admin), generated


def authenticate(email: str, password: str, address: str) -> User | None:
    """Return the active user for these credentials, or None; raise Throttled past the limits.

    The same answer, and the same work, whether the email is unknown, has a generated or a
    chosen password, or belongs to a deactivated account.
    """
    email_key = (email or "").strip().lower()[:254]
    address = (address or "unknown")[:64]
    attempt_id = _record_attempt(email_key, address)
    wait = _throttled_for(email_key, address, attempt_id)
    if wait:
        db.session.execute(delete(SigninFailure).where(SigninFailure.id == attempt_id))
        db.session.commit()
        raise Throttled(wait)
    user = _check_credentials(email_key, password)
    if user is None or not user.is_active:
        forget_old_failures()
        db.session.commit()  # the attempt stays recorded as a failure
        return None
    db.session.execute(delete(SigninFailure).where(SigninFailure.email == email_key))
    note_signed_in(user)
    return user


def _record_attempt(email_key: str, address: str) -> int:
    # Committed before counting, so simultaneous attempts see each other: whoever commits as
    # the (limit+1)-th counts at least limit+1 rows, and at most `limit` passwords get checked.
    attempt = SigninFailure(email=email_key, address=address)
    db.session.add(attempt)
    db.session.flush()
    # The id is read before the commit: a simultaneous successful sign-in of the same person may delete the
    # row straight after it, and reading the id from an expired, deleted row raised ObjectDeletedError (a 500).
    attempt_id = attempt.id
    db.session.commit()
    return attempt_id


def _throttled_for(email_key: str, address: str, attempt_id: int) -> int:
    """Seconds until this account and address may try again, or 0 when they may now."""
    config = current_app.config
    limits = ((SigninFailure.email, email_key, config["SIGNIN_MAX_FAILURES_PER_ACCOUNT"]),
              (SigninFailure.address, address, config["SIGNIN_MAX_FAILURES_PER_ADDRESS"]))
    return max(_wait_for(column, value, limit, attempt_id) for column, value, limit in limits)


def _wait_for(column, value: str, limit: int, attempt_id: int) -> int:
    window = current_app.config["SIGNIN_WINDOW_SECONDS"]
    now = utcnow()
    # The limit-th most recent earlier failure: once it leaves the window, one more try is allowed.
    blocking = db.session.scalar(
        select(SigninFailure.created_at)
        .where(column == value, SigninFailure.id != attempt_id,
               SigninFailure.created_at >= now - timedelta(seconds=window))
        .order_by(SigninFailure.created_at.desc()).offset(max(limit, 1) - 1).limit(1)
    )
    if blocking is None:
        return 0
    return max(1, math.ceil((blocking + timedelta(seconds=window) - now).total_seconds()))


def _check_credentials(email_key: str, password: str) -> User | None:
    """The account whose password matches, after exactly one full-cost check whatever the case."""
    # An address may have accounts in several organisations: the password picks the one.
    candidates = db.session.scalars(select(User).where(User.email == email_key)).all()
    full_cost_checks = sum(1 for u in candidates if not credentials.is_fast_hash(u.password_hash))
    user = next((u for u in candidates if credentials.check_password(u.password_hash, password)), None)
    if full_cost_checks == 0:
        # Unknown email, or only a generated (fast) password: pay the scrypt cost anyway, so the
        # answer time does not tell these apart from a chosen password.
        credentials.check_password(_dummy_hash(), password or "x")
    return user


def note_signed_in(user: User) -> None:
    """Record a sign-in: it ends the 48-hour window for enrolment passwords."""
    user.signed_in_at = utcnow()
    audit.record(user.org_id, user.id, "auth.sign_in", target_type="user", target_id=user.id)
    db.session.commit()


_dummy_hashes: dict[str, str] = {}


def _dummy_hash() -> str:
    """A chosen-password hash of nothing anyone uses, at the cost real chosen passwords have."""
    method = credentials.chosen_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = credentials.hash_chosen_password(secrets.token_urlsafe(24))
    return _dummy_hashes[method]


def set_own_password(user: User, new_password: str) -> None:
    """Store a password the user chose (full KDF); it is no longer a generated one."""
    user.password_hash = credentials.hash_chosen_password(new_password)
    user.password_is_generated = False
    user.password_set_at = utcnow()
    user.end_sessions()  # the caller signs this browser in again with the new session id
    audit.record(user.org_id, user.id, "auth.password_change", target_type="user", target_id=user.id)
    db.session.commit()


def sign_out(user: User) -> None:
    """End every session of this user, including copies of the cookie taken elsewhere."""
    user.end_sessions()
    db.session.commit()


def forget_old_failures() -> None:
    """Drop failed sign-ins older than the throttling window, so the table stays small."""
    since = utcnow() - timedelta(seconds=current_app.config["SIGNIN_WINDOW_SECONDS"])
    db.session.execute(delete(SigninFailure).where(SigninFailure.created_at < since))
