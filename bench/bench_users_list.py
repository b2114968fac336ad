"""Time the Users list: a million users on PostgreSQL (in one organisation, and spread over
100), 100,000 on SQLite. Search, every filter, every sort, later pages, in server time.

Run: .venv/bin/python bench/bench_users_list.py
     BENCH_PG_USERS=1000000 BENCH_SQLITE_USERS=100000 BENCH_PG_URL=off (SQLite only)
Seeds set-based (generate_series on PostgreSQL, executemany on SQLite), VACUUM ANALYZE, then
prints the median of 5 requests per case through the Flask test client (full page and the
HTMX fragment) against the 100 ms budget. Cases over budget are marked OVER.
"""
from __future__ import annotations

import html
import os
import re
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scratch_db import bench_databases  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

PG_USERS = int(os.environ.get("BENCH_PG_USERS", "1000000"))
SQLITE_USERS = int(os.environ.get("BENCH_SQLITE_USERS", "100000"))
RUNS = 5
BUDGET_MS = 100
FIRST = ["Amara", "Ben", "Chloé", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Léna",
         "Jane", "Jürgen", "Zoë", "Øyvind", "Maria", "Noor", "Omar", "Priya"]
LAST = ["Okafor", "Berg", "Duarte", "Nakamura", "Smith", "Jones", "García", "Novak", "Ito", "Khan",
        "Müller", "Doe", "Ødegaard", "Saldaña", "Brontë", "Nguyen", "Kowalski", "Rossi", "Dubois",
        "Andersson", "Haddad", "Costa", "Popescu"]
CASES = [
    ("first page (newest first)", {}),
    ("search 'nakamura'", {"q": "nakamura"}),
    ("search 'Muller' (finds Müller)", {"q": "Muller"}),
    ("search 'Doe, Jane'", {"q": "Doe, Jane"}),
    ("search 'user4242' (email)", {"q": "user4242"}),
    ("search 'zzzq' (no match)", {"q": "zzzq"}),
    ("filter type=guest", {"type": "guest"}),
    ("filter type=admin (rare)", {"type": "admin"}),
    ("filter status=invited", {"status": "invited"}),
    ("filter signed_in=yes", {"signed_in": "yes"}),
    ("filter signed_in=no", {"signed_in": "no"}),
    ("filter last email failed", {"email": "failed"}),
    ("sort name", {"sort": "name"}),
    ("sort -name", {"sort": "-name"}),
    ("sort email", {"sort": "email"}),
    ("sort -email", {"sort": "-email"}),
    ("sort type", {"sort": "type"}),
    ("sort status", {"sort": "-status"}),
    ("sort signed_in", {"sort": "signed_in"}),
    ("sort -signed_in", {"sort": "-signed_in"}),
    ("sort created", {"sort": "created"}),
    ("page 201 by number (10,000 rows in)", {"page": 201}),
    ("search + filter + sort", {"q": "berg", "type": "user", "sort": "name"}),
    ("guest + not signed in + sort email", {"type": "guest", "signed_in": "no", "sort": "email"}),
]
# Cases that follow Next links: the page after 5 Next clicks (a cursor far from page 1).
LATER_PAGE_CASES = [("5 x Next (sort name)", {"sort": "name"}),
                    ("5 x Next (sort -signed_in)", {"sort": "-signed_in"}),
                    ("5 x Next (search 'berg')", {"q": "berg"})]

PG_SEED = """
INSERT INTO users (org_id, first_name, last_name, email, account_type, invite_status,
                   password_is_generated, signed_in_at, active, created_at, updated_at, search_text)
SELECT org_id, first_name, last_name, email,
       (ARRAY['user','user','user','guest','team_manager'])[n % 5 + 1],
       CASE WHEN n % 3 = 0 THEN 'invited' ELSE 'created' END, true,
       CASE WHEN n % 4 = 0 THEN timestamp '2025-01-01' + n * interval '1 minute' END, true,
       timestamp '2025-01-01' + n * interval '1 second', timestamp '2025-01-01',
       lower(unaccent(first_name || ' ' || last_name || ' ' || email))
FROM (
  SELECT n, (:first_org + n % :orgs) AS org_id,
         (CAST(:first AS text[]))[n % cardinality(CAST(:first AS text[])) + 1] AS first_name,
         (CAST(:last AS text[]))[(n / 7) % cardinality(CAST(:last AS text[])) + 1] AS last_name,
         'user' || n || '@example.com' AS email
  FROM generate_series(1, :users) AS n
) AS people
"""


def seed_postgres(org_ids: list[int]) -> None:
    """One INSERT ... SELECT generate_series; search_text via unaccent (seed only: same folding)."""
    from webapp.extensions import db

    db.session.execute(text("CREATE EXTENSION IF NOT EXISTS unaccent"))
    db.session.execute(text(PG_SEED), {"first_org": org_ids[0], "orgs": len(org_ids),
                                       "first": FIRST, "last": LAST, "users": PG_USERS})
    fail_some_mail(org_ids)
    db.session.commit()
    connection = db.session.connection().connection.dbapi_connection
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE users")
        cursor.execute("VACUUM ANALYZE outbox_messages")
    connection.autocommit = False


