"""Email cells that are mailto: hyperlinks ("Email me", or the person's name, linking to the address): staged with
the link's address; a cell that shows a valid address keeps what it shows, which is what the admin sees."""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from webapp.imports import workbook_extras
from webapp.imports.reading import read_table
from tests.test_imports_more_exports import stage
from tests.workbook_parts import with_part

DATA = Path(__file__).parent / "data"
# (first name, last name, shown email cell, its link or None)
PEOPLE = [
    ("Ann", "Lee", "Email me", "mailto:ann@example.com?subject=Welcome%20aboard"),
    ("Ben", "Ng", "Ben Ng", "MAILTO:Ben.Ng%40example.com"),
    ("Cat", "Poe", "cat@example.com", "mailto:cat.old@example.com"),
    ("Dan", "Roe", "Email me", "https://example.com/dan"),
    ("Eve", "Fox", "", "mailto:eve@example.com"),
]
STAGED = [
    (2, "Ann", "Lee", "ann@example.com", "valid"),
    (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
    (4, "Cat", "Poe", "cat@example.com", "valid"),
    (5, "Dan", "Roe", "Email me", "invalid"),
    (6, "Eve", "Fox", "eve@example.com", "valid"),
]


def linked_xlsx() -> bytes:
    """PEOPLE in an .xlsx written by openpyxl, each link a cell hyperlink; the first name "Ann" links to a mailto too."""
    book = Workbook()
    sheet = book.active
    sheet.append(["First name", "Last name", "Email"])
    for row, (first, last, shown, link) in enumerate(PEOPLE, start=2):
        sheet.append([first, last, shown or None])
        if link:
            sheet.cell(row=row, column=3).hyperlink = link
            sheet.cell(row=row, column=3).value = shown  # "": an empty cell holding only its link
    sheet.cell(row=2, column=1).hyperlink = "mailto:someone.else@example.com"
    sheet.cell(row=2, column=1).value = "Ann"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ods_cell(shown: str, link: str | None) -> str:
    if not link:
        return f'<table:table-cell office:value-type="string"><text:p>{shown}</text:p></table:table-cell>'
    href = link.replace("&", "&amp;")
    return (f'<table:table-cell office:value-type="string"><text:p><text:a xlink:href="{href}" '
            f'xlink:type="simple">{shown}</text:a></text:p></table:table-cell>')


def linked_ods() -> bytes:
    """PEOPLE in an .ods (staff.ods with its Staff sheet replaced), links as LibreOffice writes them (text:a)."""
    rows = [["First name", "Last name", "Email"]] + [list(person) for person in PEOPLE]
    xml = ""
    for index, row in enumerate(rows):
        first, last, shown, link = (row + [None])[:4]
        # The first name "Ann" links to another address: a name cell is never read as its link.
        xml += ("<table:table-row>" + _ods_cell(first, "mailto:someone.else@example.com" if index == 1 else None)
                + _ods_cell(last, None) + _ods_cell(shown, link)
                + '<table:table-cell table:number-columns-repeated="5"/></table:table-row>')

    def linked(data: bytes) -> bytes:
        data = data.replace(b"<office:document-content ", b'<office:document-content '
                            b'xmlns:xlink="http://www.w3.org/1999/xlink" ', 1)
        start = data.index(b'<table:table table:name="Staff">')
        end = data.index(b"</table:table>", start)
        return data[:start] + b'<table:table table:name="Staff">' + xml.encode() + data[end:]

    return with_part(DATA / "staff.ods", "content.xml", linked)


@pytest.mark.parametrize("name, make", [("linked.xlsx", linked_xlsx), ("linked.ods", linked_ods)])
def test_an_email_cell_linking_to_a_mailto_is_staged_with_the_link_s_address(signed_in, tmp_path, name, make,
                                                                            monkeypatch):
    (tmp_path / name).write_bytes(make())
    monkeypatch.setattr("tests.test_imports_more_exports.DATA", tmp_path)
    assert stage(signed_in, name) == STAGED


@pytest.mark.parametrize("name, make", [("linked.xlsx", linked_xlsx), ("linked.ods", linked_ods)])
def test_the_cells_still_read_as_they_show_until_the_email_column_is_known(name, make):
    table = read_table(make(), name)
    assert [cells[:3] for _line, cells in table.rows][:2] == [["Ann", "Lee", "Email me"], ["Ben", "Ng", "Ben Ng"]]
    assert table.mail_links[(2, 2)] == "ann@example.com" and table.mail_links[(2, 0)] == "someone.else@example.com"
    assert (5, 2) not in table.mail_links  # an https link is no address


@pytest.mark.parametrize("target, address", [
    ("mailto:ann@example.com", "ann@example.com"),
    ("mailto:ann@example.com?subject=Hi&amp;body=Welcome", "ann@example.com"),
    ("MailTo:%20ann%40example.com", "ann@example.com"),
    ("mailto:ann@example.com#top", "ann@example.com"),
    ("mailto:ann@example.com,ben@example.com", None),  # two people: no one address to read
    ("mailto:", None),
    ("mailto:?subject=Hi", None),
    ("https://example.com/?to=ann@example.com", None),
    ("#Sheet2!A1", None),
])
def test_a_link_s_address(target, address):
    assert workbook_extras.mailto_address(target) == address


def test_a_link_over_a_range_of_cells_names_each_cell():
    out = io.BytesIO()
    rels = ('<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/hyperlink" Target="mailto:team@example.com" TargetMode="External"/>'
            '<Relationship Id="rId2" Type="x/hyperlink" Target="https://example.com" TargetMode="External"/>'
            '</Relationships>')
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/worksheets/sheet1.xml", '<worksheet><sheetData/><hyperlinks>'
                         '<hyperlink ref="C2:D3" r:id="rId1"/><hyperlink ref="E2" r:id="rId2"/>'
                         '<hyperlink ref="F2" location="Sheet2!A1"/></hyperlinks></worksheet>')
        archive.writestr("xl/worksheets/_rels/sheet1.xml.rels", rels)
    assert workbook_extras.xlsx_mail_links(out, "xl/worksheets/sheet1.xml") == [
        (2, 2, "team@example.com"), (2, 3, "team@example.com"), (3, 2, "team@example.com"),
        (3, 3, "team@example.com")]


def test_a_linked_cell_repeated_across_a_million_rows_is_read_quickly_and_bounded():
    row = ('<table:table-row table:number-rows-repeated="1000000"><table:table-cell table:number-columns-repeated='
           '"16000" office:value-type="string"><text:p><text:a xlink:href="mailto:x@example.com">x</text:a></text:p>'
           "</table:table-cell></table:table-row>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("content.xml", '<office:document-content><office:body><office:spreadsheet>'
                         f'<table:table table:name="Staff">{row}</table:table></office:spreadsheet></office:body>'
                         "</office:document-content>")
    workbook_extras._MENTIONED.clear()  # (the child reads one workbook and remembers what it holds)
    started = time.monotonic()
    links = workbook_extras.ods_mail_links(out, 0)
    assert len(links) == 100_000 and links[0] == (1, 0, "x@example.com")
    assert time.monotonic() - started < 5
