"""Run as a child process: parse a workbook from stdin under a memory cap and print its rows as JSON lines.

Kept free of webapp imports so the child starts in a few milliseconds: only the standard library and calamine.
Errors are printed as {"error": code, ...}; a crash or a kill shows in the exit status instead.
"""
from __future__ import annotations

import functools
import json
import re
import resource
import sys
import zipfile
import zlib
from datetime import date, datetime, time, timedelta
from html import unescape
from pathlib import Path

# calamine reads an error cell (#REF!, #N/A) and a formula saved without its result as "", the same as an empty
# cell. The sheet's XML says which they are; they are written as the error's text (what a CSV export holds) and
# as FORMULA_MARK + the formula, which cleaning reports on the row (values.spreadsheet_problem).
FORMULA_MARK = "\u2060="  # a word joiner: invisible, and stripped wherever a cell is shown or compared
_SCAN_BLOCK = 1 << 20
_SCAN_CARRY_MAX = 8 << 20  # a stretch of XML without a cell end this long holds nothing worth finding
_P = rb"(?:[\w.-]+:)?"  # an optional namespace prefix (x:c)
# Every repeat is bounded, so a hostile sheet (a tag a megabyte long) costs a regular expression linear time.
_CELL_START = re.compile(rb"<" + _P + rb"c\b")
_VALUE = re.compile(rb"<" + _P + rb"v>([^<]{1,40})</" + _P + rb"v>")
# A formula with no result after it: no <v>, or an empty one (only t="str" makes an empty <v> an empty result).
_UNCACHED = re.compile(rb"<" + _P + rb"c\b([^>]{0,1000})>\s{0,100}<" + _P + rb"f\b[^>]{0,1000}?(?:/>|>([^<]{0,8192})</" + _P
                       + rb"f>)\s{0,100}(?:<" + _P + rb"v\s{0,100}/>|<" + _P + rb"v>\s{0,100}</" + _P + rb"v>)?\s{0,100}</" + _P
                       + rb"c>")
_CELL_REF = re.compile(rb"\br=\"\$?([A-Z]{1,3})\$?(\d{1,7})\"")
_CELL_TYPE = re.compile(rb"\bt=\"(\w+)\"")
# A tag ends before the next "<": a run of "<sheet " with no ">" is passed over once, not searched from each.
# (Used by the web process's checks too: sandbox.)
SHEET_TAG = re.compile(rb"<" + _P + rb"sheet\s[^<>]{0,6000}>")
# A sheet's name is passed on cut to this (the web process shortens it further to show it): 10,000 sheets of
# 30,000-character names were 300 MB of lines for it to read.
_MAX_NAME = 1000
RELATION_TAG = re.compile(rb"<" + _P + rb"Relationship\s[^<>]{0,6000}>")


