"""Create Users across processes: two admins at once create each person once; a worker killed
mid-job leaves nobody half-created, and the admin can press Create Users again."""
from __future__ import annotations

import json
import subprocess
import time
from datetime import timedelta

from freezegun import freeze_time
from sqlalchemy import func, select

from tests.scale import PYTHON, ROOT, process_env
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.models import BatchStatus, ImportBatch, Job, StagedRow, User

# Both admins' processes wait for the go-file, so their presses land together.
PRESS_CREATE = """
import json, os, sys, time
from pathlib import Path
from webapp import create_app
from webapp.imports import creating
app = create_app()
Path(os.environ["READY_FILE"]).touch()
go = Path(os.environ["GO_FILE"])
while not go.exists():
    time.sleep(0.002)
with app.app_context():
    result = creating.create_users(int(sys.argv[1]), int(sys.argv[2]))
print(json.dumps({"created": result.created, "refused": result.refused, "error": result.error}))
"""

# A job worker that stops dead after inserting the users, before its transaction commits.
DIES_MID_JOB = """
import os, sys, time
from pathlib import Path
from webapp import create_app, jobs
from webapp.imports import creating
app = create_app()
inserted = Path(os.environ["INSERTED_FILE"])
sync_members = creating.sync_all_org_users
def sync_then_hang(*args, **kwargs):
    sync_members(*args, **kwargs)
    inserted.touch()
    time.sleep(300)
creating.sync_all_org_users = sync_then_hang
with app.app_context():
    jobs.run(int(sys.argv[1]), "webapp.imports.creating.create_users_job",
             {"batch_id": int(sys.argv[2]), "actor_id": int(sys.argv[3])})
"""


def _csv(count: int) -> bytes:
    lines = ["First Name,Last Name,Email Address"]
    lines += [f"Learner,Number{n},learner{n}@example.com" for n in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _stage(org, admin, count: int) -> ImportBatch:
    batch = staging.stage_upload(org.id, admin.id, "learners.csv", _csv(count), max_bytes=10**7, ttl_days=7)
    assert batch.status == BatchStatus.STAGED
    db.session.commit()
    return batch


def _learner_counts(org_id: int) -> dict[str, int]:
    """How many accounts each imported address has."""
    db.session.expire_all()
    return dict(db.session.execute(
        select(User.email, func.count()).where(User.org_id == org_id, User.email.like("learner%"))
        .group_by(User.email)).all())


def _wait_for(path, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the process stopped early: {process.communicate()}")
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.01)


def _env(app, tmp_path, **files) -> dict:
    env = process_env(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "instance",
                      JOBS_IN_PROCESS="false")
    env.update({name: str(path) for name, path in files.items()})
    return env


def test_two_admins_pressing_create_users_together_create_each_person_once(app, org, admin, tmp_path):
    batch = _stage(org, admin, 400)
    org_id, admin_id, batch_id = org.id, admin.id, batch.id
    db.session.remove()
    go = tmp_path / "go"
    presses = []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        presses.append((ready, subprocess.Popen(
            [PYTHON, "-c", PRESS_CREATE, str(batch_id), str(admin_id)], cwd=ROOT,
            env=_env(app, tmp_path, READY_FILE=ready, GO_FILE=go),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    for ready, process in presses:
        _wait_for(ready, process)
    go.touch()
    results = []
    for _, process in presses:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))

    done = [r for r in results if r["refused"] is None]
    refused = [r for r in results if r["refused"] is not None]
    assert len(done) == 1 and len(refused) == 1, results
    assert done[0] == {"created": 400, "refused": None, "error": None}
    assert refused[0]["refused"] in ("These users are already being created. Wait for it to finish.",
                                     "These users have already been created.")
    counts = _learner_counts(org_id)
    assert len(counts) == 400 and set(counts.values()) == {1}
    assert db.session.get(ImportBatch, batch_id).status == BatchStatus.DONE


def test_pressing_create_users_on_a_created_batch_says_so(client, login_as, org, admin):
    batch = _stage(org, admin, 3)
    login_as(admin)
    assert client.post(f"/users/import/{batch.id}/create").status_code == 302
    again = client.post(f"/users/import/{batch.id}/create", follow_redirects=True)
    assert "These users have already been created." in again.get_data(as_text=True)
    assert set(_learner_counts(org.id).values()) == {1}


def _claim_as_a_job(batch: ImportBatch) -> Job:
    """What the Create Users view does for a big batch: claim it and record its job."""
    assert creating.claim_batch(batch.id)
    job = Job(kind="import_create", org_id=batch.org_id, status="queued")
    db.session.add(job)
    db.session.commit()
    db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch.id).values(job_id=job.id))
    db.session.commit()
    return job


