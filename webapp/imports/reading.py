"""Reading an uploaded file (CSV, TSV, text, .xlsx, .ods or .xls) into a located table of numbered rows of text."""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass, field, fields

from webapp.imports import addresslists, sandbox
from webapp.imports.encodings import ENCODING_CHOICES, ENCODING_NAMES, LEGACY, UTF16, detect_encoding
from webapp.imports.encodings import looks_like_mojibake  # noqa: F401  (the pipeline flags such names)
from webapp.imports.locating import (
    BLANK_CHARS,
    NoTable,
    SkippedLine,
    header_word_count,
    locate,
    sheet_score,
    trimmed_length,
)

__all__ = ["DELIMITER_CHOICES", "ENCODING_CHOICES", "RawTable", "ReadLimits", "SkippedLine", "UnreadableFile",
           "looks_like_mojibake", "read_table"]

DELIMITER_CHOICES = [(",", "Comma"), (";", "Semicolon"), ("\t", "Tab"), ("|", "Pipe")]
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
WORKBOOK_EXTENSIONS = {".xlsx", ".ods", ".xls"}
ACCEPTED = ".csv, .tsv, .txt, .xlsx, .ods or .xls"
_DELIMITERS = {value for value, _ in DELIMITER_CHOICES}
_SNIFF_ROWS = 50
_SNIFF_CHARS = 256 * 1024
_MAX_LINES_IN_A_ROW = 50  # a quoted cell spanning more lines than this is a quotation mark left open
# C0 controls other than tab, line feed and carriage return, and DEL: never part of a name or an address.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20)) + b"\x7f"
_MOSTLY_CONTROL = 0.01


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
    """The header cells and the people rows of a file, with how it was read and what was skipped."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
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


def read_table(data: bytes, filename: str, *, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | None = None, header_line: int | None = None,
               limits: ReadLimits | None = None) -> RawTable:
    """Read an uploaded file's bytes into a RawTable, detecting encoding, delimiter, sheet and header unless given."""
    limits = limits or _app_limits()
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in TEXT_EXTENSIONS | WORKBOOK_EXTENSIONS:
        raise UnreadableFile(_unknown_extension_message(extension))
    if not data:
        raise UnreadableFile("The file is empty. Add a header row and one row per person, then upload it again.")
    kind = sandbox.workbook_kind(data, extension)
    if kind is not None:
        # A workbook renamed to .csv is still a workbook; reading it as one is what the admin expects.
        label = extension if extension in WORKBOOK_EXTENSIONS else "." + kind
        return _read_workbook(data, kind, label, sheet, header_line, limits)
    if extension in WORKBOOK_EXTENSIONS:
        raise UnreadableFile(sandbox.damaged_message(extension))
    return _read_text(data, encoding, delimiter, header_line, limits)


def _app_limits() -> ReadLimits:
    """The running app's IMPORT_* limits when there is one (web, CLI, job), else the defaults."""
    from flask import current_app, has_app_context

    return ReadLimits.from_config(current_app.config) if has_app_context() else ReadLimits()


def _unknown_extension_message(extension: str) -> str:
    if extension == ".numbers":
        return "Files ending in .numbers can't be read. In Numbers, export the file as Excel or CSV and upload that."
    shown = f"ending in {extension}" if extension else "without an extension"
    return f"Files {shown} can't be read. Upload a {ACCEPTED} file."


# ---- text files -------------------------------------------------------------------------------------------

def _read_text(data: bytes, encoding: str | None, delimiter: str | None, header_line: int | None,
               limits: ReadLimits) -> RawTable:
    if encoding is not None and encoding not in ENCODING_NAMES:
        raise UnreadableFile(f'"{encoding}" is not an encoding this importer knows. Choose one from the list.')
    if delimiter is not None and delimiter not in _DELIMITERS:
        raise UnreadableFile("The delimiter must be a comma, semicolon, tab or pipe.")
    encoding_detected, guessed = detect_encoding(data)
    chosen_encoding = encoding or encoding_detected
    if chosen_encoding not in UTF16 and data.count(0) > max(3, _MOSTLY_CONTROL * len(data)):
        raise UnreadableFile(_NOT_TEXT)
    text = _decode(data, chosen_encoding)
    # In the ASCII-based encodings a control character is one byte; deleting them from the bytes is much
    # faster than searching 100,000 lines of text for them.
    maybe_controls = chosen_encoding in UTF16 or len(data.translate(None, _CONTROL_BYTES)) != len(data)
    # Stray control characters stay in the cells: cleaning removes them and shows each affected row as a
    # problem, so the admin sees where they were. Text made mostly of them is refused here.
    if maybe_controls:
        _refuse_mostly_control_characters(text)

    delimiter_detected = detect_delimiter(text) or ("\t" if chosen_encoding in UTF16 else ",")
    chosen_delimiter = delimiter or delimiter_detected
    common = dict(encoding=chosen_encoding, delimiter=chosen_delimiter, encoding_detected=encoding_detected,
                  delimiter_detected=delimiter_detected, encoding_guessed=guessed and encoding is None)
    if delimiter is None and header_line is None:
        address_table = _address_list(text, limits, common)
        if address_table is not None:
            return address_table
    rows = _parse_rows(text, chosen_delimiter, limits)
    return _table(rows, header_line, common)


