"""A "Name" header over three columns (first | middle | last name) or over last | first under a second header row
saying so: merged in a workbook (.xlsx, .ods), over a second header row, or followed by empty headers in a CSV.
There is no middle-name field: the middle name is read with the first name ("Ann Marie"), and the page says so."""
from __future__ import annotations

import pytest

from webapp.imports.reading import read_table
from tests.test_imports_leftovers import DATA
from tests.test_imports_more_exports import stage, stage_rows
from tests.test_imports_name_headers import _columns_line

FIRST_WITH_MIDDLE = "First Name from \u201cName (first name) + (middle name)\u201d"
ONE_ROW = [(2, "Mary Jo Anne", "Lee", "maryjo@example.com", "valid"), (3, "Ben", "Ng", "ben@example.com", "valid"),
           (4, "Cat J.", "Ho", "cat@example.com", "valid")]
TWO_ROWS = [(3, "Ann Marie", "Lee", "ann@example.com", "valid"), (4, "Ben", "Ng", "ben@example.com", "valid")]
THREE_PARTS = "the second line of the header: the three parts of \u201cName\u201d, first name, middle name and last name"


@pytest.mark.parametrize("name, staged, columns", [
    # Mary Jo's two-word first name does not matter: the workbook says "Name" spans the three columns.
    ("merged_name_three.xlsx", ONE_ROW, [FIRST_WITH_MIDDLE, "Last Name from \u201cName (last name)\u201d"]),
    ("merged_name_three.ods", ONE_ROW, [FIRST_WITH_MIDDLE, "Last Name from \u201cName (last name)\u201d"]),
    ("name_then_two_blank_headers.csv", [(2, "Ann Marie", "Lee", "ann@example.com", "valid"),
                                         (3, "Ben", "Ng", "ben@example.com", "valid"),
                                         (4, "Cat J.", "Ho", "cat@example.com", "valid")],
     [FIRST_WITH_MIDDLE, "Last Name from \u201cName (last name)\u201d"]),
    ("name_three_two_rows.xlsx", TWO_ROWS, ["First Name from \u201cName (First) + (Middle)\u201d",
                                            "Last Name from \u201cName (Last)\u201d"]),
    ("name_three_two_rows.csv", TWO_ROWS, ["First Name from \u201cName (First Name) + (Middle Name)\u201d",
                                           "Last Name from \u201cName (Last Name)\u201d"]),
])
def test_a_name_header_over_first_middle_and_last_name_reads_the_middle_name_with_the_first(signed_in, name, staged,
                                                                                          columns):
    rows = stage_rows(signed_in, name)
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows] == staged
    line = _columns_line(signed_in, rows[0].batch_id)
    assert all(column in line for column in columns), line


@pytest.mark.parametrize("name", ["name_three_two_rows.xlsx", "name_three_two_rows.csv"])
def test_the_second_header_row_naming_three_parts_is_skipped_saying_why(signed_in, name):
    table = read_table((DATA / name).read_bytes(), name)
    assert [(item.line, item.reason) for item in table.skipped] == [(2, THREE_PARTS)]
    page = signed_in.get(f"/users/import/{stage_rows(signed_in, name)[0].batch_id}").get_data(as_text=True)
    assert THREE_PARTS in page


def test_a_name_header_over_surname_then_given_name_reads_each_as_the_second_row_says(signed_in):
    table = read_table((DATA / "name_surname_first_two_rows.xlsx").read_bytes(), "people.xlsx")
    assert [item.reason for item in table.skipped] == [
        "the second line of the header: the two parts of \u201cName\u201d, last name and first name"]
    assert stage(signed_in, "name_surname_first_two_rows.xlsx") == [
        (3, "Ann", "Lee", "ann@example.com", "valid"), (4, "Ben", "Ng", "ben@example.com", "valid")]
    line = _columns_line(signed_in, stage_rows(signed_in, "name_surname_first_two_rows.xlsx")[0].batch_id)
    assert "First Name from \u201cName (Given name)\u201d" in line and "Last Name from \u201cName (Surname)\u201d" in line


@pytest.mark.parametrize("middle", ["#N/A", "\u2060=B2"])
def test_a_spreadsheet_error_in_the_middle_name_is_reported_on_the_first_name(middle):
    text = f"Name,,,Email\nFirst,Middle,Last,\nAnn,{middle},Lee,ann@example.com\nBen,,Ng,ben@example.com\n"
    assert read_table(text.encode(), "people.csv").rows[0][1][0] == middle


@pytest.mark.parametrize("text, headers", [
    # A department and a cost code under the empty headers: the names stay whole.
    ("Name,,,Email\nAnn Lee,Sales,4100,ann@example.com\nBen Ng,Sales,4200,ben@example.com\n",
     ["Name", "", "", "Email"]),
    # Full names, then something that is not a middle name (an address) and a surname copy.
    ("Name,,,Email\nAnn Lee,ann@home.example,Lee,ann@example.com\nBen Ng,ben@home.example,Ng,ben@example.com\n",
     ["Name", "", "", "Email"]),
    # First and last name with an empty third column: the two-column reading, as before.
    ("Name,,,Email\nAnn,Lee,,ann@example.com\nBen,Ng,,ben@example.com\nCat,Ho,,cat@example.com\n",
     ["Name (first name)", "Name (last name)", "", "Email"]),
])
def test_a_name_header_before_empty_ones_over_other_things_is_not_read_as_three_parts(text, headers):
    assert read_table(text.encode(), "people.csv").headers == headers
