"""Reading an uploaded file (CSV, TSV, text, .xlsx, .ods, .xls or Excel 2003 XML) into a located table of numbered rows of text."""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from itertools import chain, islice, takewhile

from webapp.imports import addresslists, name_headers, sandbox, vcards
from webapp.imports.encodings import (
    ENCODING_CHOICES,
    ENCODING_NAMES,
    LEGACY,
    UTF16,
    detect_encoding,
    looks_like_utf32,
    mostly_utf8,
)
from webapp.imports.encodings import looks_like_mojibake  # noqa: F401  (the pipeline flags such names)
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
    header_word_count,
    is_second_header,
    line_text,
    looks_like_a_header,
    sheet_score,
    tool_line_reason,
    trimmed_length,
)
from webapp.imports.sheet_names import shown_name
from webapp.imports.uploads import Upload, as_upload

__all__ = ["DELIMITER_CHOICES", "ENCODING_CHOICES", "RawTable", "ReadLimits", "SkippedLine", "UnreadableFile",
           "looks_like_mojibake", "read_table"]

DELIMITER_CHOICES = [(",", "Comma"), (";", "Semicolon"), ("\t", "Tab"), ("|", "Pipe")]
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt"}
# .xlsm, .xltx, .xltm and .xlsb (Excel's macro-enabled workbooks, templates, binary workbooks): calamine reads them.
WORKBOOK_EXTENSIONS = {".xlsx", ".ods", ".xls", ".xlsm", ".xltx", ".xltm", ".xlsb"}
VCARD_EXTENSIONS = {".vcf", ".vcard"}
ACCEPTED = ".csv, .tsv, .txt, .xlsx, .ods, .xls or .vcf"
_DELIMITERS = {value for value, _ in DELIMITER_CHOICES}
_SNIFF_ROWS = 50
_SNIFF_CHARS = 256 * 1024
_MAX_EMPTY_LINES = 1_048_576  # a whole Excel sheet of them
_MAX_LINES_IN_A_ROW = 50  # a quoted cell spanning more lines than this is a quotation mark left open
# C0 controls other than tab, line feed and carriage return, and DEL: never part of a name or an address.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes(range(0, 9)) + b"\x0b\x0c" + bytes(range(0x0e, 0x20)) + b"\x7f"
_MOSTLY_CONTROL = 0.01
HEAD_ROWS = 1000      # rows kept in memory for mapping, previews and samples; the rest stream in chunks
_HEAD_BLANK_RUN = 10_000  # empty rows in a row after which the header is looked for no further
_FOOTER_SCAN = 1000   # the last rows looked at for totals and notes below the table
_BLOCK = 1 << 20
_UTF8 = ("utf-8", "utf-8-sig")


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


