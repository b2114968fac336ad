"""Time the Users list at 100,000 users: search, each filter, sorts and a deep page.

Run: .venv/bin/python bench/bench_users_list.py            (SQLite in a temporary directory)
     BENCH_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_users_list.py
Prints the median server time of 5 runs per case, through the Flask test client. No asserts.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scratch_db import bench_databases  # noqa: E402
from sqlalchemy import insert  # noqa: E402

USERS = int(os.environ.get("BENCH_USERS", "100000"))
RUNS = 5
FIRST = ["Amara", "Ben", "Chloe", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lena"]
LAST = ["Okafor", "Berg", "Duarte", "Nakamura", "Smith", "Jones", "Garcia", "Novak", "Ito", "Khan"]
CASES = [
    ("first page (newest first)", {}),
    ("search 'nakamura'", {"q": "nakamura"}),
    ("search 'user4242'", {"q": "user4242"}),
    ("search 'zzz' (no match)", {"q": "zzz"}),
    ("filter type=guest", {"type": "guest"}),
    ("filter status=invited", {"status": "invited"}),
    ("filter signed_in=yes", {"signed_in": "yes"}),
    ("filter signed_in=no", {"signed_in": "no"}),
    ("sort name", {"sort": "name"}),
    ("sort -email", {"sort": "-email"}),
    ("sort type", {"sort": "type"}),
    ("sort signed_in", {"sort": "signed_in"}),
    ("deep page 1000 (sort name)", {"sort": "name", "page": 1000}),
    ("last page (default sort)", {"page": 2000}),
    ("search + filter + sort", {"q": "berg", "type": "user", "sort": "-created"}),
]


def seed(app, org_id: int, admin_id: int) -> None:
    """Insert USERS users in batches of 10,000, then make All Org Users consistent."""
    from webapp.extensions import db
    from webapp.models import User
    from webapp.users.membership import sync_all_org_users

    start = datetime(2025, 1, 1)
    for offset in range(0, USERS, 10_000):
        rows = []
        for n in range(offset, min(offset + 10_000, USERS)):
            rows.append({
                "org_id": org_id, "first_name": FIRST[n % len(FIRST)],
                "last_name": LAST[(n // 7) % len(LAST)], "email": f"user{n}@example.com",
                "account_type": ("user", "user", "user", "guest", "team_manager")[n % 5],
                "invite_status": "invited" if n % 3 == 0 else "created",
                "signed_in_at": start + timedelta(minutes=n) if n % 4 == 0 else None,
                "password_is_generated": True, "is_active_account": True,
                "created_at": start + timedelta(seconds=n), "updated_at": start,
            })
        db.session.execute(insert(User), rows)
    sync_all_org_users(org_id)
    db.session.commit()


def run(url: str, label: str) -> None:
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.auth.services import create_organisation
    from webapp.extensions import db

    password = "a-long-bench-password-42"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": False, "BASE_URL": "http://bench"})
    with app.app_context():
        upgrade()
        created, _ = create_organisation(name="Bench", slug="bench", admin_email="admin@example.com",
                                         admin_first_name="Ada", admin_last_name="Admin",
                                         admin_password=password)
        began = time.perf_counter()
        seed(app, created.org.id, created.admin.id)
        print(f"\n{label}: seeded {USERS:,} users in {time.perf_counter() - began:.1f} s")
        client = app.test_client()
        client.post("/login", data={"email": "admin@example.com", "password": password})
        print(f"{'case':<32} {'full page ms':>13} {'htmx fragment ms':>17}")
        for name, args in CASES:
            timings = {}
            for kind, headers in (("full", {}), ("htmx", {"HX-Request": "true"})):
                samples = []
                for _ in range(RUNS):
                    began = time.perf_counter()
                    response = client.get("/users/", query_string=args, headers=headers)
                    samples.append((time.perf_counter() - began) * 1000)
                    assert response.status_code == 200, response.status_code
                timings[kind] = statistics.median(samples)
            print(f"{name:<32} {timings['full']:>13.1f} {timings['htmx']:>17.1f}")
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    for label, url in bench_databases("bench_users"):
        run(url, {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[label])

if __name__ == "__main__":
    main()
