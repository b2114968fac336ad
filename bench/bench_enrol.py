"""Enrolment benchmark: enrol 10,000 users in mixed states in one series; median of 3 runs.

Run: .venv/bin/python bench/bench_enrol.py [--users 10000]
SQLite always; PostgreSQL too when BENCH_PG_URL is set (a server it may create a database on).
Each run uses a fresh organisation, so every run meets the same mix of learner states.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select  # noqa: E402

from scratch_db import bench_databases  # noqa: E402
from webapp import create_app  # noqa: E402
from webapp.extensions import db  # noqa: E402

RUNS = 3


def build_app(url: str, instance: str):
    from flask_migrate import upgrade

    os.environ["WEBAPP_INSTANCE_PATH"] = instance
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "JOBS_IN_PROCESS": False, "MAIL_SEND_IN_BACKGROUND": False})
    with app.app_context():
        upgrade()
    return app


def prepare(users: int):
    """A fresh organisation with `users` learners: a mix of every state the rules know."""
    from webapp.auth.services import create_organisation
    from webapp.clock import utcnow
    from webapp.enrolments import services
    from webapp.models import Enrolment, User

    slug = f"e{uuid.uuid4().hex[:8]}"
    created, _ = create_organisation(name=f"Bench {slug}", slug=slug, admin_email=f"admin@{slug}.example",
                                     admin_first_name="Bench", admin_last_name="Admin",
                                     admin_password="a-long-bench-password-42")
    org, admin = created.org, created.admin
    now = utcnow()
    # Per ten learners: 3 Created never signed in, 2 Invited, 2 enrolled before with a fresh
    # password, 1 enrolled before with a stale one, 2 signed in.
    states = ["created", "created", "created", "invited", "invited",
              "fresh", "fresh", "stale", "signed_in", "signed_in"]
    rows = []
    for i in range(users):
        state = states[i % 10]
        rows.append({
            "org_id": org.id, "email": f"learner{i}@{slug}.example", "first_name": f"First{i}",
            "last_name": f"Last{i}", "invite_status": "invited" if state == "invited" else "created",
            "password_hash": "pbkdf2:sha256:1$x$y", "password_is_generated": state != "signed_in",
            "password_set_at": now - (timedelta(days=5) if state == "stale" else timedelta(hours=2)),
            "signed_in_at": now - timedelta(days=1) if state == "signed_in" else None,
        })
    db.session.execute(db.insert(User), rows)
    earlier = services.create_series(org.id, admin, name="Earlier series", description="")
    ids = db.session.execute(select(User.id, User.email).where(User.org_id == org.id)).all()
    before = [uid for uid, email in ids
              if email.startswith("learner") and states[int(email[7:].split("@")[0]) % 10] in ("fresh", "stale")]
    db.session.execute(db.insert(Enrolment), [
        {"org_id": org.id, "series_id": earlier.id, "user_id": uid, "enrolled_at": now,
         "enrolled_by_id": admin.id, "send_invite": True, "notice": "series_enrolment"}
        for uid in before])
    series = services.create_series(org.id, admin, name="Benchmark series", description="Lessons.")
    db.session.commit()
    return org, admin, series


def one_run(users: int, send_invite: bool) -> float:
    from webapp.enrolments import services
    from webapp.models import Enrolment, User

    org, admin, series = prepare(users)
    selection = select(User.id).where(User.org_id == org.id, User.id != admin.id)
    start = time.perf_counter()
    services.enrol(org, admin, series, selection, send_invite=send_invite, due_date=None)
    seconds = time.perf_counter() - start
    enrolled = db.session.scalar(select(func.count()).where(Enrolment.series_id == series.id))
    if enrolled != users:
        print(f"  note: {enrolled:,} enrolments made for {users:,} users")
    return seconds


def run_all(url: str, label: str, users: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = build_app(url, instance)
        with app.app_context():
            for send_invite in (True, False):
                figures = [one_run(users, send_invite) for _ in range(RUNS)]
                mode = "Send Invite = yes (one email each)" if send_invite else "Send Invite = no (one summary)"
                print(f"[{label}] enrol {users:,} users, {mode}: median {statistics.median(figures):.2f} s "
                      f"(runs: {', '.join(f'{s:.2f}' for s in figures)})", flush=True)
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    for label, url in bench_databases("bench_enrol"):
        run_all(url, label, args.users)

if __name__ == "__main__":
    main()