def seed_sqlite(org_id: int) -> None:
    """executemany in batches of 10,000; the model's default fills search_text."""
    from webapp.extensions import db
    from webapp.models import User

    start = datetime(2025, 1, 1)
    for offset in range(0, SQLITE_USERS, 10_000):
        db.session.execute(insert(User), [{
            "org_id": org_id, "first_name": FIRST[n % len(FIRST)],
            "last_name": LAST[(n // 7) % len(LAST)], "email": f"user{n}@example.com",
            "account_type": ("user", "user", "user", "guest", "team_manager")[n % 5],
            "invite_status": "invited" if n % 3 == 0 else "created",
            "signed_in_at": start + timedelta(minutes=n) if n % 4 == 0 else None,
            "created_at": start + timedelta(seconds=n), "updated_at": start,
        } for n in range(offset, min(offset + 10_000, SQLITE_USERS))])
    fail_some_mail([org_id])
    db.session.commit()
    db.session.execute(text("ANALYZE"))


def fail_some_mail(org_ids: list[int]) -> None:
    """A welcome to every 500th person; one in three of them failed (set-based)."""
    from webapp.extensions import db

    db.session.execute(text("""
        INSERT INTO outbox_messages (org_id, kind, to_address, to_user_id, subject, text_body,
            html_body, message_id, carries_password, redacted, status, attempts, last_error,
            created_at)
        SELECT org_id, 'welcome', email, id, 'Welcome', 'Hi', '', '<' || id || '@bench>', false,
               false, CASE WHEN id % 3 = 0 THEN 'failed' ELSE 'sent' END, 1, '', created_at
        FROM users WHERE id % 500 = 0"""))


SQL_MS = [0.0]


def watch_sql(engine) -> None:
    """Add up the time spent in the database, to tell it apart from rendering."""
    from sqlalchemy import event

    @event.listens_for(engine, "before_cursor_execute")
    def started(conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def finished(conn, cursor, statement, parameters, context, executemany):
        SQL_MS[0] += (time.perf_counter() - conn.info.pop("bench_started")) * 1000


def time_get(client, url: str, headers: dict) -> tuple[float, float, float]:
    """(request ms, of which SQL ms, app CPU ms). CPU time leaves out waiting for a busy CPU."""
    SQL_MS[0] = 0.0
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, headers=headers)
    elapsed = (time.perf_counter() - began) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed, SQL_MS[0], (time.process_time() - cpu) * 1000


def later_page_url(client, args: dict) -> str:
    url = "/users/?" + "&".join(f"{k}={v}" for k, v in args.items())
    for _ in range(5):
        page = client.get(url).get_data(as_text=True)
        found = re.search(r'href="([^"]+)"[^>]*rel="next"', page)
        if not found:
            break  # a short list: its last page
        url = html.unescape(found.group(1))
    return url


def run_cases(client, label: str) -> int:
    from urllib.parse import urlencode

    over = 0
    print(f"{label}\n{'case':<40} {'full page ms':>13} {'htmx ms':>9} {'of which SQL':>13}"
          f" {'app CPU ms':>11}"
          f"  (median of {RUNS}; budget {BUDGET_MS} ms)")
    cases = [(name, "/users/?" + urlencode(args)) for name, args in CASES]
    cases += [(name, later_page_url(client, args)) for name, args in LATER_PAGE_CASES]
    for name, url in cases:
        time_get(client, url, {})  # warm the cache once, as a second visitor would find it
        full = statistics.median(time_get(client, url, {})[0] for _ in range(RUNS))
        samples = [time_get(client, url, {"HX-Request": "true"}) for _ in range(RUNS)]
        fragment = statistics.median(sample[0] for sample in samples)
        sql = statistics.median(sample[1] for sample in samples)
        cpu = statistics.median(sample[2] for sample in samples)
        flag = "  OVER" if max(full, fragment) > BUDGET_MS else ""
        over += bool(flag)
        print(f"{name:<40} {full:>13.1f} {fragment:>9.1f} {sql:>13.1f} {cpu:>11.1f}{flag}",
              flush=True)
    return over


def make_app(url: str):
    from flask_migrate import upgrade

    from webapp import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "JOBS_IN_PROCESS": False, "BASE_URL": "http://bench"})
    with app.app_context():
        upgrade()
    return app


def run(url: str, kind: str, orgs: int) -> int:
    from webapp.auth.services import create_organisation
    from webapp.extensions import db

    password = "a-long-bench-password-42"
    app = make_app(url)
    with app.app_context():
        org_ids = []
        for n in range(orgs):
            created, _ = create_organisation(name=f"Bench {n}", slug=f"bench-{n}",
                                             admin_email=f"admin{n}@example.com",
                                             admin_first_name="Ada", admin_last_name="Admin",
                                             admin_password=password)
            org_ids.append(created.org.id)
        began = time.perf_counter()
        if kind == "postgresql":
            seed_postgres(org_ids)
            users = PG_USERS
        else:
            seed_sqlite(org_ids[0])
            users = SQLITE_USERS
        seeded = time.perf_counter() - began
        watch_sql(db.engine)
        client = app.test_client()
        client.post("/login", data={"email": "admin0@example.com", "password": password})
        per_org = users // orgs
        label = (f"\n{kind}: {users:,} users in {orgs} organisation{'s' if orgs > 1 else ''} "
                 f"({per_org:,} in the one shown), seeded in {seeded:.0f} s")
        over = run_cases(client, label)
        db.session.remove()
        db.engine.dispose()
    return over


def main() -> int:
    over = 0
    for kind, url in bench_databases("bench_users"):
        over += run(url, kind, orgs=1)
        break  # (SQLite first; PostgreSQL below, in one organisation and in 100)
    from scratch_db import postgres_url, scratch_postgres

    server = postgres_url()
    if server is None:
        print("PostgreSQL figures skipped: no server answers.")
    for orgs in (1, 100) if server else ():
        with scratch_postgres(server, "bench_users") as url:
            over += run(url, "postgresql", orgs)
    print(f"\n{over} case(s) over the {BUDGET_MS} ms budget (wall clock; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
