"""A file read as a table: the errors and limits of reading, and the table itself (RawTable), its header found
among the first rows, the lines above and below it set aside, and its body read again in chunks."""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from itertools import islice, takewhile

from webapp.imports import addresslists, name_headers
from webapp.imports.locating import (
    BLANK_CHARS,
    EMAIL_SCAN,
    NoTable,
    SECOND_HEADER,
    SkippedLine,
    choose_header,
    first_filled,
    footer_reason,
    has_email,
    filled_count,
    is_second_header,
    line_text,
    looks_like_a_header,
    tool_line_reason,
    trimmed_length,
)



HEAD_ROWS = 1000      # rows kept in memory for mapping, previews and samples; the rest stream in chunks
_HEAD_BLANK_RUN = 10_000  # empty rows in a row after which the header is looked for no further
_FOOTER_SCAN = 1000   # the last rows looked at for totals and notes below the table


def chunk_rows() -> int:
    """The running app's IMPORT_CHUNK_ROWS, else 10,000."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("IMPORT_CHUNK_ROWS") or 10_000) if has_app_context() else 10_000


class UnreadableFile(ValueError):
    """The file cannot be read; str(error) tells a person what happened, where, and what to do."""


@dataclass
class ReadLimits:
    """How much of an untrusted file reading may take on; each has an IMPORT_* setting of the same name."""

    max_columns: int = 200
    max_rows: int = 1_000_000
    max_cell_chars: int = 10_000
    max_decompressed_bytes: int = 400 * 1024 * 1024
    parse_timeout_seconds: int = 60
    parse_memory_mb: int = 1024

    @classmethod
    def from_config(cls, config) -> ReadLimits:
        """The limits from app config (IMPORT_MAX_COLUMNS, ...), defaults where a setting is missing."""
        values = {}
        for item in fields(cls):
            key = "IMPORT_" + item.name.upper()
            if key in config and config[key] is not None:
                values[item.name] = int(config[key])
        return cls(**values)


@dataclass
class RawTable:
    """The header cells and the people rows of a file, with how it was read and what was skipped.

    Only the first HEAD_ROWS rows are held (`head`); `chunks()` reads the file again and yields every row a
    chunk at a time, so a million-row file never sits in memory as Python objects.
    """

    headers: list[str]
    head: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str | None
    encoding_detected: str
    delimiter_detected: str | None
    sheet: str | None = None
    sheet_names: list[str] = field(default_factory=list)
    header_line: int | None = None
    headerless: bool = False
    skipped: list[SkippedLine] = field(default_factory=list)
    encoding_guessed: bool = False
    row_count: int = 0
    # A workbook's rows hidden in the spreadsheet (by hand or by a filter), as (first line, last line).
    hidden_lines: list[tuple[int, int]] = field(default_factory=list)
    # A workbook's cells that are mailto: hyperlinks, (line, column) -> the link's address.
    mail_links: dict[tuple[int, int], str] = field(default_factory=dict)
    source: Callable[[], Iterator[tuple[int, list[str]]]] | None = field(default=None, repr=False)

    def iter_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every people row, (line, cells), read afresh."""
        return self.source() if self.source is not None else iter(self.head)

    def chunks(self, size: int | None = None) -> Iterator[list[tuple[int, list[str]]]]:
        """Every people row in lists of `size` rows (IMPORT_CHUNK_ROWS by default)."""
        size = size or chunk_rows()
        rows = self.iter_rows()
        while chunk := list(islice(rows, size)):
            yield chunk

    @property
    def rows(self) -> list[tuple[int, list[str]]]:
        """Every people row in one list: for small files and tests; staging reads chunks()."""
        return list(self.iter_rows())



