"""Workbooks whose XML is shaped to make the checks before parsing slow, and .ods repeats written the ways XML allows:
the web process answers in seconds, and a filled row or cell repeated past the limits is named with its sheet."""
from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from tests.test_imports_hostile import _parts, _refused, _strings_part, _xlsx
from webapp.imports.reading import UnreadableFile, read_table

DATA = Path(__file__).parent / "data"
_STAFF_ROW = (b'<table:table-row><table:table-cell office:value-type="string"><text:p>\xc3\x89lodie</text:p>'
              b'</table:table-cell><table:table-cell office:value-type="string"><text:p>Roux</text:p></table:table-cell>'
              b'<table:table-cell office:value-type="string"><text:p>elodie@example.fr</text:p></table:table-cell>'
              b'<table:table-cell table:number-columns-repeated="1020"/></table:table-row>')


def _staff_ods(before_body: bytes = b"", after_last_person: bytes = b"") -> bytes:
    """tests/data/staff.ods (a LibreOffice file, its sheets padded with empty repeats) with XML put in its content."""
    with zipfile.ZipFile(DATA / "staff.ods") as source:
        parts = [(member.filename, source.read(member)) for member in source.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts:
            if name == "content.xml":
                assert _STAFF_ROW in data
                data = data.replace(b"<office:body>", before_body + b"<office:body>", 1)
                data = data.replace(_STAFF_ROW, _STAFF_ROW + after_last_person, 1)
            target.writestr(name, data, zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


PEOPLE = [(2, ["Anaïs", "Lefèvre", "anais@example.fr"]), (3, ["Élodie", "Roux", "elodie@example.fr"])]


def test_the_ods_these_are_built_from_is_read_with_its_padding():
    assert read_table(_staff_ods(), "staff.ods").rows == PEOPLE


def _read_in_seconds(data: bytes, name: str = "people.csv") -> list | str:
    """The people rows, or the sentence refusing the file; either within seconds."""
    started = time.monotonic()
    try:
        outcome = read_table(data, name).rows
    except UnreadableFile as refused:
        outcome = str(refused)
    assert time.monotonic() - started < 10
    return outcome


@pytest.mark.parametrize("junk", [
    b"<table:table-cell " * 120_000,  # a start tag never ended, two megabytes of them
    b'<table:table-cell table:number-columns-repeated="1000">' * 40_000,  # repeats never closed
], ids=["unended tags", "unclosed repeats"])
def test_two_megabytes_of_unfinished_ods_tags_are_answered_in_seconds(junk):
    # The repeat check searched from every tag to the next ">" or end tag: minutes of the web process per megabyte.
    ods = _staff_ods(before_body=junk)
    assert len(ods) < 100_000
    outcome = _read_in_seconds(ods, "staff.ods")
    assert outcome == PEOPLE or "columns, more than the 200 this importer reads" in outcome


FILLED_REPEATS = [
    ("single quotes", b"<table:table-row table:number-rows-repeated='2000000'><table:table-cell "
                      b'office:value-type="string"><text:p>x@example.com</text:p></table:table-cell></table:table-row>',
     "The sheet \u201cStaff\u201d repeats a filled row down 2,000,000 rows, more than the 1,000,000 this importer "
     "reads (setting IMPORT_MAX_ROWS)."),
    ("spaces around =", b'<table:table-row table:number-rows-repeated = "2000000"><table:table-cell '
                        b'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>',
     "repeats a filled row down 2,000,000 rows"),
    ("value in the tag", b'<table:table-row table:number-rows-repeated="5000"><table:table-cell office:value-type='
                         b'"float" office:value="1" table:number-columns-repeated="100000"/></table:table-row>',
     "The sheet \u201cStaff\u201d repeats a filled cell across 100,000 columns, more than the 200 this importer "
     "reads (setting IMPORT_MAX_COLUMNS)."),
    ("end tag a megabyte on", b'<table:table-row table:number-rows-repeated="2000000"><table:table-cell office:'
                              b'value-type="string"><text:p>x</text:p></table:table-cell>'
                              + b"<table:table-cell/>" * 80_000 + b"</table:table-row>",
     "repeats a filled row down 2,000,000 rows"),
]


@pytest.mark.parametrize("row, sentence", [case[1:] for case in FILLED_REPEATS], ids=[c[0] for c in FILLED_REPEATS])
def test_a_filled_ods_repeat_past_the_limits_is_refused_before_parsing_naming_its_sheet(signed_in, row, sentence):
    # Each went past the check before: the child then unpacked a million rows, or ran out of memory.
    assert sentence in _refused(signed_in, _staff_ods(after_last_person=row), "staff.ods")


def test_an_empty_row_repeated_a_million_times_is_still_libreoffice_padding():
    padding = b'<table:table-row table:number-rows-repeated="1048000"><table:table-cell/></table:table-row>'
    assert len(read_table(_staff_ods(after_last_person=padding), "staff.ods").rows) == 2


@pytest.mark.parametrize("junk", [b'Id="a" ' * 37_000, b'Target="a" ' * 24_000], ids=["Id", "Target"])
def test_workbook_relations_of_unended_attributes_are_answered_in_seconds(junk):
    # The sheet names were looked up with a lazy search from each Id=" to a Target=": 40 s of the web process.
    parts = dict(_parts())
    relations = parts["xl/_rels/workbook.xml.rels"]
    at = relations.index(b"?>") + 2
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data[:at] + junk + data[at:] if name == "xl/_rels/workbook.xml.rels" else data)
    assert _read_in_seconds(buffer.getvalue(), "people.xlsx") == [(2, ["Ann", "ann@example.com"])]


def test_repeats_within_the_limits_that_unpack_past_the_readers_cells_are_named_not_called_damaged(signed_in):
    # 900,000 rows of 150 filled cells: each within its limit, together more cells than calamine holds. Opened from
    # a file object, calamine says only "Cannot detect file format", and the admin read "it may be damaged". The
    # web process's count of the cells the repeats make (xml_checks) now refuses it before the parse.
    row = (b'<table:table-row table:number-rows-repeated="900000"><table:table-cell office:value-type="string" '
           b'table:number-columns-repeated="150"><text:p>x@example.com</text:p></table:table-cell></table:table-row>')
    page = _refused(signed_in, _staff_ods(after_last_person=row), "staff.ods")
    assert "The sheet \u201cStaff\u201d spreads over 900,003 rows by 150 columns (135,000,450 cells or more)" in page
    assert "damaged" not in page


@pytest.mark.parametrize("claimed", [b"4000000000", b"1000000000000"])
def test_a_list_of_texts_claiming_billions_of_entries_is_called_damaged_not_too_big(signed_in, claimed):
    # calamine makes room for every text the list claims before reading one: the child ran out of memory on a
    # 2 KB file, and the admin read that the workbook "may hold far-away cells or huge texts".
    strings = _strings_part().replace(b'uniqueCount="4"', b'uniqueCount="' + claimed + b'"')
    page = _refused(signed_in, _xlsx(strings=strings), "people.xlsx")
    assert f"The workbook (.xlsx) says its list of texts holds {int(claimed):,} entries, more than a part of " in page
    assert "bytes can, so the file is damaged. Open it in your spreadsheet program, save it again as .xlsx or CSV, " \
           "and upload that." in page


def test_a_list_of_texts_with_an_untrue_total_of_uses_is_still_read():
    strings = _strings_part().replace(b'count="4"', b'count="1000000000000"')
    assert read_table(_xlsx(strings=strings), "people.xlsx").rows == [(2, ["Ann", "ann@example.com"])]


def test_a_cell_with_an_empty_value_repeated_across_a_row_is_padding_too():
    padding = (b'<table:table-row><table:table-cell office:value-type="string" office:string-value="" '
               b'table:number-columns-repeated="1024"/></table:table-row>')
    assert read_table(_staff_ods(after_last_person=padding), "staff.ods").rows == PEOPLE
