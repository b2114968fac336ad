"""Every CSV the app writes is formula-safe and opens in Excel with accents intact."""
import csv
import io

import pytest

from webapp.csvsafe import safe_cell, write_csv


@pytest.mark.parametrize("value, expected", [
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
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_write_csv_has_bom_and_neutralised_cells():
    data = write_csv(["Name", "Note"], [["Zoë", "=1+1"]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [["Name", "Note"], ["Zoë", "'=1+1"]]