def chunk_rows() -> int:
    """The running app's IMPORT_CHUNK_ROWS, else 10,000."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("IMPORT_CHUNK_ROWS") or 10_000) if has_app_context() else 10_000


def read_table(data: bytes | Upload, filename: str, *, encoding: str | None = None, delimiter: str | None = None,
               sheet: str | None = None, header_line: int | None = None,
               limits: ReadLimits | None = None, progress=None, streamed: bool = False) -> RawTable:
    """Read an uploaded file into a RawTable, detecting encoding, delimiter, sheet and header unless given.

    The file is read a block at a time on each pass; the table reads it again for its chunks, so `data`
    (an Upload on a file on disk) must stay there while the table is used. `progress(rows, total)` hears how
    many rows have been read so far, of those a workbook declares or a text file's size suggests.
    `streamed`: a long text table is not read through first; its chunks count it and find the lines to skip
    (row_count and skipped are complete once they have all been read).
    """
    limits = limits or _app_limits()
    upload = as_upload(data)
    extension = os.path.splitext(filename or "")[1].lower()
    if extension not in TEXT_EXTENSIONS | WORKBOOK_EXTENSIONS | VCARD_EXTENSIONS and not (
            extension == ".xml" and sandbox.workbook_kind(upload, extension) == "xml"):
        raise UnreadableFile(_unknown_extension_message(extension))
    if not upload.size:
        raise UnreadableFile("The file is empty. Add a header row and one row per person, then upload it again.")
    if extension in VCARD_EXTENSIONS or vcards.looks_like_vcard(upload.head(256)):
        return _read_vcards(upload, limits)  # a contacts file renamed .csv or .txt is read as what it is
    kind = sandbox.workbook_kind(upload, extension)
    if kind == "xlsx" and sandbox.looks_like_numbers(upload):
        raise UnreadableFile(_NUMBERS)
    if kind is not None:
        # A workbook renamed to .csv is still a workbook; reading it as one is what the admin expects.
        label = extension if extension in WORKBOOK_EXTENSIONS else "." + kind
        return _read_workbook(upload, kind, label, sheet, header_line, limits, progress)
    if extension in WORKBOOK_EXTENSIONS:
        return _text_named_as_workbook(upload, extension, encoding, delimiter, header_line, limits, progress)
    _refuse_known_non_tables(upload)
    return _read_text(upload, encoding, delimiter, header_line, limits, progress, streamed)


# Files people pick by mistake, known by their first bytes: naming them beats "no email column" or "not text".
_NOT_TABLES = [(b"%PDF-", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
               (b"GIF8", "a GIF image"), (b"\x1f\x8b", "a gzip-compressed file"), (b"{\\rtf", "an RTF document"),
               (b"Rar!", "a RAR archive"), (b"7z\xbc\xaf", "a 7-Zip archive")]


# What school and HR systems save as "Excel" without it being a workbook, by its first bytes after any BOM. (Excel
# 2003 XML is read as a workbook: sandbox.workbook_kind.)
# Excel's "Single File Web Page" (.mht, often renamed .xls) is a mail message: header lines, one of them MIME-Version.
_MHTML = (re.compile(rb"^\s*(?:[\w-]{1,76}:[^\r\n]{0,998}\r?\n){0,30}?MIME-Version:", re.I),
          "a web page saved as one file (MHTML)")
_XML_PROLOG = rb"(?:<\?xml[^>]{0,200}>\s*)?"  # XHTML starts with one
_MARKUP_AS_WORKBOOK = [
    (re.compile(rb"^\s*" + _XML_PROLOG + rb"(<!doctype\s+html|<html|<table|<meta|<head|<body|<!--)", re.I),
     "a web page (HTML)"),
    _MHTML,
]


def _text_named_as_workbook(upload: Upload, extension: str, encoding, delimiter, header_line, limits,
                            progress) -> RawTable:
    """A file named .xls or .xlsx that is text: a tab-delimited or CSV export is read as text; a web page is refused
    saying what it is; anything else is a damaged workbook."""
    head = upload.head(4096)
    for pattern, kind in _MARKUP_AS_WORKBOOK:
        if pattern.match(head.removeprefix(b"\xef\xbb\xbf").replace(b"\x00", b"")):
            raise UnreadableFile(
                f"The file is {kind} named {extension}, not a workbook; Excel opens it, but File Import can't read "
                "it. Open it in Excel, save it as .xlsx or CSV, and upload that.")
    _refuse_known_non_tables(upload)  # a PNG or a PDF renamed .xlsx is called what it is, not a damaged workbook
    try:
        return _read_text(upload, encoding, delimiter, header_line, limits, progress)
    except UnreadableFile:
        raise UnreadableFile(sandbox.damaged_message(extension)) from None


# Text that is not a table, by its start after any BOM and spaces: JSON from an API, a contacts card, XML, a web page.
_TEXT_NOT_TABLES = [(re.compile(rb"^\s*(\[\s*\{|\{\s*\")"), "JSON data"),
                    (re.compile(rb"^\s*" + _XML_PROLOG + rb"(<!doctype\s+html|<html)", re.I), "a web page (HTML)"),
                    _MHTML,
                    (re.compile(rb"^\s*<\?xml"), "an XML file")]


def _refuse_known_non_tables(upload: Upload) -> None:
    head = upload.head(8)
    kind = next((kind for magic, kind in _NOT_TABLES if head.startswith(magic)), None)
    if kind is None:
        text = upload.head(256).removeprefix(b"\xef\xbb\xbf").replace(b"\x00", b"").lstrip(b"\xff\xfe")
        kind = next((kind for pattern, kind in _TEXT_NOT_TABLES if pattern.match(text)), None)
    if kind is not None:
        raise UnreadableFile(f"The file is {kind}, not a spreadsheet. Export the people as CSV or .xlsx from "
                             "the program that holds them and upload that.")


def _app_limits() -> ReadLimits:
    """The running app's IMPORT_* limits when there is one (web, CLI, job), else the defaults."""
    from flask import current_app, has_app_context

    return ReadLimits.from_config(current_app.config) if has_app_context() else ReadLimits()