_NOT_TEXT = "The file doesn't look like text. Save it from your spreadsheet as CSV (or .xlsx) and upload that."


def _decode(data: bytes, encoding: str) -> str:
    try:
        if encoding in LEGACY:
            # Some code pages leave a few bytes undefined; replacing them beats refusing a whole file over one.
            return data.decode(encoding, errors="replace")
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            f"The file is not valid {ENCODING_NAMES[encoding]} text (unexpected bytes at position {exc.start}). "
            "Choose another encoding, such as Windows-1252."
        ) from None
    return text[1:] if text.startswith("\ufeff") else text


def _refuse_mostly_control_characters(text: str) -> None:
    """Refuse text made mostly of control characters (a binary file); stray ones are cleaning's to flag."""
    if len(_CONTROL.findall(text)) > max(3, _MOSTLY_CONTROL * len(text)):
        raise UnreadableFile(_NOT_TEXT)


def detect_delimiter(text: str) -> str | None:
    """Pick the delimiter giving the most consistent field count (above one) and a header-like row."""
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and ("\n" in sample or "\r" in sample):
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut + 1]  # a cut-off last row would skew its count
    best, best_score = None, None
    for order, (candidate, _label) in enumerate(DELIMITER_CHOICES):
        counts, header_words = [], 0
        try:
            reader = csv.reader(io.StringIO(sample, newline=""), delimiter=candidate)
            for cells in reader:
                if "".join(cells).strip(BLANK_CHARS):
                    counts.append(trimmed_length(cells))
                    if len(counts) <= 10:
                        header_words = max(header_words, header_word_count(cells) if len(cells) > 1 else 0)
                    if len(counts) >= _SNIFF_ROWS:
                        break
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=lambda n: (counts.count(n), n))
        if mode < 2:
            continue
        consistency = counts.count(mode) / len(counts)
        # Tabs almost never sit inside a cell, while commas do ("Last, First", "Jan 5, 2024").
        tab_bonus = 1 if candidate == "\t" and consistency >= 0.8 else 0
        score = (round(consistency, 1), min(header_words, 3), tab_bonus, consistency, mode, -order)
        if best_score is None or score > best_score:
            best, best_score = candidate, score
    return best


