"""A "Name" header over two or three columns (first | last, first | middle | last, or last | first under a second
header row saying so): merged in a workbook, or followed by blank headers.

Spreadsheets made by hand often merge "Name" across a first-name and a last-name column (and a middle-name one
between them), either alone (the other header cells are blank) or above a second header row naming the parts
("First", "Middle", "Last"). Read as they are, the blank headers' columns were dropped and the last names lost;
these helpers name the columns so the column matching reads them as first and last name, and "How we read the file"
shows it ("First Name from “Name (first name)”").

There is no middle-name field: a middle name joins the first name ("Mary Anne"), as on a form with two name boxes.
Its column is named "Name (middle name), read with the first name" and the first name's "Name (first name) +
(middle name)", so the page says where each part went; reading joins the cells (join_middle_names).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from webapp.imports.columns import classify_header
from webapp.imports.locating import BLANK_CHARS

FIRST, MIDDLE, LAST = "first name", "middle name", "last name"
_NAME_LIKE = re.compile(r"[^\W\d_][^\d@<>/\\|=]{0,58}")
# A middle name, or its initial ("J", "J."), or more than one ("Anne Marie").
_MIDDLE_LIKE = re.compile(r"[^\W\d_](?:\.|[^\d@<>/\\|=]{0,58})")
_MIDDLE_HEADER = re.compile(r"middle(?:[\s_-]*(?:names?|initials?))?|other[\s_-]*(?:given[\s_-]*)?names?|m\.?\s?i\.?"
                            r"|second[\s_-]*given[\s_-]*names?|segundo[\s_-]*nombre|zweiter[\s_-]*vorname"
                            r"|deuxi[eè]me[\s_-]*pr[eé]nom", re.IGNORECASE)
_MOSTLY = 0.6
_SAMPLE = 200
_NOUNS = {"first_name": FIRST, "middle_name": MIDDLE, "last_name": LAST}


@dataclass
class NameColumns:
    """How a "Name" header's columns are read: new headers, and middle-name columns joined into first-name ones."""

    renames: dict[int, str] = field(default_factory=dict)
    joins: dict[int, int] = field(default_factory=dict)  # {middle-name column: first-name column}


def parts_reason(header: str, parts: tuple[str, ...] = ("first_name", "last_name")) -> str:
    """Why the second header row is skipped."""
    nouns = [_NOUNS[part] for part in parts]
    listed = " and ".join(nouns) if len(nouns) == 2 else f"{nouns[0]}, {nouns[1]} and {nouns[2]}"
    count = "two" if len(parts) == 2 else "three"
    return f"the second line of the header: the {count} parts of \u201c{header}\u201d, {listed}"


def join_middle_names(rows, joins: dict[int, int], header_at: int):
    """The rows below the header with each middle name joined to the first name ("Mary" + "Anne": "Mary Anne")."""
    for line, cells in rows:
        for middle, first in joins.items() if line > header_at else ():
            if middle < len(cells) and first < len(cells):
                extra = cells[middle].strip(BLANK_CHARS)
                if not extra:
                    continue
                cells = list(cells)
                given = cells[first].strip(BLANK_CHARS)
                # A #N/A (or a formula without its result) in the middle name is reported on the first name.
                marked = extra[:1] == "#" or cells[middle][:1] == "\u2060"
                cells[first] = cells[middle] if marked else f"{given} {extra}" if given else extra
        yield line, cells


def _renamed(name: str, index: int, parts: list[tuple[str, str]]) -> NameColumns:
    """New headers for `parts` [(field, label)] from column `index` on, the middle name joined to the first."""
    columns = NameColumns()
    labels = dict(parts)
    first_at = index + [key for key, _label in parts].index("first_name")
    for offset, (key, label) in enumerate(parts):
        if key == "middle_name":
            columns.renames[index + offset] = f"{name} ({label}), read with the {FIRST}"
            columns.joins[index + offset] = first_at
        elif key == "first_name" and "middle_name" in labels:
            columns.renames[index + offset] = f"{name} ({label}) + ({labels['middle_name']})"
        else:
            columns.renames[index + offset] = f"{name} ({label})"
    return columns


def _field(text: str) -> str | None:
    """The field a header cell names (columns.classify_header), if any."""
    if not text.strip(BLANK_CHARS):
        return None
    found = classify_header(text)
    return found[0] if found else None


def _blank(cells: list[str], index: int) -> bool:
    return index >= len(cells) or not cells[index].strip(BLANK_CHARS)


def _part(text: str) -> str | None:
    """"first_name", "middle_name" or "last_name" for a lower header cell naming a part of the name, else None."""
    if _MIDDLE_HEADER.fullmatch(text.strip(BLANK_CHARS)):
        return "middle_name"
    found = _field(text)
    return found if found in ("first_name", "last_name") else None


def _spans(merged, line: int, index: int, width: int = 2) -> bool:
    """True when the workbook merges this header cell over exactly it and the next width - 1 ones."""
    return any(top == line and first == index and last == index + width - 1
               for top, first, _bottom, last in merged or ())


