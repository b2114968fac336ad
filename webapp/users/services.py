"""User services: create one user, edit, deactivate. They raise domain errors; views map them."""
from __future__ import annotations

from dataclasses import dataclass


from webapp import audit, credentials, signals
from webapp.accounts import tokens
from webapp.accounts.checks import EmailTaken, email_in_use
from webapp.accounts.creating import add_account
from webapp.addresses import normalise_email
from webapp.extensions import db
from webapp.mail import messages
from webapp.models import AccountType, InviteStatus, Organisation, User
from webapp.users.groups import clear_ownership_of_non_managers
from webapp.accounts.membership import sync_all_org_users


class TypeNotAllowed(ValueError):
    """The account-type change breaks a rule (a Guest can never become Admin or Team Manager)."""


@dataclass(frozen=True)
class CreatedUser:
    user: User
    password: str  # the generated password, shown or emailed once, never stored in plain text


def create_user(org: Organisation, actor: User | None, *, first_name: str, last_name: str,
                email: str, account_type: AccountType = AccountType.USER,
                send_invite: bool = False) -> CreatedUser:
    """Create one account with a generated password; queue the welcome email when invited."""
    email = normalise_email(email)
    password = credentials.generate_password()
    user = add_account(
        org.id, first_name=first_name, last_name=last_name, email=email, account_type=account_type.value,
        invite_status=(InviteStatus.INVITED if send_invite else InviteStatus.CREATED).value,
        password_hash=credentials.hash_generated_password(password), password_is_generated=True,
        created_by_id=actor.id if actor else None,
    )
    if send_invite and org.sends_password_links:
        [token] = tokens.issue_many(org.id, [user.id], tokens.WELCOME).values()
        messages.welcome(user, org, link=tokens.link_for(token))
    elif send_invite:
        messages.welcome(user, org, password)
    audit.record(org.id, actor.id if actor else None, "user.create", target_type="user",
                 target_id=user.id, email=email, account_type=account_type.value,
                 invited=send_invite)
    signals.send(signals.users_created, org_id=org.id, user_ids=[user.id],
                 actor_id=actor.id if actor else None)
    db.session.commit()
    return CreatedUser(user=user, password=password)


def update_user(user: User, actor: User, *, first_name: str, last_name: str,
                account_type: AccountType, email: str | None = None) -> None:
    """Change a user's names, email address and account type, keeping All Org Users consistent."""
    if user.type is AccountType.GUEST and account_type in (AccountType.ADMIN, AccountType.TEAM_MANAGER):
        raise TypeNotAllowed("A Guest can never be made an Admin or a Team Manager.")
    if user.id == actor.id and account_type is not AccountType.ADMIN:
        raise TypeNotAllowed("You cannot take away your own Admin access.")
    if email is not None:
        email = normalise_email(email)
        if email != user.email and email_in_use(user.org_id, email, exclude_user_id=user.id):
            raise EmailTaken("Another account in your organisation already uses this email address.")
    changes = {}
    for field, value in (("first_name", first_name.strip()), ("last_name", last_name.strip()),
                         ("email", email if email is not None else user.email),
                         ("account_type", account_type.value)):
        if getattr(user, field) != value:
            changes[field] = [getattr(user, field), value]
            setattr(user, field, value)
    if "account_type" in changes:
        sync_all_org_users(user.org_id, [user.id])
        clear_ownership_of_non_managers(user.org_id)
    if changes:
        audit.record(user.org_id, actor.id, "user.update", target_type="user", target_id=user.id,
                     changes=changes)
        signals.send(signals.users_updated, org_id=user.org_id, user_ids=[user.id], actor_id=actor.id,
                     changes=changes)
    db.session.commit()


def set_active(user: User, actor: User, active: bool) -> None:
    """Deactivate (no sign-in) or reactivate a user."""
    if user.id == actor.id and not active:
        raise TypeNotAllowed("You cannot deactivate your own account.")
    user.is_active_account = active
    if not active:
        user.end_sessions()  # reactivating later does not bring old sessions back
    audit.record(user.org_id, actor.id, "user.activate" if active else "user.deactivate",
                 target_type="user", target_id=user.id)
    if active:
        signals.send(signals.users_updated, org_id=user.org_id, user_ids=[user.id], actor_id=actor.id,
                     changes={"active": [False, True]})
    else:
        signals.send(signals.users_deactivated, org_id=user.org_id, user_ids=[user.id], actor_id=actor.id)
    db.session.commit()
