"""A "Name" header over two columns (first name | last name): merged in a workbook, or followed by a blank header.

Spreadsheets made by hand often merge "Name" across a first-name and a last-name column, either alone (the second
header cell is blank) or above a second header row naming the parts ("First", "Last"). Read as they are, the blank
header's column was dropped and the last names lost; these helpers name the two columns so the column matching
reads them as first and last name, and "How we read the file" shows it ("First name from “Name (first name)”").
"""
from __future__ import annotations

import re

from webapp.imports.columns import classify_header
from webapp.imports.locating import BLANK_CHARS

FIRST, LAST = "first name", "last name"
_NAME_LIKE = re.compile(r"[^\W\d_][^\d@<>/\\|=]{0,58}")
_MOSTLY = 0.6
_SAMPLE = 200


def parts_reason(header: str) -> str:
    """Why the second header row is skipped."""
    return f"the second line of the header: the two parts of \u201c{header}\u201d, first name and last name"


def _field(text: str) -> str | None:
    found = classify_header(text) if text.strip(BLANK_CHARS) else None
    return found[0] if found else None


def _blank(cells: list[str], index: int) -> bool:
    return index >= len(cells) or not cells[index].strip(BLANK_CHARS)


def _spans(merged, line: int, index: int) -> bool:
    """True when the workbook merges this header cell over exactly it and the next one."""
    return any(top == line and first == index and last == index + 1 for top, first, _bottom, last in merged or ())


def join_parts_row(filled: list[tuple[int, list[str]]], header_line: int | None = None
                   ) -> tuple[list[tuple[int, list[str]]], int | None, str]:
    """The two-row form: "Name" over a blank cell, and under them "First" | "Last" in the next row.

    Returns the rows with the upper one joined into a single header ("Name (First)", "Name (Last)", and the lower
    row's names under the upper row's blank cells), the line of the lower row to skip (None when no such pair) and
    the name header's text. `header_line`: the header row the admin chose; only it may be the upper row.
    """
    for position in range(min(len(filled) - 1, 20)):
        line, cells = filled[position]
        if header_line is not None and line != header_line:
            continue
        below_line, below = filled[position + 1]
        for index, cell in enumerate(cells[:-1] if cells else []):
            if _field(cell) != "full_name" or not _blank(cells, index + 1) or len(below) <= index + 1:
                continue
            parts = {_field(below[index]), _field(below[index + 1])}
            if parts != {"first_name", "last_name"}:
                continue
            # The lower row holds nothing but column names (under the upper row's blank cells) and the two parts.
            others = [(column, text) for column, text in enumerate(below)
                      if column not in (index, index + 1) and text.strip(BLANK_CHARS)]
            if any(not _blank(cells, column) or _field(text) is None for column, text in others):
                continue
            joined = list(cells) + [""] * max(0, len(below) - len(cells))
            name = cell.strip(BLANK_CHARS)
            joined[index] = f"{name} ({below[index].strip(BLANK_CHARS)})"
            joined[index + 1] = f"{name} ({below[index + 1].strip(BLANK_CHARS)})"
            for column, text in others:
                joined[column] = text
            rows = list(filled)
            rows[position] = (line, joined)
            return rows, below_line, name
    return filled, None, ""


def split_name_column(header_cells: list[str], header_at: int | None, below: list[tuple[int, list[str]]],
                      merged=None) -> dict[int, str]:
    """The one-row form: {column: new header} for a "Name" header followed by a blank one over names.

    Taken when the workbook merges the two header cells over names, or else when the columns look like a name cut
    in two (_looks_split).
    """
    rows = [cells for _line, cells in below[:_SAMPLE]]
    for index, header in enumerate(header_cells):
        if _field(header) != "full_name" or not _blank(header_cells, index + 1):
            continue
        named = [(cells[index].strip(BLANK_CHARS), cells[index + 1].strip(BLANK_CHARS) if index + 1 < len(cells)
                  else "") for cells in rows if index < len(cells) and cells[index].strip(BLANK_CHARS)]
        seconds = [second for _first, second in named if second]
        if not seconds:
            continue
        name_like = sum(1 for second in seconds if _NAME_LIKE.fullmatch(second)) / len(seconds)
        if header_at is not None and _spans(merged, header_at, index):
            if name_like < _MOSTLY:
                continue  # merged over something else (a second address, a code)
        else:
            if not _looks_split(named, seconds, name_like):
                continue
        name = header.strip(BLANK_CHARS)
        return {index: f"{name} ({FIRST})", index + 1: f"{name} ({LAST})"}
    return {}


def _looks_split(named: list[tuple[str, str]], seconds: list[str], name_like: float) -> bool:
    """True when the name column holds first names and the blank-headed one last names: most rows fill both, the
    first part is mostly one word (a full name has two), the second is a name-like word that varies from row to row
    (not a department), and the first does not already end with it (a full name beside a spare surname)."""
    if len(seconds) < _MOSTLY * len(named) or name_like < 0.8:
        return False
    one_word = sum(1 for first, _second in named if len(first.split()) == 1 and "," not in first)
    repeated = sum(1 for first, second in named if second and first.casefold().endswith(second.casefold()))
    varied = len({second.casefold() for second in seconds}) >= 0.5 * len(seconds)
    return one_word >= _MOSTLY * len(named) and repeated * 2 <= len(seconds) and (varied or len(seconds) < 4)
