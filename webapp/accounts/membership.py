"""Keep the built-in All Org Users group consistent with the account-type rules, set-based."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import and_, delete, exists, insert, literal, select

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AccountType, Group, GroupMember, User


def ensure_all_org_users_group(org_id: int) -> Group:
    """Return the organisation's All Org Users group, creating it when missing."""
    group = db.session.scalar(
        select(Group).where(Group.org_id == org_id, Group.is_builtin.is_(True))
    )
    if group is None:
        group = Group(org_id=org_id, name=Group.ALL_ORG_USERS, is_builtin=True)
        db.session.add(group)
        db.session.flush()
    return group


def sync_all_org_users(org_id: int, user_ids: Iterable[int] | None = None) -> None:
    """Add non-Guests missing from All Org Users and remove Guests, for some users or all.

    Two statements whatever the number of users; the caller commits.
    """
    group = ensure_all_org_users_group(org_id)
    scope = [User.org_id == org_id]
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return
        scope.append(User.id.in_(ids))
    members = (
        select(GroupMember.user_id)
        .where(GroupMember.group_id == group.id, GroupMember.user_id == User.id)
    )
    missing = select(literal(group.id), User.id, literal(utcnow())).where(
        *scope, User.account_type != AccountType.GUEST.value, ~exists(members)
    )
    db.session.execute(
        insert(GroupMember).from_select(["group_id", "user_id", "added_at"], missing)
    )
    guests = select(User.id).where(*scope, User.account_type == AccountType.GUEST.value)
    db.session.execute(
        delete(GroupMember)
        .where(and_(GroupMember.group_id == group.id, GroupMember.user_id.in_(guests)))
        .execution_options(synchronize_session=False)
    )
