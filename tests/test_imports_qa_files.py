"""Files from systems nobody on the team had seen, and hostile ones: each read as a person would expect."""
from __future__ import annotations

import csv
import io
import json
import unicodedata
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports.cleaning import split_full_name
from webapp.imports.columns import classify_header
from webapp.imports.reading import read_table
from webapp.imports.staged import staged_sentences
from webapp.models import ImportBatch, StagedRow, User

DATA = Path(__file__).parent / "data"


def read(name: str, **choices):
    return read_table((DATA / name).read_bytes(), name, **choices)


def stage(client, name: str, data: bytes | None = None) -> dict[int, StagedRow]:
    """Upload a file through the File Import page and return its staged rows by line."""
    content = data if data is not None else (DATA / name).read_bytes()
    response = client.post("/users/import/", data={"file": (BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    db.session.expire_all()
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    return {row.line: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}


@pytest.mark.parametrize(
    "name, encoding, names",
    [
        # Word's curly quotes and dashes are Windows-1252 punctuation, not Mac Roman letters ("Se·n", "OíBrien").
        ("cp1252_smart_quotes.csv", "cp1252", [("Seán", "O’Brien"), ("“Bob”", "Smith–Jones")]),
        # One cp1252 byte pasted into a UTF-8 export: the other names stay right, the bad one is marked.
        ("utf8_one_bad_byte.csv", "utf-8",
         [("José", "Müller"), ("Renée", "Øster"), ("Zo\ufffd", "Smith"), ("Åsa", "Ström")]),
    ],
)
def test_encoding_is_the_one_that_keeps_the_names(name, encoding, names):
    table = read(name)
    assert table.encoding == encoding
    assert [tuple(cells[:2]) for _, cells in table.rows] == names


def test_a_bad_byte_in_a_utf8_file_is_flagged_on_its_row_only(signed_in):
    rows = stage(signed_in, "utf8_one_bad_byte.csv")
    assert {line: row.status for line, row in rows.items()} == {2: "valid", 3: "valid", 4: "invalid", 5: "valid"}
    assert "looks garbled" in " ".join(staged_sentences(rows[4]))


def test_choosing_utf8_for_a_legacy_file_is_still_refused():
    with pytest.raises(ValueError, match="not valid UTF-8 text"):
        read("cp1252_smart_quotes.csv", encoding="utf-8")


def test_a_million_empty_lines_under_the_people_are_passed_over():
    data = b"First Name,Last Name,Email\r\nAnn,Lee,ann@example.com\r\n" + b",,\r\n" * 1_000_000
    table = read_table(data, "people.csv")
    assert table.row_count == 1
    assert table.rows == [(2, ["Ann", "Lee", "ann@example.com"])]


def test_a_file_of_nothing_but_empty_lines_is_stopped():
    data = b"First Name,Last Name,Email\r\nAnn,Lee,ann@example.com\r\n" + b"\n" * 1_048_577
    with pytest.raises(ValueError, match="more than 1,048,576 empty lines"):
        read_table(data, "people.csv")


@pytest.mark.parametrize(
    "data, message",
    [
        # Millions of tiny cells on one line would be held as a list in memory before any column check.
        (b"a," * 2_000_000, r"^Line 1 is over 2 MB long, longer than a row of 200 full cells"),
        (b"First Name,Last Name,Email\n" + b"Ann,Lee,ann@example.com\n" * 5000 + b";" * 3_000_000 + b"\n",
         r"^Line 5,002 is over 2 MB long"),
        # A cell past csv's own limit is a long cell, not a "field limit" error from deep inside csv.
        (b"First Name,Last Name,Email\nAnn,Lee," + b"x" * 200_000 + b"\n",
         r"^A cell in the row starting on line 2 holds more than 131,072 characters, more than the 10,000"),
        (b'First Name,Last Name,Email\nAnn,Lee,"' + b"x\n" * 100_000 + b'"\n',
         r"^A cell in the row starting on line 2 holds more than 131,072 characters"),
    ],
)
def test_endless_lines_and_cells_are_refused_saying_where(data, message):
    with pytest.raises(ValueError, match=message):
        read_table(data, "people.csv")


def test_an_address_list_quoted_cell_by_cell_keeps_every_address():
    table = read("quoted_address_list.csv")
    assert [item.text for item in table.skipped] == ['"Attendee"']
    assert table.rows == [(2, ["Ann Lee", "ann@example.com"]), (3, ["Ng, Ben", "ben@example.com"]),
                          (4, ["Cat Ho", "cat@example.com"]), (4, ["Dan Li", "dan@example.com"])]


@pytest.mark.parametrize(
    "header, field",
    [
        ("Legal Name - First Name", "first_name"),
        ("Legal Name - Last Name", "last_name"),
        ("Preferred Name - First Name", "preferred_name"),
        ("Preferred Name: Last Name", "last_name"),
        ("Worker - First Name", "first_name"),
        ("Manager - First Name", None),  # someone else's name
    ],
)
def test_hr_report_headers_qualifying_a_name_part(header, field):
    found = classify_header(header)
    assert (found[0] if found else None) == field


def test_a_workday_report_stages_legal_and_preferred_names(signed_in):
    rows = stage(signed_in, "workday_report.csv")
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows.values()] == [
        (5, "Jon", "Smith", "jon.smith@example.com", "valid"),
        (6, "María José", "García López", "mj.garcia@example.com", "valid")]


def _declaring(name: str, dimension: bytes) -> bytes:
    """The workbook with its sheets' <dimension> set as Excel writes it for cells formatted far down."""
    with zipfile.ZipFile(DATA / name) as source:
        parts = {member.filename: source.read(member) for member in source.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:KM2"', b'ref="' + dimension + b'"', 1)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for part, data in parts.items():
            target.writestr(part, data)
    return buffer.getvalue()


@pytest.mark.parametrize("dimension", [b"A1:KM2", b"A1:KM1048576", b"A1:XFD40"])
def test_cells_only_formatted_far_away_do_not_stop_a_workbook(dimension):
    table = read_table(_declaring("styled_far_columns.xlsx", dimension), "people.xlsx")
    assert table.headers == ["First Name", "Last Name", "Email"]
    assert table.rows == [(2, ["Ann", "Lee", "ann@example.com"])]


def test_a_visible_sheet_is_chosen_over_a_hidden_one_with_more_people():
    table = read("hidden_old_sheet.xlsx")
    assert (table.sheet, table.sheet_names) == ("2024", ["2023", "2024"])
    assert table.rows == [(2, ["Ann", "Lee", "ann@example.com"])]


def test_a_zoom_attendee_report_imports_the_attendees_not_the_meeting_host(signed_in):
    table = read("zoom_attendee_report.csv")
    assert table.header_line == 4
    assert [(item.line, item.reason) for item in table.skipped] == [
        (1, "part of a summary above the table of people"), (2, "part of a summary above the table of people")]
    rows = stage(signed_in, "zoom_attendee_report.csv")
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows.values()] == [
        (5, "Ann", "Lee", "ann@example.com", "valid"), (6, "Ben", "Ng", "ben@example.com", "valid"),
        (7, "Cat", "Ho", "cat@example.org", "valid")]


def test_a_one_person_table_above_a_table_without_addresses_stays_the_table():
    text = ("Name,Email\r\nAnn Ames,ann@example.com\r\n\r\nDepartment,Manager,Head count\r\n"
            "Sales,Ann Ames,1\r\nSupport,Bo Lee,1\r\n")
    table = read_table(text.encode(), "people.csv")
    assert table.header_line == 1
    assert table.rows == [(2, ["Ann Ames", "ann@example.com"])]


@pytest.mark.parametrize(
    "full_name, first, last",
    [
        ("Ben Ng (Ben)", "Ben", "Ng"),
        ("Ann Lee (External)", "Ann", "Lee"),
        ("Ng, Ben [Guest]", "Ben", "Ng"),
        ("(Ben)", "(Ben)", ""),  # nothing but the note: kept, so the admin sees it
        ("Li (Lee) Wang", "Li (Lee)", "Wang"),
    ],
)
def test_a_bracketed_note_after_a_full_name_is_not_its_last_name(full_name, first, last):
    assert split_full_name(full_name) == (first, last)


FORMULA_NAMES = ["=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1+1", "\uff1d1+1"]


def test_names_that_start_a_formula_stay_inert_in_every_csv_the_import_writes(signed_in):
    from webapp.models import OutboxAttachment

    lines = ["First Name,Last Name,Email"]
    lines += [f'"{name}",Ok{n},p{n}@example.com' for n, name in enumerate(FORMULA_NAMES)]
    lines += [f'"{name}",Bad{n},not-an-address-{n}' for n, name in enumerate(FORMULA_NAMES)]
    rows = stage(signed_in, "formulas.csv", "\r\n".join(lines).encode())
    batch_id = next(iter(rows.values())).batch_id
    problems = signed_in.get(f"/users/import/{batch_id}/problems.csv").get_data().decode("utf-8-sig")
    created = signed_in.post(f"/users/import/{batch_id}/create")
    assert created.status_code in (200, 302)
    summary = db.session.scalars(select(OutboxAttachment)).one().content.decode("utf-8-sig")
    for written in (problems, summary):
        cells = [cell for row in csv.reader(io.StringIO(written)) for cell in row]
        names = [cell for cell in cells if cell.lstrip("'\t ").startswith(("=", "+", "-", "@", "\uff1d"))]
        assert len(names) >= len(FORMULA_NAMES), written
        assert all(name.startswith("'") for name in names), names


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a PNG image"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a JPEG image"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00", "a gzip-compressed file"),
        (b"{\\rtf1\\ansi First Name, Email\\par Ann, ann@example.com}", "an RTF document"),
        (b'[{"first_name": "Ann", "email": "ann@example.com"}]', "JSON data"),  # from an API
        (b'\xef\xbb\xbf  {\n  "people": [', "JSON data"),
        ("\ufeff[{\"email\": \"ann@example.com\"}]".encode("utf-16-le"), "JSON data"),
        (b"<!DOCTYPE html><html><body><table><tr><td>Ann</td></tr></table>", "a web page \\(HTML\\)"),
        (b'<?xml version="1.0"?><people><person email="ann@example.com"/></people>', "an XML file"),
    ],
)
def test_a_document_or_image_named_csv_is_called_what_it_is(head, kind):
    with pytest.raises(ValueError, match=f"^The file is {kind}, not a spreadsheet"):
        read_table(head + b"First Name,Email\nAnn,ann@example.com\n" * 20, "people.csv")


