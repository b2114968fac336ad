"""Big enrolments as a background job: the same one-transaction service, with a progress bar.

Who to enrol travels as plain data (a "source") so an RQ worker in another process can
rebuild the selection: {"selection": [[key, value], ...]} from the Users list,
{"group_id": id}, or {"user_ids": [...]} for pasted addresses.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select
from werkzeug.datastructures import MultiDict

from webapp import jobs
from webapp.enrolments import services
from webapp.extensions import db
from webapp.models import Job, Organisation, Series, User

KIND = "enrolment"


def user_ids_for(org_id: int, source: dict) -> Select:
    """A select of the organisation's user ids that a source names."""
    if "selection" in source:
        # The Users list owns the filter rules.
        from webapp.users.queries import selected_user_ids

        return selected_user_ids(org_id, MultiDict([tuple(pair) for pair in source["selection"]]))
    if "group_id" in source:
        return services.group_member_ids(org_id, source["group_id"])
    return select(User.id).where(User.org_id == org_id, User.id.in_(source["user_ids"]))


def submit(actor: User, series: Series, source: dict, *, send_invite: bool, due_date: date | None,
           problems: list[services.LineProblem], total: int) -> Job:
    """Start enrolling `total` selected users in the background."""
    return jobs.submit(
        KIND, "webapp.enrolments.jobs.enrol_job", org_id=actor.org_id, total=total,
        actor_id=actor.id, series_id=series.id, source=source, send_invite=send_invite,
        due_date=due_date.isoformat() if due_date else None,
        problems=[[problem.line, problem.text, problem.reason] for problem in problems],
    )


def enrol_job(job_id: int, *, actor_id: int, series_id: int, source: dict, send_invite: bool,
              due_date: str | None, problems: list) -> dict:
    """Enrol everyone at once, in one transaction; the result names the result page's record."""
    series = db.session.get(Series, series_id)
    actor = db.session.get(User, actor_id)
    total = db.session.get(Job, job_id).total
    jobs.progress(job_id, 0, total, f"Adding the enrolments to \u201c{series.name}\u201d and queuing the emails")
    try:
        event_id = services.enrol(
            db.session.get(Organisation, series.org_id), actor, series,
            user_ids_for(series.org_id, source), send_invite=send_invite,
            due_date=date.fromisoformat(due_date) if due_date else None,
            problems=[services.LineProblem(*problem) for problem in problems])
    except services.EnrolmentError as exc:
        # Things changed since the form was sent (the series archived, the group emptied).
        db.session.rollback()
        return {"error": str(exc)}
    jobs.progress(job_id, total, total, "Enrolled")
    return {"event_id": event_id}
