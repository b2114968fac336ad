"""Reading an uploaded file (CSV, TSV, text or .xlsx) into a header and numbered rows of text."""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from webapp.imports.cleaning import clean_cell

ENCODING_CHOICES = [
    ("utf-8-sig", "UTF-8 with BOM"),
    ("utf-8", "UTF-8"),
    ("utf-16", "UTF-16 (Excel \u201cUnicode Text\u201d)"),
    ("cp1252", "Windows-1252 (Western European)"),
]
DELIMITER_CHOICES = [(",", "Comma"), (";", "Semicolon"), ("\t", "Tab"), ("|", "Pipe")]

TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
EXCEL_EXTENSIONS = {".xlsx"}
_ENCODINGS = {value for value, _ in ENCODING_CHOICES}
_DELIMITERS = {value for value, _ in DELIMITER_CHOICES}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
_SNIFF_ROWS = 50
_SNIFF_CHARS = 256 * 1024
_ZIP_MAGIC = b"PK\x03\x04"


class UnreadableFile(ValueError):
    """The file cannot be read; str(error) tells a person what happened and what to do."""


@dataclass
class RawTable:
    """The header cells and the non-blank data rows of a file, with how it was read."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    encoding: str
    delimiter: str | None
    encoding_detected: str
    delimiter_detected: str | None


def read_table(data: bytes, filename: str, *, encoding: str | None = None,
               delimiter: str | None = None) -> RawTable:
    """Read an uploaded file's bytes into a RawTable, detecting encoding and delimiter unless given."""
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in TEXT_EXTENSIONS | EXCEL_EXTENSIONS:
        raise UnreadableFile(_unknown_extension_message(extension))
    if not data:
        raise UnreadableFile("The file is empty. Add a header row and one row per person, then upload it again.")
    if extension in EXCEL_EXTENSIONS or data.startswith(_ZIP_MAGIC):
        # A workbook renamed to .csv is still a workbook; reading it as one is what the admin expects.
        return _read_xlsx(data)
    return _read_text(data, encoding, delimiter)


def _unknown_extension_message(extension: str) -> str:
    if extension in {".xls", ".ods", ".numbers"}:
        return (f"Files ending in {extension} can't be read. Open the file and save it as .xlsx or CSV, "
                "then upload that.")
    shown = f"ending in {extension}" if extension else "without an extension"
    return f"Files {shown} can't be read. Upload a .csv, .tsv, .txt or .xlsx file."


# ---- text files -------------------------------------------------------------------------------------------

def detect_encoding(data: bytes) -> str:
    """Return the encoding a text file's bytes are in: BOMs first, then UTF-8 if valid, else cp1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _decode(data: bytes, encoding: str) -> str:
    try:
        if encoding == "cp1252":
            # cp1252 leaves five bytes undefined; replacing them beats refusing a whole file over one.
            return data.decode("cp1252", errors="replace")
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"The file is not valid {dict(ENCODING_CHOICES)[encoding]} text (unexpected bytes at position "
            f"{exc.start}). Choose another encoding, such as Windows-1252."
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def detect_delimiter(text: str) -> str | None:
    """Pick the delimiter that gives the most consistent field count (above one) over the first rows."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:
        sample = sample[:sample.rindex("\n") + 1]  # a cut-off last row would skew its count
    best, best_score = None, None
    for order, candidate in enumerate(DELIMITER_CHOICES):
        counts = []
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate[0])
            for cells in reader:
                if any(clean_cell(c) for c in cells):
                    counts.append(_trimmed_length(cells))
                    if len(counts) >= _SNIFF_ROWS:
                        break
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=lambda n: (counts.count(n), n))
        if mode < 2:
            continue
        header_agrees = counts[0] == mode
        score = (counts.count(mode) / len(counts), header_agrees, mode, -order)
        if best_score is None or score > best_score:
            best, best_score = candidate[0], score
    return best


def _trimmed_length(cells: list[str]) -> int:
    length = len(cells)
    while length and not clean_cell(cells[length - 1]):
        length -= 1
    return length


def _read_text(data: bytes, encoding: str | None, delimiter: str | None) -> RawTable:
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and encoding != "utf-16":
        raise UnreadableFile(
            "The file doesn't look like text. Save it from your spreadsheet as CSV (or .xlsx) and upload that."
        )
    encoding_detected = detect_encoding(data)
    if encoding is not None and encoding not in _ENCODINGS:
        raise UnreadableFile(f'"{encoding}" is not an encoding this importer knows. Choose one from the list.')
    chosen_encoding = encoding or encoding_detected
    text = _decode(data, chosen_encoding)

    delimiter_detected = detect_delimiter(text) or ("\t" if chosen_encoding == "utf-16" else ",")
    if delimiter is not None and delimiter not in _DELIMITERS:
        raise UnreadableFile("The delimiter must be a comma, semicolon, tab or pipe.")
    chosen_delimiter = delimiter or delimiter_detected

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=chosen_delimiter)
    numbered = _numbered_rows(reader)
    return _table(numbered, chosen_encoding, chosen_delimiter, encoding_detected, delimiter_detected)


def _numbered_rows(reader):
    """Yield (line where the row starts, cells) for every row the csv reader produces."""
    line_after = 0
    try:
        for cells in reader:
            yield line_after + 1, cells
            line_after = reader.line_num
    except csv.Error as exc:
        raise UnreadableFile(
            f"Line {line_after + 1} can't be read ({exc}). A quotation mark may be left open; fix that line "
            "and upload the file again."
        ) from None


def _table(numbered, encoding, delimiter, encoding_detected, delimiter_detected) -> RawTable:
    """Take the first non-blank row as the header and keep the non-blank rows after it."""
    headers = None
    for line, cells in numbered:
        if any(clean_cell(c) for c in cells):
            headers = [clean_cell(c) for c in cells[:_trimmed_length(cells)]]
            break
    if headers is None:
        raise UnreadableFile("The file is empty. Add a header row and one row per person, then upload it again.")
    width = len(headers)
    padding = [""] * width
    rows = []
    for line, cells in numbered:
        if not any(clean_cell(c) for c in cells):
            continue
        length = len(cells)
        if length < width:
            cells = cells + padding[length:]
        elif length > width:
            cells = cells[:max(width, _trimmed_length(cells))]
        rows.append((line, cells))
    if not rows:
        raise UnreadableFile(
            "The file has a header row but no people in it. Add one row per person under the header "
            "and upload it again."
        )
    return RawTable(headers, rows, encoding, delimiter, encoding_detected, delimiter_detected)


# ---- Excel workbooks --------------------------------------------------------------------------------------

def _read_xlsx(data: bytes) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet_count = len(workbook.sheet_names)
    except Exception:  # calamine raises several unrelated types for damaged or encrypted files
        raise UnreadableFile(_DAMAGED_WORKBOOK) from None
    for index in range(sheet_count):
        try:
            sheet = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except Exception:
            raise UnreadableFile(_DAMAGED_WORKBOOK) from None
        numbered = [(number, [_cell_text(v) for v in values]) for number, values in enumerate(sheet, start=1)]
        if any(any(clean_cell(c) for c in cells) for _, cells in numbered):
            return _table(iter(numbered), "xlsx", None, "xlsx", None)
    raise UnreadableFile("The workbook has no data in any sheet. Add a header row and one row per person.")


_DAMAGED_WORKBOOK = (
    "The file could not be opened as an Excel workbook (.xlsx): it may be damaged or password-protected. "
    "Open it in Excel, save it again as .xlsx or CSV, and upload that."
)


def _cell_text(value) -> str:
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