@pytest.mark.parametrize("header", [b"[First Name],[Email]", b"{Name},Email", b"<Name>,Email"])
def test_a_header_in_brackets_is_still_a_table(header):
    assert "Email" in read_table(header + b"\r\nAnn,ann@example.com\r\n", "people.csv").headers[1]


@pytest.mark.parametrize("path, reason", [
    (str(DATA), "a folder, not a file. Name the file to import."),
    ("/dev/null", "not a regular file (a device or a pipe)."),
    (str(DATA / "missing.csv"), "no such file."),
])
def test_the_import_command_says_what_the_path_is_when_it_is_no_file(app, org, admin, path, reason):
    result = app.test_cli_runner().invoke(args=["users", "import", path, "--org", org.slug, "--dry-run"])
    assert result.exit_code == 2
    assert result.stderr.strip() == f"{path}: {reason}"


def test_right_to_left_names_and_emoji_stay_and_bidirectional_overrides_go(signed_in):
    rows = stage(signed_in, "rtl_emoji_names.csv")
    assert [(row.first_name, row.last_name, row.email, row.status) for row in rows.values()] == [
        ("محمد", "العلي", "mohammed@example.com", "valid"), ("שרה", "כהן", "sara@example.com", "valid"),
        ("Ann 😀", "Lee", "ann@example.com", "valid"), ("evil", "Name", "evil@example.com", "valid"),
        ("Ben", "Ng", "ben@example.com", "valid")]


