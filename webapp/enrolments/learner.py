"""What the learner page shows."""
from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import Enrolment, Series, User


def enrolments_for(user: User) -> list:
    """The user's enrolments in active series, newest first."""
    return db.session.execute(
        select(Series.name.label("series_name"), Series.description.label("series_description"),
               Enrolment.enrolled_at, Enrolment.due_date)
        .join(Series, Series.id == Enrolment.series_id)
        .where(Enrolment.user_id == user.id, Enrolment.org_id == user.org_id,
               Series.is_archived.is_(False))
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    ).all()
