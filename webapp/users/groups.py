"""Group services: custom groups and their members, set-based; All Org Users stays rule-driven."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, delete, exists, func, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from webapp import audit
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import AccountType, Group, GroupMember, User
from webapp.paging import PageNumbers, clamp_page
from webapp.accounts.membership import ensure_all_org_users_group

MEMBERS_PER_PAGE = 50


class GroupError(ValueError):
    """A group change that breaks a rule; the message says what to do instead."""


@dataclass(frozen=True)
class GroupSummary:
    group: Group
    member_count: int


@dataclass(frozen=True)
class MemberChange:
    changed: int  # users added (or removed)
    unchanged: int  # selected users already in (or not in) the group


def list_groups(org_id: int) -> list[GroupSummary]:
    """The organisation's groups with member counts, built-in first, then by name (one query)."""
    ensure_all_org_users_group(org_id)
    counts = (
        select(GroupMember.group_id, func.count().label("n"))
        .join(User, User.id == GroupMember.user_id)
        .where(User.org_id == org_id)
        .group_by(GroupMember.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Group, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.group_id == Group.id)
        .where(Group.org_id == org_id)
        .order_by(Group.is_builtin.desc(), func.lower(Group.name))
    ).all()
    return [GroupSummary(group=group, member_count=count) for group, count in rows]


def custom_groups(org_id: int) -> list[Group]:
    """Groups an admin can change the membership of, by name."""
    return list(db.session.scalars(
        select(Group).where(Group.org_id == org_id, Group.is_builtin.is_(False))
        .order_by(func.lower(Group.name))
    ))


def team_managers(org_id: int) -> list[User]:
    """Active Team Managers of the organisation: the people who may own a group."""
    return list(db.session.scalars(
        select(User).where(User.org_id == org_id,
                           User.account_type == AccountType.TEAM_MANAGER.value,
                           User.is_active_account.is_(True))
        .order_by(User.last_name, User.first_name, User.id)
    ))


def _clean_name(name: str) -> str:
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise GroupError("Give the group a name.")
    if len(cleaned) > 120:
        raise GroupError("Keep the group name to 120 characters or fewer.")
    if cleaned.casefold() == Group.ALL_ORG_USERS.casefold():
        raise GroupError(f"“{Group.ALL_ORG_USERS}” is the built-in group's name. Choose another name.")
    return cleaned