def test_a_table_below_a_title_and_many_empty_lines_is_still_found():
    data = b"Staff list\r\n" + b",,\r\n" * 12_000 + b"First Name,Last Name,Email\r\nAnn,Lee,ann@example.com\r\n"
    table = read_table(data, "people.csv")
    assert (table.header_line, table.headers) == (12_002, ["First Name", "Last Name", "Email"])
    assert table.rows == [(12_003, ["Ann", "Lee", "ann@example.com"])]


def test_a_file_with_a_very_long_name_can_be_read_again(signed_in):
    name = "Export of all active learners " * 10 + ".csv"  # 304 characters: longer than the batch keeps
    rows = stage(signed_in, name, (DATA / "workday_report.csv").read_bytes())
    batch = db.session.get(ImportBatch, next(iter(rows.values())).batch_id)
    assert len(batch.filename) == 255 and batch.filename.endswith(" of a.csv")
    choices = {"column_1": "first_name", "column_2": "last_name", "column_4": "email"}
    response = signed_in.post(f"/users/import/{batch.id}/match", data={**choices, "encoding": "cp1252", "continue": "1"})
    assert response.status_code == 302  # read again from the kept file, by the name it was kept under
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).encoding == "cp1252"


def test_decomposed_accents_from_a_mac_are_stored_composed_so_nothing_looks_changed(app, org, admin, make_user):
    make_user(first_name="José", last_name="Müller", email="jose@example.com")
    result = app.test_cli_runner().invoke(args=["users", "import", str(DATA / "nfd_names_macos.csv"), "--org",
                                                org.slug, "--mode", "add-update", "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 0, 1)
    names = db.session.execute(select(User.first_name, User.last_name).order_by(User.id)).all()
    assert [tuple(name) for name in names][-1] == ("Renée", "Ångström")
    assert all(unicodedata.is_normalized("NFC", part) for name in names for part in name)


def test_a_utf16_file_cut_short_is_not_sent_to_windows_1252():
    data = "First Name\tEmail\r\nAnn\tann@example.com\r\n".encode("utf-16") + b"\x00"
    with pytest.raises(ValueError, match=r"not valid UTF-16 .* text \(unexpected bytes at position 80\)\. It may be "
                                         "cut short or damaged: save it again"):
        read_table(data, "people.txt")


def test_the_import_command_on_a_database_never_upgraded_says_to_upgrade(app_config, tmp_path, monkeypatch):
    from webapp import create_app

    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    app_config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'never-upgraded.db'}"
    application = create_app(app_config)
    with application.app_context():
        result = application.test_cli_runner().invoke(
            args=["users", "import", str(DATA / "workday_report.csv"), "--org", "acme"])
        db.engine.dispose()
    assert result.exit_code == 2
    assert result.stderr == ("The database has no tables yet. Run `flask --app webapp db upgrade` first, with the "
                             "same SQLALCHEMY_DATABASE_URI.\n")


@pytest.mark.parametrize(
    "name, people",
    [
        # Google Forms: "What is your full name?" beside the form's own "Email Address". A name is kept as typed
        # ("bob stone"): only an email's letter case is safe to change.
        ("google_forms_responses.csv", [("Ann", "Lee", "ann.lee@example.com"), ("bob", "stone", "bob@example.com"),
                                        ("Chidi", "Anagonye", "chidi@example.com")]),
        # A survey's questions; the work address wins over the personal one.
        ("survey_questions.csv", [("Ann", "Lee", "ann@corp.example"), ("Raj", "Patel", "raj@corp.example")]),
    ],
)
def test_form_responses_are_read_by_their_questions(signed_in, name, people):
    rows = stage(signed_in, name)
    assert [(rows[line].first_name, rows[line].last_name, rows[line].email, rows[line].status)
            for line in sorted(rows)] == [(*person, "valid") for person in people]


@pytest.mark.parametrize("header", [
    "please " + "your " * 1900 + "name?",  # questions within questions: once crashed the upload (too deep)
    "What is your " + "x" * 9000 + "?",  # a long cell is no form's question
])
def test_a_hostile_question_header_is_only_an_unmatched_column(signed_in, header):
    data = f'"{header}",First Name,Email\nx,Ann,ann@example.com\n'.encode()
    rows = stage(signed_in, "questions.csv", data)
    assert [(row.first_name, row.email, row.status) for row in rows.values()] == [("Ann", "ann@example.com", "valid")]
