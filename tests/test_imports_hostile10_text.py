"""Text files shaped to cost the web process time or memory, or to pass for a table: empty rows by the hundred
thousand are not held, long lines cost no more than their length, a web page saved as one file (MHTML) is called
what it is, and invisible marks never reach an account's name."""
from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.test_imports_hostile import _refused
from tests.test_imports_hostile10_containers import _read_in_seconds
from webapp.extensions import db
from webapp.imports.reading import read_table
from webapp.models import User

DATA = Path(__file__).parent / "data"

_EMPTY_ROWS = [
    ("commas under the header", b"First Name,Email\n" + (b"," * 199 + b"\n") * 30_000 + b"Ann,ann@example.com\n", 30_002),
    ("empty lines above it", b"\n" * 150_000 + b"First Name,Email\nAnn,ann@example.com\n", 150_002),
    ("commas above it", b",,,,,,,,,,\n" * 60_000 + b"First Name,Email\nAnn,ann@example.com\n", 60_002),
]


@pytest.mark.parametrize("data, line", [case[1:] for case in _EMPTY_ROWS], ids=[case[0] for case in _EMPTY_ROWS])
def test_empty_rows_around_the_header_are_counted_not_held(data, line):
    # Each was kept as a list of empty cells while the header was looked for: a 100 MB file of 200-comma lines
    # took a gigabyte of the web process.
    tracemalloc.start()
    try:
        table = read_table(data, "people.csv")
        rows = table.rows
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert rows == [(line, ["Ann", "ann@example.com"])]
    assert peak < 8 * 2**20, f"reading peaked at {peak / 2**20:.0f} MB"


_WEB_PAGE = (DATA / "hostile10_single_file_web_page.xls").read_bytes()  # Excel's "Single File Web Page", renamed
_SAVED_BY_A_BROWSER = (b"From: <Saved by Windows Internet Explorer 8>\r\nSubject: Staff\r\nDate: Mon, 2 Sep 2024 "
                       b"10:00:00 +0100\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n\ttype=\"text/html\"\r\n"
                       b"\r\n<html><table><tr><td>Email</td></tr></table></html>\r\n")
_XHTML = b'<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><body><table><tr><td>' \
         b"First Name</td><td>Email</td></tr></table></body></html>"


@pytest.mark.parametrize("data, name, sentence", [
    (_WEB_PAGE, "staff.xls", "The file is a web page saved as one file (MHTML) named .xls, not a workbook; Excel opens "
                             "it, but File Import can't read it. Open it in Excel, save it as .xlsx or CSV, and upload "
                             "that."),
    (_SAVED_BY_A_BROWSER, "staff.xlsx", "The file is a web page saved as one file (MHTML) named .xlsx, not a workbook"),
    (_WEB_PAGE, "staff.csv", "The file is a web page saved as one file (MHTML), not a spreadsheet."),
    (_XHTML, "staff.xls", "The file is a web page (HTML) named .xls, not a workbook"),
    (_XHTML, "staff.csv", "The file is a web page (HTML), not a spreadsheet."),
], ids=["excel mhtml as xls", "browser mhtml as xlsx", "excel mhtml as csv", "xhtml as xls", "xhtml as csv"])
def test_a_web_page_saved_as_one_file_or_as_xhtml_is_called_what_it_is(signed_in, data, name, sentence):
    # They were read as text: "No email column found. The file's headers are: "This document is a Single File Web
    # Page", ..." or "The file is an XML file".
    assert sentence in _refused(signed_in, data, name)


