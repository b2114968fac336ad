"""Read-side queries for the series and enrolment pages, always scoped to one organisation."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from webapp.extensions import db
from webapp.models import Enrolment, Group, GroupMember, Series, User
from webapp.paging import PageNumbers, clamp_page

PER_PAGE = 50


@dataclass(frozen=True)
class EnrolmentPage(PageNumbers):
    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE


def series_list(org_id: int, *, archived: bool) -> list:
    """Series with their enrolment counts, by name."""
    enrolled = (select(func.count()).where(Enrolment.series_id == Series.id)
                .correlate(Series).scalar_subquery())
    return db.session.execute(
        select(Series, enrolled.label("enrolled"))
        .where(Series.org_id == org_id, Series.is_archived.is_(archived))
        .order_by(func.lower(Series.name))
    ).all()


def series_tab_counts(org_id: int) -> dict[bool, int]:
    """How many series are active and archived."""
    rows = db.session.execute(
        select(Series.is_archived, func.count()).where(Series.org_id == org_id)
        .group_by(Series.is_archived)
    ).all()
    counts = {False: 0, True: 0}
    counts.update({bool(archived): n for archived, n in rows})
    return counts


def series_counts(series: Series) -> dict[str, int]:
    """Enrolled, signed in, not yet signed in and with a due date, in one query."""
    total, signed_in, dated = db.session.execute(
        select(func.count(),
               func.coalesce(func.sum(case((User.signed_in_at.is_not(None), 1), else_=0)), 0),
               func.coalesce(func.sum(case((Enrolment.due_date.is_not(None), 1), else_=0)), 0))
        .select_from(Enrolment).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.series_id == series.id)
    ).one()
    return {"enrolled": total, "signed_in": signed_in, "not_signed_in": total - signed_in,
            "with_due_date": dated}


def enrolment_page(series: Series, page: int) -> EnrolmentPage:
    """One page of a series' enrolments, newest first, with the learner and who enrolled them."""
    total = db.session.scalar(select(func.count()).where(Enrolment.series_id == series.id))
    page = clamp_page(page, total, PER_PAGE)
    rows = db.session.execute(
        select(Enrolment, User).join(User, User.id == Enrolment.user_id)
        .where(Enrolment.series_id == series.id, Enrolment.org_id == series.org_id)
        .order_by(Enrolment.enrolled_at.desc(), User.last_name, User.first_name)
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)
    ).all()
    return EnrolmentPage(rows=rows, total=total, page=page)


def user_enrolments(user: User) -> list:
    """A user's enrolments with their series, newest first."""
    return db.session.execute(
        select(Enrolment, Series).join(Series, Series.id == Enrolment.series_id)
        .where(Enrolment.user_id == user.id, Enrolment.org_id == user.org_id)
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    ).all()


def active_series_choices(org_id: int) -> list[tuple[int, str]]:
    """(id, name) of the organisation's active series, for the enrol form."""
    return [(s.id, s.name) for s in db.session.scalars(
        select(Series).where(Series.org_id == org_id, Series.is_archived.is_(False))
        .order_by(func.lower(Series.name)))]


def group_choices(org_id: int) -> list[tuple[int, str]]:
    """(id, "name (n members)") of the organisation's groups, built-in first."""
    members = (select(func.count()).where(GroupMember.group_id == Group.id)
               .correlate(Group).scalar_subquery())
    rows = db.session.execute(
        select(Group.id, Group.name, members).where(Group.org_id == org_id)
        .order_by(Group.is_builtin.desc(), func.lower(Group.name))
    ).all()
    return [(gid, f"{name} ({n} member{'s' if n != 1 else ''})") for gid, name, n in rows]


def users_by_ids(org_id: int, ids: list[int]) -> list[User]:
    """Users of the organisation with these ids, by name."""
    if not ids:
        return []
    return list(db.session.scalars(
        select(User).where(User.org_id == org_id, User.id.in_(ids))
        .order_by(User.last_name, User.first_name)))


def count_selected(select_ids) -> int:
    """How many users a selection (a select of user ids) covers."""
    return db.session.scalar(select(func.count()).select_from(select_ids.subquery()))
