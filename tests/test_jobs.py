"""Background jobs: inline, in a thread, and on a real RQ worker process with Redis."""
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from webapp import jobs
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import Job, Organisation

ROOT = Path(__file__).resolve().parent.parent


def _wait_for(job_id, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def test_inline_job_records_progress_and_result(app, org):
    job = jobs.submit("test", "tests.jobs_for_tests.rename_org", org_id=org.id, target_org=org.id, name="Renamed")
    job = db.session.get(Job, job.id)
    assert (job.status, job.done, job.total, job.percent) == ("done", 2, 2, 100)
    assert job.result == {"renamed": "Renamed"}
    assert db.session.get(Organisation, org.id).name == "Renamed"


def test_failed_job_says_why(app, org):
    job = jobs.submit("test", "tests.jobs_for_tests.explode", org_id=org.id)
    job = db.session.get(Job, job.id)
    assert job.status == "failed"
    assert "the file vanished" in job.message


def test_threaded_job_finishes_in_the_background(app, org):
    app.config["JOBS_IN_PROCESS"] = True
    job = jobs.submit("test", "tests.jobs_for_tests.rename_org", org_id=org.id, target_org=org.id, name="Threaded")
    assert _wait_for(job.id).status == "done"


def test_a_job_whose_worker_died_is_marked_failed(app, org):
    job = Job(kind="test", org_id=org.id, status="running", heartbeat_at=utcnow() - timedelta(minutes=10))
    db.session.add(job)
    db.session.commit()
    assert jobs.fail_if_stale(job).status == "failed"
    assert "start it again" in job.message


def _redis_url():
    return os.environ.get("FLASK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_or_skip():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(_redis_url(), socket_connect_timeout=1).ping()
    except RedisDown:
        if os.environ.get("CI"):
            pytest.fail("Redis is not answering on 127.0.0.1:6379 in CI")
        pytest.skip("no Redis server on 127.0.0.1:6379")


@pytest.mark.redis
def test_jobs_run_on_a_real_rq_worker_process(app, org, tmp_path, app_config):
    _redis_or_skip()
    from redis import Redis

    queue_name = f"webapp-test-{os.getpid()}-{time.time_ns()}"
    app.config.update(REDIS_URL=_redis_url(), RQ_QUEUE=queue_name)
    job = jobs.submit("test", "tests.jobs_for_tests.rename_org", org_id=org.id, target_org=org.id, name="From RQ")
    assert db.session.get(Job, job.id).status == "queued"
    env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
           "FLASK_REDIS_URL": _redis_url(), "FLASK_RQ_QUEUE": queue_name,
           "FLASK_SECRET_KEY": "worker-test", "WEBAPP_INSTANCE_PATH": str(tmp_path / "worker")}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "worker", "--burst"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    finished = _wait_for(job.id, seconds=60)
    assert finished.status == "done", finished.message
    assert db.session.get(Organisation, org.id).name == "From RQ"
    Redis.from_url(_redis_url()).delete(f"rq:queue:{queue_name}")


def test_worker_command_explains_when_redis_is_not_configured(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output
