"""Files a stranger might upload to hurt the server: each is refused with a sentence an admin can act on, or read
as the harmless table it holds; never a crash, a hang or a blown memory. Large ones are built here, compressed."""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.imports.reading import read_table
from webapp.models import StagedRow

DATA = Path(__file__).parent / "data"
DAMAGED = "could not be opened as a workbook (.xlsx): it may be damaged"

# ---- a small .xlsx written part by part, so each part can be made hostile ---------------------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PROLOG = b'<?xml version="1.0" encoding="UTF-8"?>'
_HEADER_ROW = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
_PERSON_ROW = b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c></row>'


def _workbook_part(prolog: bytes = _PROLOG, sheet_name: bytes = b"People") -> bytes:
    return (prolog + f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'.encode() + b'<sheet name="' + sheet_name
            + b'" sheetId="1" r:id="rId1"/></sheets></workbook>')


def _strings_part(prolog: bytes = _PROLOG, first: bytes = b"First Name") -> bytes:
    items = [first, b"Email", b"Ann", b"ann@example.com"]
    return (prolog + f'<sst xmlns="{_MAIN}" count="4" uniqueCount="4">'.encode()
            + b"".join(b"<si><t>" + text + b"</t></si>" for text in items) + b"</sst>")


def _sheet_part(prolog: bytes = _PROLOG, rows: bytes = _HEADER_ROW + _PERSON_ROW, before: bytes = b"") -> bytes:
    return prolog + f'<worksheet xmlns="{_MAIN}">'.encode() + before + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def _parts(workbook: bytes | None = None, strings: bytes | None = None, sheet: bytes | None = None) -> list:
    content_types = (
        _PROLOG + b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.worksheet+xml"/>'
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>')
    package_rels = (_PROLOG + f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" '
                    'Target="xl/workbook.xml"/></Relationships>'.encode())
    workbook_rels = (_PROLOG + f'<Relationships xmlns="{_RELS}"><Relationship Id="rId1" Type="{_DOC}/worksheet" '
                     f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="{_DOC}/sharedStrings" '
                     'Target="sharedStrings.xml"/></Relationships>'.encode())
    return [("[Content_Types].xml", content_types), ("_rels/.rels", package_rels),
            ("xl/_rels/workbook.xml.rels", workbook_rels), ("xl/workbook.xml", workbook or _workbook_part()),
            ("xl/sharedStrings.xml", strings or _strings_part()), ("xl/worksheets/sheet1.xml", sheet or _sheet_part())]


def _xlsx(**parts) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in _parts(**parts):
            archive.writestr(name, data)
    return buffer.getvalue()


def _raw_zip(members: list[tuple[str, bytes, int, int]], *, count: int | None = None) -> bytes:
    """A zip written byte by byte: (name, deflated bytes or stored when size == len, crc, declared size) each, and
    an end record claiming `count` entries (the true count unless given). zipfile checks what it writes; this
    writes what a stranger may."""
    local, central, offset = [], [], 0
    for name, data, crc, size in members:
        encoded = name.encode()
        method = 0 if size == len(data) and crc == zlib.crc32(data) else 8
        entry = struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        local.append(entry + encoded + data)
        central.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                                   len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        offset += len(local[-1])
    directory = b"".join(central)
    count = len(members) if count is None else count
    return b"".join(local) + directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory),
                                                     offset, 0)


def _stored(name: str, data: bytes) -> tuple[str, bytes, int, int]:
    return name, data, zlib.crc32(data), len(data)


def _deflated(pieces: list[tuple[bytes, int]]) -> bytes:
    """Raw deflate of each (bytes, times) in turn, built without compressing the repeats: every piece ends on a full
    flush, so a compressed piece can be repeated as it is (a megabyte of spaces is about a kilobyte)."""
    out = []
    for data, times in pieces:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        out.append((compressor.compress(data) + compressor.flush(zlib.Z_FULL_FLUSH)) * times)
    out.append(zlib.compressobj(9, zlib.DEFLATED, -15).flush())
    return b"".join(out)


def _with_bomb(part: str, megabytes: int, declared: int | None = None, base: list | None = None) -> bytes:
    """The parts (a small .xlsx unless given) with `part` padded by `megabytes` MB of spaces, deflated; its headers
    declare the true size unless `declared` lies."""
    members = []
    for name, data in base or _parts():
        if name != part:
            members.append(_stored(name, data))
            continue
        split = data.index(b"<", data.index(b"?>") + 2) if b"?>" in data else 0
        split = data.index(b">", split) + 1  # after the root element's start tag, where spaces are harmless
        size = len(data) + megabytes * (1 << 20)
        # The CRC is never reached: the sizes decide before a byte is unpacked (declared) or while unpacking.
        members.append((name, _deflated([(data[:split], 1), (b" " * (1 << 20), megabytes), (data[split:], 1)]),
                        0, size if declared is None else declared))
    return _raw_zip(members)


