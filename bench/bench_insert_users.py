"""Inserting accounts on PostgreSQL: COPY into a temporary table + INSERT ... SELECT ... ON CONFLICT (what Create
Users does) against the multi-row INSERT ... ON CONFLICT it replaced, and a floor of a bare COPY into users.

Run: .venv/bin/python bench/bench_insert_users.py [--rows 100000] [--runs 3]
PostgreSQL only (BENCH_PG_URL or this machine's server; SQLite keeps its executemany). Each run inserts ROWS
accounts in chunks of 10,000 inside a transaction that is rolled back. Medians; target: COPY path <= 1.3x the
floor and faster than the multi-row INSERT.
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
from scratch_db import postgres_url, scratch_postgres  # noqa: E402
from webapp.extensions import db  # noqa: E402

CHUNK = 10_000


def accounts(org_id: int, rows: int) -> list[dict]:
    from webapp.clock import utcnow
    from webapp.credentials import fast_hashes

    now = utcnow()
    hashes = fast_hashes([f"pass-{n}" for n in range(rows)])
    return [{"org_id": org_id, "first_name": f"First{n}", "last_name": f"Last{n}", "email": f"p{n}@example.com",
             "account_type": "user", "invite_status": "created", "password_hash": hashes[n],
             "password_is_generated": True, "password_set_at": now, "is_active_account": True,
             "created_by_id": None, "created_at": now, "updated_at": now} for n in range(rows)]


def multi_row_insert(rows: list[dict]) -> None:
    from sqlalchemy.dialects.postgresql import insert

    from webapp.models import User

    statement = insert(User).on_conflict_do_nothing(index_elements=["org_id", "email"]).returning(User.email)
    assert len(set(db.session.scalars(statement, rows))) == len(rows)


def copy_then_insert(rows: list[dict]) -> None:
    from webapp.accounts.inserting import insert_new_users

    assert len(insert_new_users(rows)) == len(rows)


def bare_copy(rows: list[dict]) -> None:
    from webapp import bulk
    from webapp.models import User
    from webapp.searchtext import search_text_for

    made = [{("active" if key == "is_active_account" else key): value for key, value in row.items()}
            | {"search_text": search_text_for(row["first_name"], row["last_name"], row["email"]),
               "session_version": 0} for row in rows]
    bulk.insert_rows(User.__table__, made)


def timed(app, org_id: int, rows: int, insert) -> float:
    with app.app_context():
        made = accounts(org_id, rows)
        start = time.perf_counter()
        for begin in range(0, rows, CHUNK):
            insert(made[begin:begin + CHUNK])
        elapsed = time.perf_counter() - start
        db.session.rollback()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    server = postgres_url()
    if not server:
        raise SystemExit("No PostgreSQL server answers: nothing to measure.")
    with scratch_postgres(server, "bench_insert_users") as url:
        app = build_app(url, tempfile.mkdtemp(prefix="bench-insert-"))
        with app.app_context():
            org_id = new_org(f"i{uuid.uuid4().hex[:6]}").id
        results = {name: [] for name in ("floor", "copy", "insert")}
        for _ in range(options.runs):  # interleaved, so a busy moment hits all three alike
            results["floor"].append(timed(app, org_id, options.rows, bare_copy))
            results["copy"].append(timed(app, org_id, options.rows, copy_then_insert))
            results["insert"].append(timed(app, org_id, options.rows, multi_row_insert))
        ratio_floor = statistics.median(c / f for c, f in zip(results["copy"], results["floor"]))
        ratio_insert = statistics.median(i / c for c, i in zip(results["copy"], results["insert"]))
        median = {name: statistics.median(times) for name, times in results.items()}
        print(f"postgresql {options.rows:,} accounts: COPY + INSERT ... SELECT {median['copy']:.2f} s; bare COPY "
              f"floor {median['floor']:.2f} s (ratio {ratio_floor:.2f}x, target <= 1.3x); multi-row INSERT "
              f"{median['insert']:.2f} s ({ratio_insert:.1f}x slower than the COPY path)")


if __name__ == "__main__":
    main()
