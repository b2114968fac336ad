"""Excel's "XML Spreadsheet 2003" (SpreadsheetML), what HR and LMS systems export as .xls: read in the workbook child.

Standard library only: the child loads this file by its path. Parsed with expat a block at a time, never as a tree:
ElementTree would hold a cell's whole text before it could be measured. A DOCTYPE or an entity declaration stops
the parse where it starts, so nothing is ever expanded or fetched.
"""
from __future__ import annotations

import json
import re
import tempfile
from datetime import datetime
from xml.parsers import expat

_BLOCK = 1 << 20
_MAX_MERGED = 1000  # as workbook_child: the header's merged cells are among the first
MAX_SHEETS = 10_000  # real workbooks hold a few dozen; each is a line for the web process to keep
LAST_LINE = 1_048_576  # Excel's last row; a line past it would not fit where rows are stored, nor in a spreadsheet
_MAX_NAME = 100  # Excel allows 31 characters in a sheet's name
_NAMESPACE = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet|progid=[\"']Excel\.Sheet")
_XML_START = re.compile(rb"\s*<[?!a-zA-Z]")
_NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
_TIME_ONLY = "1899-12-31"  # the day Excel writes before a time of day alone


def looks_like_spreadsheetml(head: bytes) -> bool:
    """True when a file's first bytes are XML naming Excel's 2003 spreadsheet schema (in UTF-8 or UTF-16)."""
    text = head.removeprefix(b"\xef\xbb\xbf").replace(b"\x00", b"").lstrip(b"\xff\xfe")
    return bool(_XML_START.match(text)) and _NAMESPACE.search(text) is not None


class _Stop(Exception):
    """Parsing ends early with this result (a limit passed, a DOCTYPE)."""

    def __init__(self, result: dict):
        super().__init__(result)
        self.result = result


def write_sheets(source, out, settings: dict, cell_text, mailto_address=None) -> dict:
    """Write every worksheet as workbook_child.write_sheets does (a sheet line, then [line, cells] per row); return
    the last word. `cell_text` turns a number, date or boolean into text as calamine's values are; `mailto_address`
    gives the address of a cell's ss:HRef link, when it is a mailto: one."""
    parser = expat.ParserCreate(namespace_separator=" ")
    reader = _Reader(parser, out, settings, cell_text, mailto_address)
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = reader.refuse_declaration
    parser.EntityDeclHandler = reader.refuse_declaration
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.buffer_text = True
    source.seek(0)
    try:
        with reader.spool:
            while block := source.read(_BLOCK):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _Stop as stop:
        return stop.result
    except (expat.ExpatError, ValueError):
        return {"error": "damaged"}
    return {"done": True} if reader.workbook else {"error": "damaged"}


_SPREADSHEET = "urn:schemas-microsoft-com:office:spreadsheet "
_CELL_PLACES = {prefix + name: name for name in ("Index", "MergeAcross", "MergeDown", "HRef")
                for prefix in (_SPREADSHEET, "")}
_MAX_LINKS = 100_000  # as workbook_extras: linked cells passed on; past this the rest are read as they show


def _names(name: str) -> tuple[str, str]:
    """An element's name as expat gives it (the namespace, a space, the name), and without a namespace."""
    return _SPREADSHEET + name, name


def _attribute(attributes: dict, name: str) -> str | None:
    """An attribute of the spreadsheet's namespace (ss:Index), or one written without a prefix (Index)."""
    value = attributes.get(_SPREADSHEET + name)
    return attributes.get(name) if value is None else value


def _number(value: str) -> int:
    if not value.strip().isdigit():
        raise ValueError(f"{value[:20]!r} is no count")
    return int(value)


def _count(attributes: dict, name: str, default: int) -> int:
    value = _attribute(attributes, name)
    return default if value is None else _number(value)