def _refused(client, data: bytes, name: str) -> str:
    """Upload through File Import; assert it is refused and nothing staged; return the page's text."""
    response = client.post("/users/import/", data={"file": (BytesIO(data), name)}, content_type="multipart/form-data")
    assert response.status_code == 422, response.status_code
    assert db.session.scalar(select(func.count()).select_from(StagedRow)) == 0
    return response.get_data(as_text=True).replace("&#39;", "'").replace("&#34;", '"')


def _people(data: bytes, name: str = "people.xlsx") -> list:
    return read_table(data, name).rows


# ---- zip bombs -------------------------------------------------------------------------------------------

def test_an_xlsx_bomb_of_gigabytes_is_refused_before_anything_is_unpacked(signed_in):
    bomb = _with_bomb("xl/worksheets/sheet1.xml", 3_500)  # 3.5 GB of spaces in a file of 4 MB
    assert len(bomb) < 5_000_000
    page = _refused(signed_in, bomb, "people.xlsx")
    assert "The workbook unpacks to 3,670 MB, more than the 419 MB this importer unpacks (setting " \
           "IMPORT_MAX_DECOMPRESSED_BYTES)." in page


def test_an_xlsx_bomb_that_lies_about_its_size_is_stopped_while_unpacking(signed_in):
    # 2 GB of spaces declared as 100 MB: the ratio looks like a real workbook's, the parse finds the lie.
    bomb = _with_bomb("xl/worksheets/sheet1.xml", 2_048, declared=100_000_000)
    assert DAMAGED in _refused(signed_in, bomb, "people.xlsx")


def test_an_ods_bomb_is_refused_before_its_content_is_unpacked(signed_in):
    with zipfile.ZipFile(DATA / "staff.ods") as source:
        parts = [(member.filename, source.read(member)) for member in source.infolist()]
    page = _refused(signed_in, _with_bomb("content.xml", 300, base=parts), "staff.ods")
    assert "The workbook's part content.xml unpacks to 315 MB from" in page
    assert "which no real spreadsheet does, so it was not opened" in page


# ---- XML entities ----------------------------------------------------------------------------------------

_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (level, (b"&lol%d;" % (level - 1) if level > 1 else b"&lol;") * 10)
                      for level in range(1, 10)) + b"]>")
_XXE = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _entity_in(part: str, prolog: bytes, entity: bytes) -> bytes:
    if part == "strings":
        return _xlsx(strings=_strings_part(prolog, entity))
    if part == "workbook":
        return _xlsx(workbook=_workbook_part(prolog, entity))
    inline = b'<row r="1"><c r="A1" t="inlineStr"><is><t>' + entity + b'</t></is></c><c r="B1" t="s"><v>1</v></c></row>'
    return _xlsx(sheet=_sheet_part(prolog, inline + _PERSON_ROW))


def test_the_plain_workbook_these_are_built_from_is_read():
    assert _people(_xlsx()) == [(2, ["Ann", "ann@example.com"])]


@pytest.mark.parametrize("part", ["strings", "sheet", "workbook"])
@pytest.mark.parametrize("prolog, entity", [(_LAUGHS, b"&lol9;"), (_XXE, b"&xxe;")], ids=["laughs", "xxe"])
def test_entity_expansion_and_external_entities_are_refused_not_expanded(signed_in, part, prolog, entity):
    page = _refused(signed_in, _entity_in(part, prolog, entity), "people.xlsx")
    assert "The workbook (.xlsx) declares a DOCTYPE or XML entities in its part xl/" in page
    assert "root:" not in page and "lollol" not in page


# ---- the archive's own shape -----------------------------------------------------------------------------

def test_a_zip_of_thousands_of_parts_is_refused_before_they_are_listed(signed_in):
    crowded = _raw_zip([_stored(name, data) for name, data in _parts()]
                       + [_stored(f"junk/{number}.xml", b"") for number in range(10_001)])
    assert "The workbook (.xlsx) holds 10,007 parts, far more than a spreadsheet has (a few dozen parts; at most " \
           "10,000 are read), so it was not opened." in _refused(signed_in, crowded, "people.xlsx")


def test_a_zip_whose_end_record_understates_its_parts_is_judged_by_their_list(signed_in):
    crowded = _raw_zip([_stored(name, data) for name, data in _parts()]
                       + [_stored(f"junk/part-{number:06}.xml", b"") for number in range(80_000)], count=6)
    assert "The workbook (.xlsx) holds a 5 MB list of parts" in _refused(signed_in, crowded, "people.xlsx")


