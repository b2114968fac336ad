"""Where a bulk change of 100,000 staged rows spends its time: the change through the app (its undo
values kept in the same UPDATE), against the bare UPDATE of a narrow table holding only the choices.

Run: .venv/bin/python bench/bench_table_writes.py [--rows 100000]
SQLite always; PostgreSQL too when it answers (BENCH_PG_URL, or this machine's; =off skips).
Seeds set-based (one executemany), then prints medians of 5 of each, and their ratio: the floor a
narrow table of per-row choices could reach, measured in the same run.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import build_app, new_org  # noqa: E402
from scratch_db import bench_databases  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from webapp.extensions import db  # noqa: E402

RUNS = 5
NARROW = ("CREATE TABLE bench_choices (row_id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL, "
          "account_type VARCHAR(20) NOT NULL, send_invite BOOLEAN NOT NULL, undo_token INTEGER, "
          "undo_send_invite BOOLEAN)")


def seed(rows: int) -> int:
    from webapp.models import ImportBatch, StagedRow

    org = new_org(f"w{os.getpid()}")
    batch = ImportBatch(org_id=org.id, filename="bench.csv", rows_read=rows)
    db.session.add(batch)
    db.session.flush()
    db.session.execute(insert(StagedRow), [
        {"batch_id": batch.id, "line": n + 2, "first_name": f"First{n}", "last_name": f"Last{n}",
         "email": f"person{n}@example.com", "errors": []} for n in range(rows)])
    # The same room per page as staged_rows has on PostgreSQL, so updates stay in place (HOT) there too.
    db.session.execute(text(NARROW + (" WITH (fillfactor = 40)" if db.engine.dialect.name == "postgresql" else "")))
    db.session.execute(text("INSERT INTO bench_choices (row_id, batch_id, account_type, send_invite) "
                            "SELECT id, batch_id, account_type, send_invite FROM staged_rows WHERE batch_id = :b"),
                       {"b": batch.id})
    db.session.commit()
    return batch.id


def median_ms(change) -> float:
    times = []
    for run in range(RUNS):
        start = time.perf_counter()
        change(run)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    for label, url in bench_databases("bench_table_writes"):
        with tempfile.TemporaryDirectory() as instance:
            app = build_app(url, instance)
            with app.app_context():
                from webapp.imports import table, table_pages
                from webapp.models import ImportBatch

                batch = db.session.get(ImportBatch, seed(args.rows))
                app_ms = median_ms(lambda run: table.bulk_action(
                    batch, ("invite_on", "invite_off")[run % 2], table_pages.matching(batch.id)))

                def narrow(run):
                    db.session.execute(text(
                        "UPDATE bench_choices SET undo_token = :run, undo_send_invite = send_invite, "
                        "send_invite = :wanted WHERE batch_id = :b AND send_invite != :wanted"),
                        {"run": run, "wanted": run % 2 == 0, "b": batch.id})
                    db.session.commit()

                narrow_ms = median_ms(narrow)
                load = os.getloadavg()[0]
                print(f"{label:10} tick/clear Send Invite on {args.rows:,} rows: app {app_ms:6.1f} ms, "
                      f"narrow table {narrow_ms:6.1f} ms, ratio {app_ms / narrow_ms:4.1f}x "
                      f"(median of {RUNS}; budget 100 ms; load {load:.1f})", flush=True)
                db.engine.dispose()


if __name__ == "__main__":
    main()
