"""An admin's way in when mail does not work: a new generated password, shown once."""
from __future__ import annotations

from sqlalchemy import select

from webapp import audit, credentials
from webapp.addresses import InvalidEmail, normalise_email
from webapp.accounts import tokens
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import Organisation, SigninFailure, User


class NoSuchAccount(LookupError):
    """No organisation with that slug, or no account with that email in it."""


def reset_to_generated(email: str, org_slug: str) -> tuple[User, str]:
    """Replace the account's password with a generated one it must change at next sign-in."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise NoSuchAccount(f"No organisation has the slug '{org_slug}'. "
                            f"Check it on the organisation's console or in `flask org create`'s output.")
    try:
        address = normalise_email(email)
    except InvalidEmail as exc:
        raise NoSuchAccount(str(exc)) from None
    user = db.session.scalar(select(User).where(User.org_id == org.id, User.email == address))
    if user is None:
        raise NoSuchAccount(f"{org.name} has no account with the email address {address}.")
    password = credentials.generate_password()
    user.password_hash = credentials.hash_generated_password(password)
    user.password_is_generated = True
    user.password_set_at = utcnow()
    tokens.cancel_unused(user.id)
    db.session.execute(db.delete(SigninFailure).where(SigninFailure.email == address))
    audit.record(org.id, None, "auth.password_reset_cli", target_type="user", target_id=user.id)
    db.session.commit()
    return user, password
