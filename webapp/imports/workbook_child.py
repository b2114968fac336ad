"""Run as a child process: parse a workbook from stdin under a memory cap and print its sheets as JSON.

Kept free of webapp imports so the child starts in a few milliseconds: only the standard library and calamine.
Errors are printed as {"error": code, ...}; a crash or a kill shows in the exit status instead.
"""
from __future__ import annotations

import io
import json
import resource
import sys
from datetime import date, datetime, time, timedelta


# The same characters reading.py drops from text files: never part of a name or an address.


def main() -> int:
    settings = json.loads(sys.argv[1])
    memory = settings["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    data = sys.stdin.buffer.read()
    try:
        result = read_sheets(data, settings)
    except MemoryError:
        result = {"error": "memory"}
    sys.stdout.buffer.write(json.dumps(result).encode("ascii"))  # ASCII whatever the locale
    return 0


def read_sheets(data: bytes, settings: dict) -> dict:
    """Every sheet's name, visibility and rows of text, or an error code with details."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except MemoryError:
        raise
    except Exception:  # calamine raises several unrelated types for damaged or encrypted files
        return {"error": "damaged"}
    sheets = []
    for index, meta in enumerate(metadata):
        if "WorkSheet" not in str(meta.typ):
            continue  # chart sheets hold no cells
        try:
            sheet = workbook.get_sheet_by_index(index)
            start = sheet.start
            values = sheet.to_python(skip_empty_area=True)
        except MemoryError:
            raise
        except Exception:
            return {"error": "damaged"}
        first_line = (start[0] if start else 0) + 1
        if len(values) > settings["max_rows"] + 1:
            return {"error": "rows", "sheet": meta.name, "count": len(values)}
        rows = []
        for offset, row in enumerate(values):
            cells = [cell_text(value) for value in row]
            while cells and cells[-1] == "":
                cells.pop()
            if len(cells) > settings["max_columns"]:
                return {"error": "columns", "sheet": meta.name, "line": first_line + offset, "count": len(cells)}
            for column, cell in enumerate(cells):
                if len(cell) > settings["max_cell_chars"]:
                    return {"error": "cell", "sheet": meta.name, "line": first_line + offset,
                            "column": column + 1, "count": len(cell)}
            rows.append([first_line + offset, cells])
        sheets.append({"name": meta.name, "visible": "Visible" in str(meta.visible) and "Hidden" not in
                       str(meta.visible), "rows": rows})
    return {"sheets": sheets}


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
