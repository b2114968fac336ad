"""The CSV formula guard: ASCII and full-width formula signs, at the start or after blanks."""
import pytest

from webapp.csvsafe import safe_cell, write_csv


@pytest.mark.parametrize("value, neutralised", [
    ("=1+1", True),
    ("+1", True),
    ("-1", True),
    ("@SUM(A1)", True),
    ("\uff1dHYPERLINK(\"http://x\")", True),   # full-width ＝
    ("\uff0b1", True),                         # full-width ＋
    ("\uff0d1", True),                         # full-width －
    ("\uff20SUM(A1)", True),                   # full-width ＠
    ("  =1+1", True),
    (" \t+cmd", True),
    ("\t-2", True),
    ("   \uff1d1", True),
    ("\u3000=1", True),                        # ideographic space first
    ("\n@x", True),
    ("Zoë", False),
    ("a=b", False),
    ("  plain", False),
    ("   ", False),
    ("", False),
    ("O'Neil-Smith", False),
    ("x@example.org", False),
])
def test_formula_guard(value, neutralised):
    assert safe_cell(value) == ("'" + value if neutralised else value)


def test_written_csv_neutralises_full_width_and_indented_formulas():
    data = write_csv(["Name"], [["\uff1d1+1"], ["  =1+1"]]).decode("utf-8-sig")
    assert data.splitlines()[1:] == ["'\uff1d1+1", "'  =1+1"]
