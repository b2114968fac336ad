"""Workbooks found by the twelfth fuzzing pass: an .ods whose repeated, empty and merged (covered) cells make its
reader fill in millions of cells it does not write is refused before the parse, naming its sheet; a sheet's name of
thousands of characters is shown short, on the sheet chooser and in every sentence, and can still be chosen; a
workbook declaring XML entities is refused saying so."""
from __future__ import annotations

import io
import random
import string
import zipfile
from pathlib import Path

import pytest

from tests.test_imports_hostile import _HEADER_ROW, _parts, _refused, _sheet_part, _workbook_part, _xlsx
from tests.test_imports_hostile11_workbooks import _zip
from tests.test_imports_read_choices import staged_emails, upload
from tests.workbook_parts import with_part
from tests.test_imports_hostile10_containers import _staff_ods
from webapp.imports.xml_checks import OdsSpread, SpreadRefused
from webapp.extensions import db
from webapp.imports.reading import read_table
from webapp.models import ImportBatch

DATA = Path(__file__).parent / "data"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_X = b'<table:table-cell office:value-type="string"><text:p>x@example.com</text:p></table:table-cell>'


def _rows(cells: bytes, repeated: int = 1) -> bytes:
    return b'<table:table-row table:number-rows-repeated="%d">%s</table:table-row>' % (repeated, cells)


SPREAD = [
    # LibreOffice's merge of B4:AY200003: the merged cell, then 49 covered cells on its row and 50 on each below.
    ("a merged area 50 columns wide", _rows(_X + b'<table:table-cell table:number-columns-spanned="50" '
                                            b'table:number-rows-spanned="200000" office:value-type="string"><text:p>'
                                            b'Notes</text:p></table:table-cell><table:covered-table-cell table:'
                                            b'number-columns-repeated="49"/>' + _X)
     + _rows(_X + b'<table:covered-table-cell table:number-columns-repeated="50"/>' + _X, 199_999),
     "spreads over 200,003 rows by 52 columns (10,400,156 cells or more)"),
    ("empty cells between filled ones", _rows(_X + b'<table:table-cell table:number-columns-repeated="60"/>' + _X,
                                              100_000),
     "spreads over 100,003 rows by 62 columns (6,200,186 cells or more)"),
    ("a filled covered cell repeated", _rows(b'<table:covered-table-cell office:value-type="float" office:value="1" '
                                             b'table:number-columns-repeated="100000"/>', 5000),
     "spreads over 5,003 rows by 100,000 columns (500,300,000 cells or more)"),
    ("one wide row over many narrow ones", _rows(_X + b'<table:table-cell table:number-columns-repeated="150"/>' + _X)
     + _rows(_X, 900_000), "spreads over 900,004 rows by 152 columns (136,800,608 cells or more)"),
]


@pytest.mark.parametrize("rows, sentence", [case[1:] for case in SPREAD], ids=[case[0] for case in SPREAD])
def test_cells_an_ods_makes_its_reader_fill_in_are_counted_and_refused_before_the_parse(signed_in, rows, sentence):
    # Each within the row and column limits; the first took the parse to its one-minute limit, the others its
    # memory. The sentence comes from the web process's count, before the child starts.
    page = _refused(signed_in, _staff_ods(after_last_person=rows), "staff.ods")
    assert f"The sheet \u201cStaff\u201d {sentence}" in page
    assert "Save the sheet with the people as CSV and upload that, or delete the empty formatted or merged area " \
           "around the people (Ctrl+End shows the last cell), save, and upload the file again." in page


@pytest.mark.parametrize("junk", [
    b'<table:table-row><table:table-cell office:value="1"/>' * 150_000,  # rows of a filled cell, never ended
    b"<table:table-row>" * 400_000,
], ids=["unended rows of cells", "unended rows"])
def test_rows_never_ended_are_counted_in_one_pass_and_the_file_called_damaged(signed_in, junk):
    # The count searched from every row to the next row's end: 150,000 rows without one took minutes of the web
    # process. Now each row's cells run to the next row's start or end, each found once.
    page = _refused(signed_in, _staff_ods(after_last_person=junk), "staff.ods")
    assert "The file could not be opened as a workbook (.ods): it may be damaged" in page


def test_filled_rows_repeated_past_the_row_limit_together_are_refused_before_the_parse(signed_in):
    # Each repeat is within the limit (the earlier check looked at one repeat at a time); together they are not.
    rows = _rows(_X, 600_000) + _rows(_X + _X, 600_000)
    page = _refused(signed_in, _staff_ods(after_last_person=rows), "staff.ods")
    assert "The sheet \u201cStaff\u201d holds at least 1,200,003 rows once its repeated rows are counted, more than " \
           "the 1,000,000 this importer reads (setting IMPORT_MAX_ROWS)." in page


