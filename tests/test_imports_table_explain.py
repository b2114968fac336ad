"""A search of the staged table reads the trigram index on PostgreSQL, not every row of the batch."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from webapp.extensions import db
from webapp.imports import staging, table

ROWS = 30_000


@pytest.mark.parametrize("query", ["last4242", "LOVELACE", "person7@example"])
def test_search_of_staged_rows_uses_the_trigram_index(app, org, admin, query):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the trigram index is PostgreSQL's (SQLite reads the batch's rows)")
    csv = "First Name,Last Name,Email Address\r\nAda,Lovelace,ada@example.com\r\n"
    batch = staging.stage_upload(org.id, admin.id, "one.csv", csv.encode(), max_bytes=10**6, ttl_days=7)
    # Enough rows that reading the whole batch would cost more than the index (set-based, as a big file stages).
    db.session.execute(text(
        "INSERT INTO staged_rows (batch_id, line, first_name, last_name, email, account_type, send_invite, status,"
        " errors, fields_ok, email_ok) SELECT :batch, n + 2, 'First' || n, 'Last' || n,"
        " 'person' || n || '@example.com', 'user', false, 'valid', '[]', true, true"
        " FROM generate_series(1, :rows) AS n"), {"batch": batch.id, "rows": ROWS})
    db.session.execute(text("ANALYZE staged_rows"))
    db.session.commit()
    compiled = select(table.StagedRow.id).where(*table.matching(batch.id, "all", query)).compile(db.engine)
    plan = "\n".join(db.session.connection().exec_driver_sql("EXPLAIN " + str(compiled), compiled.params).scalars())
    assert "ix_staged_rows_search" in plan
    expected = sum(query.lower() in f"first{n} last{n} person{n}@example.com" for n in range(1, ROWS + 1))
    assert table.page_of_rows(batch.id, "all", query, 1).total == expected + (query == "LOVELACE")
