"""Uploading a file stages its rows: counts, statuses, settings, size limits and clean failures."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import ImportBatch, StagedRow
from webapp.imports.staged import staged_sentences

DATA = Path(__file__).parent / "data"


def upload(client, name, data=None, **extra):
    content = data if data is not None else (DATA / name).read_bytes()
    from io import BytesIO

    return client.post("/users/import/", data={"file": (BytesIO(content), name), **extra},
                       content_type="multipart/form-data")


def batch_rows(batch_id):
    return {row.line: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch_id))}


def latest_batch():
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def test_template_is_a_bom_csv_with_only_the_header(signed_in):
    response = signed_in.get("/users/import/template.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.data == b"\xef\xbb\xbfFirst Name,Last Name,Email Address\r\n"


def test_import_page_explains_how_to_fill_the_template(signed_in):
    page = signed_in.get("/users/import/").get_data(as_text=True)
    assert "Download Template" in page
    assert "one person on each line" in page
    assert "Upload and Continue" in page


def test_upload_stages_every_row_with_its_status(signed_in):
    response = upload(signed_in, "import_mixed.csv")
    assert response.status_code == 302
    batch = latest_batch()
    rows = batch_rows(batch.id)
    assert batch.rows_read == 9
    assert {line: row.status for line, row in rows.items()} == {
        2: "valid", 3: "valid", 4: "duplicate", 5: "invalid", 6: "valid", 7: "invalid",
        8: "invalid", 9: "existing", 10: "invalid",
    }
    assert rows[4].duplicate_of == 2
    assert rows[6].email == "alan@example.com"
    assert staged_sentences(rows[7]) == ["Same email as line 6, with different details."]
    assert "Wizard" in staged_sentences(rows[10])[0]
    assert rows[2].account_type == "admin" and rows[3].account_type == "user"
    assert not any(row.send_invite for row in rows.values())
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "9</span> <span class=\"l\">rows read" in page
    assert "Same email as line 6" in page


@pytest.mark.parametrize("name,expected_error", [
    ("no_email.csv", "No email column found"),
    ("empty.csv", "empty"),
    ("corrupt.xlsx", ""),
    ("people.xls", ".xls"),
])
def test_a_file_that_cannot_be_read_stores_nothing_and_stays_on_the_upload_page(signed_in, name,
                                                                                 expected_error):
    response = upload(signed_in, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The file was not imported." in page
    assert expected_error in page
    assert "Upload and Continue" in page
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(StagedRow)) == 0


def test_a_file_over_the_size_limit_is_refused_with_the_limit(app, signed_in):
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(signed_in, "import_mixed.csv", data=b"Email\r\n" + b"a@example.com\r\n" * 20)
    assert response.status_code == 422
    assert "larger than the 0.0 MB limit" in response.get_data(as_text=True) or \
        "larger than the" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_past_the_request_limit_the_upload_page_says_the_file_is_too_large(app, signed_in):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(signed_in, "big.csv", data=b"Email\r\n" + b"someone@example.com\r\n" * 200)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than the" in page and "Upload and Continue" in page


def test_changing_the_mapping_restages_the_rows(signed_in):
    upload(signed_in, "import_mixed.csv")
    batch = latest_batch()
    # Swap first and last name columns and drop the account type column.
    response = signed_in.post(f"/users/import/{batch.id}/settings", data={
        "encoding": batch.encoding, "delimiter": batch.delimiter,
        "first_name": "1", "last_name": "0", "email": "2", "account_type": "",
    })
    assert response.status_code == 302
    rows = batch_rows(batch.id)
    assert (rows[2].first_name, rows[2].last_name) == ("Lovelace", "Ada")
    assert rows[10].status == "valid"  # "Wizard" is no longer read
    assert len(rows) == 9


def test_choosing_no_email_column_keeps_the_rows_and_says_why(signed_in):
    upload(signed_in, "import_mixed.csv")
    batch = latest_batch()
    response = signed_in.post(f"/users/import/{batch.id}/settings", data={
        "encoding": batch.encoding, "delimiter": batch.delimiter,
        "first_name": "0", "last_name": "1", "email": "", "account_type": "3",
    })
    assert response.status_code == 422
    assert "email addresses" in response.get_data(as_text=True)
    assert len(batch_rows(batch.id)) == 9


def test_changing_the_encoding_reads_the_file_again(signed_in):
    upload(signed_in, "cp1252_semicolon.csv")
    batch = latest_batch()
    assert batch.encoding == "cp1252" and batch.delimiter == ";"
    names_before = {row.first_name for row in batch_rows(batch.id).values()}
    signed_in.post(f"/users/import/{batch.id}/settings", data={
        "encoding": "cp1252", "delimiter": ",", "first_name": "0", "last_name": "1", "email": "2",
        "account_type": ""})
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.delimiter == ","
    assert {row.first_name for row in batch_rows(batch.id).values()} != names_before


def test_large_files_are_staged_by_a_background_job(app, signed_in):
    app.config["IMPORT_BACKGROUND_ROWS"] = 3
    response = upload(signed_in, "import_mixed.csv")
    batch = latest_batch()
    assert batch.job_id is not None
    assert batch.status == "staged"  # jobs run inline in tests
    assert len(batch_rows(batch.id)) == 9
    progress = signed_in.get(f"/users/import/{batch.id}/progress", headers={"HX-Request": "true"})
    assert progress.status_code == 286
    assert progress.headers["HX-Redirect"] == f"/users/import/{batch.id}"
    assert response.status_code == 302


def test_another_organisations_batch_is_not_found(signed_in, other_org):
    from webapp.imports import staging

    batch = staging.stage_upload(other_org.id, None, "import_mixed.csv",
                                 (DATA / "import_mixed.csv").read_bytes(), max_bytes=10**6, ttl_days=7)
    for url in (f"/users/import/{batch.id}", f"/users/import/{batch.id}/problems.csv",
                f"/users/import/{batch.id}/create"):
        assert signed_in.get(url).status_code == 404
    assert signed_in.post(f"/users/import/{batch.id}/create").status_code == 404


def test_old_batches_expire_when_the_import_page_is_visited(signed_in):
    from datetime import timedelta

    from webapp.clock import utcnow

    upload(signed_in, "import_mixed.csv")
    upload(signed_in, "import_formula.csv")
    old, fresh = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id)).all()
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    old_id, fresh_id = old.id, fresh.id
    assert signed_in.get("/users/import/").status_code == 200
    db.session.expire_all()
    assert db.session.get(ImportBatch, old_id) is None and db.session.get(ImportBatch, fresh_id)
    assert not db.session.scalar(select(func.count()).select_from(StagedRow).where(StagedRow.batch_id == old_id))


def test_a_workbook_is_staged_with_sheet_row_numbers(signed_in):
    response = upload(signed_in, "people.xlsx")
    assert response.status_code == 302
    batch = latest_batch()
    assert batch.delimiter is None
    rows = batch_rows(batch.id)
    assert rows and min(rows) >= 2  # sheet rows, header on row 1 or below
