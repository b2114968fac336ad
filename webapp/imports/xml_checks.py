"""Checks of a workbook's XML made in the web process before the parse: how many cells an .ods makes its reader
fill in (rows and columns counted through their repeats and merged (covered) cells, against the cells its XML writes
out, in one forward pass over content.xml), and whether a part declares a DOCTYPE."""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html import unescape

from webapp.imports.sheet_names import the_sheet

# Cells a reader may fill in beyond those written out (repeats, padding of short rows, covered cells inside the
# people's area), when they are also ten times those written. The reader takes about a second per million on an idle
# machine and holds them all in memory: 200,000 rows of 50 covered cells made the admin wait for the parse's time
# limit. A real sheet with runs of empty columns between the filled ones makes up a few times the cells it writes.
MAX_MADE_UP_CELLS = 5_000_000
MADE_UP_PER_WRITTEN = 10

# A sheet's start (group 1 "" ), a row's start (group 1 "-row"), with the tag's attributes, or a sheet's end. The tag
# runs to the next ">" and holds no "<": a search from each start stops at the next tag, so the pass stays linear.
_TOKEN = re.compile(rb"<table:table(-row)?(?=[\s/>])([^<>]*)>|</table:table>")
_ROW_END = b"</table:table-row>"
_ROWS_REPEATED = re.compile(rb"number-rows-repeated\s*=\s*[\"'](\d{1,12})[\"']")
_COLUMNS_REPEATED = re.compile(rb"number-columns-repeated\s*=\s*[\"'](\d{1,12})[\"']")
_NAME = re.compile(rb"table:name\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CARRY_MAX = 8 << 20  # a stretch without a row's end this long is passed over, as the child's readers do


class SpreadRefused(ValueError):
    """The workbook would make its reader fill in too many cells; str(error) is a sentence for a person."""


@dataclass
class _Sheet:
    name: str
    line: int = 0          # rows so far, repeats counted
    first: int = 0         # the first and last rows holding something (0: none yet)
    last: int = 0
    width: int = 0         # the widest row, up to its last filled cell
    written: int = 0       # cells the XML writes out in the rows holding something
    filled_rows: int = 0   # rows holding something, repeats counted

    def made_up(self) -> int:
        """Cells the reader fills in that the XML does not write: the area from the first to the last filled row,
        as wide as the widest row, less those written."""
        return max(0, (self.last - self.first + 1) * self.width - self.written) if self.first else 0


class OdsSpread:
    """Feed content.xml a block at a time; refuses (SpreadRefused) as soon as the made-up cells pass the limit."""

    def __init__(self, max_rows: int):
        self.max_rows = max_rows
        self.carry = b""
        self.sheet: _Sheet | None = None
        self.worst: _Sheet | None = None  # of the sheets ended, the one making up the most cells
        self.made_up = self.written = 0  # over the sheets ended

    def feed(self, block: bytes) -> None:
        """Count the whole rows of carry + block; keep what follows the last row's (or sheet's) end."""
        text = self.carry + block
        cut = max(text.rfind(_ROW_END), text.rfind(b"</table:table>"))
        if cut < 0:
            self.carry = text if len(text) < _CARRY_MAX else b""
            return
        end = text.index(b">", cut) + 1
        self.carry = text[end:]
        self._count(text, end)

    def finish(self) -> None:
        self._count(self.carry, len(self.carry))
        self.carry = b""
        self._end_sheet()

    def _count(self, text: bytes, end: int) -> None:
        search_rows = _ROWS_REPEATED.search
        # Where the next row ends and the next row starts, each found once and kept while ahead: a row's cells run
        # to whichever comes first. (A search from every row to its end made 150,000 unended rows cost minutes.)
        row_end = next_row = -1
        for token in _TOKEN.finditer(text, 0, end):
            kind, attributes = token.group(1, 2)
            sheet = self.sheet
            if kind is not None and sheet is not None:  # a row
                repeated = search_rows(attributes) if b"-repeated" in attributes else None
                rows = int(repeated.group(1)) if repeated else 1
                if attributes.endswith(b"/"):
                    sheet.line += rows
                    continue
                start = token.end()
                if row_end < start:
                    row_end = text.find(_ROW_END, start, end) % (end + 1)  # (not found: -1, the block's end)
                if next_row < start:
                    next_row = text.find(b"<table:table-row", start, end) % (end + 1)
                extent, written = _row_extent(text, start, min(row_end, next_row))
                if extent:
                    self._add_row(sheet, rows, extent, written)
                sheet.line += rows
            elif kind is None:
                self._end_sheet()
                if attributes is not None:  # a sheet starts (else it ended: </table:table>)
                    found = _NAME.search(attributes)
                    self.sheet = _Sheet(unescape((found.group(1) or found.group(2)).decode("utf-8", "replace"))
                                        if found else "")

    def _add_row(self, sheet: _Sheet, rows: int, extent: int, written: int) -> None:
        sheet.first = sheet.first or sheet.line + 1
        sheet.last = sheet.line + rows
        sheet.width = max(sheet.width, extent)
        sheet.written += written
        sheet.filled_rows += rows
        if sheet.filled_rows > self.max_rows + 1:
            raise SpreadRefused(
                f"{the_sheet(sheet.name)} holds at least {sheet.filled_rows:,} rows once its repeated rows are "
                f"counted, more than the {self.max_rows:,} this importer reads (setting IMPORT_MAX_ROWS). Delete "
                "the rows you don't need, or split the file, then upload it again.")
        made_up = self.made_up + sheet.made_up()
        if made_up > MAX_MADE_UP_CELLS and made_up > MADE_UP_PER_WRITTEN * (self.written + sheet.written):
            worst = sheet if self.worst is None or sheet.made_up() >= self.worst.made_up() else self.worst
            raise SpreadRefused(_spread_message(worst))

    def _end_sheet(self) -> None:
        sheet, self.sheet = self.sheet, None
        if sheet is not None:
            self.made_up += sheet.made_up()
            self.written += sheet.written
            if self.worst is None or sheet.made_up() > self.worst.made_up():
                self.worst = sheet


def _spread_message(sheet: _Sheet) -> str:
    rows = sheet.last - sheet.first + 1
    return (f"{the_sheet(sheet.name)} spreads over {rows:,} rows by {sheet.width:,} columns ({rows * sheet.width:,} "
            "cells or more) once its repeated rows and columns and its merged (covered) cells are counted, yet the "
            f"file writes out only {sheet.written:,} of them: reading the rest would take minutes. Save the sheet with "
            "the people as CSV and upload that, or delete the empty formatted or merged area around the people "
            "(Ctrl+End shows the last cell), save, and upload the file again.")


def _row_extent(text: bytes, start: int, end: int) -> tuple[int, int]:
    """(columns up to the row's last filled cell, repeats counted; cell tags written up to it) for the row whose
    cells are text[start:end]; (0, 0) for a row holding nothing."""
    # A cell is filled by a paragraph of text or a value in an attribute (office:value="1", office:date-value...).
    last = max(text.rfind(b"<text:p", start, end), text.rfind(b"value=", start, end))
    if last < 0:
        return 0, 0
    tag_end = text.find(b">", last, end)  # the last filled cell's own tag, when its value is an attribute
    stop = tag_end + 1 if tag_end >= 0 else last
    written = text.count(b"<table:table-cell", start, stop) + text.count(b"<table:covered-table-cell", start, stop)
    if text.find(b"-repeated", start, stop) < 0:  # every cell written out (most rows)
        return written, written
    return written + sum(int(count) - 1 for count in _COLUMNS_REPEATED.findall(text, start, stop)), written


_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)\b")
_XML_PART = re.compile(r".+\.(?:xml|rels)", re.IGNORECASE)
_PROLOG_BYTES = 4096  # a DOCTYPE comes before the root element: after the XML declaration, in the first bytes


def declaring_part(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> str | None:
    """The name of the first XML part declaring a DOCTYPE or entities, which no spreadsheet program writes; None if
    none does. (The reader refuses them too, expanding and fetching nothing, but then says only "damaged".)"""
    for member in members:
        if _XML_PART.fullmatch(member.filename):
            with archive.open(member) as stream:
                if _DECLARATION.search(stream.read(_PROLOG_BYTES)):
                    return member.filename
    return None