_NUMBERS = ("The file is an Apple Numbers spreadsheet, which File Import can't read. In Numbers, choose File > Export "
            "To > Excel (or CSV), and upload the exported file.")


def _unknown_extension_message(extension: str) -> str:
    if extension == ".numbers":
        return _NUMBERS
    shown = f"ending in {extension}" if extension else "without an extension"
    return f"Files {shown} can't be read. Upload a {ACCEPTED} file."


def _read_vcards(upload: Upload, limits: ReadLimits) -> RawTable:
    """A contacts file, a row a card: the first HEAD_ROWS held, every card read again by the table's chunks."""
    try:
        head, count = vcards.first_cards(upload, limits, HEAD_ROWS)
    except vcards.UnreadableContacts as exc:
        raise UnreadableFile(str(exc)) from None
    return RawTable(list(vcards.VCARD_HEADERS), head, encoding="vcf", delimiter=None, encoding_detected="vcf",
                    delimiter_detected=None, row_count=count, source=lambda: vcards.iter_cards(upload, limits))


# ---- text files -------------------------------------------------------------------------------------------

def _read_text(data: Upload, encoding: str | None, delimiter: str | None, header_line: int | None,
               limits: ReadLimits, progress=None, streamed: bool = False) -> RawTable:
    if encoding is not None and encoding not in ENCODING_NAMES:
        raise UnreadableFile(f'"{encoding}" is not an encoding this importer knows. Choose one from the list.')
    if delimiter is not None and delimiter not in _DELIMITERS:
        raise UnreadableFile("The delimiter must be a comma, semicolon, tab or pipe.")
    if encoding is None and looks_like_utf32(data.head(4096)):
        raise UnreadableFile(_UTF32)  # its byte order mark starts like UTF-16's
    encoding_detected, guessed = detect_encoding(data)
    chosen_encoding = encoding or encoding_detected
    if chosen_encoding == "utf-16" and data.head(2) not in (b"\xff\xfe", b"\xfe\xff"):
        raise UnreadableFile(_NO_UTF16_MARK)  # Python's UTF-16 reader needs the mark to know the byte order
    if chosen_encoding not in UTF16 and data.count(0) > max(3, _MOSTLY_CONTROL * data.size):
        raise UnreadableFile(_NOT_TEXT)
    _check_decodes(data, chosen_encoding)
    # Stray control characters stay in the cells: cleaning removes them and shows each affected row as a
    # problem, so the admin sees where they were. Text made mostly of them is refused here.
    _refuse_mostly_control_characters(data, chosen_encoding)
    _refuse_endless_lines(data, chosen_encoding, limits)
    with _text_stream(data, chosen_encoding) as stream:
        head_text = stream.read(_SNIFF_CHARS + 1)

    delimiter_detected = detect_delimiter(head_text) or ("\t" if chosen_encoding in UTF16 else ",")
    chosen_delimiter = delimiter or delimiter_detected
    common = dict(encoding=chosen_encoding, delimiter=chosen_delimiter, encoding_detected=encoding_detected,
                  delimiter_detected=delimiter_detected, encoding_guessed=guessed and encoding is None)
    if delimiter is None and header_line is None:
        address_table = _address_list(data, head_text, limits, common)
        if address_table is not None:
            return address_table
    return _table(lambda: _parse_rows(data, chosen_encoding, chosen_delimiter, limits), header_line, common,
                  counting=_text_counting(data, chosen_encoding, progress), streamed=streamed and progress is None)


