"""Excel's other workbook flavours admins bring: macro-enabled workbooks (.xlsm), templates (.xltx) and binary
workbooks (.xlsb) are read like .xlsx; an Apple Numbers file is named and the admin told what to export it as."""
from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest

from tests.test_imports_hostile import _refused
from tests.test_imports_more_exports import stage_rows
from webapp.imports.reading import read_table

DATA = Path(__file__).parent / "data"
READ = ["people.xlsm", "people.xltx", "people.xlsb"]
NUMBERS = ("The file is an Apple Numbers spreadsheet, which File Import can't read. In Numbers, choose File > Export "
           "To > Excel (or CSV), and upload the exported file.")


@pytest.mark.parametrize("name", READ)
@pytest.mark.parametrize("named", ["as it is", "renamed .xlsx"])
def test_excel_s_other_workbooks_are_read_like_xlsx(name, named):
    table = read_table((DATA / name).read_bytes(), name if named == "as it is" else "people.xlsx")
    assert (table.headers, table.sheet_names) == (["First Name", "Last Name", "Email", "Employee No"], ["People"])
    assert table.rows == [(2, ["Ana", "Gómez", "ana@example.es", "1042"]), (3, ["太郎", "山田", "taro@example.jp", "1043"])]


@pytest.mark.parametrize("name", READ)
def test_excel_s_other_workbooks_are_staged_through_file_import(signed_in, name):
    rows = stage_rows(signed_in, name)
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows] == [
        (2, "Ana", "Gómez", "ana@example.es", "valid"), (3, "太郎", "山田", "taro@example.jp", "valid")]


@pytest.mark.parametrize("name, data, sentence", [
    ("people.numbers", "people.numbers", NUMBERS),
    ("people.xlsx", "people.numbers", NUMBERS),  # a Numbers file renamed
    ("people.xlsb", b"First Name,Email\r\nAna,\x00\x01\x02\r\n" * 40,
     "The file could not be opened as a workbook (.xlsb): it may be damaged, password-protected or not really a "
     "spreadsheet. Open it in your spreadsheet program, save it again as .xlsx or CSV, and upload that."),
    ("people.xlsm", "encrypted.xlsx", "The workbook (.xlsm) is protected with a password, so it can't be read."),
    ("people.xlsb", "garbage.xlsx", "The file could not be opened as a workbook (.xlsb)"),
])
def test_a_workbook_that_can_t_be_read_is_named_with_what_to_save_it_as(signed_in, name, data, sentence):
    content = data if isinstance(data, bytes) else (DATA / data).read_bytes()
    assert sentence in unescape(_refused(signed_in, content, name))


def test_the_upload_form_offers_the_other_workbooks_in_the_file_picker(signed_in):
    page = unescape(signed_in.get("/users/import/").get_data(as_text=True))
    assert 'accept=".csv,.tsv,.txt,.xlsx,.ods,.xls,.xml,.xlsm,.xltx,.xltm,.xlsb,.vcf"' in page
    assert "(Excel's .xlsm, .xlsb and XML spreadsheets, and .vcf contacts files, are read too)" in page
