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


def write_sheets(source, out, settings: dict, cell_text) -> dict:
    """Write every worksheet as workbook_child.write_sheets does (a sheet line, then [line, cells] per row); return
    the last word. `cell_text` turns a number, date or boolean into text as calamine's values are."""
    reader = _Reader(out, settings, cell_text)
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = reader.refuse_declaration
    parser.EntityDeclHandler = reader.refuse_declaration
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
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


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _attribute(attributes: dict, name: str) -> str | None:
    """An attribute by its name without a prefix: ss:Index, Index and x:Index alike."""
    for key, value in attributes.items():
        if _local(key) == name:
            return value
    return None


def _count(attributes: dict, name: str, default: int) -> int:
    value = _attribute(attributes, name)
    if value is None:
        return default
    if not value.strip().isdigit():
        raise ValueError(f"{name}={value[:20]!r} is no count")
    return int(value)


class _Reader:
    """Expat's handlers: where the parse is (sheet, row, cell, data) and what the current sheet holds so far.

    A sheet's rows go to a temporary file until its end, where its visibility (after the table in the XML), merged
    cells and hidden rows are known to write the sheet's line ahead of them.
    """

    def __init__(self, out, settings: dict, cell_text):
        self.out, self.settings, self.cell_text = out, settings, cell_text
        self.spool = tempfile.TemporaryFile(prefix="spreadsheetml-")
        self.depth = 0
        self.workbook = False
        self.sheets = 0
        self.sheet: dict | None = None
        self.row: dict | None = None
        self.cell: dict | None = None
        self.data: list[str] | None = None  # the text of the cell's <Data>, while inside it
        self.data_depth = self.data_length = 0
        self.option: list[str] | None = None  # the text of <Visible> in the sheet's options

    def refuse_declaration(self, *_) -> None:
        raise _Stop({"error": "doctype"})

    def start(self, name: str, attributes: dict) -> None:
        self.depth += 1
        if self.data is not None:
            return  # rich text (<Font>, <B>) inside a cell's Data: only its text counts
        local = _local(name)
        if self.depth == 1:
            self.workbook = local == "Workbook"
        elif self.depth == 2 and local == "Worksheet":
            self._start_sheet(attributes)
        elif self.sheet is None:
            return
        elif self.depth == 4 and local == "Row":
            self._start_row(attributes)
        elif self.depth == 5 and local == "Cell" and self.row is not None:
            self._start_cell(attributes)
        elif self.depth == 6 and local == "Data" and self.cell is not None:
            self.cell["type"] = _attribute(attributes, "Type") or "String"
            self.data, self.data_depth, self.data_length = [], self.depth, 0
        elif self.depth == 4 and local == "Visible":
            self.option = []

    def end(self, name: str) -> None:
        depth = self.depth
        self.depth -= 1
        if self.data is not None:
            if depth == self.data_depth:
                self._end_data()
            return
        local = _local(name)
        if depth == 2 and local == "Worksheet" and self.sheet is not None:
            self._end_sheet()
        elif depth == 4 and local == "Row" and self.row is not None:
            self._end_row()
        elif depth == 5 and local == "Cell":
            self.cell = None
        elif depth == 4 and local == "Visible" and self.option is not None:
            self.sheet["visible"] = "".join(self.option).strip() not in ("SheetHidden", "SheetVeryHidden")
            self.option = None

    def text(self, data: str) -> None:
        if self.data is not None:
            # Past the limit the text is only counted, so a cell of hundreds of megabytes is never held.
            if self.data_length <= self.settings["max_cell_chars"]:
                self.data.append(data)
            self.data_length += len(data)
        elif self.option is not None and len(self.option) < 10:
            self.option.append(data)

    def _start_sheet(self, attributes: dict) -> None:
        self.sheets += 1
        if self.sheets > MAX_SHEETS:
            raise _Stop({"error": "sheets"})
        name = (_attribute(attributes, "Name") or f"Sheet{self.sheets}")[:_MAX_NAME]
        self.sheet = {"name": name, "visible": True, "next_line": 1, "first_line": None, "last_written": None,
                      "first_column": None, "count": 0, "merged": [], "hidden": []}
        self.spool.seek(0)
        self.spool.truncate()

    def _start_row(self, attributes: dict) -> None:
        sheet = self.sheet
        line = _count(attributes, "Index", sheet["next_line"])
        if line < sheet["next_line"]:
            raise ValueError("rows out of order")
        span = _count(attributes, "Span", 0)  # this row and the `span` empty rows after it
        sheet["next_line"] = line + span + 1
        self.row = {"line": line, "cells": {}, "next_column": 0,
                    "hidden": (_attribute(attributes, "Hidden") or "").strip() in ("1", "true")}

    def _start_cell(self, attributes: dict) -> None:
        row = self.row
        column = _count(attributes, "Index", row["next_column"] + 1) - 1
        if column < row["next_column"]:
            raise ValueError("cells out of order")
        across, down = _count(attributes, "MergeAcross", 0), _count(attributes, "MergeDown", 0)
        row["next_column"] = column + across + 1
        merged = self.sheet["merged"]
        if across and len(merged) < _MAX_MERGED:
            merged.append([row["line"], column, row["line"] + down, column + across])
        self.cell = {"column": column}

    def _end_data(self) -> None:
        text, length, column = "".join(self.data), self.data_length, self.cell["column"]
        self.data = None
        line, settings = self.row["line"], self.settings
        if length > settings["max_cell_chars"]:
            raise _Stop({"error": "cell", "sheet": self.sheet["name"], "line": line, "column": column + 1,
                         "count": length})
        value = self._value(self.cell.pop("type"), text)
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

    def _end_row(self) -> None:
        row, sheet = self.row, self.sheet
        self.row = None
        cells, line = row["cells"], row["line"]
        if not cells:
            return  # an empty row, as calamine's: not counted, and shown only as the gap before the next
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

    def _end_sheet(self) -> None:
        sheet = self.sheet
        self.sheet = None
        if sheet["count"] > self.settings["max_rows"] + 1:
            raise _Stop({"error": "rows", "sheet": sheet["name"], "count": sheet["count"]})
        first = sheet["first_column"] or 0
        held = sheet["last_written"] - sheet["first_line"] + 1 if sheet["first_line"] is not None else 0
        # Cells are counted from the sheet's first filled column, as calamine counts another workbook's.
        merged = [[top, max(left - first, 0), bottom, right - first] for top, left, bottom, right in sheet["merged"]
                  if right >= first]
        self.out.write(json.dumps({"sheet": sheet["name"], "visible": sheet["visible"], "rows": held,
                                   "merged": merged, "hidden": sheet["hidden"]}).encode("ascii") + b"\n")
        self.spool.seek(0)
        for raw in self.spool:
            if first:
                line, cells = json.loads(raw)
                raw = json.dumps([line, cells[first:]]).encode("ascii") + b"\n"
            self.out.write(raw)
        self.spool.seek(0)
        self.spool.truncate()
