"""Error cells (#REF!, #N/A, #DIV/0!...) in .ods and .xls workbooks are problems on their rows, as in .xlsx.

The files are LibreOffice's own (tests/data/make_files.py, make_error_workbooks): it worked the failing formulas out
and saved each format; calamine alone reads those cells as blanks, or as 0.
"""
from __future__ import annotations

import struct

import pytest

from webapp.imports.reading import read_table
from webapp.imports.staged import staged_sentences
from tests.test_imports_leftovers import DATA, ERROR_ADVICE
from tests.test_imports_more_exports import stage_rows
from tests.workbook_parts import with_part

STAGED = [(2, "Ann", "Lee", "ann@example.com", True, "valid"),  # #REF! in a column File Import does not read
          (3, "Ben", "", "ben@example.com", False, "invalid"),
          (4, "Cat", "Ho", "", False, "invalid"),
          (5, "", "Li", "dan@example.com", False, "invalid")]
SENTENCES = [
    ["Last name holds the spreadsheet error \u201c#N/A\u201d, " + ERROR_ADVICE + "last name."],
    ["Email address holds the spreadsheet error \u201c#VALUE!\u201d, " + ERROR_ADVICE + "email address."],
    ["First name holds the spreadsheet error \u201c#DIV/0!\u201d, " + ERROR_ADVICE + "first name.",
     "Send Invite & Password holds the spreadsheet error \u201c#NAME?\u201d, " + ERROR_ADVICE
     + "Send Invite & Password."]]


@pytest.mark.parametrize("name", ["error_cells.ods", "error_cells.xls"])
def test_error_cells_in_ods_and_xls_are_problems_on_their_rows_as_in_xlsx(signed_in, name):
    rows = stage_rows(signed_in, name)
    assert [(row.line, row.first_name, row.last_name, row.email, row.send_invite, row.status)
            for row in rows] == STAGED
    assert [staged_sentences(row) for row in rows[1:]] == SENTENCES


@pytest.mark.parametrize("name", ["error_cells.ods", "error_cells.xls"])
def test_only_the_error_cells_of_the_chosen_sheet_are_marked_and_a_text_result_starting_with_hash_stays(name):
    table = read_table((DATA / name).read_bytes(), name)
    # The "Read me" sheet's #DIV/0! sits at B2, where the Staff sheet holds "Lee"; Ben's cost centre is ="#"&"4100".
    assert (table.sheet, table.rows[0][1][1], table.rows[1][1][4]) == ("Staff", "Lee", "#4100")
    assert [cells[4] for _line, cells in table.rows] == ["#REF!", "#4100", "4100", "4200"]


def _ods_with_number_results() -> bytes:
    """error_cells.ods with its error cells written as a number 0 showing the error's text, without LibreOffice's
    calcext:value-type="error" mark (as writers without LibreOffice's extension write them): calamine reads 0."""
    return with_part(DATA / "error_cells.ods", "content.xml", lambda data: data.replace(
        b'office:value-type="string" office:string-value="" calcext:value-type="error"',
        b'office:value-type="float" office:value="0"'))


def test_an_ods_error_saved_as_the_number_0_is_still_the_error():
    table = read_table(_ods_with_number_results(), "staff.ods")
    assert table.rows[1][1][:2] == ["Ben", "#N/A"] and table.rows[3][1][:4] == ["#DIV/0!", "Li", "dan@example.com",
                                                                                  "#NAME?"]


def test_libreoffice_s_own_error_numbers_are_reported_as_excel_s_value_error():
    # An invalid argument instead of the misspelt function.
    data = with_part(DATA / "error_cells.ods", "content.xml",
                     lambda data: data.replace(b"<text:p>#NAME?</text:p>", b"<text:p>Err:502</text:p>"))
    assert read_table(data, "staff.ods").rows[3][1][3] == "#VALUE!"


def _xls_with_a_typed_error() -> bytes:
    """error_cells.xls with Ben's failed lookup replaced by the error itself, typed or pasted as a value: Excel keeps
    that as a BOOLERR record (error code 0x2A, #N/A) instead of a formula. The record keeps its length (a filler
    record after it), so the compound file around it stays as LibreOffice wrote it."""
    data = bytearray((DATA / "error_cells.xls").read_bytes())
    at = data.index(b"\x06\x00\x2e\x00\x02\x00\x01\x00")  # FORMULA, 46 bytes, row 2 (line 3), column 1
    typed = struct.pack("<HHHHHBB", 0x0205, 8, 2, 1, 0x0F, 0x2A, 1)
    filler = struct.pack("<HH", 0x00EF, 46 - 8 - 4) + bytes(46 - 8 - 4)
    data[at:at + 50] = typed + filler
    return bytes(data)


def test_an_error_typed_into_an_xls_cell_is_the_error():
    table = read_table(_xls_with_a_typed_error(), "staff.xls")
    assert table.rows[1][1][:3] == ["Ben", "#N/A", "ben@example.com"]