_NOT_TEXT = "The file doesn't look like text. Save it from your spreadsheet as CSV (or .xlsx) and upload that."
_NO_UTF16_MARK = ("The file does not start with the byte order mark UTF-16 (Excel \u201cUnicode Text\u201d) files start "
                  "with, so it was not read as UTF-16. If it is UTF-16 without one, choose UTF-16LE or UTF-16BE; "
                  "otherwise choose another encoding.")
_UTF32 = ("The file is UTF-32 text, which File Import does not read. Open it in a text editor or spreadsheet, save it "
          "as CSV UTF-8 (or .xlsx), and upload that.")


def _text_stream(data: Upload, encoding: str) -> io.TextIOWrapper:
    """The file's text, decoded as it is read (a leading byte order mark dropped), never all at once."""
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    if encoding in UTF16 and data.head(2) in (b"\xff\xfe", b"\xfe\xff"):
        codec = "utf-16"  # the byte order mark decides, and is dropped
    # Some code pages leave a few bytes undefined; replacing them beats refusing a whole file over one.
    return io.TextIOWrapper(data.open(), encoding=codec, newline="",
                            errors="replace" if encoding in LEGACY or encoding in _UTF8 else "strict")


def _check_decodes(data: Upload, encoding: str) -> None:
    """Refuse bytes that are not valid in the chosen encoding, saying where, decoding a block at a time.

    UTF-8 with a few bad bytes among many good characters is read: the bad bytes become U+FFFD, flagged on their
    rows (an export that mixed one pasted cp1252 name into UTF-8 is not worth refusing whole).
    """
    if encoding in LEGACY:
        return
    decoder = codecs.getincrementaldecoder(encoding)()
    start = 0
    for block in chain(data.blocks(_BLOCK), [b""]):  # the empty block ends the decoding
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(block, final=not block)
        except UnicodeDecodeError as exc:
            if encoding in _UTF8 and mostly_utf8(data):
                return
            advice = ("It may be cut short or damaged: save it again from your spreadsheet and upload that."
                      if encoding in UTF16 else "Choose another encoding, such as Windows-1252.")
            raise UnreadableFile(
                f"The file is not valid {ENCODING_NAMES[encoding]} text (unexpected bytes at position "
                f"{max(start - pending + exc.start, 0)}). {advice}"
            ) from None
        start += len(block)


def _refuse_mostly_control_characters(data: Upload, encoding: str) -> None:
    """Refuse text made mostly of control characters (a binary file); stray ones are cleaning's to flag."""
    count = length = 0
    if encoding in UTF16:
        with _text_stream(data, encoding) as stream:
            while block := stream.read(_BLOCK):
                count += len(_CONTROL.findall(block))
                length += len(block)
    else:
        # In the ASCII-based encodings a control character is one byte: deleting them from the bytes, a block
        # at a time, counts them far faster than searching the text.
        for block in data.blocks(_BLOCK):
            count += len(block) - len(block.translate(None, _CONTROL_BYTES))
        length = data.size
    if count > max(3, _MOSTLY_CONTROL * length):
        raise UnreadableFile(_NOT_TEXT)


