"""Keeping the directory in step: Add and update, and Undo, measured against Create Users.

Run: .venv/bin/python bench/bench_sync.py [--rows 100000] [--runs 3]
SQLite always; PostgreSQL too when it answers (see scratch_db.py; BENCH_PG_URL=off skips it).
Each run, in a fresh organisation:
  1. Create Users of ROWS new people (the yardstick),
  2. "Add and update" of a file with the same ROWS people, half of them with a changed last name,
  3. Undo of the import that created the ROWS people.
Targets (medians): Add and update <= 1.5 x Create Users; Undo <= 1.0 x Create Users.
Staging (reading the file) is the same for both and is not timed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import build_app, new_org  # noqa: E402
from scratch_db import bench_databases  # noqa: E402
from webapp.extensions import db  # noqa: E402


def people_csv(rows: int, changed_every: int = 0) -> bytes:
    """ROWS people; with changed_every=2, every second one has a new last name."""
    lines = ["First Name,Last Name,Email Address"]
    for i in range(rows):
        last = f"Married{i}" if changed_every and i % changed_every == 0 else f"Last{i}"
        lines.append(f"First{i},{last},person{i}@example.com")
    return ("\r\n".join(lines) + "\r\n").encode()


def one_run(app, rows: int) -> dict:
    from webapp.imports import creating, staging, sync, undo
    from webapp.models import User

    with app.app_context():
        org = new_org(f"s{uuid.uuid4().hex[:6]}")
        admin = db.session.scalar(db.select(User).where(User.org_id == org.id))
        figures = {}

        first = staging.stage_upload(org.id, admin.id, "people.csv", people_csv(rows), max_bytes=10**9, ttl_days=7)
        start = time.perf_counter()
        created = creating.create_users(first.id, admin.id)
        figures["create"] = time.perf_counter() - start
        assert created.created == rows, created

        second = staging.stage_upload(org.id, admin.id, "people-v2.csv", people_csv(rows, changed_every=2),
                                      max_bytes=10**9, ttl_days=7)
        sync.configure(second, mode="add_update")
        db.session.commit()
        start = time.perf_counter()
        planned = sync.plan(second, admin.id)
        db.session.commit()
        figures["preview"] = time.perf_counter() - start
        assert (planned.update, planned.unchanged) == (rows - rows // 2, rows // 2), planned
        start = time.perf_counter()
        applied = creating.create_users(second.id, admin.id)
        figures["add_update"] = time.perf_counter() - start
        assert applied.ok, applied

        start = time.perf_counter()
        report = undo.undo_import(first.id, admin.id)
        figures["undo"] = time.perf_counter() - start
        assert report.removed == rows, report
    return figures


def bench(url: str, label: str, rows: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as instance:
        app = build_app(url, instance)
        results = [one_run(app, rows) for _ in range(runs)]
        with app.app_context():
            db.engine.dispose()
    median = {key: statistics.median(r[key] for r in results) for key in results[0]}
    update_ratio = median["add_update"] / median["create"]
    undo_ratio = median["undo"] / median["create"]
    print(f"[{label}] {rows:,} rows, median of {runs} runs:")
    print(f"[{label}]   Create Users of {rows:,} new people   {median['create']:7.2f} s")
    print(f"[{label}]   Preview of Add and update (diff)     {median['preview']:7.2f} s")
    print(f"[{label}]   Add and update, {rows // 2:,} changed   {median['add_update']:7.2f} s  "
          f"ratio {update_ratio:.2f} (target <= 1.50) {'ok' if update_ratio <= 1.5 else 'OVER'}")
    print(f"[{label}]   Undo of {rows:,} created people       {median['undo']:7.2f} s  "
          f"ratio {undo_ratio:.2f} (target <= 1.00) {'ok' if undo_ratio <= 1.0 else 'OVER'}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    for label, url in bench_databases("bench_sync"):
        bench(url, label, args.rows, args.runs)


if __name__ == "__main__":
    main()
