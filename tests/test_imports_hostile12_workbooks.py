"""Workbooks found by the twelfth fuzzing pass: an .ods whose repeated, empty and merged (covered) cells make its
reader fill in millions of cells it does not write is refused before the parse, naming its sheet."""
from __future__ import annotations

import pytest

from tests.test_imports_hostile import _refused
from tests.test_imports_hostile10_containers import _staff_ods
from webapp.imports.ods_spread import OdsSpread, SpreadRefused
from webapp.imports.reading import read_table

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
