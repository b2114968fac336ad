"""Run as a child process: parse a workbook from stdin under a memory cap and print its rows as JSON lines.

Kept free of webapp imports so the child starts in a few milliseconds: only the standard library and calamine.
Errors are printed as {"error": code, ...}; a crash or a kill shows in the exit status instead.
"""
from __future__ import annotations

import json
import resource
import sys
from datetime import date, datetime, time, timedelta


# The same characters reading.py drops from text files: never part of a name or an address.


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
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(source)
        metadata = workbook.sheets_metadata
    except MemoryError:
        raise
    except Exception:  # calamine raises several unrelated types for damaged or encrypted files
        return {"error": "damaged"}
    dumps, write = json.dumps, out.write
    for index, meta in enumerate(metadata):
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets hold no cells
        try:
            sheet = workbook.get_sheet_by_index(index)
            start = sheet.start
            rows = sheet.iter_rows()
        except MemoryError:
            raise
        except Exception:
            return {"error": "damaged"}
        visible = "Visible" in str(meta.visible) and "Hidden" not in str(meta.visible)
        # iter_rows starts at the sheet's first row, blank or not; the rows above its first cell are skipped.
        skip = start[0] if start else 0
        end = sheet.end
        rows_held = end[0] + 1 - skip if end else 0  # known once the sheet is parsed: a total for the progress bar
        write(dumps({"sheet": meta.name, "visible": visible, "rows": rows_held}).encode("ascii") + b"\n")
        # Only rows that hold something count towards max_rows (as in text files): one stray cell far down a
        # sheet is a row, not the million empty rows above it. A run of empty rows is written as its last row
        # alone, which still shows the reader where one table ends and another begins.
        count = 0
        blank_line = None
        for offset, row in enumerate(rows):
            if offset < skip:
                continue
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
                return {"error": "rows", "sheet": meta.name, "count": count}
            if len(cells) > settings["max_columns"]:
                return {"error": "columns", "sheet": meta.name, "line": line, "count": len(cells)}
            for column, cell in enumerate(cells):
                if len(cell) > settings["max_cell_chars"]:
                    return {"error": "cell", "sheet": meta.name, "line": line, "column": column + 1,
                            "count": len(cell)}
            if blank_line is not None:
                write(dumps([blank_line, []]).encode("ascii") + b"\n")
            blank_line = None
            write(dumps([line, cells]).encode("ascii") + b"\n")
    return {"done": True}


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
