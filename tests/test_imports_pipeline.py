"""The import pipeline end to end in the app: matching step, remembered mappings, bounds, edits within limits,
background failures, and a field registered from outside that flows through every stage."""
from __future__ import annotations

import csv
import io
import json
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.imports.fields import ImportField, register_field
from webapp.models import ImportBatch, ImportMapping, StagedRow
from webapp.imports.staged import staged_problems, staged_sentences

DATA = Path(__file__).parent / "data"


def upload(client, name, data=None):
    content = data if data is not None else (DATA / name).read_bytes()
    return client.post("/users/import/", data={"file": (BytesIO(content), name)}, content_type="multipart/form-data")


def latest_batch():
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def rows_of(batch_id):
    db.session.expire_all()
    return {row.line: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch_id))}


def test_an_uncertain_file_opens_the_matching_step_with_samples(signed_in):
    response = upload(signed_in, "map_headerless.csv")
    batch = latest_batch()
    assert response.headers["Location"] == f"/users/import/{batch.id}/match"
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Match the columns of map_headerless.csv" in page
    assert "jane@example.com" in page and "john@example.com" in page and "mia@example.com" in page
    assert "Column 3" in page and "no column holds names" in page
    assert "Not imported" in page and "Preferred Name" in page  # every registry field is offered


def test_continue_stages_the_rows_with_the_chosen_fields(signed_in):
    upload(signed_in, "map_headerless.csv")
    batch = latest_batch()
    choices = {"column_0": "first_name", "column_1": "last_name", "column_2": "email"}
    preview = signed_in.post(f"/users/import/{batch.id}/match", data={**choices, "preview": "1"})
    assert preview.status_code == 200
    assert "<td>Jane</td>" in preview.get_data(as_text=True)
    response = signed_in.post(f"/users/import/{batch.id}/match", data={**choices, "continue": "1"})
    assert response.headers["Location"] == f"/users/import/{batch.id}"
    rows = rows_of(batch.id)
    assert [(r.first_name, r.last_name, r.email, r.status) for r in rows.values()] == [
        ("Jane", "Doe", "jane@example.com", "valid"), ("John", "Roe", "john@example.com", "valid"),
        ("Mia", "Wong", "mia@example.com", "valid")]
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "How we read the file" in page and "no header row" in page and "Change how the file is read" in page


def test_one_field_for_two_columns_is_refused(signed_in):
    upload(signed_in, "map_headerless.csv")
    batch = latest_batch()
    response = signed_in.post(f"/users/import/{batch.id}/match",
                              data={"column_0": "email", "column_2": "email", "continue": "1"})
    assert response.status_code == 422
    assert "is chosen for two columns" in response.get_data(as_text=True)


def test_the_confirmed_mapping_is_offered_next_time(signed_in, org):
    upload(signed_in, "map_login_content.csv")
    first = latest_batch()
    assert first.read_info["doubts"]
    signed_in.post(f"/users/import/{first.id}/match",
                   data={"column_0": "email", "column_1": "full_name", "column_2": "", "continue": "1"})
    assert db.session.scalar(select(func.count()).select_from(ImportMapping)
                             .where(ImportMapping.org_id == org.id)) == 1
    again = upload(signed_in, "map_login_content.csv")
    second = latest_batch()
    assert again.headers["Location"] == f"/users/import/{second.id}"  # no matching step this time
    assert second.read_info["remembered"] is True
    assert "as your organisation confirmed before" in signed_in.get(again.headers["Location"]).get_data(as_text=True)


def test_a_certain_file_skips_the_matching_step(signed_in):
    response = upload(signed_in, "import_mixed.csv")
    assert response.headers["Location"] == f"/users/import/{latest_batch().id}"


def test_over_long_values_become_row_problems_not_database_errors(signed_in):
    response = upload(signed_in, "map_bounds.csv")
    assert response.status_code == 302
    rows = rows_of(latest_batch().id)
    assert rows[2].status == "invalid" and staged_sentences(rows[2]) == ["First name is longer than 100 characters."]
    assert staged_problems(rows[2]) == [{"field": "first_name", "code": "too_long", "params": {"max": 100}}]
    assert any(row.status == "invalid" and len(row.email) <= 320 and row.first_name == "Ann" for row in rows.values())


def test_an_inline_edit_past_a_limit_is_refused_and_the_row_stays_as_it_was(signed_in):
    upload(signed_in, "import_mixed.csv")
    batch = latest_batch()
    row = rows_of(batch.id)[2]
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row.id}", headers={"HX-Request": "true"},
                              data={"first_name": "A" * 101, "last_name": "Lovelace", "email": "ada@example.com",
                                    "account_type": "admin"})
    html = response.get_data(as_text=True)
    assert "First name is longer than 100 characters." in html and 'class="editing"' in html
    assert rows_of(batch.id)[2].first_name == "Ada"


