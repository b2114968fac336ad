"""Single-use set-password links: issue them (one or many), check them, use them once.

The token travels only in the emailed link; the database keeps its SHA-256. A used,
expired or superseded token opens nothing.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from webapp import audit, credentials
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.links import public_base_url
from webapp.models import PasswordToken, SigninFailure, User

RESET = "reset"
WELCOME = "welcome"
VALID_FOR = {RESET: timedelta(hours=1), WELCOME: timedelta(days=7)}
# At most this many forgot-password emails per account per hour: the form cannot flood a mailbox.
RESETS_PER_HOUR = 3


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_for(token: str) -> str:
    """The address of the page where a token's holder chooses a password."""
    return f"{public_base_url()}/reset-password/{token}"


def valid_for_words(purpose: str) -> str:
    """'1 hour' or '7 days': how long a link of this purpose works, for emails and pages."""
    delta = VALID_FOR[purpose]
    if delta >= timedelta(days=1):
        days = delta.days
        return f"{days} day{'s' if days != 1 else ''}"
    hours = int(delta.total_seconds() // 3600)
    return f"{hours} hour{'s' if hours != 1 else ''}"


def issue_many(org_id: int, user_ids: list[int], purpose: str) -> dict[int, str]:
    """New tokens for these users (one INSERT); return each user's token. The caller commits."""
    if not user_ids:
        return {}
    now = utcnow()
    tokens = {user_id: secrets.token_urlsafe(32) for user_id in user_ids}
    db.session.execute(db.insert(PasswordToken), [
        {"org_id": org_id, "user_id": user_id, "token_hash": hash_token(token), "purpose": purpose,
         "created_at": now, "expires_at": now + VALID_FOR[purpose], "used_at": None}
        for user_id, token in tokens.items()
    ])
    return tokens


def recent_resets(user_id: int) -> int:
    """Forgot-password links made for this account in the last hour."""
    return db.session.scalar(
        select(func.count()).select_from(PasswordToken)
        .where(PasswordToken.user_id == user_id, PasswordToken.purpose == RESET,
               PasswordToken.created_at >= utcnow() - timedelta(hours=1))
    ) or 0


def usable(token: str) -> PasswordToken | None:
    """The token's row when it is unused, unexpired and its account active; else None."""
    if not token or len(token) > 200:
        return None
    found = db.session.scalar(select(PasswordToken).where(PasswordToken.token_hash == hash_token(token)))
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    if found.user is None or not found.user.is_active:
        return None
    return found


def choose_password(found: PasswordToken, password: str) -> User:
    """Set the account's own password from a link; that link and the account's others stop working."""
    user = found.user
    now = utcnow()
    user.password_hash = credentials.hash_chosen_password(password)
    user.password_is_generated = False
    user.password_set_at = now
    db.session.execute(
        update(PasswordToken).where(PasswordToken.user_id == user.id, PasswordToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    # Failed sign-ins before the reset should not keep the person locked out of their new password.
    db.session.execute(db.delete(SigninFailure).where(SigninFailure.email == user.email))
    audit.record(user.org_id, user.id, "auth.password_reset", target_type="user", target_id=user.id,
                 purpose=found.purpose)
    db.session.commit()
    return user


def cancel_unused(user_id: int) -> None:
    """Make every unused link of this account stop working (the caller commits)."""
    db.session.execute(
        update(PasswordToken).where(PasswordToken.user_id == user_id, PasswordToken.used_at.is_(None))
        .values(used_at=utcnow()).execution_options(synchronize_session=False)
    )


def email_reset_links(email: str) -> None:
    """Email a forgot-password link to each active account using this address (none: no email)."""
    from webapp.mail import messages

    address = (email or "").strip().lower()[:254]
    accounts = db.session.scalars(
        select(User).where(User.email == address, User.is_active_account.is_(True))
    ).all()
    for user in accounts:  # one per organisation the address has an account in: a handful
        if recent_resets(user.id) >= RESETS_PER_HOUR:
            continue  # enough links are on their way; more would only flood the mailbox
        [token] = issue_many(user.org_id, [user.id], RESET).values()
        messages.password_reset(user, user.org, link_for(token), valid_for_words(RESET))
    db.session.commit()