def _refuse_endless_lines(data: Upload, encoding: str, limits: ReadLimits) -> None:
    """Refuse a line longer than a full row can be, before csv turns it into millions of cells in memory.

    Only lines crossing a block edge are measured (a block's inner lines are shorter than the limit anyway).
    """
    width = 2 if encoding in UTF16 else 1
    longest = max(limits.max_columns * (limits.max_cell_chars + 3) * width, 2 * _BLOCK)
    run = lines = 0
    for block in data.blocks(_BLOCK):
        first = min((at for at in (block.find(b"\n"), block.find(b"\r")) if at >= 0), default=-1)
        if first < 0:
            run += len(block)
        else:
            run += first
            if run <= longest:
                lines += block.count(b"\n") or block.count(b"\r")
                run = len(block) - 1 - max(block.rfind(b"\n"), block.rfind(b"\r"))
        if run > longest:
            raise UnreadableFile(
                f"Line {lines + 1:,} is over {longest / 1e6:,.0f} MB long, longer than a row of {limits.max_columns:,} "
                "full cells can be (settings IMPORT_MAX_COLUMNS and IMPORT_MAX_CELL_CHARS), so the file was not read. "
                "Save the people from your spreadsheet as CSV and upload that.")


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


def _parse_rows(data: Upload, encoding: str, delimiter: str, limits: ReadLimits) -> Iterator[tuple[int, list[str]]]:
    """(line where the row starts, cells) for every row, refusing open quotes and rows or cells over the limits."""
    with _text_stream(data, encoding) as stream:
        yield from _parsed(data, stream, encoding, delimiter, limits)


def _parsed(data: Upload, stream, encoding: str, delimiter: str, limits: ReadLimits) -> Iterator:
    reader = csv.reader(stream, delimiter=delimiter)
    max_columns, max_chars, max_rows = limits.max_columns, limits.max_cell_chars, limits.max_rows + 1
    text_formulas = _may_hold_text_formulas(data, encoding)
    line = line_after = count = blank = 0
    cells: list[str] = []
    try:
        for cells in reader:
            line = line_after + 1
            line_after = reader.line_num
            if line_after - line >= _MAX_LINES_IN_A_ROW:
                raise UnreadableFile(_open_quote_message(line, line_after))
            # Empty lines (",,," from a sheet formatted far down) cost nothing later, so only filled rows count
            # towards IMPORT_MAX_ROWS; a file of nothing else is still stopped.
            if any(cells):
                count += 1
                if count > max_rows:
                    raise UnreadableFile(
                        f"The file has more than {limits.max_rows:,} rows, the most this importer reads (setting "
                        "IMPORT_MAX_ROWS). Split it into smaller files and import them one after another.")
                if len(cells) > max_columns:
                    cells = _within_columns(line, cells, max_columns)
                if cells and max(map(len, cells)) > max_chars:
                    _refuse_long_cell(line, cells, max_chars)
                if text_formulas and '="' in "\x1f".join(cells):
                    cells = [_as_text(cell) for cell in cells]
            else:
                blank += 1
                if blank > _MAX_EMPTY_LINES:
                    raise UnreadableFile(
                        f"The file has more than {_MAX_EMPTY_LINES:,} empty lines, more than a whole spreadsheet "
                        "holds. Save only the rows with people as CSV and upload that.")
            yield line, cells
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise UnreadableFile(
                f"A cell in the row starting on line {line_after + 1} holds more than {csv.field_size_limit():,} "
                f"characters, more than the {max_chars:,} a cell may hold (setting IMPORT_MAX_CELL_CHARS). Shorten "
                "that cell, or close a quotation mark left open in it, and upload the file again.") from None
        raise UnreadableFile(
            f"Line {reader.line_num} can't be read ({exc}). A quotation mark may be left open; fix that line "
            "and upload the file again."
        ) from None
    if line_after > line and any("\n" in cell or "\r" in cell for cell in cells) and \
            not _text_tail(data, encoding).rstrip(BLANK_CHARS).endswith('"'):
        # The last row ran to the end of the file inside quotes: csv ends the cell there without a word.
        raise UnreadableFile(_open_quote_message(line, line_after))