def _text(text: bytes) -> bytes:
    return b'<table:table-cell office:value-type="string"><text:p>' + text + b"</text:p></table:table-cell>"


def test_people_beside_a_merged_cell_with_libreoffice_s_padding_after_them_are_read():
    merged = (_rows(_text(b"Zoe") + _text(b"Blanc") + _text(b"zoe@example.fr") + b'<table:table-cell table:number-'
                    b'columns-spanned="2" table:number-rows-spanned="2" office:value-type="string"><text:p>Team A'
                    b'</text:p></table:table-cell><table:covered-table-cell/>')
              + _rows(_text(b"Yann") + _text(b"Petit") + _text(b"yann@example.fr")
                      + b'<table:covered-table-cell table:number-columns-repeated="2"/>')
              + _rows(b'<table:table-cell table:number-columns-repeated="1024"/>', 1_048_000))
    rows = read_table(_staff_ods(after_last_person=merged), "staff.ods").rows
    assert [cells[2] for _line, cells in rows] == ["anais@example.fr", "elodie@example.fr", "zoe@example.fr",
                                                    "yann@example.fr"]


def test_runs_of_empty_columns_in_a_sheet_that_writes_out_its_rows_are_not_counted_as_a_blow_up():
    # 400,000 written rows with a run of 20 empty columns each make up 8 million cells: a real export's shape, read
    # in its own time. The limit is the same; the rows are fed as a sheet without building a workbook of 100 MB.
    spread = OdsSpread(max_rows=1_000_000)
    row = _rows(_X + _X + b'<table:table-cell table:number-columns-repeated="20"/>' + _X)
    spread.feed(b'<table:table table:name="People">')
    for _ in range(40):
        spread.feed(row * 10_000)
    spread.feed(b"</table:table>")
    spread.finish()
    assert spread.made_up == 400_000 * 19


def test_a_blow_up_is_named_by_its_sheet_shortened_when_its_name_is_long():
    with pytest.raises(SpreadRefused) as refused:
        spread = OdsSpread(max_rows=1_000_000)
        spread.feed(b'<table:table table:name="' + b"N" * 30_000 + b'">'
                    + _rows(_X + b'<table:covered-table-cell table:number-columns-repeated="99"/>' + _X, 100_000))
        spread.finish()
    assert str(refused.value).startswith("The sheet \u201c" + "N" * 99 + "\u2026\u201d spreads over 100,000 rows")


# ---- sheet names of thousands of characters ----------------------------------------------------------------------

_LONG = "Leavers of the old system, kept for the record " + "and checked again " * 1700  # 30,647 characters
_ALIKE = 1000  # sheets whose names begin alike and go on for thousands of characters


