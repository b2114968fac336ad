"""Rows hidden in a workbook, by hand or by a filter ("show only the starters"): staged like every other row, as
Excel's own CSV export keeps them, and named on the staged page so an admin who filtered does not create everyone
unawares."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from webapp.imports import workbook_extras
from webapp.imports.reading import read_table
from tests.test_imports_canvas import latest_batch
from tests.test_imports_more_exports import stage_rows

DATA = Path(__file__).parent / "data"
NOTE = ("3 rows were hidden in the spreadsheet, by hand or by a filter (lines 3, 4, 6). They are staged like every "
        "other row: remove them in the table if they should not be imported.")


@pytest.mark.parametrize("name", ["filtered_starters.xlsx", "filtered_starters.ods",
                                  "filtered_starters_libreoffice.xlsx", "filtered_starters.xls"])
def test_rows_a_filter_hid_are_staged_and_named_on_the_page(signed_in, name):
    assert read_table((DATA / name).read_bytes(), name).hidden_lines == [(3, 4), (6, 6)]
    rows = stage_rows(signed_in, name)
    assert [(row.line, row.first_name, row.status) for row in rows] == [
        (2, "Ann", "valid"), (3, "Ben", "valid"), (4, "Cat", "valid"), (5, "Dan", "valid"), (6, "Eve", "valid"),
        (7, "Fay", "valid")]
    batch = latest_batch()
    assert batch.read_info["hidden"] == {"count": 3, "lines": [3, 4, 6]}
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert NOTE in page
    confirm = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert ("The file hid 3 rows (lines 3, 4, 6), by hand or by a filter: they are created like the others unless "
            "you removed them.") in confirm


@pytest.mark.parametrize("name", ["people.xlsx", "staff.ods", "import_mixed.csv", "staff.xls", "error_cells.xls"])
def test_a_file_with_nothing_hidden_says_nothing_of_hidden_rows(signed_in, name):
    stage_rows(signed_in, name)
    batch = latest_batch()
    assert "hidden" not in batch.read_info
    assert "hidden in the spreadsheet" not in signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "The file hid" not in signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)


def _sheet(rows_xml: bytes) -> io.BytesIO:
    """A zip holding one sheet part with these rows."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b'<worksheet><cols><col min="2" max="2" hidden="1"/></cols>'
                         b"<sheetData>" + rows_xml + b"</sheetData></worksheet>")
    return out


@pytest.mark.parametrize("rows_xml, ranges", [
    (b'<row r="1"><c r="A1"/></row><row r="2" hidden="1"/><row r="3" hidden="true"/><row r="5" hidden="1"/>',
     [[2, 3], [5, 5]]),
    (b'<x:row r="4" spans="1:3" hidden="1" ht="0"/>', [[4, 4]]),  # a namespace prefix
    (b'<row r="2" hidden="0"/><row r="3" hidden="false"/>', []),  # shown rows say so too
    (b"", []),  # a hidden column is not a hidden row
])
def test_hidden_rows_are_read_from_the_sheet_xml(rows_xml, ranges):
    assert workbook_extras.xlsx_hidden_rows(_sheet(rows_xml), "xl/worksheets/sheet1.xml") == ranges


def test_a_sheet_hiding_a_million_rows_is_read_quickly_as_one_range():
    rows = b"".join(b'<row r="%d" hidden="1"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(2, 1_000_002))
    assert workbook_extras.xlsx_hidden_rows(_sheet(rows), "xl/worksheets/sheet1.xml") == [[2, 1_000_001]]