def test_a_worker_killed_mid_job_leaves_nobody_created_and_the_admin_can_create_again(
        app, client, login_as, org, admin, tmp_path):
    batch = _stage(org, admin, 50)
    job = _claim_as_a_job(batch)
    org_id, admin_id, batch_id, job_id = org.id, admin.id, batch.id, job.id
    db.session.remove()
    inserted = tmp_path / "inserted"
    worker = subprocess.Popen([PYTHON, "-c", DIES_MID_JOB, str(job_id), str(batch_id), str(admin_id)],
                              cwd=ROOT, env=_env(app, tmp_path, INSERTED_FILE=inserted),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(inserted, worker)
        assert _learner_counts(org_id) == {}, "users were visible before the job committed"
    finally:
        worker.kill()
        worker.wait(timeout=10)
    assert worker.returncode == -9

    # Right after the kill nothing was saved, and the batch still looks busy.
    assert _learner_counts(org_id) == {}
    assert db.session.get(ImportBatch, batch_id).status == BatchStatus.CREATING
    assert db.session.get(Job, job_id).status == "running"
    login_as(db.session.get(User, admin_id))
    busy = client.get(f"/users/import/{batch_id}").get_data(as_text=True)
    assert "Creating users" in busy

    # Once the worker has been silent past the limit, the batch is given back to the admin.
    db.session.remove()
    with freeze_time(utcnow() + timedelta(minutes=6)):
        page = client.get(f"/users/import/{batch_id}").get_data(as_text=True)
        assert "The worker stopped before it finished creating these users." in page
        assert "No users were created" in page
        assert "Create Users" in page
        created = client.post(f"/users/import/{batch_id}/create")
    assert created.status_code == 302 and created.headers["Location"] == f"/users/?batch={batch_id}"
    counts = _learner_counts(org_id)
    assert len(counts) == 50 and set(counts.values()) == {1}
    assert db.session.get(ImportBatch, batch_id).status == BatchStatus.DONE
    assert db.session.get(Job, job_id).status == "failed"
    assert db.session.scalar(select(func.count()).select_from(StagedRow).where(
        StagedRow.batch_id == batch_id, StagedRow.status == "created")) == 50


def test_a_create_request_that_died_without_a_job_is_given_back_too(app, client, login_as, org, admin):
    batch = _stage(org, admin, 5)
    # Staged an hour ago; then a web process claimed it for an inline create and was killed.
    db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch.id)
                       .values(updated_at=utcnow() - timedelta(hours=1)))
    db.session.commit()
    assert creating.claim_batch(batch.id)
    login_as(admin)
    assert "Creating users" in client.get(f"/users/import/{batch.id}").get_data(as_text=True)
    with freeze_time(utcnow() + timedelta(minutes=6)):
        page = client.get(f"/users/import/{batch.id}").get_data(as_text=True)
        assert "No users were created" in page
        assert client.post(f"/users/import/{batch.id}/create").status_code == 302
    assert len(_learner_counts(org.id)) == 5


def test_a_job_still_waiting_for_a_worker_is_left_alone(app, client, login_as, org, admin):
    batch = _stage(org, admin, 5)
    _claim_as_a_job(batch)  # queued on RQ, no worker free yet: it will run later
    login_as(admin)
    with freeze_time(utcnow() + timedelta(minutes=30)):
        page = client.get(f"/users/import/{batch.id}").get_data(as_text=True)
        assert "Creating users" in page
        again = client.post(f"/users/import/{batch.id}/create", follow_redirects=True)
        assert "These users are already being created." in again.get_data(as_text=True)
    assert _learner_counts(org.id) == {}