def _several_sheets(leavers: str, alike: int = 0) -> bytes:
    """tests/data/several_sheets.xlsx with its Leavers sheet renamed, and `alike` copies of its Lists sheet (each a part
    of its own) whose names begin as its name does and go on with 2,000 letters of their own (letters a zip cannot
    pack away)."""
    def change(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            copies = "".join(f'<sheet name="{_LONG[:200]}{_letters(n)}" sheetId="{n + 10}" r:id="rCopy{n}"/>'
                             for n in range(alike))
            return data.replace(b'name="Leavers"', f'name="{leavers}"'.encode()).replace(
                b"</sheets>", copies.encode() + b"</sheets>")
        if name == "xl/_rels/workbook.xml.rels":
            copies = "".join(f'<Relationship Id="rCopy{n}" Type="{_DOC}/worksheet" Target="worksheets/copy{n}.xml"/>'
                             for n in range(alike))
            return data.replace(b"</Relationships>", copies.encode() + b"</Relationships>")
        return data

    out = io.BytesIO()
    with zipfile.ZipFile(DATA / "several_sheets.xlsx") as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            target.writestr(member.filename, change(member.filename, source.read(member)))
        for n in range(alike):
            target.writestr(f"xl/worksheets/copy{n}.xml", source.read("xl/worksheets/sheet2.xml"))
    return out.getvalue()


def _letters(seed: int) -> str:
    return "".join(random.Random(seed).choices(string.ascii_lowercase, k=2000))


def test_a_sheet_named_with_thousands_of_characters_is_shown_short_and_can_still_be_chosen(signed_in, org):
    batch = upload(signed_in, "several_sheets.xlsx", _several_sheets(_LONG))
    shown = _LONG[:99] + "\u2026"
    assert batch.read_info["sheet_names"] == ["Instructions", "Lists", "People", shown]
    page = signed_in.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert shown in page and _LONG[:200] not in page

    response = signed_in.post(f"/users/import/{batch.id}/match", data={
        "sheet": shown, "column_0": "first_name", "column_1": "last_name", "column_2": "email",
        "column_3": "account_type", "continue": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).read_info["sheet"] == shown
    assert staged_emails(batch.id) == ["old@example.com"]


def test_thousands_of_long_sheet_names_alike_make_a_chooser_of_short_different_names(signed_in, org):
    batch = upload(signed_in, "several_sheets.xlsx", _several_sheets("Leavers", alike=_ALIKE))
    names = batch.read_info["sheet_names"]
    assert len(names) == _ALIKE + 4 and len(set(names)) == len(names)
    assert max(len(name) for name in names) == 100
    assert names[4] == _LONG[:99] + "\u2026" and names[5] == _LONG[:95] + "\u2026 (6)"
    page = signed_in.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert f"This workbook has {_ALIKE + 4} sheets." in page
    assert len(page) < 2 * 110 * (_ALIKE + 4) + 100_000  # each name twice (value and label), not 2,200 characters


def test_a_long_sheet_name_is_shortened_in_the_sentence_refusing_its_sheet(signed_in):
    wide = b'<row r="3">' + b"".join(b'<c r="%s3" t="s"><v>2</v></c>' % column.encode()
                                     for column in _columns(201)) + b"</row>"
    data = _xlsx(workbook=_workbook_part(sheet_name=_LONG.encode()), sheet=_sheet_part(rows=_HEADER_ROW + wide))
    page = _refused(signed_in, data, "people.xlsx")
    assert f"Row 3 of the sheet \u201c{_LONG[:99]}\u2026\u201d has 201 columns" in page


def _columns(count: int) -> list[str]:
    """Column letters A, B, ... for `count` columns."""
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


# ---- XML declarations --------------------------------------------------------------------------------------------

_LAUGHS = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
    for level in range(1, 10)) + b"]>"


@pytest.mark.parametrize("declaration, use", [
    (_LAUGHS, b"&lol9;"),
    (b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', b"&xxe;"),
    # Only a parameter entity, used in the DOCTYPE itself: the reader read this file as if it were plain.
    (b'<!DOCTYPE x [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>', b""),
], ids=["laughs", "external entity", "parameter entity"])
def test_an_ods_declaring_entities_is_refused_saying_so(signed_in, declaration, use):
    def declare(content: bytes) -> bytes:
        prolog_end = content.index(b"?>") + 2
        return content[:prolog_end] + declaration + content[prolog_end:].replace(b"Lef", use + b"Lef", 1)

    page = _refused(signed_in, with_part(DATA / "staff.ods", "content.xml", declare), "staff.ods")
    assert "The workbook (.ods) declares a DOCTYPE or XML entities in its part content.xml, which spreadsheet " \
           "programs never write" in page
    assert "root:" not in page and "lollol" not in page


# ---- text files --------------------------------------------------------------------------------------------------

def test_a_survey_of_200_question_columns_is_read(signed_in, org):
    # Every cell of the first 20 rows is weighed as a possible "Name" header over its parts; the table of header
    # names was made again for each (4 ms), so this 11 KB file took 13 seconds to read.
    batch = upload(signed_in, "survey.csv", (DATA / "hostile12_survey_200_columns.csv").read_bytes())
    assert batch.headers[:3] == ["First Name", "Last Name", "Email"] and len(batch.headers) == 200
    assert staged_emails(batch.id) == [f"ann{n}@example.com" for n in range(1, 25)]


def test_an_xlsx_whose_sheets_read_one_part_is_called_damaged_before_any_is_read(signed_in):
    # 1,000 sheets of one part of 20,000 rows (270 KB) kept the reader walking the same rows for its whole minute.
    parts = dict(_parts())
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheets>", b"<sheets>" + b"".join(
        b'<sheet name="Copy %d" sheetId="%d" r:id="rId1"/>' % (n, n + 1) for n in range(1, 4)))
    page = _refused(signed_in, _zip(list(parts.items())), "people.xlsx")
    assert "The workbook (.xlsx) lists 4 sheets that read the same part of the file, which no spreadsheet program " \
           "writes, so it is damaged and was not read." in page