def main() -> int:
    settings = json.loads(sys.argv[1])
    memory = settings["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    out = sys.stdout.buffer
    try:
        result = write_sheets(sys.stdin.buffer, out, settings)
    except MemoryError:
        result = {"error": "memory"}
    out.write(json.dumps(result).encode("ascii") + b"\n")  # ASCII whatever the locale
    return 0


def write_sheets(source, out, settings: dict) -> dict:
    """Write every sheet as a line {"sheet", "visible", "rows"}, then [row number, cells] per row; return the last word.

    Rows stream out as they are read, so neither this process nor the parent holds a sheet as Python lists.
    """
    if settings.get("kind") == "xml":  # Excel 2003 XML, which calamine does not read
        return _sibling("spreadsheetml").write_sheets(source, out, settings, cell_text, _extras().mailto_address)
    from python_calamine import CalamineWorkbook

    if settings.get("kind") == "xls" and _extras().compound_is_damaged(source.read()):
        return {"error": "damaged"}  # calamine would follow its looping chain of sectors until out of memory
    source.seek(0)
    try:
        workbook = CalamineWorkbook.from_filelike(source)
        metadata = workbook.sheets_metadata
    except MemoryError:
        raise
    except Exception:  # calamine raises several unrelated types for damaged or encrypted files
        return _why_unread(settings.get("kind"))
    if not metadata:
        # Every workbook a spreadsheet program saves has a sheet: none listed is a lost or damaged list of sheets
        # (an .xlsx without xl/workbook.xml, an .ods with an empty content.xml), not a workbook without people.
        return {"error": "damaged"}
    if len(metadata) > settings["max_sheets"]:
        return {"error": "sheets"}  # 50,000 sheets sharing one part: a 600 KB file, a minute and 10 MB of names
    dumps, write = json.dumps, out.write
    sheet_parts = _xlsx_sheet_parts(source)
    kind = "xlsx" if sheet_parts is not None else _kind(source)
    known_parts = [part for part in sheet_parts or () if part is not None]
    if len(set(known_parts)) < len(known_parts):
        # Two sheets reading one part: no program writes that, and 1,000 sheets of one part of 20,000 rows (a
        # 270 KB file) kept the reader walking the same rows until its time limit.
        return {"error": "shared", "count": len(known_parts) - len(set(known_parts)) + 1}
    for index, meta in enumerate(metadata):
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets hold no cells
        name = meta.name[:_MAX_NAME]
        try:
            sheet = workbook.get_sheet_by_index(index)
            start = sheet.start
            rows = sheet.iter_rows()
        except MemoryError:
            raise
        except Exception as exc:
            return _too_many_cells(str(exc)) or {"error": "damaged"}
        if sheet.end and sheet.end[0] >= settings["last_line"]:
            # A row number no spreadsheet has (calamine wraps r="99999999999" to 1,215,752,190): walking the rows
            # up to it would take hours, so the child stops here.
            return {"error": "line", "sheet": name, "line": sheet.end[0] + 1}
        visible = "Visible" in str(meta.visible) and "Hidden" not in str(meta.visible)
        # iter_rows starts at the sheet's first row, blank or not; the rows above its first cell are skipped.
        skip = start[0] if start else 0
        end = sheet.end
        rows_held = end[0] + 1 - skip if end else 0  # known once the sheet is parsed: a total for the progress bar
        write(dumps({"sheet": name, "visible": visible, "rows": rows_held,
                     "merged": _merged_across(sheet, start[1] if start else 0, source, index, kind),
                     "hidden": _hidden_rows(source, sheet_parts, index, kind),
                     "links": _mail_links(source, sheet_parts, index, kind, start[1] if start else 0)}
                    ).encode("ascii") + b"\n")
        # Only rows that hold something count towards max_rows (as in text files): one stray cell far down a
        # sheet is a row, not the million empty rows above it. A run of empty rows is written as its last row
        # alone, which still shows the reader where one table ends and another begins.
        count = 0
        blank_line = None
        special = _special_cells(source, sheet_parts, index, start[1] if start else 0, kind)
        special_line = special.pending[0] if special is not None else None
        for offset, row in enumerate(rows):
            if offset < skip:
                continue
            if special_line is not None and special_line <= offset + 1:
                row, special_line = _with_special_cells(row, offset + 1, special_line, special)
            if row.count("") == len(row):  # (most empty rows: no cell converted)
                blank_line = offset + 1
                continue
            cells = filled_cells(row)
            line = offset + 1
            if not cells:
                blank_line = line
                continue
            count += 1
            if count > settings["max_rows"] + 1:
                count += sum(1 for rest in rows if filled_cells(rest))
                return {"error": "rows", "sheet": name, "count": count}
            if len(cells) > settings["max_columns"]:
                return {"error": "columns", "sheet": name, "line": line, "count": len(cells)}
            for column, cell in enumerate(cells):
                if len(cell) > settings["max_cell_chars"]:
                    return {"error": "cell", "sheet": name, "line": line, "column": column + 1,
                            "count": len(cell)}
            if blank_line is not None:
                write(dumps([blank_line, []]).encode("ascii") + b"\n")
            blank_line = None
            write(dumps([line, cells]).encode("ascii") + b"\n")
    return {"done": True}


_CELL_LIMIT = re.compile(r"Cell limit exceeded \((\d{1,20}) cells requested, max (\d{1,20})\)")


def _too_many_cells(message: str) -> dict | None:
    """{"error": "cells", ...} when calamine refused a sheet whose repeats unpack to more cells than it holds."""
    found = _CELL_LIMIT.search(message)
    return {"error": "cells", "count": int(found.group(1)), "most": int(found.group(2))} if found else None


def _why_unread(kind: str | None) -> dict:
    """Why calamine could not open the workbook on stdin, as an error for the parent.

    Opened from a file object, calamine tries each format and says only "Cannot detect file format" when the
    right one fails; opened by a name ending in the format's extension (a link to stdin), it says what failed.
    """
    import os
    import tempfile

    from python_calamine import CalamineWorkbook

    if kind not in ("xlsx", "ods", "xls"):
        return {"error": "damaged"}
    try:
        with tempfile.TemporaryDirectory() as folder:
            link = os.path.join(folder, "workbook." + kind)
            os.symlink(f"/proc/{os.getpid()}/fd/0", link)
            CalamineWorkbook.from_path(link)
    except MemoryError:
        raise
    except Exception as exc:
        return _too_many_cells(str(exc)) or {"error": "damaged"}
    return {"error": "damaged"}


_MAX_MERGED = 1000  # merged ranges passed on: the header's are among the first


def _merged_across(sheet, first_column: int, source, index: int, kind: str | None) -> list[list[int]]:
    """The sheet's cells merged across columns, as [line, first cell, last line, last cell] (lines from 1, cells
    counted from the sheet's first column), top rows first; [] when none are known (.xls)."""
    if kind == "ods":  # calamine gives none for .ods
        across = sorted((top, left - first_column, bottom, right - first_column)
                        for top, left, bottom, right in _extras().ods_merged(source, index))
        return [list(item) for item in across[:_MAX_MERGED]]
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # not every format exposes them
        return []
    across = sorted((top + 1, left - first_column, bottom + 1, right - first_column)
                    for (top, left), (bottom, right) in ranges if right > left)
    return [list(item) for item in across[:_MAX_MERGED]]


def _with_special_cells(row, line: int, special_line: int, special) -> tuple[list, int | None]:
    """The row with its error cells and formulas without results written in; the next special cell's line.

    `special.items` yields (line, column, text) in the sheet's order; `special.pending` is the next of them, on
    `special_line`. A row with nothing else in it stays empty: a template's formulas copied down past the people
    are no people.
    """
    found = []
    while special_line is not None and special_line <= line:
        item = special.pending
        if special_line == line:
            found.append(item[1:])
        special.pending = next(special.items, None)
        special_line = special.pending[0] if special.pending else None
    if found and row.count("") < len(row):
        row = list(row)
        for column, text in found:
            if column < 0:
                continue
            if column >= len(row):
                row.extend([""] * (column + 1 - len(row)))
            if row[column] == "" or special.override:
                row[column] = text
    return row, special_line


class _Special:
    """The special cells of one sheet, one held ahead (pending) so rows can be matched to them in order.

    `override`: the file says the cell is an error whatever calamine read for it (an .ods error may read as 0).
    """

    def __init__(self, items, override: bool = False):
        self.items = items
        self.pending = next(items, None)
        self.override = override


def _special_cells(source, parts: list[str] | None, index: int, first_column: int, kind: str | None):
    """A _Special over the error cells (and an .xlsx's uncached formulas) of the index-th sheet, or None."""
    if kind in ("ods", "xls"):
        extras = _extras()
        found = extras.ods_errors(source, index) if kind == "ods" else extras.xls_errors(source, index)
        special = _Special(((line, column - first_column, text) for line, column, text in found), override=True)
        return special if special.pending is not None else None
    if not parts or index >= len(parts) or parts[index] is None:
        return None
    special = _Special(_scan_sheet(source, parts[index], first_column))
    return special if special.pending is not None else None


def _hidden_rows(source, parts: list[str] | None, index: int, kind: str | None) -> list[list[int]]:
    """The index-th sheet's rows hidden in the spreadsheet (by hand or by a filter), as [first, last] line ranges:
    read as every other row, and named to the admin."""
    if kind == "ods":
        return _extras().ods_hidden_rows(source, index)
    if kind == "xls":
        return _extras().xls_hidden_rows(source, index)
    if not parts or index >= len(parts) or parts[index] is None:
        return []
    return _extras().xlsx_hidden_rows(source, parts[index])


def _mail_links(source, parts: list[str] | None, index: int, kind: str | None, first_column: int) -> list[list]:
    """[line, cell, address] of each cell of the index-th sheet that is a mailto: hyperlink (cells counted from the
    sheet's first column): an Email cell may show "Email me" or a name, its address only in the link. None are read from .xls."""
    if kind == "ods":
        found = _extras().ods_mail_links(source, index)
    elif parts and index < len(parts) and parts[index] is not None:
        found = _extras().xlsx_mail_links(source, parts[index])
    else:
        return []
    return [[line, column - first_column, address] for line, column, address in found if column >= first_column]


def _kind(source) -> str | None:
    """"xls" for a compound file, "ods" for a zip holding content.xml, else None."""
    try:
        source.seek(0)
        if source.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            return "xls"
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            archive.getinfo("content.xml")
        return "ods"
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, zlib.error, EOFError):
        return None


