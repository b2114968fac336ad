"""What admins really bring, tried last: merged header cells, spreadsheet errors, formulas without results,
Chinese and Korean code pages, Slack's bots and TRUE/FALSE cells; each staged as the admin expects."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.reading import read_table
from webapp.imports.staged import staged_sentences
from webapp.imports.staging import read_file
from tests.test_imports_more_exports import stage, stage_rows

DATA = Path(__file__).parent / "data"


def test_a_merged_header_cell_over_a_second_address_does_not_send_the_admin_to_column_matching(signed_in):
    table, column_map = read_file((DATA / "merged_header_cells.xlsx").read_bytes(), "merged_header_cells.xlsx")
    assert table.headers[2:4] == ["Contact email", ""]
    assert column_map.email == 2 and column_map.certain
    assert stage(signed_in, "merged_header_cells.xlsx") == [  # stage() fails when sent to column matching
        (2, "Ann", "Lee", "ann@example.com", "valid"), (3, "Ben", "Ng", "ben@example.com", "valid")]


def test_a_slack_export_skips_its_bots_saying_so_and_still_flags_a_person_without_an_address(signed_in):
    table = read_table((DATA / "slack_members_bots.csv").read_bytes(), "slack_members_bots.csv")
    assert [(item.line, item.reason) for item in table.skipped] == [
        (3, "a bot or app account (\u201cBot\u201d), not a person"),
        (4, "a bot or app account (\u201cBot\u201d), not a person"),
        (6, "a bot or app account (\u201cDeactivated Bot\u201d), not a person")]
    assert stage(signed_in, "slack_members_bots.csv") == [
        (2, "Ann", "Lee", "ann@example.com", "valid"), (5, "Ben", "Ng", "ben@example.com", "valid"),
        (7, "Cat", "Ho", "", "invalid")]


ERROR_ADVICE = "not a value: a formula in the file could not be worked out. Correct it in the spreadsheet and " \
               "upload the file again, or edit this row and type the "


@pytest.mark.parametrize("name", ["error_cells.xlsx", "error_cells.csv"])
def test_spreadsheet_errors_in_used_columns_are_problems_on_their_rows_not_blanks(signed_in, name):
    rows = stage_rows(signed_in, name)
    assert [(row.line, row.first_name, row.last_name, row.email, row.send_invite, row.status) for row in rows] == [
        (2, "Ann", "Lee", "ann@example.com", True, "valid"),  # #REF! in a column File Import does not read
        (3, "Ben", "", "ben@example.com", False, "invalid"),
        (4, "Cat", "Ho", "", False, "invalid"),
        (5, "", "Li", "dan@example.com", False, "invalid")]
    assert [staged_sentences(row) for row in rows[1:]] == [
        ["Last name holds the spreadsheet error \u201c#N/A\u201d, " + ERROR_ADVICE + "last name."],
        ["Email address holds the spreadsheet error \u201c#VALUE!\u201d, " + ERROR_ADVICE + "email address."],
        ["First name holds the spreadsheet error \u201c#DIV/0!\u201d, " + ERROR_ADVICE + "first name.",
         "Send Invite & Password holds the spreadsheet error \u201c#NAME?\u201d, " + ERROR_ADVICE
         + "Send Invite & Password."]]


def test_formulas_saved_without_their_results_are_problems_on_their_rows(signed_in):
    rows = stage_rows(signed_in, "formulas_without_results.xlsx")
    # Rows 4 and 5 hold only the formulas copied down below the people: no people.
    assert [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows] == [
        (2, "Ann", "Lee", "ann@example.com", "valid"), (3, "Ben", "Ng", "", "invalid")]
    assert staged_sentences(rows[1]) == [
        "Email address is a formula (\u201c=C3&\"@example.com\"\u201d) saved without its result, so the file holds "
        "no value for it. Open the file in your spreadsheet program and save it again (that works the formulas out), "
        "then upload it; or edit this row and type the email address."]


@pytest.mark.parametrize("name, encoding, staged", [
    ("chinese_excel_gbk.csv", "gb18030", [(2, "伟", "张", "zhang.wei@example.cn", "valid"),
                                          (3, "芳", "王", "wang.fang@example.cn", "valid"),
                                          (4, "娜", "李", "li.na@example.cn", "valid")]),
    ("chinese_excel_big5.csv", "big5", [(2, "大文", "陳", "chan@example.hk", "valid"),
                                        (3, "小明", "黃", "wong@example.hk", "valid")]),
    ("korean_excel_euckr.csv", "cp949", [(2, "민준", "김", "minjun@example.kr", "valid"),
                                         (3, "서연", "이", "seoyeon@example.kr", "valid")]),
])
def test_chinese_and_korean_excel_csv_files_are_read_in_their_code_page_without_choosing_it(signed_in, name, encoding,
                                                                                          staged):
    table = read_table((DATA / name).read_bytes(), name)
    assert (table.encoding, table.encoding_guessed) == (encoding, True)
    assert stage(signed_in, name) == staged


@pytest.mark.parametrize("name, encoding", [
    ("japanese_excel_sjis.csv", "cp932"), ("cp1252_semicolon.csv", "cp1252"), ("cp1250_polish.csv", "cp1250"),
    ("cp1251_cyrillic.csv", "cp1251"), ("mac_roman.csv", "mac-roman"), ("iso8859_15.csv", "iso-8859-15"),
    ("cp1252_smart_quotes.csv", "cp1252"), ("utf16_tab.txt", "utf-16"), ("utf8_one_bad_byte.csv", "utf-8"),
])
def test_the_guesses_made_before_chinese_and_korean_stay_as_they_were(name, encoding):
    assert read_table((DATA / name).read_bytes(), name).encoding == encoding


def test_tick_boxes_are_yes_or_no_and_a_yes_no_column_is_never_an_address(signed_in):
    table, column_map = read_file((DATA / "tick_boxes.xlsx").read_bytes(), "tick_boxes.xlsx")
    assert [cells[3:] for _, cells in table.rows] == [["TRUE", "Sales"], ["FALSE", "Support"], ["FALSE", "TRUE"]]
    assert (column_map.email, column_map.send_invite, column_map.fallbacks.get("email")) == (2, 3, None)
    rows = stage_rows(signed_in, "tick_boxes.xlsx")
    assert [(row.line, row.email, row.send_invite, row.status) for row in rows] == [
        (2, "ann@example.com", True, "valid"), (3, "", False, "invalid"), (4, "cat@example.com", False, "valid")]
    assert staged_sentences(rows[1]) == ["Email address is missing."]  # not "FALSE" as its address


@pytest.mark.parametrize("header", ["Send invite email", "Send Email", "Notify by email"])
def test_a_yes_no_column_whose_header_says_email_is_read_as_send_invite(header):
    from webapp.imports.columns import map_columns

    rows = [(2, ["Ann", "ann@example.com", "TRUE"]), (3, ["Ben", "", "FALSE"])]
    column_map = map_columns(["Name", "Email", header], rows)
    assert (column_map.email, column_map.send_invite, column_map.fallbacks.get("email")) == (1, 2, None)


def test_a_sheet_crammed_with_error_marks_and_formula_tags_is_read_or_refused_quickly():
    import time

    from tests.workbook_parts import with_part
    from webapp.imports.reading import UnreadableFile

    junk = (b'<c r="A9" t="e" ' + b"a" * 60) * 40_000 + (b'<c r="B9"><f>' + b"<v>" * 50) * 20_000
    data = with_part(DATA / "error_cells.xlsx", "xl/worksheets/sheet1.xml",
                     lambda part: part.replace(b"</sheetData>", b"</sheetData><!--" + junk + b"-->"))
    started = time.monotonic()
    try:
        table = read_table(data, "error_cells.xlsx")
        assert [line for line, _ in table.rows] == [2, 3, 4, 5]
    except UnreadableFile:
        pass
    assert time.monotonic() - started < 20


def test_the_workbook_child_and_cleaning_agree_on_the_mark_of_a_formula_without_its_result():
    from webapp.imports import values, workbook_child

    assert workbook_child.FORMULA_MARK == values.FORMULA_MARK
