"""The "Swap first and last names" bulk action: offered, CSRF-checked, scoped to the chosen rows and the org, undoable."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.auth.services import create_organisation
from webapp.extensions import db
from webapp.imports import staging
from webapp.imports.table_undo import latest_undo
from webapp.models import StagedRow

DATA = Path(__file__).parents[2] / "data"
HX = {"HX-Request": "true"}


@pytest.fixture
def app_config(app_config):
    return {**app_config, "EXTENSIONS": ["tests.extensions.swap_names.swap_names"]}


def _stage(org_id, admin_id):
    return staging.stage_upload(org_id, admin_id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


@pytest.fixture
def batch(org, admin):
    return _stage(org.id, admin.id)


def names(batch_id):
    db.session.expire_all()
    return {row.line: (row.first_name, row.last_name)
            for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch_id))}



def test_the_action_is_offered_on_the_staged_table(signed_in, batch):
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert '<option value="swap_names">Swap first and last names</option>' in page


def test_swapping_the_selected_rows_changes_only_them_and_can_be_undone(signed_in, batch):
    before = names(batch.id)
    response = signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX, data={
        "action": "swap_names", "account_type": "user", "scope": "selected",
        "row": [r.id for r in db.session.scalars(select(StagedRow).where(
            StagedRow.batch_id == batch.id, StagedRow.line.in_((2, 3))))]})
    assert "First and last names swapped in 2 rows." in response.get_data(as_text=True)
    after = names(batch.id)
    assert after[2] == before[2][::-1] and after[3] == before[3][::-1]
    assert {line: value for line, value in after.items() if line not in (2, 3)} == \
        {line: value for line, value in before.items() if line not in (2, 3)}

    record = latest_undo(batch)
    assert record.message == "First and last names swapped in 2 rows."
    signed_in.post(f"/users/import/{batch.id}/undo/{record.id}", headers=HX)
    assert names(batch.id) == before


def test_without_the_csrf_token_nothing_changes(signed_in, batch):
    before = names(batch.id)
    row_id = db.session.scalar(select(StagedRow.id).where(StagedRow.batch_id == batch.id, StagedRow.line == 2))
    response = signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX, with_csrf=False,
                              data={"action": "swap_names", "account_type": "user", "scope": "selected", "row": [row_id]})
    assert response.status_code == 400
    assert names(batch.id) == before


def test_rows_of_another_organisation_are_never_touched(signed_in, batch):
    created, _ = create_organisation(name="Other Org", slug="other", admin_email="boss@other.example",
                                   admin_first_name="Bo", admin_last_name="Boss", admin_password="x" * 20)
    theirs = _stage(created.org.id, None)
    their_before = names(theirs.id)
    their_rows = list(db.session.scalars(select(StagedRow.id).where(StagedRow.batch_id == theirs.id)))

    # Their rows' ids posted to our batch, and our admin on their batch: neither swaps their names.
    signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX,
                   data={"action": "swap_names", "account_type": "user", "scope": "selected", "row": their_rows})
    assert signed_in.post(f"/users/import/{theirs.id}/bulk", headers=HX, data={
        "action": "swap_names", "account_type": "user", "scope": "all_matching"}).status_code == 404
    assert names(theirs.id) == their_before