@functools.cache
def _extras():
    """workbook_extras, loaded by its path: the child runs isolated (-I), without the package on its path."""
    return _sibling("workbook_extras")


def _sibling(name: str):
    """A module of this folder, loaded by its path."""
    import importlib.util

    path = Path(__file__).with_name(name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def relation_targets(relations: bytes) -> dict[bytes, bytes]:
    """{relationship id: target} of an .xlsx's relations part, tag by tag, each search bounded (the web process's
    checks read them too: sandbox)."""
    targets = {}
    for tag in RELATION_TAG.findall(relations):
        rid, target = re.search(rb'\bId="([^"]{1,255})"', tag), re.search(rb'\bTarget="([^"]{1,2000})"', tag)
        if rid and target:
            targets[rid.group(1)] = target.group(1)
    return targets


def _xlsx_sheet_parts(source) -> list[str | None] | None:
    """The XML part of each sheet of an .xlsx, in the workbook's order (calamine's), or None for other files."""
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            workbook = archive.read("xl/workbook.xml")
            relations = archive.read("xl/_rels/workbook.xml.rels")
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, zlib.error, EOFError):
        return None
    targets = {}
    for rid, target in relation_targets(relations).items():
        path = unescape(target.decode("utf-8", "replace"))
        targets[rid] = path.lstrip("/") if path.startswith("/") else "xl/" + path
    parts = []
    for tag in SHEET_TAG.findall(workbook):
        rid = re.search(rb'\br:id="([^"]*)"', tag) or re.search(rb'\b\w+:id="([^"]*)"', tag)
        parts.append(targets.get(rid.group(1)) if rid else None)
    return parts


