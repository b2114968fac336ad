"""A big enrolment's progress page in a real browser: the bar, then HTMX goes to the result."""
from __future__ import annotations

from sqlalchemy import select

from tests.e2e.conftest import sign_in
from webapp.enrolments import services
from webapp.extensions import db
from webapp.models import Job, User


def test_progress_page_polls_then_lands_on_the_result(page, org, admin, make_user, screenshot):
    series = services.create_series(org.id, admin, name="Warehouse Safety", description="")
    for n in range(3):
        make_user(email=f"starter{n}@example.com")
    job = Job(kind="enrolment", org_id=org.id, status="running", total=2500, done=0,
              message="Adding the enrolments to \u201cWarehouse Safety\u201d and queuing the emails")
    db.session.add(job)
    db.session.commit()

    sign_in(page)
    page.goto(f"/enrolments/jobs/{job.id}")
    page.get_by_text("Enrolling 2,500 users").wait_for()
    screenshot("enrol-job-progress")

    # The job finishes (as a worker would): the page moves on by itself.
    learners = select(User.id).where(User.org_id == org.id, User.email.like("starter%"))
    event_id = services.enrol(org, admin, series, learners, send_invite=True, due_date=None)
    db.session.execute(db.update(Job).where(Job.id == job.id)
                       .values(status="done", done=2500, result={"event_id": event_id}))
    db.session.commit()
    page.wait_for_url(f"**/enrolments/result/{event_id}")
    page.get_by_text("3 users enrolled").wait_for()
