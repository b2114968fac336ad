"""Email checks every feature shares: the form validator and "is this address taken here?"."""
from __future__ import annotations

from sqlalchemy import func, select
from wtforms.validators import ValidationError

from webapp.addresses import InvalidEmail, normalise_email
from webapp.extensions import db
from webapp.models import User


class EmailTaken(ValueError):
    """Another account in this organisation already uses the email address."""


def valid_email(form, field):
    """Form validator: a deliverable-looking address, normalised in place."""
    try:
        field.data = normalise_email(field.data)
    except InvalidEmail as exc:
        raise ValidationError(str(exc)) from None


def email_in_use(org_id: int, email: str, *, exclude_user_id: int | None = None) -> bool:
    """True when an account in the organisation has this (normalised) email address."""
    query = select(func.count()).select_from(User).where(User.org_id == org_id, User.email == email)
    if exclude_user_id is not None:
        query = query.where(User.id != exclude_user_id)
    return bool(db.session.scalar(query))