def _column_index(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number - 1


def _scan_sheet(source, part: str, first_column: int):
    """(line, column, text) for each error cell and formula without a result, read a block at a time."""
    carry = b""
    for block in _extras().part_blocks(source, part, _SCAN_BLOCK):
        text = carry + block
        cut = text.rfind(b"</c>") if block else len(text)
        if cut < 0 and text.rfind(b":c>") >= 0:
            cut = text.rfind(b":c>")
        if cut < 0:
            carry = text if len(text) < _SCAN_CARRY_MAX else b""
            continue
        whole = text[:cut + 4] if block else text
        carry = text[cut + 4:] if block else b""
        if b't="e"' in whole or b"<f" in whole or b":f" in whole:
            yield from _found_in(whole, first_column)


def _found_in(xml: bytes, first_column: int):
    found = []
    at = xml.find(b't="e"')
    while at >= 0:  # each error cell's tag, then its <v> before the cell ends: a bounded look around each
        start, end = xml.rfind(b"<", max(0, at - 1000), at), xml.find(b">", at, at + 1000)
        if start >= 0 and end >= 0 and _CELL_START.match(xml, start):
            ref = _CELL_REF.search(xml, start, end)
            close = xml.find(b"c>", end, end + 4096)
            value = _VALUE.search(xml, end, close if close >= 0 else end + 4096)
            if ref and value:
                found.append((start, ref, unescape(value.group(1).decode("utf-8", "replace")).strip()))
        at = xml.find(b't="e"', at + 5)
    for match in _UNCACHED.finditer(xml):
        attributes = match.group(1)
        kind = _CELL_TYPE.search(attributes)
        if kind and kind.group(1) in (b"str", b"e"):
            continue  # an empty text result, or an error (above)
        ref = _CELL_REF.search(attributes)
        if ref:
            formula = unescape((match.group(2) or b"").decode("utf-8", "replace")).strip()[:200]
            found.append((match.start(), ref, FORMULA_MARK + (formula or "(formula)")))
    found.sort(key=lambda item: item[0])
    for _, ref, text in found:
        yield int(ref.group(2)), _column_index(ref.group(1)) - first_column, text


def filled_cells(row) -> list[str]:
    """A row's cells as text, without the empty ones at its end (none left: the row is empty)."""
    cells = [cell_text(value) for value in row]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def cell_text(value) -> str:
    """Show a spreadsheet value as a person would type it: 42.0 as "42", dates as 2024-01-31."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


if __name__ == "__main__":
    sys.exit(main())
