"""A "Name" header over two columns, first name then last name: merged in a workbook, over a second header row
naming the parts, or followed by an empty header in a CSV. Both names are read, and the page says from where."""
from __future__ import annotations

import pytest

from webapp.imports.reading import read_table
from tests.test_imports_more_exports import stage, stage_rows
from tests.test_imports_leftovers import DATA


def _columns_line(client, batch_id: int) -> str:
    page = client.get(f"/users/import/{batch_id}").get_data(as_text=True)
    start = page.index("<li>Columns:")
    return page[start:page.index("</li>", start)]


def test_a_name_header_merged_over_first_and_last_name_reads_both(signed_in):
    # Mary Jo's two-word first name does not matter: the workbook says the header cell spans both columns.
    assert stage(signed_in, "merged_name_header.xlsx") == [
        (2, "Ann", "Lee", "ann@example.com", "valid"), (3, "Mary Jo", "Smith", "maryjo@example.com", "valid"),
        (4, "Ben", "", "ben@example.com", "valid")]
    columns = _columns_line(signed_in, stage_rows(signed_in, "merged_name_header.xlsx")[0].batch_id)
    assert "First Name from \u201cName (first name)\u201d" in columns
    assert "Last Name from \u201cName (last name)\u201d" in columns


def test_a_merged_name_header_above_first_and_last_reads_both_and_skips_the_second_header_row(signed_in):
    table = read_table((DATA / "merged_name_two_rows.xlsx").read_bytes(), "merged_name_two_rows.xlsx")
    assert table.headers == ["Name (First)", "Name (Last)", "Email", "Department"]
    assert [(item.line, item.reason) for item in table.skipped] == [
        (2, "the second line of the header: the two parts of \u201cName\u201d, first name and last name")]
    rows = stage_rows(signed_in, "merged_name_two_rows.xlsx")
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows] == [
        (3, "Ann", "Lee", "ann@example.com", "valid"), (4, "Ben", "Ng", "ben@example.com", "valid")]
    page = signed_in.get(f"/users/import/{rows[0].batch_id}").get_data(as_text=True)
    assert "the second line of the header: the two parts of \u201cName\u201d" in page
    assert "Last Name from \u201cName (Last)\u201d" in _columns_line(signed_in, rows[0].batch_id)


def test_a_csv_with_name_then_an_empty_header_over_surnames_reads_both(signed_in):
    assert stage(signed_in, "name_then_blank_header.csv") == [
        (2, "Ann", "Lee", "ann@example.com", "valid"), (3, "Ben", "Ng", "ben@example.com", "valid"),
        (4, "Cat", "Ho", "cat@example.com", "valid")]


@pytest.mark.parametrize("text", [
    # Full names beside a department under an empty header: the names stay whole, the department unread.
    "Name,,Email\nAnn Lee,Sales,ann@example.com\nBen Ng,Sales,ben@example.com\nCat Ho,Support,cat@example.com\n",
    # Full names beside a spare copy of the surname.
    "Name,,Email\nAnn Lee,Lee,ann@example.com\nBen Ng,Ng,ben@example.com\n",
    # Codes, not names, under the empty header.
    "Name,,Email\nAnn,4100,ann@example.com\nBen,4200,ben@example.com\n",
])
def test_a_name_header_before_an_empty_one_over_other_things_stays_a_full_name(text):
    assert read_table(text.encode(), "people.csv").headers == ["Name", "", "Email"]


def _two_word_first_names(merged: bool) -> bytes:
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    for row in [["Name", None, "Email"], ["Mary Jo", "Smith", "maryjo@example.com"],
                ["Anne Marie", "Lee", "annemarie@example.com"]]:
        workbook.active.append(row)
    if merged:
        workbook.active.merge_cells("A1:B1")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("merged, headers", [
    (True, ["Name (first name)", "Name (last name)", "Email"]),
    # Without the merge, two-word names in the name column look like full names: they are not cut in two.
    (False, ["Name", "", "Email"]),
])
def test_the_workbook_s_merge_decides_when_the_names_alone_would_not(merged, headers):
    assert read_table(_two_word_first_names(merged), "people.xlsx").headers == headers
