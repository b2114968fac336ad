"""Workbooks found by the eleventh fuzzing pass: thousands of sheets are read in one pass, a row number no spreadsheet
has is called damaged at once, and a workbook whose list of sheets or parts is lost is called damaged, not empty or
huge."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from tests.test_imports_hostile import DAMAGED, _parts, _refused, _sheet_part, _xlsx
from tests.workbook_parts import with_part
from webapp.imports.reading import read_table

DATA = Path(__file__).parent / "data"
_SHEETS = 3000  # one read of the workbook's parts per sheet made this minutes; real workbooks hold a few dozen
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _zip(parts: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            archive.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _xlsx_of_many_sheets() -> bytes:
    """The small .xlsx of test_imports_hostile with _SHEETS empty sheets ("Old 1"...) before its People sheet."""
    parts = dict(_parts())
    sheets = b"".join(b'<sheet name="Old %d" sheetId="%d" r:id="rOld%d"/>' % (n, n + 1, n) for n in range(1, _SHEETS + 1))
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheets>", b"<sheets>" + sheets)
    relations = b"".join(f'<Relationship Id="rOld{n}" Type="{_DOC}/worksheet" Target="worksheets/old{n}.xml"/>'
                         .encode() for n in range(1, _SHEETS + 1))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", relations + b"</Relationships>")
    empty = _sheet_part(rows=b"")
    return _zip(list(parts.items()) + [(f"xl/worksheets/old{n}.xml", empty) for n in range(1, _SHEETS + 1)])


def test_an_xlsx_of_thousands_of_sheets_is_read_to_its_people():
    table = read_table(_xlsx_of_many_sheets(), "people.xlsx")
    assert table.sheet == "People" and len(table.sheet_names) == _SHEETS + 1
    assert table.rows == [(2, ["Ann", "ann@example.com"])]


def _ods_of_many_sheets() -> bytes:
    """tests/data/staff.ods with its "Read me" sheet copied _SHEETS times, every copy's first row hidden and its first
    cell merged over two and an error (marks the child looks for in each sheet), and Élodie's row of the Staff sheet
    hidden too."""
    with zipfile.ZipFile(DATA / "staff.ods") as source:
        parts = [(member.filename, source.read(member)) for member in source.infolist()]
    content = dict(parts)["content.xml"]
    start = content.index(b'<table:table table:name="Read me">')
    end = content.index(b"</table:table>", start) + len(b"</table:table>")
    hidden_row = b'<table:table-row table:visibility="collapse">'
    read_me = content[start:end].replace(b"<table:table-row>", hidden_row, 1).replace(
        b'<table:table-cell office:value-type="string">', b'<table:table-cell table:number-columns-spanned="2" '
        b'table:formula="of:=1/0" calcext:value-type="error" office:value-type="string">', 1)
    content = content[:start] + read_me * _SHEETS + content[end:]
    elodie = content.index(b"\xc3\x89lodie")
    row = content.rindex(b"<table:table-row>", 0, elodie)
    content = content[:row] + hidden_row + content[row + len(b"<table:table-row>"):]
    return _zip([(name, content if name == "content.xml" else data) for name, data in parts])


def test_an_ods_of_thousands_of_sheets_with_hidden_rows_is_read_naming_the_people_sheet_s_hidden_row():
    table = read_table(_ods_of_many_sheets(), "staff.ods")
    assert table.sheet == "Staff" and len(table.sheet_names) == _SHEETS + 1
    assert [cells[0] for _line, cells in table.rows] == ["Anaïs", "Élodie"]
    assert table.hidden_lines == [(3, 3)]


@pytest.mark.parametrize("row, shown", [(b"99999999999", "1,215,752,191"), (b"1048577", "1,048,577")])
def test_a_cell_on_a_row_past_the_last_a_spreadsheet_has_is_called_damaged_at_once(signed_in, row, shown):
    # calamine keeps the row number in 32 bits (99999999999 wraps to 1,215,752,191); the child walked every row up
    # to it, for hours. (With cells near the top too, calamine runs out of memory first, and says so.)
    sheet = _sheet_part(rows=b'<row r="' + row + b'"><c r="A' + row + b'" t="s"><v>2</v></c></row>')
    page = _refused(signed_in, _xlsx(sheet=sheet), "people.xlsx")
    assert (f"Row {shown} of the sheet \u201cPeople\u201d is past the last row a spreadsheet has (1,048,576), so the "
            "file (.xlsx) is damaged.") in page


def _without(path: Path, part: str) -> bytes:
    with zipfile.ZipFile(path) as source:
        return _zip([(member.filename, source.read(member)) for member in source.infolist() if member.filename != part])


@pytest.mark.parametrize("name, data", [
    ("people.xlsx", _without(DATA / "people.xlsx", "xl/workbook.xml")),
    ("staff.ods", with_part(DATA / "staff.ods", "content.xml", lambda data: b"")),
], ids=["xlsx without its list of sheets", "ods with an empty content"])
def test_a_workbook_that_lost_its_list_of_sheets_is_called_damaged_not_empty(signed_in, name, data):
    page = _refused(signed_in, data, name)
    assert f"could not be opened as a workbook ({Path(name).suffix}): it may be damaged" in page
    assert "no data in any sheet" not in page


def test_a_zip_end_record_claiming_more_than_the_file_holds_is_called_damaged_not_huge(signed_in):
    data = bytearray(_xlsx())
    end = data.rindex(b"PK\x05\x06")
    data[end + 12:end + 16] = struct.pack("<L", 990_000_000)  # the list of parts' size: one flipped byte
    page = _refused(signed_in, bytes(data), "people.xlsx")
    assert DAMAGED in page and "list of parts" not in page


def _xls_with_a_looping_chain(table: str) -> bytes:
    """tests/data/staff.xls with one chain of its sectors made to loop, four bytes of a 6 KB file (the damage a flipped
    byte can do): the directory's first sector chained to itself in the allocation table, or the list of the
    table's own sectors ("DIFAT") continued in a sector that names itself as the next."""
    data = bytearray((DATA / "staff.xls").read_bytes())
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    if table == "allocation":
        directory_start, = struct.unpack_from("<I", data, 0x30)
        fat_sector, = struct.unpack_from("<I", data, 0x4C)
        struct.pack_into("<I", data, (fat_sector + 1) * sector_size + 4 * directory_start, directory_start)
    else:
        struct.pack_into("<II", data, 0x44, 3, 1)  # the list goes on in sector 3, one sector
        struct.pack_into("<I", data, (3 + 2) * sector_size - 4, 3)  # whose last entry says: then sector 3
    return bytes(data)