# Exports write ="000123" so Excel keeps a value as text (leading zeros, long numbers): the value is what is quoted.
_TEXT_FORMULA = re.compile(r'="((?:[^"]|"")*)"')


def _may_hold_text_formulas(data: Upload, encoding: str) -> bool:
    """False when the bytes hold no '="' at all (most files), so their rows are not searched for one."""
    if encoding in UTF16:
        return data.contains('="'.encode("utf-16-le")) or data.contains('="'.encode("utf-16-be"))
    return data.contains(b'="')  # the same bytes in every code page read (no trail byte of Shift_JIS is = or ")


def _as_text(cell: str) -> str:
    """A cell written as ="value" (Excel's keep-as-text form) as its value; any other cell as it is."""
    found = _TEXT_FORMULA.fullmatch(cell.strip(BLANK_CHARS))
    return found.group(1).replace('""', '"') if found else cell


def _text_tail(data: Upload, encoding: str) -> str:
    """The end of the file as text, enough to see how its last line ends."""
    if encoding not in UTF16:
        return data.tail(4096).decode(encoding, errors="ignore")
    if encoding == "utf-16":
        encoding = "utf-16-be" if data.head(2) == b"\xfe\xff" else "utf-16-le"
    return data.tail(4096).decode(encoding, errors="ignore")


def _within_columns(line: int, cells: list[str], max_columns: int) -> list[str]:
    """A row of more than max_columns cells cut after its last filled one; refused when that is past max_columns.

    A line of 50,000 commas is a row of 50,000 blank cells, which every later step measured cell by cell: 1,500 of
    them after the people took minutes. Whether any cell past the limit is filled is one join, not a test a cell.
    """
    if "".join(cells[max_columns:]).strip(BLANK_CHARS):
        raise UnreadableFile(
            f"Line {line} has {trimmed_length(cells):,} fields, more than the {max_columns:,} columns this "
            "importer reads (setting IMPORT_MAX_COLUMNS). Check the delimiter, or delete the columns you "
            "don't need, and upload the file again.")
    return cells[:trimmed_length(cells[:max_columns])]


def _refuse_long_cell(line: int, cells: list[str], max_chars: int) -> None:
    column = next(index for index, cell in enumerate(cells) if len(cell) > max_chars)
    raise UnreadableFile(
        f"Line {line}, column {column + 1} holds {len(cells[column]):,} characters, more than the "
        f"{max_chars:,} a cell may hold (setting IMPORT_MAX_CELL_CHARS). Shorten that cell, or "
        "close a quotation mark left open above it, and upload the file again.")


def _open_quote_message(line: int, last_line: int) -> str:
    return (f"A quotation mark opened on line {line} is never closed, so lines {line} to {last_line} were read as "
            f"one cell. Remove that quotation mark or add the closing one, and upload the file again.")


def _address_list(data: Upload, head_text: str, limits: ReadLimits, common: dict) -> RawTable | None:
    """A recipient list pasted from a mail client, read as one row per address; None when text is no such list."""
    head = head_text[:_SNIFF_CHARS].splitlines()[:_SNIFF_ROWS]
    if not addresslists.is_address_list(head):
        return None
    encoding = common["encoding"]
    above: list = []
    head, count = [], 0
    for row in addresslists.iter_address_rows(_address_lines(data, encoding, limits), above):
        count += 1
        if len(head) < HEAD_ROWS:
            head.append(row)
    skipped = [SkippedLine(line, text[:200], "above the first address") for line, text in above]
    return RawTable(list(addresslists.ADDRESS_HEADERS), head, header_line=None, headerless=True, skipped=skipped,
                    row_count=count, **common,
                    source=lambda: addresslists.iter_address_rows(_address_lines(data, encoding, limits), []))


