"""The admin's sheet and header-row choices on the matching step, through the web, with real files."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ImportBatch, StagedRow

DATA = Path(__file__).parent / "data"


def upload(client, name: str, data: bytes) -> ImportBatch:
    response = client.post("/users/import/", data={"file": (BytesIO(data), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def staged_emails(batch_id: int) -> list[str]:
    return list(db.session.scalars(select(StagedRow.email).where(StagedRow.batch_id == batch_id)
                                   .order_by(StagedRow.line)))


def test_the_people_sheet_is_chosen_and_the_admin_can_pick_another(signed_in, org):
    batch = upload(signed_in, "several_sheets.xlsx", (DATA / "several_sheets.xlsx").read_bytes())
    assert batch.read_info["sheet"] == "People"
    assert "kofi@example.com" in staged_emails(batch.id)
    page = signed_in.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert "Leavers" in page and "Instructions" in page  # every sheet is offered

    response = signed_in.post(f"/users/import/{batch.id}/match", data={
        "sheet": "Leavers", "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "account_type", "continue": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.read_info["sheet"] == "Leavers"
    assert staged_emails(batch.id) == ["old@example.com"]


def test_the_admin_can_choose_another_header_row(signed_in, org):
    data = (b"Staff list\nGiven,Family,Mail\nFirst Name,Last Name,Email\n"
            b"Ann,Ames,ann@example.com\nBo,Best,bo@example.com\n")
    batch = upload(signed_in, "two_headers.csv", data)
    response = signed_in.post(f"/users/import/{batch.id}/match", data={
        "header_line": "3", "encoding": batch.encoding, "delimiter": ",",
        "column_0": "first_name", "column_1": "last_name", "column_2": "email", "continue": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.read_info["header_line"] == 3
    assert batch.headers == ["First Name", "Last Name", "Email"]
    assert staged_emails(batch.id) == ["ann@example.com", "bo@example.com"]
    skipped = [item["line"] for item in batch.read_info["skipped"]]
    assert 1 in skipped and 2 in skipped  # lines above the chosen header are listed as skipped