def test_a_send_invite_column_ticks_the_rows(signed_in):
    upload(signed_in, "map_send_invite.csv")
    rows = rows_of(latest_batch().id)
    assert {line: row.send_invite for line, row in rows.items()} == {
        2: True, 3: False, 4: True, 5: False, 6: True, 7: False, 8: False, 9: True}


def _exploding(raw, key, problems, **_):
    raise RuntimeError("cleaner broke")


def test_a_background_failure_marks_the_batch_failed_and_stops_the_progress_bar(app, signed_in):
    app.config["IMPORT_BACKGROUND_ROWS"] = 1
    register_field(ImportField("badge", "Badge", synonyms=(("Badge",),), clean=_exploding), app=app)
    response = upload(signed_in, "badges.csv", b"Email,First Name,Badge\r\na@example.com,A,1\r\nb@example.com,B,2\r\n")
    batch = latest_batch()
    assert response.status_code == 302
    assert batch.status == "failed" and "unexpected error (RuntimeError)" in batch.last_error
    progress = signed_in.get(f"/users/import/{batch.id}/progress", headers={"HX-Request": "true"})
    assert progress.status_code == 286
    assert "stopped:" in progress.get_data(as_text=True)
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "unexpected error" in page and "Upload another file" in page
    app.config["IMPORT_BACKGROUND_ROWS"] = 1000
    assert upload(signed_in, "import_mixed.csv").status_code == 302  # the admin can upload again
    # The same failure in the request itself is a clear message on the upload page, and stores nothing.
    before = db.session.scalar(select(func.count()).select_from(ImportBatch))
    again = upload(signed_in, "badges.csv", b"Email,First Name,Badge\r\na@example.com,A,1\r\n")
    assert again.status_code == 422 and "The file was not imported." in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == before


EMPLOYEE_FILE = (b"Employee ID,First Name,Last Name,Email\r\nE-7,Ann,Lee,ann@example.com\r\n"
                 b"E-8,Ben,Ng,not-an-email\r\n")


@pytest.fixture
def employee_id(app):
    """An extra field registered from outside the import code, as a later feature would."""
    register_field(ImportField("employee_id", "Employee ID", synonyms=(("Employee ID", "Staff number"),),
                               max_length=20), app=app)


def test_a_registered_field_is_mapped_staged_shown_and_edited(signed_in, employee_id):
    upload(signed_in, "staff.csv", EMPLOYEE_FILE)
    batch = latest_batch()
    assert batch.column_map["employee_id"] == 0
    rows = rows_of(batch.id)
    assert rows[2].extra == {"employee_id": "E-7"} and rows[3].extra == {"employee_id": "E-8"}
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert ">Employee ID</th>" in page and 'title="E-7"><span class="clamp">E-7</span></td>' in page
    saved = signed_in.post(f"/users/import/{batch.id}/rows/{rows[3].id}", headers={"HX-Request": "true"},
                           data={"first_name": "Ben", "last_name": "Ng", "email": "ben@example.com",
                                 "employee_id": "E-80", "account_type": "user"})
    assert 'title="E-80"><span class="clamp">E-80</span></td>' in saved.get_data(as_text=True)
    assert rows_of(batch.id)[3].extra == {"employee_id": "E-80"} and rows_of(batch.id)[3].status == "valid"
    refused = signed_in.post(f"/users/import/{batch.id}/rows/{rows[3].id}", headers={"HX-Request": "true"},
                             data={"first_name": "Ben", "last_name": "Ng", "email": "ben@example.com",
                                   "employee_id": "E" * 21, "account_type": "user"})
    assert "Employee ID is longer than 20 characters." in refused.get_data(as_text=True)


def test_a_registered_field_is_in_the_problems_csv(signed_in, employee_id):
    upload(signed_in, "staff.csv", EMPLOYEE_FILE)
    batch = latest_batch()
    text = signed_in.get(f"/users/import/{batch.id}/problems.csv").data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Line", "First Name", "Last Name", "Email Address", "Account Type", "Employee ID", "Reason"]
    assert table[1][:6] == ["3", "Ben", "Ng", "not-an-email", "User", "E-8"]


