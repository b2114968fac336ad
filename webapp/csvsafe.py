"""CSV the app writes: UTF-8 with BOM for Excel, and no cell able to start a formula."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# ASCII and full-width (Excel and LibreOffice read ＝＋－＠ as their ASCII twins) formula starts.
FORMULA_CHARACTERS = "=+-@\uff1d\uff0b\uff0d\uff20"
FORMULA_STARTS = tuple(FORMULA_CHARACTERS) + ("\t", "\r", "\n")
_BLANKS = " \t\r\n\u3000\u00a0"
# Sets, so an empty first character never matches (as `"" in "..."` would).
_RISKY_FIRST = frozenset(FORMULA_STARTS)
_BLANK_FIRST = frozenset(_BLANKS)
_FORMULA_SET = frozenset(FORMULA_CHARACTERS)
_RISKY_OR_BLANK = _RISKY_FIRST | _BLANK_FIRST


def starts_formula(text: str) -> bool:
    """True when a spreadsheet could run the cell: a formula sign first, or after spaces/tabs."""
    first = text[:1]
    if first in _RISKY_FIRST:
        return True
    return first in _BLANK_FIRST and text.lstrip(_BLANKS)[:1] in _FORMULA_SET


def safe_cell(value) -> str:
    """Neutralise a cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    text = value if type(value) is str else "" if value is None else str(value)
    if text[:1] in _RISKY_OR_BLANK and starts_formula(text):
        return "'" + text
    return text


def safe_rows(rows: Iterable[Sequence]) -> list[list]:
    """Each row's cells made formula-safe, as lists; most cells are checked without a call."""
    risky = _RISKY_OR_BLANK
    return [[cell if type(cell) is str and cell[:1] not in risky else safe_cell(cell) for cell in row]
            for row in rows]


class SafeCsvWriter:
    """Writes CSV rows to a text file as they come (CRLF line ends), every cell made formula-safe."""

    def __init__(self, file, header: Sequence[str]):
        self._writer = csv.writer(file, lineterminator="\r\n")
        self.row(header)

    def row(self, cells: Sequence) -> None:
        self._writer.writerow([safe_cell(cell) for cell in cells])

    def safe_rows(self, rows: Iterable[Sequence]) -> None:
        """Write rows whose cells safe_rows() has already made safe (with cells added that are safe by making)."""
        self._writer.writerows(rows)


def write_csv(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """Return CSV bytes (UTF-8 with BOM, CRLF line ends) with every cell made formula-safe."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer, header)
    for row in rows:
        writer.row(row)
    return buffer.getvalue().encode("utf-8-sig")