_WHOLE = ({"first_name", "last_name"}, {"first_name", "middle_name", "last_name"})


def join_parts_row(filled: list[tuple[int, list[str]]], header_line: int | None = None
                   ) -> tuple[list[tuple[int, list[str]]], int | None, str, dict[int, int]]:
    """The two-row form: "Name" over one or two blank cells, and under them the parts ("First" | "Last", "Last" |
    "First", "First" | "Middle" | "Last") in the next row.

    Returns the rows with the upper one joined into a single header ("Name (First)", "Name (Last)", and the lower
    row's names under the upper row's blank cells), the line of the lower row to skip (None when no such pair), why
    it is skipped, and {middle-name column: first-name column}. `header_line`: the header row the admin chose; only
    it may be the upper row.
    """
    for position in range(min(len(filled) - 1, 20)):
        line, cells = filled[position]
        if header_line is not None and line != header_line:
            continue
        below_line, below = filled[position + 1]
        for index, cell in enumerate(cells[:-1] if cells else []):
            if _field(cell) != "full_name":
                continue
            for width in (3, 2):
                if len(below) < index + width or any(not _blank(cells, index + step) for step in range(1, width)):
                    continue
                span = range(index, index + width)
                parts = [_part(below[column]) for column in span]
                if set(parts) not in _WHOLE or len(set(parts)) != width:
                    continue
                # The lower row holds nothing but column names (under the upper row's blank cells) and the parts.
                others = [(column, text) for column, text in enumerate(below)
                          if column not in span and text.strip(BLANK_CHARS)]
                if any(not _blank(cells, column) or _field(text) is None for column, text in others):
                    continue
                joined = list(cells) + [""] * max(0, len(below) - len(cells))
                name = cell.strip(BLANK_CHARS)
                columns = _renamed(name, index, [(part, below[column].strip(BLANK_CHARS))
                                                 for part, column in zip(parts, span)])
                for column, header in columns.renames.items():
                    joined[column] = header
                for column, text in others:
                    joined[column] = text
                rows = list(filled)
                rows[position] = (line, joined)
                return rows, below_line, parts_reason(name, tuple(parts)), columns.joins
    return filled, None, "", {}


def split_name_column(header_cells: list[str], header_at: int | None, below: list[tuple[int, list[str]]],
                      merged=None) -> NameColumns:
    """The one-row form: new headers for a "Name" header followed by one or two blank ones over names.

    Taken when the workbook merges the header cells over names, or else when the columns look like a name cut in
    two or three (_looks_split). Three columns are first, middle and last name.
    """
    rows = [cells for _line, cells in below[:_SAMPLE]]
    for index, header in enumerate(header_cells):
        if _field(header) != "full_name" or not _blank(header_cells, index + 1):
            continue
        name = header.strip(BLANK_CHARS)
        if _blank(header_cells, index + 2) and _three_parts(rows, index, header_at, merged):
            return _renamed(name, index, [("first_name", FIRST), ("middle_name", MIDDLE), ("last_name", LAST)])
        named = _named(rows, index, index + 1)
        seconds = [second for _first, second in named if second]
        if not seconds:
            continue
        name_like = _share(seconds, _NAME_LIKE)
        if header_at is not None and _spans(merged, header_at, index):
            if name_like < _MOSTLY:
                continue  # merged over something else (a second address, a code)
        else:
            if not _looks_split(named, seconds, name_like):
                continue
        return _renamed(name, index, [("first_name", FIRST), ("last_name", LAST)])
    return NameColumns()


def _named(rows: list[list[str]], first: int, other: int) -> list[tuple[str, str]]:
    """(first cell, other cell) of the rows whose first cell is filled."""
    return [(cells[first].strip(BLANK_CHARS), cells[other].strip(BLANK_CHARS) if other < len(cells) else "")
            for cells in rows if first < len(cells) and cells[first].strip(BLANK_CHARS)]


def _share(texts: list[str], pattern: re.Pattern) -> float:
    return sum(1 for text in texts if pattern.fullmatch(text)) / len(texts) if texts else 0.0


def _three_parts(rows: list[list[str]], index: int, header_at: int | None, merged) -> bool:
    """True when the name header's column and the two after it hold first, middle and last names: last names
    in most rows, and the middle column blank or middle names (initials too)."""
    named = _named(rows, index, index + 2)
    lasts = [last for _first, last in named if last]
    middles = [middle for _first, middle in _named(rows, index, index + 1) if middle]
    if not lasts or _share(middles, _MIDDLE_LIKE) < (0.8 if middles else 0):
        return False
    if header_at is not None and _spans(merged, header_at, index, 3):
        return _share(lasts, _NAME_LIKE) >= _MOSTLY
    varied = len({middle.casefold() for middle in middles}) >= 0.5 * len(middles) or len(middles) < 4
    return varied and _looks_split(named, lasts, _share(lasts, _NAME_LIKE))


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
