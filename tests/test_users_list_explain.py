"""Every query the Users list runs uses an index on PostgreSQL (no Seq Scan on users).

A few thousand users are seeded and ANALYZEd; each page's real statements are captured as
they run and EXPLAINed with the same parameters. With so few rows the planner may rightly
prefer a sequential scan, so enable_seqscan is switched off: this proves an index *can*
serve each query (bench/bench_users_list.py shows the planner choosing it at a million).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, insert, text

from tests.scale import app_for, fresh_database
from webapp.extensions import db
from webapp.mail.outbox import queue_rows
from webapp.models import User
from webapp.users.queries import UserFilters, page_of_users

USERS = 4000

CASES = {
    "first page": {},
    "search one word": {"q": "berg"},
    "search 'Doe, Jane' order": {"q": "Berg, P00"},
    "search accents": {"q": "Müller"},
    "type": {"type": "guest"},
    "status": {"status": "invited"},
    "signed in": {"signed_in": "yes"},
    "not signed in": {"signed_in": "no"},
    "last email failed": {"email": "failed"},
    "page 3 by number": {"page": 3},
    **{f"sort {sort}": {"sort": sort} for sort in
       ("name", "-name", "email", "-email", "type", "-type", "status", "-status",
        "signed_in", "-signed_in", "created", "-created")},
}


def seed(org_id: int, other_org_id: int) -> None:
    start = datetime(2026, 1, 1)
    rows = [{"org_id": org_id if n % 2 else other_org_id, "first_name": f"P{n:05d}",
             "last_name": ("Berg", "Müller", "Adams", "Cole", "Novak")[n % 5],
             "email": f"p{n:05d}@example.com", "account_type": ("user", "guest", "user")[n % 3],
             "invite_status": ("created", "invited")[n % 7 == 0],
             "signed_in_at": start + timedelta(minutes=n) if n % 3 == 0 else None,
             "created_at": start + timedelta(seconds=n)} for n in range(USERS)]
    db.session.execute(insert(User), rows)
    db.session.flush()
    ids = [row[0] for row in db.session.execute(text("SELECT id FROM users WHERE org_id = :org "
                                                    "ORDER BY id LIMIT 40"), {"org": org_id})]
    queue_rows([{"org_id": org_id, "kind": "welcome", "to_address": f"x{n}@example.com",
                 "to_user_id": user_id, "subject": "Hi", "text_body": "Hi",
                 "status": "failed" if n % 2 else "sent"} for n, user_id in enumerate(ids)])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def captured_statements(app, org_id: int, filters: UserFilters) -> list[tuple[str, dict]]:
    """The SELECTs that read users while one page of the list is built."""
    seen: list[tuple[str, dict]] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and "users" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        result = page_of_users(org_id, filters)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen, result


def seq_scans_on_users(statement: str, parameters) -> list[str]:
    raw = db.session.connection().connection.dbapi_connection
    with raw.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement, parameters)
        plan = [row[0] for row in cursor.fetchall()]
        cursor.execute("RESET enable_seqscan")
    return [line for line in plan if "Seq Scan on users" in line]


@pytest.fixture(scope="module")
def pg_app(tmp_path_factory):
    with fresh_database("postgresql", tmp_path_factory.mktemp("explain")) as url:
        application = app_for(url)
        with application.app_context():
            from webapp.auth.services import create_organisation

            acme, _ = create_organisation(name="Acme", slug="acme", admin_email="a@acme.example",
                                          admin_first_name="A", admin_last_name="Admin",
                                          admin_password="a-long-password-42")
            other, _ = create_organisation(name="Other", slug="other", admin_email="o@o.example",
                                           admin_first_name="O", admin_last_name="Admin",
                                           admin_password="a-long-password-42")
            seed(acme.org.id, other.org.id)
            yield application, acme.org.id
            db.session.remove()
            db.engine.dispose()


@pytest.mark.parametrize("case", list(CASES))
def test_each_users_list_query_can_use_an_index(pg_app, case):
    app, org_id = pg_app
    filters = UserFilters.from_args(CASES[case])
    statements, result = captured_statements(app, org_id, filters)
    assert result.users, "the case should show someone"
    # The page after, and the page before it, through their cursors.
    later, _ = captured_statements(app, org_id, UserFilters.from_args(
        {**CASES[case], "page": result.page + 1, "after": result.last_cursor}))
    earlier, _ = captured_statements(app, org_id, UserFilters.from_args(
        {**CASES[case], "page": 2, "before": result.first_cursor}))
    assert statements and later
    for statement, parameters in statements + later + earlier:
        assert seq_scans_on_users(statement, parameters) == [], statement