def test_invisible_direction_marks_and_fillers_are_cleaned_from_the_accounts_created(runner, org):
    # Copying a name out of right-to-left text brings U+200F; it stayed in the staged name (shown as "Ann") and became
    # a space when the account was created ("An n"). A Hangul filler (U+3164) as a first name read as filled.
    result = runner.invoke(args=["users", "import", str(DATA / "hostile10_invisible_marks.csv"), "--org", org.slug])
    assert result.exit_code == 0, result.output
    names = dict(db.session.execute(select(User.email, User.first_name + "|" + User.last_name)
                                    .where(User.org_id == org.id, User.email.like("%@example.com"))).all())
    assert names == {
        "a1@example.com": "\u0645\u062d\u0645\u062f|Lee",  # U+200F on both sides
        "a2@example.com": "Ann|Lee",  # U+200F inside
        "a3@example.com": "Ann|Lee",  # U+061C, the Arabic letter mark, after it
        "a4@example.com": "Ann|Lee",  # isolates around it (U+2067 ... U+2069)
        "a5@example.com": "AnneeL|X",  # a right-to-left override (U+202E) inside: shown as typed, not reversed
        "a6@example.com": "Ann \U0001f468\U0001f469\U0001f467|Lee",  # a family emoji's joiners go with the rest
        "a7@example.com": "|Lee",  # a first name of a Hangul filler alone is no first name
        "a8@example.com": "Ann|Lee",  # a soft hyphen inside
        "a9@example.com": "Ann|",  # a last name of a left-to-right mark alone is no last name
        "b@example.com": "Ben|Ng",  # a right-to-left mark inside the address
    }


def test_a_long_row_above_a_windows_1252_name_is_read_in_seconds():
    # 153 cells of 9,000 characters, each within the limits: finding the lines to judge the code page by tried every
    # position of that ASCII row again to its end (16 s for 40 KB; for this row, hours of the web process).
    data = (b"First Name,Last Name,Email,Notes\r\nAnn,Lee,ann@example.com," + b",".join([b"x" * 9000] * 150)
            + b"\r\nRen\xe9e,Roux,renee@example.com,\r\n")
    rows = _read_in_seconds(data)
    assert [cells[:3] for _, cells in rows] == [["Ann", "Lee", "ann@example.com"], ["Renée", "Roux", "renee@example.com"]]


def test_a_five_megabyte_line_of_windows_1252_text_is_refused_in_seconds():
    # Every byte of it was scored as each of eleven code pages before the line was measured: 40 s, and for 50 MB
    # minutes and 1.7 GB of the web process.
    data = b"First Name,Email," + b"Ren\xe9e " * 800_000
    assert _read_in_seconds(data).startswith("Line 1 is over 2 MB long, longer than a row of 200 full cells can be")


def _sheet_of_long_cells(rows: int) -> bytes:
    """An .xlsx of `rows` rows of 200 cells, each one 9,999-letter text (one shared string: 23 KB), then a person."""
    import io
    import zipfile

    cells = "".join(f'<c r="{_column(i)}{{row}}" t="s"><v>0</v></c>' for i in range(200))
    body = "".join(f'<row r="{r}">{cells.format(row=r)}</row>' for r in range(1, rows + 1))
    person = (f'<row r="{rows + 1}"><c r="A{rows + 1}" t="inlineStr"><is><t>Ann</t></is></c>'
              f'<c r="B{rows + 1}" t="inlineStr"><is><t>ann@example.com</t></is></c></row>')
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
        '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
        'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        '2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet '
        'name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '</Relationships>',
        "xl/sharedStrings.xml": '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
        f'2006/main" count="{rows * 200}" uniqueCount="1"><si><t>{"a" * 9999}</t></si></sst>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{body}{person}</sheetData></worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


@pytest.mark.parametrize("data, name", [
    # Two rows of 200 cells of 9,999 letters (4 MB), then a person: each cell was tried letter by letter as the start
    # of an address while the header was looked for (minutes per row).
    ((",".join(["a" * 9999] * 200) + "\r\n") * 2 + "Ann,ann@example.com\r\n", "people.csv"),
    # The same cells in a 23 KB workbook: one shared text used 1,000 times (minutes).
    (None, "people.xlsx"),
], ids=["csv", "xlsx"])
def test_rows_of_long_cells_without_an_address_are_read_in_seconds(data, name):
    outcome = _read_in_seconds(data.encode() if data else _sheet_of_long_cells(5), name)
    assert isinstance(outcome, str) or outcome[-1][1][:2] == ["Ann", "ann@example.com"]
