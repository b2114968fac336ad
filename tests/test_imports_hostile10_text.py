"""Text files shaped to cost the web process memory or to pass for a table: empty rows by the hundred thousand are
counted, not held, and a web page saved as one file (MHTML) is called what it is."""
from __future__ import annotations

import tracemalloc

import pytest

from webapp.imports.reading import read_table

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
