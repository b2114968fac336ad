"""Series and enrolment services: set-based, one transaction per admin action."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import Select, exists, func, insert, select, update

from webapp import audit, credentials, signals
from webapp.addresses import InvalidEmail, normalise_email
from webapp.clock import utcnow
from webapp.enrolments import emails
from webapp.enrolments.notifications import LearnerState, NoticeKind, decide
from webapp.extensions import db
from webapp.models import AuditEvent, Enrolment, Group, GroupMember, Organisation, Series, User

# Ids of already-enrolled learners kept for the result page; the counts are always exact.
RESULT_LIST_LIMIT = 200


class SeriesNameTaken(ValueError):
    """Another series in the organisation has this name."""


class EnrolmentError(ValueError):
    """The enrolment cannot go ahead as asked; str(error) says why and what to do.

    `field` names the form field the message belongs beside.
    """

    def __init__(self, message: str, *, field: str = "source", problems=()):
        super().__init__(message)
        self.field = field
        self.problems = list(problems)


@dataclass(frozen=True)
class LineProblem:
    line: int
    text: str
    reason: str


@dataclass
class AddressList:
    """Pasted addresses resolved to accounts, and the lines that could not be."""

    user_ids: list[int] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)


def create_series(org_id: int, actor: User, *, name: str, description: str) -> Series:
    """Create a series; raise SeriesNameTaken when the name is in use."""
    name = name.strip()
    _check_name_free(org_id, name)
    series = Series(org_id=org_id, name=name, description=description.strip(),
                    created_by_id=actor.id)
    db.session.add(series)
    db.session.flush()
    audit.record(org_id, actor.id, "series.create", target_type="series", target_id=series.id,
                 name=name)
    db.session.commit()
    return series


def update_series(series: Series, actor: User, *, name: str, description: str) -> None:
    """Rename a series or change its description."""
    name = name.strip()
    _check_name_free(series.org_id, name, exclude_id=series.id)
    series.name, series.description = name, description.strip()
    audit.record(series.org_id, actor.id, "series.update", target_type="series",
                 target_id=series.id, name=name)
    db.session.commit()


def set_archived(series: Series, actor: User, archived: bool) -> None:
    """Archive a series (no new enrolments) or bring it back."""
    series.is_archived = archived
    series.archived_at = utcnow() if archived else None
    audit.record(series.org_id, actor.id, "series.archive" if archived else "series.unarchive",
                 target_type="series", target_id=series.id)
    db.session.commit()


def _check_name_free(org_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(Series.id).where(Series.org_id == org_id,
                                    func.lower(Series.name) == name.lower())
    if exclude_id is not None:
        query = query.where(Series.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise SeriesNameTaken(f"A series called \u201c{name}\u201d already exists. Choose another name.")


def group_member_ids(org_id: int, group_id: int) -> Select:
    """The ids of a group's members (the group must belong to the organisation)."""
    return (select(GroupMember.user_id)
            .join(Group, Group.id == GroupMember.group_id)
            .where(Group.id == group_id, Group.org_id == org_id))


def resolve_addresses(org_id: int, pasted: str) -> AddressList:
    """Match pasted addresses (one or more per line) to accounts, reporting each unmatched line."""
    wanted: dict[str, tuple[int, str]] = {}
    result = AddressList()
    for number, line in enumerate(pasted.splitlines(), start=1):
        for token in re.split(r"[,;\s]+", line.strip()):
            token = token.strip("<>\"'")
            if not token:
                continue
            try:
                wanted.setdefault(normalise_email(token), (number, token))
            except InvalidEmail:
                result.problems.append(LineProblem(number, token, "not a valid email address"))
    found = dict(db.session.execute(
        select(User.email, User.id).where(User.org_id == org_id, User.email.in_(list(wanted)))
    ).all()) if wanted else {}
    for email, (number, token) in wanted.items():
        if email in found:
            result.user_ids.append(found[email])
        else:
            result.problems.append(LineProblem(number, token, "no account with this address in your organisation"))
    result.problems.sort(key=lambda problem: problem.line)
    return result


def earliest_due_date() -> date:
    """The earliest due date allowed: today somewhere on Earth (UTC-12), so no one is refused their today."""
    return (utcnow() - timedelta(hours=12)).date()


def enrol(org: Organisation, actor: User, series: Series, user_ids: Select, *, send_invite: bool,
          due_date: date | None, problems: list[LineProblem] = ()) -> int:
    """Enrol the selected users in a series and queue their emails; return the result's audit id.

    One transaction and a fixed number of statements whatever the number of users.
    """
    event = add_enrolments(org, actor, series, user_ids, send_invite=send_invite,
                           due_date=due_date, problems=problems)
    db.session.commit()
    return event.id