def shaped_table(open_rows: Callable[[], Iterator[tuple[int, list[str]]]], header_line, common: dict,
           counting=None, streamed: bool = False, merged=None, **workbook) -> RawTable:
    """Locate the table (header from the first rows, body streamed once to count it and find the lines to skip).

    `open_rows` reads the sheet afresh each time it is called; the table's chunks call it again, so only
    HEAD_ROWS rows and the skipped lines are kept. `streamed`: a long table with a header is counted by its
    chunks instead (_streamed_table). `merged`: a workbook's merged cells, (line, first cell, last line, last cell).
    """
    head_rows, positions = _head_rows(open_rows(), header_line)
    found = first_filled(head_rows, header_line)
    if not found:
        raise UnreadableFile("The file is empty. Add a header row and one row per person, then upload it again.")
    filled_head = [head_rows[index] for index in found]
    filled = [positions[index] for index in found]  # where each of those rows is among all the rows
    original_head = filled_head
    # "Name" over a blank cell, "First" | "Last" in the row below: one header, the lower row skipped.
    filled_head, parts_line, parts_reason, joins = name_headers.join_parts_row(filled_head, header_line)
    try:
        start, header_index, reason = choose_header(filled_head, header_line)
    except NoTable as exc:
        raise UnreadableFile(str(exc)) from None
    skipped = [SkippedLine(line, line_text(cells), reason) for line, cells in original_head[:start]]
    header_cells = None if header_index is None else filled_head[header_index][1]
    if header_index is None or header_index + 1 >= len(filled_head) or filled_head[header_index + 1][0] != parts_line:
        joins = {}  # the joined header row was not the one chosen
    renames: dict[int, str] = {}
    if header_cells is not None:
        header_at = filled_head[header_index][0]
        name_columns = name_headers.split_name_column(header_cells, header_at, filled_head[header_index + 1:], merged)
        renames, joins = name_columns.renames, joins or name_columns.joins
        header_cells = header_cells[:max(trimmed_length(header_cells), max(renames, default=-1) + 1)]
    if joins and header_cells is not None:
        open_rows = _with_middle_names(open_rows, joins, header_at)
    body_from = filled[start] if header_index is None else filled[header_index] + 1
    header_at = None if header_index is None else filled_head[header_index][0]
    if header_index is not None and header_index + 1 < len(filled_head) \
            and filled_head[header_index + 1][0] == parts_line:
        below = filled_head[header_index + 1][1]
        skipped.append(SkippedLine(parts_line, line_text(below), parts_reason))
        body_from = filled[header_index + 1] + 1
    elif header_line is None and header_index is not None and header_index + 1 < len(filled_head) \
            and is_second_header(below := filled_head[header_index + 1][1]):
        skipped.append(SkippedLine(filled_head[header_index + 1][0], line_text(below), SECOND_HEADER))
        body_from = filled[header_index + 1] + 1
    if streamed and header_cells is not None:
        scan = _BodyScan(header_cells, second_tables=header_line is None)
        if scan.settles_head(islice(open_rows(), body_from, None)):
            return _streamed_table(open_rows, body_from, header_line, header_cells, header_at, scan.head, skipped,
                                   common, workbook, renames)
    scan = _BodyScan(header_cells, second_tables=header_line is None)
    body_rows = islice(open_rows(), body_from, None)
    scan.run(counting(body_rows, head_rows) if counting else body_rows)
    if not scan.count:
        raise UnreadableFile(
            "The file has a header row but no people in it. Add one row per person under the header "
            "and upload it again.")
    if header_cells is not None:
        headers = _header_names(header_cells, renames)
        width = len(header_cells)
    else:
        width = scan.widest
        headers = [f"Column {number}" for number in range(1, width + 1)]
    head = [(line, _shape(cells, width)) for line, cells in scan.head]
    expand = addresslists.address_columns(headers, head)
    expanded_headers, head = addresslists.expand_columns(headers, head, expand)
    stop_line, first = scan.stop_line, header_cells

    def body() -> Iterator[tuple[int, list[str]]]:
        rows = _body_rows(islice(open_rows(), body_from, None), first, width, stop_line)
        if not expand:
            return rows
        return (row for chunk in _batched(rows) for row in addresslists.expand_columns(headers, chunk, expand)[1])

    skipped += scan.skipped
    skipped.sort(key=lambda item: item.line)
    return RawTable(expanded_headers, head[:HEAD_ROWS], header_line=header_at,
                    headerless=header_cells is None, skipped=skipped, row_count=scan.count, source=body,
                    **common, **workbook)