def test_a_few_hundred_extra_parts_are_still_a_workbook():
    extra = _raw_zip([_stored(name, data) for name, data in _parts()]
                     + [_stored(f"xl/media/image{number}.png", b"") for number in range(500)])
    assert _people(extra) == [(2, ["Ann", "ann@example.com"])]


def test_parts_named_to_climb_out_of_a_folder_are_never_written_anywhere(tmp_path):
    target = tmp_path / "climbed.txt"
    names = [f"../../../../../../..{target}", str(target), "..\\..\\climbed.txt"]
    archive = _raw_zip([_stored(name, data) for name, data in _parts()] + [_stored(name, b"x") for name in names])
    assert _people(archive) == [(2, ["Ann", "ann@example.com"])]
    assert not target.exists() and list(tmp_path.iterdir()) == []


# ---- sheets shaped to exhaust the parser -----------------------------------------------------------------

def test_a_row_of_every_column_is_refused_naming_the_setting(signed_in):
    wide = b'<row r="2">' + b'<c t="n"><v>1</v></c>' * 16_384 + b"</row>"
    page = _refused(signed_in, _xlsx(sheet=_sheet_part(rows=_HEADER_ROW + wide)), "people.xlsx")
    assert "Row 2 of the sheet \u201cPeople\u201d has 16,384 columns, more than the 200 this importer reads " \
           "(setting IMPORT_MAX_COLUMNS)." in page


def test_a_sheet_of_a_million_rows_is_refused_naming_the_setting(signed_in):
    rows = _HEADER_ROW + b"".join(b'<row r="%d"><c r="B%d" t="s"><v>3</v></c></row>' % (line, line)
                                  for line in range(2, 1_048_577))
    page = _refused(signed_in, _xlsx(sheet=_sheet_part(rows=rows)), "people.xlsx")
    assert "The sheet \u201cPeople\u201d has 1,048,576 rows, more than the 1,000,000 this importer reads (setting " \
           "IMPORT_MAX_ROWS)." in page


@pytest.mark.parametrize("where", ["before", "among rows"])
def test_xml_nested_a_million_deep_is_passed_over(where):
    deep = b"<x>" * 1_000_000 + b"</x>" * 1_000_000
    sheet = _sheet_part(before=deep) if where == "before" else _sheet_part(rows=_HEADER_ROW + deep + _PERSON_ROW)
    assert _people(_xlsx(sheet=sheet)) == [(2, ["Ann", "ann@example.com"])]


# ---- not what the name says ------------------------------------------------------------------------------

_PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
_PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)) * 8


@pytest.mark.parametrize("data, kind", [(_PNG, "a PNG image"), (_PDF, "a PDF document")])
@pytest.mark.parametrize("name", ["people.csv", "people.xlsx", "people.xls", "people.ods"])
def test_an_image_or_a_pdf_renamed_as_a_spreadsheet_is_called_what_it_is(signed_in, data, kind, name):
    assert f"The file is {kind}, not a spreadsheet." in _refused(signed_in, data, name)


def test_a_password_protected_workbook_says_to_remove_the_password(signed_in):
    page = _refused(signed_in, (DATA / "encrypted.xlsx").read_bytes(), "people.xlsx")
    assert "The workbook (.xlsx) is protected with a password, so it can't be read." in page


# ---- text files ------------------------------------------------------------------------------------------

def test_a_csv_of_one_fifty_megabyte_line_is_refused_saying_which_line(signed_in):
    page = _refused(signed_in, b"First Name,Email," + b"x" * 50_000_000, "people.csv")
    assert "Line 1 is over 2 MB long, longer than a row of 200 full cells can be" in page


def test_a_quotation_mark_never_closed_says_where_it_opened(signed_in):
    page = _refused(signed_in, b'"First Name,Email\n' + b"Ann,ann@example.com\n" * 100, "people.csv")
    assert "A quotation mark opened on line 1 is never closed, so lines 1 to 101 were read as one cell." in page


@pytest.mark.parametrize("data", [b'"' * 5001, b'"""\n' * 5000])
def test_a_csv_of_nothing_but_quotation_marks_is_refused(signed_in, data):
    assert "The file has a header row but no people in it." in _refused(signed_in, data, "people.csv")


def test_mixed_line_endings_are_each_a_line():
    data = (b"First Name,Last Name,Email\r\nAnn,Lee,ann@example.com\nBen,Ng,ben@example.com\r"
            b"Cat,Ho,cat@example.com\r\nDan,Li,dan@example.com")
    assert [(line, cells[0]) for line, cells in read_table(data, "people.csv").rows] == [
        (2, "Ann"), (3, "Ben"), (4, "Cat"), (5, "Dan")]
