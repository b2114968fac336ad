"""A staged row's status, worked out again for one row (an inline edit), looks its address up among the
organisation's accounts through their index on PostgreSQL, instead of hashing every address the organisation
has (~20 ms twice per edit with 100,000 people); and it still says who already has an account."""
from __future__ import annotations

import pytest
from sqlalchemy import insert, select, text, update

from webapp.extensions import db
from webapp.imports import staging
from webapp.imports.staging import status_expression
from webapp.models import RowStatus, StagedRow, User

PEOPLE = 5000


@pytest.fixture
def batch(app, org, admin):
    db.session.execute(insert(User), [
        {"org_id": org.id, "first_name": f"P{n}", "last_name": "Person", "email": f"p{n}@example.com",
         "account_type": "user", "invite_status": "created", "created_by_id": admin.id} for n in range(PEOPLE)])
    db.session.commit()
    data = b"First Name,Last Name,Email\r\nAda,New,ada@example.com\r\nBen,Old,p42@example.com\r\n"
    staged = staging.stage_upload(org.id, admin.id, "people.csv", data, max_bytes=10**6, ttl_days=1)
    db.session.commit()
    return staged


def test_one_rows_status_finds_an_existing_account_and_a_new_person(batch):
    rows = {row.email: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}
    for row in rows.values():
        db.session.execute(update(StagedRow).where(StagedRow.id == row.id)
                           .values(status=status_expression(batch.org_id)))
    db.session.commit()
    statuses = dict(db.session.execute(select(StagedRow.email, StagedRow.status)
                                       .where(StagedRow.batch_id == batch.id)).all())
    assert statuses == {"ada@example.com": RowStatus.VALID, "p42@example.com": RowStatus.EXISTING}


def test_one_rows_status_is_looked_up_by_index_not_by_hashing_the_organisation(batch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("Needs PostgreSQL (set FLASK_TEST_DATABASE_URL): the plan asserted is PostgreSQL's")
    db.session.execute(text("ANALYZE users"))
    row_id = db.session.scalar(select(StagedRow.id).where(StagedRow.batch_id == batch.id, StagedRow.line == 3))
    statement = (update(StagedRow).where(StagedRow.id == row_id).values(status=status_expression(batch.org_id))
                 .compile(db.engine, compile_kwargs={"literal_binds": True}))
    plan = "\n".join(db.session.scalars(text(f"EXPLAIN {statement}")))
    assert "uq_users_org_email" in plan and "hashed SubPlan" not in plan, plan
