"""Background jobs: plain functions run in-process by default, or on RQ when REDIS_URL is set.

A job function takes `job_id` plus keyword arguments, runs inside an app context, and
reports progress with `progress(job_id, done, total)`; its state lives in the jobs table
so any process can show a progress bar.
"""
from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
import logging
import threading
import traceback

from blinker import Namespace
from flask import Flask, current_app

from webapp.clock import utcnow
from webapp.extensions import db
from webapp.models import Job

log = logging.getLogger(__name__)

worker_starting = Namespace().signal("worker-starting", doc="""\
`flask worker` is about to take jobs (sender: the app): catch up on work left while none ran.""")


def submit(kind: str, func_path: str, *, org_id: int | None, total: int = 0, **kwargs) -> Job:
    """Record a job and start it: RQ when configured, else a thread (or inline in tests).

    The function is called as func(job_id=..., **kwargs); org_id only scopes the job row, and
    total (when known up front) lets a progress bar say how much work waits for a worker.
    """
    from webapp.links import for_job

    kwargs = for_job(kwargs)  # emails the job writes link to the address it was started from
    job = Job(kind=kind, org_id=org_id, status="queued", total=total)
    db.session.add(job)
    db.session.commit()
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        _enqueue_rq(app, job.id, func_path, kwargs)
    elif app.config.get("JOBS_IN_PROCESS", True):
        thread = threading.Thread(
            target=_run_in_app, args=(app, job.id, func_path, kwargs), daemon=True,
            name=f"job-{job.id}-{kind}",
        )
        thread.start()
    else:
        run(job.id, func_path, kwargs)
    return job


def rq_queue(app: Flask):
    """The app's RQ queue on its Redis (REDIS_URL, RQ_QUEUE)."""
    from redis import Redis
    from rq import Queue

    return Queue(app.config["RQ_QUEUE"], connection=Redis.from_url(app.config["REDIS_URL"]))


def _enqueue_rq(app: Flask, job_id: int, func_path: str, kwargs: dict) -> None:
    rq_queue(app).enqueue("webapp.jobs.run_in_worker", job_id, func_path, kwargs, job_timeout=3600)


@contextmanager
def worker_app_context() -> Iterator[Flask]:
    """For code an RQ worker runs: an app built from this process's settings, in context."""
    from webapp import create_app

    app = create_app()
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()


def run_in_worker(job_id: int, func_path: str, kwargs: dict) -> None:
    """Entry point for an RQ worker: build the app from its settings and run the job."""
    with worker_app_context():
        run(job_id, func_path, kwargs)


def _run_in_app(app: Flask, job_id: int, func_path: str, kwargs: dict) -> None:
    with app.app_context():
        run(job_id, func_path, kwargs)


def run(job_id: int, func_path: str, kwargs: dict) -> None:
    """Run a job function, marking the job running, then done or failed."""
    job = db.session.get(Job, job_id)
    if job is None or job.finished:
        return
    job.status, job.started_at, job.heartbeat_at = "running", utcnow(), utcnow()
    db.session.commit()
    module_name, func_name = func_path.rsplit(".", 1)
    func = getattr(importlib.import_module(module_name), func_name)
    from webapp.links import recorded_from

    try:
        with recorded_from(kwargs) as arguments:
            result = func(job_id=job_id, **arguments)
    except Exception as exc:  # a failed job must be visible, never silently stuck "running"
        db.session.rollback()
        log.error("job %s failed: %s", job_id, traceback.format_exc())
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = "failed", utcnow()
        job.message = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        return
    job = db.session.get(Job, job_id)
    job.status, job.finished_at = "done", utcnow()
    job.done = max(job.done, job.total)
    if isinstance(result, dict):
        job.result = result
    db.session.commit()


STALE_AFTER_SECONDS = 300


def fail_if_stale(job: Job) -> Job:
    """Mark a running job failed when its worker stopped reporting (killed mid-job).

    Job functions keep their writes in one transaction, so nothing was half-saved.
    """
    if job.status == "running" and job.heartbeat_at is not None:
        if (utcnow() - job.heartbeat_at).total_seconds() > STALE_AFTER_SECONDS:
            job.status, job.finished_at = "failed", utcnow()
            job.message = "The worker stopped while running this job. Nothing was half-saved; start it again."
            db.session.commit()
    return job


def progress(job_id: int, done: int, total: int | None = None, message: str | None = None) -> None:
    """Record a job's progress in its own short transaction."""
    values = {"done": done, "heartbeat_at": utcnow()}
    if total is not None:
        values["total"] = total
    if message is not None:
        values["message"] = message
    db.session.execute(db.update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()