def _address_lines(data: Upload, encoding: str, limits: ReadLimits) -> Iterator[tuple[int, str]]:
    """(line number, text) of a recipient list, a line at a time, refusing a line or a file over the limits."""
    longest = limits.max_cell_chars * 10
    number = 0
    with _text_stream(data, encoding) as stream:
        while chunk := stream.readline(longest + 2):  # a longer line is never read whole
            for text in chunk.splitlines():
                number += 1
                if len(text) > longest:
                    raise UnreadableFile(
                        f"Line {number} holds more than {longest:,} characters, the most this importer reads in "
                        "one line (ten times the setting IMPORT_MAX_CELL_CHARS). Split the line and upload the "
                        "file again.")
                if number > limits.max_rows:
                    raise UnreadableFile(
                        f"The file has more than {limits.max_rows:,} lines, the most this importer reads (setting "
                        "IMPORT_MAX_ROWS). Split it into smaller files and import them one after another.")
                yield number, text


def _text_counting(data: Upload, encoding: str, progress):
    """For a text file's counting pass: report rows read against a total guessed from the bytes left."""
    if progress is None:
        return None
    width = 2 if encoding in UTF16 else 1

    def counting(rows: Iterator, head_rows: list) -> Iterator:
        # The bytes read so far are summed from the cells (plus a delimiter each and a line end), so the guess
        # follows rows that grow longer down the file.
        seen = sum(sum(map(len, cells)) + len(cells) + 1 for _, cells in head_rows[:1]) * width
        for count, row in enumerate(rows, start=1):
            seen += (sum(map(len, row[1])) + len(row[1]) + 1) * width
            if count % _COUNTING_STEP == 0:
                left = max(0, data.size - seen)
                progress(count, count + 1 + left * count // max(seen, 1))
            yield row
    return counting


_COUNTING_STEP = 20_000  # rows between reports while a text file is first read


# ---- the table in a sheet of rows, streamed ---------------------------------------------------------------

def _table(open_rows: Callable[[], Iterator[tuple[int, list[str]]]], header_line, common: dict,
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

def _read_workbook(data: Upload, kind: str, label: str, sheet: str | None, header_line: int | None,
                   limits: ReadLimits, progress=None) -> RawTable:
    try:
        sheets = sandbox.read_sheets(data, kind, label, limits, progress)
    except sandbox.WorkbookRefused as exc:
        raise UnreadableFile(str(exc)) from None
    names = [each.name for each in sheets]
    chosen = _choose_sheet(sheets, sheet)
    common = dict(encoding=kind, delimiter=None, encoding_detected=kind, delimiter_detected=None)
    return _table(chosen.rows, header_line, common, merged=chosen.merged, sheet=chosen.name, sheet_names=names,
                  hidden_lines=chosen.hidden,
                  mail_links={(line, column): address for line, column, address in chosen.links})


_SHEETS_LISTED = 30  # a sentence naming a workbook's sheets names at most these (a workbook may hold 10,000)


def _choose_sheet(sheets: list[sandbox.Sheet], wanted: str | None) -> sandbox.Sheet:
    """The sheet the admin chose, else the one most likely to hold the people."""
    if wanted is not None:
        for each in sheets:
            if each.name == wanted:
                return each
        listed = ", ".join(f"\u201c{each.name}\u201d" for each in sheets[:_SHEETS_LISTED])
        more = f" and {len(sheets) - _SHEETS_LISTED:,} more" if len(sheets) > _SHEETS_LISTED else ""
        raise UnreadableFile(f"The workbook has no sheet named \u201c{shown_name(wanted)}\u201d. Its sheets are: "
                             f"{listed}{more}. Choose one of those.")
    best, best_rank = None, None
    for each in sheets:
        score = sheet_score(each.name, each.rows(), each.count)
        if score is None:
            continue
        # A sheet the admin can see beats a hidden one however many rows that holds (old data, lookups).
        rank = (each.visible and score > 0, score if each.visible else score - 50)
        if best_rank is None or rank > best_rank:
            best, best_rank = each, rank
    if best is None:
        raise UnreadableFile("The workbook has no data in any sheet. Add a header row and one row per person.")
    return best