def _with_middle_names(open_rows, joins: dict[int, int], header_at: int):
    """open_rows, the middle name of each row below the header read with its first name ("Name" over three
    columns, see name_headers)."""
    return lambda: name_headers.join_middle_names(open_rows(), joins, header_at)


def _header_names(header_cells: list[str], renames: dict[int, str]) -> list[str]:
    """The header cells as the columns' names, with a "Name" split over two columns named by its parts."""
    return [renames.get(index) or cell.strip(BLANK_CHARS) for index, cell in enumerate(header_cells)]


def _streamed_table(open_rows, body_from: int, header_line, header_cells: list[str], header_at: int,
                    head: list, skipped: list, common: dict, workbook: dict, renames: dict) -> RawTable:
    """A long table read once: the head as _table finds it, the body's rows sorted (_BodyScan.stream) as they
    are read; row_count and skipped are the head's until every row has been read, then the whole table's."""
    headers = _header_names(header_cells, renames)
    expand = addresslists.address_columns(headers, head)
    expanded_headers, head = addresslists.expand_columns(headers, head, expand)
    table = RawTable(expanded_headers, head[:HEAD_ROWS], header_line=header_at, headerless=False,
                     skipped=list(skipped), row_count=len(head), **common, **workbook)

    def body() -> Iterator[tuple[int, list[str]]]:
        scan = _BodyScan(header_cells, second_tables=header_line is None)
        rows = scan.stream(islice(open_rows(), body_from, None))
        if expand:
            rows = (row for chunk in _batched(rows) for row in addresslists.expand_columns(headers, chunk, expand)[1])
        yield from rows
        table.row_count = scan.count
        table.skipped = sorted(skipped + scan.skipped, key=lambda item: item.line)

    table.source = body
    return table


def _head_rows(rows: Iterator, header_line: int | None) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """The first filled rows, enough to find the header (as many as first_filled looks at), and where each is
    among all the rows.

    Empty rows are passed over, not kept: a 100 MB file of ",,,,"-lines above or under its header held half a million
    lists of empty cells here, a gigabyte of the web process.
    """
    head, positions = [], []
    filled = blank_run = 0
    people = False
    for position, (line, cells) in enumerate(rows):
        if "".join(cells).strip(BLANK_CHARS):
            head.append((line, cells))
            positions.append(position)
            filled += 1
            blank_run = 0
            people = people or has_email(cells)
            if filled >= EMAIL_SCAN and (header_line is None or line >= header_line):
                break
        else:
            blank_run += 1
            # A short table above a sea of empty lines: the body scan reads on, without holding them here.
            if blank_run > _HEAD_BLANK_RUN and people and (header_line is None or line >= header_line):
                break
    return head, positions


def _batched(rows: Iterator, size: int = 1000) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _shape(cells: list[str], width: int) -> list[str]:
    """Pad a short row to the header's width; keep extra filled cells of a long row, dropping trailing blanks."""
    length = len(cells)
    if length < width:
        return cells + [""] * (width - length)
    if length > width:
        return cells[:max(width, trimmed_length(cells))]
    return cells


def _body_rows(rows: Iterator, header_cells: list[str] | None, width: int, stop_line: int | None) -> Iterator:
    """The people rows: filled, not a repeat of the header nor a tool's line, shaped to its width, above the first
    skipped tail."""
    first = header_cells[0] if header_cells else None
    blank = BLANK_CHARS
    for line, cells in rows:
        if stop_line is not None and line >= stop_line:
            return
        if not "".join(cells).strip(blank):
            continue
        if first is not None and cells[0] == first and cells[:width] == header_cells:
            continue
        if tool_line_reason(cells):
            continue
        yield line, (cells if len(cells) == width else _shape(cells, width))