def _name_taken(org_id: int, name: str, exclude_id: int | None = None) -> bool:
    query = select(func.count()).select_from(Group).where(
        Group.org_id == org_id, func.lower(Group.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Group.id != exclude_id)
    return bool(db.session.scalar(query))


def _taken_message(name: str) -> str:
    return f"A group called “{name}” already exists. Choose another name."


def create_group(org_id: int, actor: User, name: str) -> Group:
    """Create a custom group with a unique name (case-insensitive) in the organisation."""
    name = _clean_name(name)
    if _name_taken(org_id, name):
        raise GroupError(_taken_message(name))
    group = Group(org_id=org_id, name=name, is_builtin=False, created_at=utcnow())
    db.session.add(group)
    try:
        db.session.flush()
    except IntegrityError:  # a double submit won the race
        db.session.rollback()
        raise GroupError(_taken_message(name)) from None
    audit.record(org_id, actor.id, "group.create", target_type="group", target_id=group.id, name=name)
    db.session.commit()
    return group


def _refuse_builtin(group: Group, doing: str) -> None:
    if group.is_builtin:
        raise GroupError(f"{Group.ALL_ORG_USERS} is built in: you cannot {doing} it. "
                         "Its members follow the account types.")


def rename_group(group: Group, actor: User, name: str) -> None:
    """Rename a custom group."""
    _refuse_builtin(group, "rename")
    name = _clean_name(name)
    if _name_taken(group.org_id, name, exclude_id=group.id):
        raise GroupError(_taken_message(name))
    old_name, group.name = group.name, name
    audit.record(group.org_id, actor.id, "group.rename", target_type="group", target_id=group.id,
                 old=old_name, new=name)
    db.session.commit()


def delete_group(group: Group, actor: User) -> None:
    """Delete a custom group; its members' accounts stay as they are."""
    _refuse_builtin(group, "delete")
    db.session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    audit.record(group.org_id, actor.id, "group.delete", target_type="group", target_id=group.id,
                 name=group.name)
    db.session.delete(group)
    db.session.commit()


def set_owner(group: Group, actor: User, owner_id: int | None) -> User | None:
    """Make a Team Manager of the organisation the group's owner, or clear the owner."""
    _refuse_builtin(group, "give an owner to")
    owner = None
    if owner_id:
        owner = db.session.get(User, owner_id)
        if owner is None or owner.org_id != group.org_id or \
                owner.account_type != AccountType.TEAM_MANAGER.value:
            raise GroupError("Only a Team Manager of your organisation can own a group. "
                             "Choose one from the list, or change the person's account type first.")
    group.owner_id = owner.id if owner else None
    audit.record(group.org_id, actor.id, "group.owner", target_type="group", target_id=group.id,
                 owner_id=group.owner_id)
    db.session.commit()
    return owner


def clear_ownership_of_non_managers(org_id: int) -> None:
    """Only Team Managers own groups: drop ownership held by anyone whose type changed (one UPDATE)."""
    managers = select(User.id).where(User.org_id == org_id,
                                     User.account_type == AccountType.TEAM_MANAGER.value)
    db.session.execute(
        update(Group).where(Group.org_id == org_id, Group.owner_id.is_not(None),
                            Group.owner_id.not_in(managers))
        .values(owner_id=None).execution_options(synchronize_session=False)
    )


def add_members(group: Group, actor: User, user_ids: Select) -> MemberChange:
    """Add the selected users to a custom group in one INSERT ... SELECT, skipping members."""
    _refuse_builtin(group, "change the members of")
    chosen = user_ids.subquery()
    already = select(GroupMember.user_id).where(GroupMember.group_id == group.id,
                                                GroupMember.user_id == chosen.c.id)
    selected = db.session.scalar(select(func.count()).select_from(chosen)) or 0
    # Counted up front: drivers do not all report rowcount for INSERT ... SELECT.
    added = db.session.scalar(
        select(func.count()).select_from(chosen).where(~exists(already))) or 0
    new_members = select(literal(group.id), chosen.c.id, literal(utcnow())).where(~exists(already))
    db.session.execute(
        insert(GroupMember).from_select(["group_id", "user_id", "added_at"], new_members)
    )
    audit.record(group.org_id, actor.id, "group.members_add", target_type="group",
                 target_id=group.id, added=added, selected=selected)
    db.session.commit()
    return MemberChange(changed=added, unchanged=selected - added)


def remove_members(group: Group, actor: User, user_ids: Select) -> MemberChange:
    """Remove the selected users from a custom group in one DELETE."""
    _refuse_builtin(group, "change the members of")
    selected = db.session.scalar(select(func.count()).select_from(user_ids.subquery())) or 0
    result = db.session.execute(
        delete(GroupMember)
        .where(GroupMember.group_id == group.id, GroupMember.user_id.in_(user_ids))
        .execution_options(synchronize_session=False)
    )
    removed = max(result.rowcount or 0, 0)
    audit.record(group.org_id, actor.id, "group.members_remove", target_type="group",
                 target_id=group.id, removed=removed, selected=selected)
    db.session.commit()
    return MemberChange(changed=removed, unchanged=selected - removed)


@dataclass(frozen=True)
class MemberPage(PageNumbers):
    members: list[User]
    total: int
    page: int
    per_page: int


def member_page(group: Group, page: int = 1, per_page: int = MEMBERS_PER_PAGE) -> MemberPage:
    """One page of a group's members by name, with the total (a COUNT and a page query)."""
    scope = (GroupMember.group_id == group.id, User.org_id == group.org_id)
    total = db.session.scalar(
        select(func.count()).select_from(GroupMember).join(User, User.id == GroupMember.user_id)
        .where(*scope)
    ) or 0
    page = clamp_page(page, total, per_page)
    members = db.session.scalars(
        select(User).join(GroupMember, GroupMember.user_id == User.id).where(*scope)
        .order_by(User.last_name, User.first_name, User.id)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return MemberPage(members=list(members), total=total, page=page, per_page=per_page)


def owned_groups(manager: User) -> list[tuple[Group, list[User]]]:
    """Groups a Team Manager owns, each with its members by name (one query for all)."""
    rows = db.session.execute(
        select(Group, User)
        .outerjoin(GroupMember, GroupMember.group_id == Group.id)
        .outerjoin(User, (User.id == GroupMember.user_id) & (User.org_id == manager.org_id))
        .where(Group.org_id == manager.org_id, Group.owner_id == manager.id)
        .order_by(Group.name, Group.id, User.last_name, User.first_name, User.id)
    ).all()
    owned: dict[int, tuple[Group, list[User]]] = {}
    for group, member in rows:
        members = owned.setdefault(group.id, (group, []))[1]
        if member is not None:
            members.append(member)
    return list(owned.values())


def groups_of_user(user: User) -> list[Group]:
    """The groups a user belongs to, built-in first."""
    return list(db.session.scalars(
        select(Group).join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user.id, Group.org_id == user.org_id)
        .order_by(Group.is_builtin.desc(), func.lower(Group.name))
    ))
