"""Adding one account: the single path Create User and first-run set-up share (File Import inserts in bulk)."""
from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from webapp.accounts.checks import EmailTaken, email_in_use
from webapp.accounts.membership import sync_all_org_users
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import User
from webapp.text import single_line

TAKEN = "An account with this email address already exists in your organisation."


def add_account(org_id: int, *, first_name: str, last_name: str, email: str, account_type: str,
                invite_status: str, password_hash: str, password_is_generated: bool,
                created_by_id: int | None = None) -> User:
    """Add an account (email already normalised) and put it in All Org Users; EmailTaken if the address is used.

    The caller commits, after its own side effects (emails, audit, signals).
    """
    if email_in_use(org_id, email):
        raise EmailTaken(TAKEN)
    now = utcnow()
    user = User(org_id=org_id, first_name=single_line(first_name), last_name=single_line(last_name),
                email=email, account_type=account_type, invite_status=invite_status,
                password_hash=password_hash, password_is_generated=password_is_generated,
                password_set_at=now, created_by_id=created_by_id, created_at=now)
    db.session.add(user)
    try:
        db.session.flush()
    except IntegrityError:  # a simultaneous double submit: the unique constraint decides
        db.session.rollback()
        raise EmailTaken(TAKEN) from None
    sync_all_org_users(org_id, [user.id])
    return user
