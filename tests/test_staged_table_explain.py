"""Every statement a staged-table request runs on PostgreSQL can use an index (no Seq Scan on the staged rows or
their search table): pages, filters, searches, an inline edit, row choices and each bulk change.

A few thousand rows are staged and ANALYZEd; each request's real statements are captured as they run and
EXPLAINed with the same parameters. With so few rows the planner may rightly prefer reading the table, so
enable_seqscan is switched off: this proves an index *can* serve each statement (bench/bench_staged_table.py shows
the figures at 100,000 rows).
"""
from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from tests.scale import app_for, fresh_database
from webapp.extensions import db

ROWS = 3000
PASSWORD = "a-long-password-42"
HX = {"HX-Request": "true"}
TABLES = ("staged_rows", "staged_search")


def csv_file() -> bytes:
    """ROWS people: every 50th address broken, every 100th on a misspelt domain, every 300th a duplicate."""
    lines = ["First Name,Last Name,Email Address"]
    for n in range(ROWS):
        email = f"person{n}@example.com" if n % 50 else f"person{n} at example"
        if n % 100 == 1:
            email = f"person{n}@gmial.com"
        if n % 300 == 7:
            email = "person8@example.com"
        lines.append(f"First{n},Last{n},{email}")
    return ("\r\n".join(lines) + "\r\n").encode()


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """(app, signed-in client, batch id, row ids in file order) on a fresh PostgreSQL database."""
    with fresh_database("postgresql", tmp_path_factory.mktemp("staged_explain")) as url:
        application = app_for(url, WTF_CSRF_ENABLED=False)
        with application.app_context():
            from webapp.auth.services import create_organisation
            from webapp.imports import staging
            from webapp.models import StagedRow

            created, _ = create_organisation(name="Acme", slug="acme", admin_email="a@acme.example",
                                             admin_first_name="A", admin_last_name="Admin", admin_password=PASSWORD)
            data = csv_file()
            batch_id = staging.stage_upload(created.org.id, created.admin.id, "people.csv", data,
                                            max_bytes=len(data), ttl_days=1).id
            db.session.commit()
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            ids = db.session.scalars(select(StagedRow.id).where(StagedRow.batch_id == batch_id)
                                     .order_by(StagedRow.line)).all()
            client = application.test_client()
            client.post("/login", data={"email": "a@acme.example", "password": PASSWORD})
            yield application, client, batch_id, ids
            db.session.remove()
            db.engine.dispose()


def requests(base: str, ids: list[int]) -> dict:
    """Each request of the staged table the bench times, as (method, url, form data)."""
    last, middle = -(-ROWS // 50), ids[len(ids) // 2]
    selected = [str(i) for i in ids[100:150]]

    def bulk(action, **data):
        return ("post", f"{base}/bulk", {"action": action, "account_type": "guest", "scope": "all_matching",
                                          "filter": "all", "q": "", **data})

    return {
        "first page": ("get", base, None),
        "middle page": ("get", f"{base}?page={last // 2}", None),
        "last page": ("get", f"{base}?page={last}", None),
        **{f"filter {name}": ("get", f"{base}?filter={name}", None)
           for name in ("problems", "ready", "duplicates", "removed")},
        "filter ready, middle page": ("get", f"{base}?filter=ready&page={last // 2}", None),
        "search a few rows": ("get", f"{base}?q=Last2042", None),
        "search many rows, page 3": ("get", f"{base}?q=Last1&page=3", None),
        "inline edit": ("post", f"{base}/rows/{middle}", {"first_name": "Edited", "last_name": "Row",
                                                          "email": "edited@example.com", "account_type": "user"}),
        "row account type": ("post", f"{base}/rows/{middle}/choice", {"field": "account_type",
                                                                        "account_type": "guest"}),
        "bulk set type, all rows": bulk("set_type"),
        "bulk set type, search": bulk("set_type", q="Last1", account_type="team_manager"),
        "bulk Send Invite, selection": bulk("invite_on", scope="selected", row=selected),
        "bulk remove, search": bulk("remove", q="Last2"),
        "bulk restore, search": bulk("restore", q="Last2", filter="removed"),
        "find and replace, all rows": ("post", f"{base}/replace", {"column": "last_name", "find": "Last1",
                                                                   "replacement": "Lest1", "scope": "all_matching",
                                                                   "filter": "all", "q": ""}),
        "apply all suggested fixes": ("post", f"{base}/suggestions", {"filter": "all"}),
    }


def captured(app, client, method: str, url: str, data) -> list[tuple[str, dict]]:
    """The statements touching the staged tables that one request runs, with their parameters."""
    seen: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not executemany and any(name in statement for name in TABLES) \
                and not statement.lstrip().upper().startswith(("SELECT SET_CONFIG", "RESET")):
            seen.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = getattr(client, method)(url, data=data, headers=HX)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200 and b"banner-error" not in response.data, response.data[:2000]
    return seen


def seq_scans(app, statement: str, parameters) -> list[str]:
    """The lines of the statement's plan (seq scans switched off) that still read a staged table whole."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                cursor.execute("SET enable_seqscan = off")
                cursor.execute("EXPLAIN " + statement, parameters)
                plan = [row[0] for row in cursor.fetchall()]
            raw.rollback()
        finally:
            raw.close()
    return [line for line in plan if any(f"Seq Scan on {name}" in line for name in TABLES)]


@pytest.mark.parametrize("case", list(requests("", list(range(ROWS)))))
def test_each_staged_table_statement_can_use_an_index(staged, case):
    app, client, batch_id, ids = staged
    method, url, data = requests(f"/users/import/{batch_id}", ids)[case]
    statements = captured(app, client, method, url, data)
    assert statements, "the request should read the staged rows"
    for statement, parameters in statements:
        assert seq_scans(app, statement, parameters) == [], statement


def test_the_check_sees_a_statement_no_index_serves(staged):
    """The check above can fail: a search of first names alone, which no index serves, reads the rows whole."""
    app = staged[0]
    assert seq_scans(app, "SELECT id FROM staged_rows WHERE first_name = %(name)s", {"name": "First1"})
