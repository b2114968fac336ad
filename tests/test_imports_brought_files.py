"""Files admins really bring (tests/data/make_brought_files.py): long report preambles, email columns that hold no
addresses, Baltic and Nordic code pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_imports_mapping_rules import people, staged

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name, header_line, email_header, above", [
    # An LMS report: title, filters and notes over 33 filled lines (41 in all with blank ones).
    ("lms_long_preamble.csv", 39, "Email address", 33),
    # An HR report's prompts and notes, one note naming the reporting team's address.
    ("hr_long_preamble.csv", 35, "Work Email", 31),
])
def test_a_header_under_a_long_report_preamble_is_found_and_the_preamble_skipped(name, header_line, email_header,
                                                                                 above):
    table, column_map, rows = staged(name)
    assert table.header_line == header_line and not table.headerless and not column_map.doubts
    assert column_map.header_names(table.headers)["email"] == email_header
    assert people(rows) == [(header_line + 1, "Ann", "Lee", "ann.lee@example.com", "valid"),
                            (header_line + 2, "Ben", "Ng", "ben.ng@example.com", "valid"),
                            (header_line + 3, "Cleo", "Patel", "cleo.patel@example.org", "valid")]
    assert [item.reason for item in table.skipped] == ["above the header row"] * above