class _BodyScan:
    """One pass over the body: how many people rows, the first HEAD_ROWS, and the lines to skip.

    Lines to skip are repeated headers, a second table after a blank gap (with a header-like row in its first
    three lines) and totals or notes at the end; only the last _FOOTER_SCAN rows are kept to look for those.
    """

    def __init__(self, header_cells: list[str] | None, *, second_tables: bool):
        self.header_cells = header_cells
        self.width = len(header_cells) if header_cells else 0
        self.second_tables = second_tables
        self.count = self.widest = 0
        self.head: list = []
        self.skipped: list[SkippedLine] = []
        self.stop_line: int | None = None
        self._tail: deque = deque()  # the last _FOOTER_SCAN people rows

    def run(self, rows: Iterator) -> None:
        deque(self._scan(rows), maxlen=0)

    def stream(self, rows: Iterator) -> Iterator[tuple[int, list[str]]]:
        """The people rows, each once no footer or second table can take it back (_FOOTER_SCAN rows later)."""
        yield from self._scan(rows)
        yield from self._tail

    def settles_head(self, rows: Iterator) -> bool:
        """Scan the first rows only: True when so many people follow the head that no footer or second table
        found further down could change it (then `head` is the whole table's)."""
        enough = HEAD_ROWS + 2 * _FOOTER_SCAN
        deque(self._scan(takewhile(lambda _: self.count < enough, rows), finish=False), maxlen=0)
        return self.count >= enough and self.stop_line is None

    def _scan(self, rows: Iterator, finish: bool = True) -> Iterator[tuple[int, list[str]]]:
        """Sort the rows; yield each people row as it leaves the tail. `finish`: the rows are the whole body."""
        header, width = self.header_cells, self.width
        first = header[0] if header else None
        keep = self._keep
        gap = False
        probe: list | None = None  # rows after a blank gap, held until they show whether a second table starts
        for line, cells in rows:
            if not "".join(cells).strip(BLANK_CHARS):
                gap = True
                continue
            if first is not None and cells[0] == first and cells[:width] == header:
                self.skipped.append(SkippedLine(line, line_text(cells), "repeats the header row"))
                continue
            if reason := tool_line_reason(cells):
                self.skipped.append(SkippedLine(line, line_text(cells), reason))
                continue
            if first is not None and len(cells) != width:
                cells = _shape(cells, width)
            if gap:
                gap = False
                if self.second_tables and self.count and probe is None:
                    probe = []
            if probe is None:
                if (settled := keep(line, cells)) is not None:
                    yield settled
                continue
            probe.append((line, cells))
            if looks_like_a_header(cells):
                self._second_table(probe[0][0], probe, rows)
                return
            if has_email(cells) or filled_count(cells) > 1 or len(probe) >= 3:
                for kept in probe:
                    if (settled := keep(*kept)) is not None:
                        yield settled
                probe = None
        if not finish:
            return
        for kept in probe or ():
            if (settled := keep(*kept)) is not None:
                yield settled
        self._peel_footers()

    def _keep(self, line: int, cells: list[str]) -> tuple[int, list[str]] | None:
        """Count a people row; return the row it pushes out of the tail, if any."""
        self.count += 1
        if len(self.head) < HEAD_ROWS + _FOOTER_SCAN:
            self.head.append((line, cells))
        tail = self._tail
        settled = tail.popleft() if len(tail) == _FOOTER_SCAN else None
        tail.append((line, cells))
        if self.header_cells is None:
            self.widest = max(self.widest, trimmed_length(cells))
        return settled

    def _second_table(self, start: int, probe: list, rows: Iterator) -> None:
        reason = f"part of a second table that starts on line {start}"
        self.skipped = [item for item in self.skipped if item.line < start]
        self.skipped += [SkippedLine(line, line_text(cells), reason) for line, cells in probe]
        self.skipped += [SkippedLine(line, line_text(cells), reason) for line, cells in rows
                         if "".join(cells).strip(BLANK_CHARS)]
        self._peel_footers()
        self.stop_line = start if self.stop_line is None else min(self.stop_line, start)

    def _peel_footers(self) -> None:
        footers = []
        while self._tail and self.count > 0:
            line, cells = self._tail[-1]
            reason = footer_reason(cells, self.width)
            if reason is None:
                break
            footers.append(SkippedLine(line, line_text(cells), reason))
            self._tail.pop()
            self.count -= 1
        if footers:
            self.stop_line = footers[-1].line
            self.skipped += footers[::-1]
            self.head = [row for row in self.head if row[0] < self.stop_line]


# ---- workbooks --------------------------------------------------------------------------------------------
