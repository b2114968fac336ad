"""Big enrolments run as a background job: progress bar, result, refusals, a real RQ worker."""
from __future__ import annotations

import os
import subprocess
import time

import pytest
from sqlalchemy import func, select

from tests.scale import PYTHON, ROOT, process_env, require_redis
from webapp.enrolments import jobs as enrol_jobs
from webapp.enrolments import services
from webapp.extensions import db
from webapp.models import Enrolment, Group, GroupMember, Job, OutboxMessage

HTMX = {"HX-Request": "true"}


@pytest.fixture
def series(admin):
    return services.create_series(admin.org_id, admin, name="Safety Basics", description="")


@pytest.fixture
def console(app, signed_in):
    """The signed-in admin's client, with enrolments of more than two users run as jobs."""
    app.config["IMPORT_BACKGROUND_ROWS"] = 2
    return signed_in


@pytest.fixture
def learners(make_user):
    return [make_user(email=f"learner{n}@example.com") for n in range(1, 5)]


def enrolled_count(series) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Enrolment).where(Enrolment.series_id == series.id))


def only_job() -> Job:
    db.session.expire_all()
    [job] = db.session.scalars(select(Job)).all()
    return job


def group_of(org, users) -> Group:
    group = Group(org_id=org.id, name="Night shift")
    db.session.add(group)
    db.session.flush()
    db.session.add_all([GroupMember(group_id=group.id, user_id=user.id) for user in users])
    db.session.commit()
    return group


def form_for(source, series, learners, org):
    data = {"series": series.id, "send_invite": "yes", "source": source}
    if source == "selection":
        data["user_id"] = [str(user.id) for user in learners]
    elif source == "group":
        data["group"] = str(group_of(org, learners).id)
    else:
        data["emails"] = "\n".join(user.email for user in learners) + "\nnobody@example.com"
    return data


@pytest.mark.parametrize("source", ["selection", "group", "emails"])
def test_more_users_than_the_limit_are_enrolled_by_a_job_then_htmx_goes_to_the_result(
        console, series, learners, org, source):
    response = console.post("/enrolments/new", data=form_for(source, series, learners, org))

    job = only_job()
    assert response.status_code == 302 and response.location.endswith(f"/enrolments/jobs/{job.id}")
    assert (job.kind, job.status, job.done, job.total) == ("enrolment", "done", 4, 4)
    assert enrolled_count(series) == 4
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 4

    result_url = f"/enrolments/result/{job.result['event_id']}"
    poll = console.get(f"/enrolments/jobs/{job.id}/progress", headers=HTMX)
    assert poll.status_code == 286  # HTMX stops polling
    assert poll.headers["HX-Redirect"] == result_url
    page = console.get(f"/enrolments/jobs/{job.id}")  # without JavaScript: the Refresh link
    assert page.status_code == 302 and page.location == result_url

    result = console.get(result_url).get_data(as_text=True)
    assert "4 users enrolled" in result
    if source == "emails":
        assert "nobody@example.com" in result  # the pasted line that matched no one


def test_up_to_the_limit_is_enrolled_in_the_request_without_a_job(console, series, learners, org):
    response = console.post("/enrolments/new", data=form_for("selection", series, learners[:2], org))
    assert "/enrolments/result/" in response.location
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert enrolled_count(series) == 2


def test_a_running_job_shows_a_progress_bar_that_keeps_polling(console, org, admin):
    job = Job(kind="enrolment", org_id=org.id, status="running", total=2500, done=0,
              message="Adding the enrolments to \u201cSafety Basics\u201d and queuing the emails")
    db.session.add(job)
    db.session.commit()

    page = console.get(f"/enrolments/jobs/{job.id}").get_data(as_text=True)
    assert "<h1>Enrolling users</h1>" in page
    assert "Enrolling 2,500 users" in page
    assert f'hx-get="/enrolments/jobs/{job.id}/progress"' in page
    assert f'href="/enrolments/jobs/{job.id}">Refresh</a>' in page
    fragment = console.get(f"/enrolments/jobs/{job.id}/progress", headers=HTMX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in fragment.get_data(as_text=True)


def test_a_refused_enrolment_says_why_and_enrols_nobody(console, series, learners, admin):
    # The series was archived after the form was sent: the job refuses, and says so.
    services.set_archived(series, admin, True)
    job = enrol_jobs.submit(admin, series, {"user_ids": [u.id for u in learners]}, send_invite=True,
                            due_date=None, problems=[], total=4)

    assert enrolled_count(series) == 0
    poll = console.get(f"/enrolments/jobs/{job.id}/progress", headers=HTMX)
    assert poll.status_code == 286 and poll.headers["HX-Redirect"] == f"/enrolments/jobs/{job.id}"
    page = console.get(f"/enrolments/jobs/{job.id}").get_data(as_text=True)
    assert "Nobody was enrolled." in page and "is archived" in page


def test_a_big_enrolment_in_an_archived_series_is_refused_on_the_form(console, series, learners, org, admin):
    services.set_archived(series, admin, True)
    response = console.post("/enrolments/new", data=form_for("selection", series, learners, org))
    assert response.status_code == 200
    assert "is archived" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_another_organisations_job_and_other_kinds_of_job_are_not_found(console, other_org, org):
    theirs = Job(kind="enrolment", org_id=other_org.id, status="running")
    import_job = Job(kind="import_create", org_id=org.id, status="running")
    db.session.add_all([theirs, import_job])
    db.session.commit()
    for job in (theirs, import_job):
        assert console.get(f"/enrolments/jobs/{job.id}").status_code == 404
        assert console.get(f"/enrolments/jobs/{job.id}/progress", headers=HTMX).status_code == 404


@pytest.mark.redis
def test_a_big_enrolment_runs_on_a_real_rq_worker_process(console, app, series, learners, org,
                                                          app_config, tmp_path):
    from redis import Redis

    url = require_redis()
    queue_name = f"webapp-enrol-test-{os.getpid()}-{time.time_ns()}"
    app.config.update(REDIS_URL=url, RQ_QUEUE=queue_name)
    response = console.post("/enrolments/new", data=form_for("selection", series, learners, org))
    job = only_job()
    assert response.location.endswith(f"/enrolments/jobs/{job.id}")
    assert job.status == "queued" and enrolled_count(series) == 0
    assert "Waiting for a worker" in console.get(response.location).get_data(as_text=True)

    env = process_env(app_config["SQLALCHEMY_DATABASE_URI"], tmp_path / "worker",
                      REDIS_URL=url, RQ_QUEUE=queue_name)
    result = subprocess.run([PYTHON, "-m", "flask", "--app", "webapp", "worker", "--burst"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr

    job = only_job()
    assert job.status == "done", job.message
    assert enrolled_count(series) == 4
    poll = console.get(f"/enrolments/jobs/{job.id}/progress", headers=HTMX)
    assert poll.status_code == 286
    assert poll.headers["HX-Redirect"] == f"/enrolments/result/{job.result['event_id']}"
    connection = Redis.from_url(url)
    for key in connection.scan_iter(f"*{queue_name}*"):
        connection.delete(key)