@pytest.mark.parametrize("table", ["allocation", "list of the allocation table's sectors"])
def test_an_xls_whose_sectors_chain_in_a_loop_is_called_damaged_not_out_of_memory(signed_in, table):
    page = _refused(signed_in, _xls_with_a_looping_chain(table), "staff.xls")
    assert "could not be opened as a workbook (.xls): it may be damaged" in page
    assert "memory" not in page


def test_an_xlsx_of_more_sheets_than_any_workbook_holds_is_refused_saying_so(signed_in):
    # 50,000 sheets sharing one part are a 600 KB file that took a minute and named 10 MB of sheets to choose from.
    parts = dict(_parts())
    count = 10_001
    sheets = b"".join(b'<sheet name="Copy %d" sheetId="%d" r:id="rCopy%d"/>' % (n, n + 1, n) for n in range(1, count))
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<sheets>", b"<sheets>" + sheets)
    relations = b"".join(f'<Relationship Id="rCopy{n}" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
                         .encode() for n in range(1, count))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", relations + b"</Relationships>")
    page = _refused(signed_in, _zip(list(parts.items())), "people.xlsx")
    assert ("The workbook (.xlsx) holds more than 10,000 sheets, far more than a spreadsheet has, so it was not "
            "read.") in page


def test_a_filled_repeat_outside_any_named_sheet_is_said_of_a_sheet_not_of_an_empty_name(signed_in):
    # A row before the first sheet's start, where no sheet's name can be found: the sentence said The sheet “”...
    row = (b'<table:table-row table:number-rows-repeated="2000000"><table:table-cell office:value-type="string">'
           b"<text:p>Ann</text:p></table:table-cell></table:table-row>")
    data = with_part(DATA / "staff.ods", "content.xml",
                     lambda content: content.replace(b"<office:spreadsheet>", b"<office:spreadsheet>" + row, 1))
    page = _refused(signed_in, data, "staff.ods")
    assert "A sheet of the workbook repeats a filled row down 2,000,000 rows, more than the 1,000,000" in page
    assert "\u201c\u201d" not in page


def test_an_ods_cell_declaring_a_billion_spaces_is_refused_before_the_reader_writes_them_out(signed_in):
    # <text:s text:c="N"/> is N spaces: 40 bytes the reader made into a gigabyte, said as out of memory.
    data = with_part(DATA / "staff.ods", "content.xml", lambda content: content.replace(
        b"<text:p>Roux</text:p>", b'<text:p>Roux<text:s text:c="999999999"/></text:p>', 1))
    page = _refused(signed_in, data, "staff.ods")
    assert ("The sheet \u201cStaff\u201d holds a cell of 999,999,999 spaces in a row, more than the 10,000 characters "
            "a cell may hold (setting IMPORT_MAX_CELL_CHARS).") in page