def add_enrolments(org: Organisation, actor: User, series: Series, user_ids: Select, *,
                   send_invite: bool, due_date: date | None,
                   problems: list[LineProblem] = ()) -> AuditEvent:
    """enrol() inside the caller's transaction (File Import uses it); the caller commits."""
    check_series_and_due_date(series, due_date)
    learners = _learner_rows(org.id, series.id, user_ids)
    if not learners:
        raise EnrolmentError("No users were selected: the selection or group has no one in your "
                             "organisation. Choose other users, a group with members, or paste "
                             "email addresses.", field="source")
    now = utcnow()
    new = [row for row in learners if not row.already and row.active]
    already_ids = [row.id for row in learners if row.already]
    inactive_ids = [row.id for row in learners if not row.already and not row.active]
    notices = {row.id: decide(_state(row), now, send_invite=send_invite) for row in new}
    passwords = {uid: credentials.generate_password()
                 for uid, notice in notices.items() if notice.new_password}
    if new:
        db.session.execute(insert(Enrolment), [
            {"org_id": org.id, "series_id": series.id, "user_id": row.id, "enrolled_at": now,
             "due_date": due_date, "enrolled_by_id": actor.id, "send_invite": send_invite,
             "notice": notices[row.id].kind.value, "new_password": row.id in passwords}
            for row in new
        ])
    if passwords:
        # A new password replaces the earlier one at once: the old one stops working.
        db.session.execute(update(User), [
            {"id": uid, "password_hash": credentials.hash_generated_password(password),
             "password_is_generated": True, "password_set_at": now}
            for uid, password in passwords.items()
        ])
        # As with any password change, sessions begun with the old password end.
        db.session.execute(update(User).where(User.id.in_(list(passwords)))
                           .values(session_version=User.session_version + 1)
                           .execution_options(synchronize_session=False))
    queued = emails.queue_enrolment_emails(org, series, actor, new, notices, passwords,
                                           due_date=due_date, send_invite=send_invite)
    detail = dict(
        series_name=series.name, enrolled=len(new), already_enrolled=len(already_ids),
        already_ids=already_ids[:RESULT_LIST_LIMIT], inactive=len(inactive_ids),
        inactive_ids=inactive_ids[:RESULT_LIST_LIMIT], send_invite=send_invite,
        due_date=due_date.isoformat() if due_date else None, emails_queued=queued,
        passwords_generated=len(passwords), summary_to=None if send_invite else actor.email,
        problems=[[p.line, p.text, p.reason] for p in problems][:RESULT_LIST_LIMIT],
        problem_count=len(problems),
    )
    # The audit row doubles as the result page's record, so keep a handle on its id.
    event = AuditEvent(org_id=org.id, actor_id=actor.id, action="enrolment.create",
                       target_type="series", target_id=series.id, detail=detail)
    db.session.add(event)
    signals.send(signals.enrolled, org_id=org.id, user_ids=[row.id for row in new], actor_id=actor.id,
                 series_id=series.id, send_invite=send_invite)
    db.session.flush()
    return event


def check_series_and_due_date(series: Series, due_date: date | None) -> None:
    """Raise EnrolmentError when the series is archived or the due date has passed."""
    if series.is_archived:
        raise EnrolmentError(f"\u201c{series.name}\u201d is archived. Unarchive it, or choose an "
                             "active series.", field="series")
    if due_date is not None and due_date < earliest_due_date():
        raise EnrolmentError("The due date is in the past. Choose today or a later date, or "
                             "leave it empty.", field="due_date")


def _learner_rows(org_id: int, series_id: int, user_ids: Select) -> list:
    """One query: every selected user of the organisation with what the rules need."""
    enrolled_here = exists().where(Enrolment.series_id == series_id, Enrolment.user_id == User.id)
    enrolled_before = exists().where(Enrolment.org_id == org_id, Enrolment.user_id == User.id)
    return db.session.execute(
        select(User.id, User.email, User.first_name, User.last_name, User.invite_status,
               User.signed_in_at, User.password_set_at, User.password_is_generated,
               User.is_active_account.label("active"),
               enrolled_here.label("already"), enrolled_before.label("enrolled_before"))
        .where(User.org_id == org_id, User.id.in_(user_ids))
        .order_by(User.last_name, User.first_name, User.email)
    ).all()


def _state(row) -> LearnerState:
    return LearnerState(invite_status=row.invite_status, signed_in_at=row.signed_in_at,
                        password_set_at=row.password_set_at,
                        password_is_generated=bool(row.password_is_generated),
                        has_previous_enrolment=bool(row.enrolled_before))


__all__ = ["NoticeKind", "EnrolmentError", "SeriesNameTaken", "LineProblem", "AddressList",
           "create_series", "update_series", "set_archived", "group_member_ids",
           "resolve_addresses", "earliest_due_date", "check_series_and_due_date", "enrol",
           "add_enrolments"]
