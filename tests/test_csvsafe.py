"""Every CSV the app writes is formula-safe and opens in Excel with accents intact."""
import csv
import io

import pytest

from webapp.csvsafe import safe_cell, safe_rows, write_csv

CELLS = [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
    ("+1+2", "'+1+2"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("José", "José"),
    ("a=b", "a=b"),
    (None, ""),
    (42, "42"),
    ("  =1+1", "'  =1+1"),
    ("\uff1dcmd", "'\uff1dcmd"),
    ("", ""),
]


@pytest.mark.parametrize("value, expected", CELLS)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_a_page_of_rows_made_safe_at_once_reads_as_each_cell_made_safe():
    """The summary CSV's page-at-a-time path neutralises exactly what the cell-at-a-time one does."""
    values, expected = zip(*CELLS)
    assert safe_rows([values, values[::-1]]) == [list(expected), list(expected[::-1])]


def test_write_csv_has_bom_and_neutralised_cells():
    data = write_csv(["Name", "Note"], [["Zoë", "=1+1"]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Note"], ["Zoë", "'=1+1"]]
