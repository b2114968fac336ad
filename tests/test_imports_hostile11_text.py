"""Text files found by the eleventh fuzzing pass: rows padded with tens of thousands of empty cells and rows of
long cells at the top are read (each took minutes), built here as they would be uploaded."""
from __future__ import annotations

import io

import pytest

from sqlalchemy import func, select

from webapp.extensions import db
from webapp.imports.reading import UnreadableFile, read_table
from webapp.models import ImportBatch, StagedRow

HEADER = "First Name,Last Name,Email\r\n"


def test_people_rows_padded_with_fifty_thousand_empty_cells_are_read_as_their_filled_cells(signed_in):
    # A sheet formatted to its last column exports each row with its 50,000 empty cells: 15 MB for 300 people.
    # Every step after parsing measured those cells one by one, minutes for the file.
    people = [f"Person,Number {n},person{n}@example.com" for n in range(300)]
    data = (HEADER + "".join(row + "," * 50_000 + "\r\n" for row in people)).encode()
    table = read_table(data, "people.csv")
    assert table.headers == ["First Name", "Last Name", "Email"]
    assert [cells for _line, cells in table.rows] == [row.split(",") for row in people]
    response = signed_in.post("/users/import/", data={"file": (io.BytesIO(data), "people.csv")},
                              content_type="multipart/form-data", follow_redirects=True)
    assert response.status_code == 200 and "person0@example.com" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(StagedRow)) == 300


def test_a_row_past_the_columns_limit_is_still_refused_naming_its_fields():
    data = (HEADER + "Ann,Ames,ann@example.com" + "," * 50_000 + ",stray\r\n").encode()
    with pytest.raises(UnreadableFile, match="^Line 2 has 50,004 fields, more than the 200 columns this importer "):
        read_table(data, "people.csv")


def test_rows_of_long_notes_under_the_header_are_read_whole():
    # Each cell of the first rows was weighed as a possible header, letter by letter: 30 ms for a cell of 9,000
    # letters, half a minute for these 20 rows.
    header = "First Name,Last Name,Email," + ",".join(f"Note {n}" for n in range(40)) + "\r\n"
    note = "é" * 9_000
    rows = [f"Ann,Ames,ann{n}@example.com," + ",".join([note] * 40) + "\r\n" for n in range(20)]
    table = read_table((header + "".join(rows)).encode(), "notes.csv")
    assert len(table.rows) == 20
    assert table.rows[-1][1][:3] == ["Ann", "Ames", "ann19@example.com"] and table.rows[-1][1][3] == note


def test_a_preamble_of_long_cells_is_refused_in_a_sentence_of_readable_length(signed_in):
    # Thirty rows of long notes above a header with no address under it: the first is taken for the header, and the
    # sentence refusing the file listed its 150 cells whole (150 KB of one sentence on the page; 1.5 MB for cells of
    # 10,000 letters).
    data = ((("z" * 999 + ",") * 150 + "\r\n") * 30 + HEADER + "Ann,Ames,ann at example.com\r\n").encode()
    response = signed_in.post("/users/import/", data={"file": (io.BytesIO(data), "people.csv")},
                              content_type="multipart/form-data")
    page = response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')
    assert response.status_code == 422 and len(page) < 20_000
    assert 'No email column found. The file\'s headers are: "' + "z" * 59 + '\u2026", "' in page
    assert '\u2026" and 120 more. Add a column named "Email Address".' in page


def test_choosing_utf_16_for_a_file_without_its_byte_order_mark_says_which_to_choose(signed_in):
    # Python's UTF-16 reader wants the mark and raised an error of its own: a 500 on "Read again".
    signed_in.post("/users/import/", data={"file": (io.BytesIO((HEADER + "Ann,Ames,ann@example.com\r\n").encode()),
                                                    "people.csv")}, content_type="multipart/form-data")
    batch = db.session.scalar(select(ImportBatch))
    response = signed_in.post(f"/users/import/{batch.id}/settings", data={
        "encoding": "utf-16", "delimiter": ",", "first_name": "0", "last_name": "1", "email": "2", "account_type": ""})
    page = response.get_data(as_text=True).replace("&#34;", '"').replace("&#39;", "'")
    assert response.status_code == 422
    assert ("The file does not start with the byte order mark UTF-16 (Excel \u201cUnicode Text\u201d) files start "
            "with, so it was not read as UTF-16. If it is UTF-16 without one, choose UTF-16LE or UTF-16BE; "
            "otherwise choose another encoding.") in page
    assert db.session.scalar(select(func.count()).select_from(StagedRow)) == 1  # the rows read before stay