def _parse_rows(text: str, delimiter: str, limits: ReadLimits) -> list[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row, refusing open quotes and rows or cells over the limits."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    # No physical line longer than the limits means no row can break them unless it spans several lines,
    # so the common file is read at csv.reader's own speed and only odd rows are looked at closely.
    longest = max(map(len, (text.replace("\r", "\n") if "\r" in text else text).split("\n")), default=0)
    check_every_row = longest > limits.max_cell_chars or longest >= limits.max_columns
    try:
        rows = [] if check_every_row else list(enumerate(reader, start=1))
        if check_every_row or reader.line_num != len(rows):
            # Some row spans several lines (a quoted line break, or a quotation mark left open): read again,
            # numbering each row by the line it starts on and looking closely at the rows that span lines.
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            rows = _rows_with_lines(reader, limits, check_every_row)
    except csv.Error as exc:
        raise UnreadableFile(
            f"Line {reader.line_num} can't be read ({exc}). A quotation mark may be left open; fix that line "
            "and upload the file again."
        ) from None
    if len(rows) > limits.max_rows + 1:
        raise UnreadableFile(
            f"The file has more than {limits.max_rows:,} rows, the most this importer reads (setting "
            "IMPORT_MAX_ROWS). Split it into smaller files and import them one after another.")
    if rows and reader.line_num > rows[-1][0] and not text.rstrip(BLANK_CHARS).endswith('"'):
        # The last row ran to the end of the file inside quotes: csv ends the cell there without a word.
        if any("\n" in cell or "\r" in cell for cell in rows[-1][1]):
            raise UnreadableFile(_open_quote_message(rows[-1][0], reader.line_num))
    return rows


def _rows_with_lines(reader, limits: ReadLimits, check_every_row: bool) -> list[tuple[int, list[str]]]:
    """Rows numbered by the line they start on; rows spanning lines (or every row, if asked) are checked."""
    rows = []
    append = rows.append
    line_after = 0
    for cells in reader:
        line = line_after + 1
        line_after = reader.line_num
        if line_after != line or check_every_row:
            if line_after - line >= _MAX_LINES_IN_A_ROW:
                raise UnreadableFile(_open_quote_message(line, line_after))
            _check_row(line, cells, limits)
        append((line, cells))
    return rows


def _check_row(line: int, cells: list[str], limits: ReadLimits) -> None:
    if len(cells) > limits.max_columns and trimmed_length(cells) > limits.max_columns:
        raise UnreadableFile(
            f"Line {line} has {trimmed_length(cells):,} fields, more than the {limits.max_columns:,} columns this "
            "importer reads (setting IMPORT_MAX_COLUMNS). Check the delimiter, or delete the columns you "
            "don't need, and upload the file again.")
    if cells and max(map(len, cells)) > limits.max_cell_chars:
        column = next(index for index, cell in enumerate(cells) if len(cell) > limits.max_cell_chars)
        raise UnreadableFile(
            f"Line {line}, column {column + 1} holds {len(cells[column]):,} characters, more than the "
            f"{limits.max_cell_chars:,} a cell may hold (setting IMPORT_MAX_CELL_CHARS). Shorten that cell, or "
            "close a quotation mark left open above it, and upload the file again.")


def _open_quote_message(line: int, last_line: int) -> str:
    return (f"A quotation mark opened on line {line} is never closed, so lines {line} to {last_line} were read as "
            f"one cell. Remove that quotation mark or add the closing one, and upload the file again.")


def _address_list(text: str, limits: ReadLimits, common: dict) -> RawTable | None:
    """A recipient list pasted from a mail client, read as one row per address; None when text is no such list."""
    head = text[:_SNIFF_CHARS].splitlines()[:_SNIFF_ROWS]
    if not addresslists.is_address_list(head):
        return None
    lines = text.splitlines()
    if len(lines) > limits.max_rows:
        raise UnreadableFile(
            f"The file has more than {limits.max_rows:,} lines, the most this importer reads (setting "
            "IMPORT_MAX_ROWS). Split it into smaller files and import them one after another.")
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.max_cell_chars * 10:
            raise UnreadableFile(
                f"Line {number} holds {len(line):,} characters, more than this importer reads in one line "
                f"(ten times the setting IMPORT_MAX_CELL_CHARS). Split the line and upload the file again.")
    rows, above = addresslists.address_list_rows(list(enumerate(lines, start=1)))
    skipped = [SkippedLine(line, text[:200], "above the first address") for line, text in above]
    return RawTable(list(addresslists.ADDRESS_HEADERS), rows, header_line=None, headerless=True, skipped=skipped,
                    **common)


def _table(rows, header_line, common: dict, **workbook) -> RawTable:
    """Locate the table in the rows, shape every row to the header's width, and expand address columns."""
    try:
        located = locate(rows, header_line=header_line)
    except NoTable as exc:
        raise UnreadableFile(str(exc)) from None
    body = located.rows
    if located.header_cells is not None:
        headers = [cell.strip(BLANK_CHARS) for cell in located.header_cells[:trimmed_length(located.header_cells)]]
    else:
        width = max((trimmed_length(cells) for _line, cells in body), default=0)
        headers = [f"Column {number}" for number in range(1, width + 1)]
    if not body:
        raise UnreadableFile(
            "The file has a header row but no people in it. Add one row per person under the header "
            "and upload it again.")
    if located.header_cells is None:
        body = _shaped(body, len(headers))  # locate() shapes rows to a header's width; here there was none
    headers, body = addresslists.expand_address_columns(headers, body)
    return RawTable(headers, body, header_line=located.header_line, headerless=located.header_cells is None,
                    skipped=located.skipped, **common, **workbook)


def _shaped(body, width):
    """Pad short rows to the header's width; keep extra filled cells of long rows, dropping trailing blanks."""
    padding = [""] * width
    shaped = []
    append = shaped.append
    for line, cells in body:
        length = len(cells)
        if length < width:
            cells = cells + padding[length:]
        elif length > width:
            cells = cells[:max(width, trimmed_length(cells))]
        append((line, cells))
    return shaped


# ---- workbooks --------------------------------------------------------------------------------------------

def _read_workbook(data: bytes, kind: str, label: str, sheet: str | None, header_line: int | None,
                   limits: ReadLimits) -> RawTable:
    try:
        sheets = sandbox.read_sheets(data, kind, label, limits)
    except sandbox.WorkbookRefused as exc:
        raise UnreadableFile(str(exc)) from None
    names = [each.name for each in sheets]
    chosen = _choose_sheet(sheets, sheet)
    common = dict(encoding=kind, delimiter=None, encoding_detected=kind, delimiter_detected=None)
    return _table(chosen.rows, header_line, common, sheet=chosen.name, sheet_names=names)


def _choose_sheet(sheets: list[sandbox.Sheet], wanted: str | None) -> sandbox.Sheet:
    """The sheet the admin chose, else the one most likely to hold the people."""
    if wanted is not None:
        for each in sheets:
            if each.name == wanted:
                return each
        listed = ", ".join(f"\u201c{each.name}\u201d" for each in sheets)
        raise UnreadableFile(f"The workbook has no sheet named \u201c{wanted}\u201d. Its sheets are: {listed}. "
                             "Choose one of those.")
    best, best_score = None, None
    for each in sheets:
        score = sheet_score(each.name, each.rows)
        if score is None:
            continue
        if not each.visible:
            score -= 50
        if best_score is None or score > best_score:
            best, best_score = each, score
    if best is None:
        raise UnreadableFile("The workbook has no data in any sheet. Add a header row and one row per person.")
    return best
