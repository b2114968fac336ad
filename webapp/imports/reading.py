"""Reading an uploaded file (CSV, TSV, text, .xlsx, .ods, .xls or Excel 2003 XML) into a located table of numbered rows of text."""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Iterator
from itertools import chain

from webapp.imports import addresslists, sandbox, vcards
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
    SkippedLine,
    header_word_count,
    sheet_score,
    trimmed_length,
)
from webapp.imports.sheet_names import shown_name
from webapp.imports.raw_table import HEAD_ROWS, RawTable, ReadLimits, UnreadableFile, shaped_table
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
_BLOCK = 1 << 20
_UTF8 = ("utf-8", "utf-8-sig")


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
    return shaped_table(lambda: _parse_rows(data, chosen_encoding, chosen_delimiter, limits), header_line, common,
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

def _read_workbook(data: Upload, kind: str, label: str, sheet: str | None, header_line: int | None,
                   limits: ReadLimits, progress=None) -> RawTable:
    try:
        sheets = sandbox.read_sheets(data, kind, label, limits, progress)
    except sandbox.WorkbookRefused as exc:
        raise UnreadableFile(str(exc)) from None
    names = [each.name for each in sheets]
    chosen = _choose_sheet(sheets, sheet)
    common = dict(encoding=kind, delimiter=None, encoding_detected=kind, delimiter_detected=None)
    return shaped_table(chosen.rows, header_line, common, merged=chosen.merged, sheet=chosen.name, sheet_names=names,
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