def test_a_registered_field_is_in_the_cli_json(runner, org, employee_id, tmp_path):
    path = tmp_path / "staff.csv"
    path.write_bytes(EMPLOYEE_FILE)
    result = runner.invoke(args=["users", "import", str(path), "--org", "acme", "--json", "--dry-run"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["columns"]["employee_id"] == "Employee ID"
    assert [row["employee_id"] for row in report["rows"]] == ["E-7", "E-8"]


def test_a_guessed_encoding_asks_the_admin_to_check_the_names(signed_in):
    upload(signed_in, "cp1252_semicolon.csv")
    batch = latest_batch()
    assert batch.read_info["encoding_guessed"] is True
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "We had to guess the file's encoding (Windows-1252). Check that names with accents or in other " \
           "scripts" in page
    assert "Delimiter: semicolon" in page


def test_how_we_read_the_file_lists_the_sheet_header_line_and_skipped_lines(signed_in, org, admin):
    """With a reader that reports sheets and skipped lines, the page states each of them."""
    from types import SimpleNamespace

    from webapp.imports import columns, reading, staging

    table = reading.RawTable(
        headers=["Email", "First Name"], head=[(4, ["ann@example.com", "Ann"])], encoding="xlsx",
        delimiter=None, encoding_detected="xlsx", delimiter_detected=None, sheet="Staff",
        sheet_names=["Notes", "Staff"], header_line=3, headerless=False, encoding_guessed=False,
        skipped=[SimpleNamespace(line=1, text="Staff list 2026", reason="a title, not a person"),
                 SimpleNamespace(line=6, text="Total: 1", reason="a footer line")])
    batch = staging.new_batch(org.id, admin.id, "staff.xlsx", b"PK", 7)
    staging.stage_rows(batch, table, columns.map_columns(table.headers, table.head))
    db.session.commit()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "sheet “Staff” (of 2 sheets)" in page and "Header row: line 3." in page
    assert "Staff list 2026" in page and "a title, not a person" in page and "Total: 1" in page
    assert "Email Address from “Email”" in page


def test_choosing_no_email_column_keeps_the_columns_on_screen(signed_in):
    upload(signed_in, "map_headerless.csv")
    batch = latest_batch()
    response = signed_in.post(f"/users/import/{batch.id}/match",
                              data={"column_0": "first_name", "column_1": "last_name", "column_2": "",
                                    "continue": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose the column that holds the email addresses" in html
    assert "jane@example.com" in html
    assert len(rows_of(batch.id)) == 3  # the staged rows are kept


def test_another_encoding_on_the_matching_step_reads_the_file_again_keeping_the_choices(signed_in):
    upload(signed_in, "map_login_content.csv")
    batch = latest_batch()
    response = signed_in.post(f"/users/import/{batch.id}/match", data={
        "encoding": "cp1252", "delimiter": ",", "column_0": "email", "column_1": "full_name", "column_2": "",
        "preview": "1"})
    assert response.headers["Location"] == f"/users/import/{batch.id}/match"
    assert latest_batch().encoding == "cp1252"
    assert rows_of(batch.id)[2].first_name == "Ada"


def test_a_delimiter_that_loses_the_email_column_keeps_the_rows_and_says_why(signed_in):
    upload(signed_in, "map_login_content.csv")
    batch = latest_batch()
    response = signed_in.post(f"/users/import/{batch.id}/match",
                              data={"encoding": "utf-8", "delimiter": ";", "column_0": "email", "preview": "1"})
    assert response.status_code == 422 and "No email column found" in response.get_data(as_text=True)
    assert latest_batch().delimiter == "," and len(rows_of(batch.id)) == 3


def test_an_uncertain_file_staged_in_the_background_ends_on_the_matching_step(app, signed_in):
    app.config["IMPORT_BACKGROUND_ROWS"] = 1
    upload(signed_in, "map_headerless.csv")
    batch = latest_batch()
    assert batch.status == "staged" and batch.job_id is not None
    progress = signed_in.get(f"/users/import/{batch.id}/progress", headers={"HX-Request": "true"})
    assert progress.status_code == 286 and progress.headers["HX-Redirect"] == f"/users/import/{batch.id}/match"


@pytest.mark.parametrize("lines, heading", [
    (1, "The first row, as it will be staged"),
    (2, "The first 2 rows, as they will be staged"),
])
def test_the_preview_heading_counts_its_rows_in_plain_words(signed_in, lines, heading):
    people = b"".join(b"Jane%d,Doe,jane%d@example.com\n" % (n, n) for n in range(lines))
    response = upload(signed_in, "one_person.csv", people)
    assert response.headers["Location"].endswith("/match")
    assert heading in signed_in.get(response.headers["Location"]).get_data(as_text=True)