class _Reader:
    """Expat's handlers: where the parse is (sheet, row, cell, data) and what the current sheet holds so far.

    A sheet's rows go to a temporary file until its end, where its visibility (after the table in the XML), merged
    cells and hidden rows are known to write the sheet's line ahead of them. Handlers are found by the element's
    name in a dict and text is listened to only inside <Data>: a 100 MB export is millions of elements.
    """

    def __init__(self, parser, out, settings: dict, cell_text, mailto_address=None):
        self.parser, self.out, self.settings, self.cell_text = parser, out, settings, cell_text
        self.mailto_address = mailto_address
        self.spool = tempfile.TemporaryFile(prefix="spreadsheetml-")
        self.depth = 0
        self.workbook = False
        self.sheets = 0
        self.sheet: dict | None = None
        self.row: dict | None = None
        self.column: int | None = None  # the current cell's, counted from 0
        self.kind = "String"  # the current <Data>'s ss:Type
        self.data: list[str] | None = None  # the text of the cell's <Data>, while inside it
        self.data_depth = self.data_length = 0
        self.option: list[str] | None = None  # the text of <Visible> in the sheet's options
        visible = (*_names("Visible"), "urn:schemas-microsoft-com:office:excel Visible")
        self.starts = {name: handler for names, handler in [
            (_names("Workbook"), self._start_workbook), (_names("Worksheet"), self._start_sheet),
            (_names("Row"), self._start_row), (_names("Cell"), self._start_cell), (_names("Data"), self._start_data),
            (visible, self._start_visible)] for name in names}
        self.ends = {name: handler for names, handler in [
            (_names("Worksheet"), self._end_sheet), (_names("Row"), self._end_row), (_names("Cell"), self._end_cell),
            (visible, self._end_visible)] for name in names}

    def refuse_declaration(self, *_) -> None:
        raise _Stop({"error": "doctype"})

    def start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if self.data is None:  # (inside a cell's Data, rich text such as <Font> and <B>: only its text counts)
            handler = self.starts.get(name)
            if handler is not None:
                handler(attributes)

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.data is not None:
            if depth == self.data_depth:
                self.parser.CharacterDataHandler = None
                self._end_data()
            return
        handler = self.ends.get(name)
        if handler is not None:
            handler(depth)

    def text(self, data: str) -> None:
        if self.data is not None:
            # Past the limit the text is only counted, so a cell of hundreds of megabytes is never held.
            if self.data_length <= self.settings["max_cell_chars"]:
                self.data.append(data)
            self.data_length += len(data)
        elif self.option is not None and len(self.option) < 10:
            self.option.append(data)

    def _start_workbook(self, attributes: dict) -> None:
        self.workbook = self.workbook or self.depth == 1

    def _start_data(self, attributes: dict) -> None:
        if self.depth == 6 and self.column is not None:
            self.kind = _attribute(attributes, "Type") or "String"
            self.data, self.data_depth, self.data_length = [], self.depth, 0
            self.parser.CharacterDataHandler = self.text

    def _start_visible(self, attributes: dict) -> None:
        if self.depth == 4 and self.sheet is not None:
            self.option = []
            self.parser.CharacterDataHandler = self.text

    def _end_visible(self, depth: int) -> None:
        if self.option is not None:
            self.parser.CharacterDataHandler = None
            self.sheet["visible"] = "".join(self.option).strip() not in ("SheetHidden", "SheetVeryHidden")
            self.option = None

    def _end_cell(self, depth: int) -> None:
        if depth == 5:
            self.column = None

    def _start_sheet(self, attributes: dict) -> None:
        if self.depth != 2 or not self.workbook:
            return
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise _Stop({"error": "sheets"})
        name = (_attribute(attributes, "Name") or f"Sheet{self.sheets}")[:_MAX_NAME]
        self.sheet = {"name": name, "visible": True, "next_line": 1, "first_line": None, "last_written": None,
                      "first_column": None, "count": 0, "merged": [], "hidden": [], "links": []}
        self.spool.seek(0)
        self.spool.truncate()

    def _start_row(self, attributes: dict) -> None:
        sheet = self.sheet
        if self.depth != 4 or sheet is None:
            return
        line = _count(attributes, "Index", sheet["next_line"])
        if line < sheet["next_line"]:
            raise ValueError("rows out of order")
        span = _count(attributes, "Span", 0)  # this row and the `span` empty rows after it
        sheet["next_line"] = line + span + 1
        self.row = {"line": line, "cells": {}, "next_column": 0,
                    "hidden": (_attribute(attributes, "Hidden") or "").strip() in ("1", "true")}

    def _start_cell(self, attributes: dict) -> None:
        row = self.row
        if self.depth != 5 or row is None:
            return
        column, across, down, href = row["next_column"], 0, 0, None
        for key, value in attributes.items():  # (most cells have a style alone)
            place = _CELL_PLACES.get(key)
            if place == "Index":
                column = _number(value) - 1
                if column < row["next_column"]:
                    raise ValueError("cells out of order")
            elif place == "MergeAcross":
                across = _number(value)
            elif place == "MergeDown":
                down = _number(value)
            elif place == "HRef":
                href = value
        row["next_column"] = column + across + 1
        merged = self.sheet["merged"]
        if across and len(merged) < _MAX_MERGED:
            merged.append([row["line"], column, row["line"] + down, column + across])
        self.column = column
        links = self.sheet["links"]
        if href and self.mailto_address and len(links) < _MAX_LINKS:
            address = self.mailto_address(href)
            if address:  # an Email cell may show "Email me" or a name, its address only in the link
                links.append([row["line"], column, address])

    def _end_data(self) -> None:
        text, length, column = "".join(self.data), self.data_length, self.column
        self.data = None
        line, settings = self.row["line"], self.settings
        if length > settings["max_cell_chars"]:
            raise _Stop({"error": "cell", "sheet": self.sheet["name"], "line": line, "column": column + 1,
                         "count": length})
        value = text if self.kind == "String" else self._value(self.kind, text)
        if value == "":
            return
        if column >= settings["max_columns"]:
            raise _Stop({"error": "columns", "sheet": self.sheet["name"], "line": line, "count": column + 1})
        self.row["cells"][column] = value

    def _value(self, kind: str, text: str) -> str:
        """The cell as text, a number or a date written as calamine's values of another workbook would be."""
        if kind == "Number" and _NUMBER.fullmatch(text):
            return self.cell_text(float(text))
        if kind == "Boolean" and text.strip() in ("0", "1"):
            return self.cell_text(text.strip() == "1")
        if kind == "DateTime":
            try:
                moment = datetime.fromisoformat(text.strip())
            except ValueError:
                return text
            return self.cell_text(moment.time() if text.strip().startswith(_TIME_ONLY) else moment)
        return text

    def _end_row(self, depth: int) -> None:
        row, sheet = self.row, self.sheet
        if depth != 4 or row is None:
            return
        self.row = None
        cells, line = row["cells"], row["line"]
        if not cells:
            return  # an empty row, as calamine's: not counted, and shown only as the gap before the next
        if line > LAST_LINE:
            raise _Stop({"error": "line", "sheet": sheet["name"], "line": line})
        sheet["count"] += 1
        if sheet["count"] > self.settings["max_rows"] + 1:
            return  # counted on to the sheet's end, for the sentence
        if row["hidden"]:
            hidden = sheet["hidden"]
            if hidden and hidden[-1][1] == line - 1:
                hidden[-1][1] = line
            else:
                hidden.append([line, line])
        first = min(cells)
        sheet["first_column"] = first if sheet["first_column"] is None else min(sheet["first_column"], first)
        if sheet["first_line"] is None:
            sheet["first_line"] = line
        elif line - 1 > sheet["last_written"]:
            self.spool.write(json.dumps([line - 1, []]).encode("ascii") + b"\n")
        shown = [""] * (max(cells) + 1)
        for column, value in cells.items():
            shown[column] = value
        self.spool.write(json.dumps([line, shown]).encode("ascii") + b"\n")
        sheet["last_written"] = line

    def _end_sheet(self, depth: int) -> None:
        sheet = self.sheet
        if depth != 2 or sheet is None:
            return
        self.sheet = None
        if sheet["count"] > self.settings["max_rows"] + 1:
            raise _Stop({"error": "rows", "sheet": sheet["name"], "count": sheet["count"]})
        first = sheet["first_column"] or 0
        held = sheet["last_written"] - sheet["first_line"] + 1 if sheet["first_line"] is not None else 0
        # Cells are counted from the sheet's first filled column, as calamine counts another workbook's.
        merged = [[top, max(left - first, 0), bottom, right - first] for top, left, bottom, right in sheet["merged"]
                  if right >= first]
        links = [[line, column - first, address] for line, column, address in sheet["links"] if column >= first]
        self.out.write(json.dumps({"sheet": sheet["name"], "visible": sheet["visible"], "rows": held,
                                   "merged": merged, "hidden": sheet["hidden"], "links": links}).encode("ascii")
                       + b"\n")
        self.spool.seek(0)
        for raw in self.spool:
            if first:
                line, cells = json.loads(raw)
                raw = json.dumps([line, cells[first:]]).encode("ascii") + b"\n"
            self.out.write(raw)
        self.spool.seek(0)
        self.spool.truncate()
