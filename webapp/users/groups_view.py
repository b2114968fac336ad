"""Read-only group data for Team Managers."""
from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Group, GroupMember, User


def owned_groups(manager: User) -> list[tuple[Group, list[User]]]:
    """Groups the manager owns in their organisation, each with its members by name."""
    groups = db.session.scalars(
        select(Group).where(Group.org_id == manager.org_id, Group.owner_id == manager.id)
        .order_by(Group.name)
    ).all()
    result = []
    for group in groups:
        members = db.session.scalars(
            select(User).join(GroupMember, GroupMember.user_id == User.id)
            .where(GroupMember.group_id == group.id, User.org_id == manager.org_id)
            .order_by(User.last_name, User.first_name)
        ).all()
        result.append((group, members))
    return result
