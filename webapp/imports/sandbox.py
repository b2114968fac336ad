"""Workbooks are untrusted: check what a container declares, then parse it in a child process with a memory cap."""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from webapp.imports.xml_checks import OdsSpread, SpreadRefused, declaring_part
from webapp.imports.sheet_names import UniqueNames, shown_name, the_sheet
from webapp.imports.spreadsheetml import LAST_LINE, MAX_SHEETS, looks_like_spreadsheetml
from webapp.imports.uploads import Upload
from webapp.imports.workbook_child import SHEET_TAG, relation_targets

_CHILD = str(Path(__file__).with_name("workbook_child.py"))
_MAX_RATIO = 200          # real workbooks compress 5-30 times; zip bombs thousands of times
_RATIO_FLOOR = 10 * 1024 * 1024  # small members may compress well without being a bomb
_HEAD_BYTES = 64 * 1024   # how much of a sheet's XML is read to find its declared dimension
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"\$?([A-Z]{1,4})\$?(\d{1,8})(?::\$?([A-Z]{1,4})\$?(\d{1,8}))?\"")
# An .ods repeat (quotes of either kind, spaces around "=" as XML allows); the tag around it is found from here.
_REPEAT = re.compile(rb"number-(columns|rows)-repeated\s{0,20}=\s{0,20}[\"'](\d{1,12})[\"']")
_REPEAT_TAG = 4096  # the longest start tag around a repeat looked at; LibreOffice writes a hundred bytes or so
# What makes a cell or a row filled: a paragraph of text, or a value in an attribute (office:value, date-value...)
# that is not empty (office:string-value="" reads as an empty cell).
_ODS_FILLED = re.compile(rb"<text:p\b|office:(?:[a-z]{1,10}-)?value\s{0,20}=\s{0,20}(?:\"[^\"]|'[^'])")
_ODS_TAG = re.compile(rb"<table:table-(cell|row)\s")
_ODS_ENDS = {b"cell": re.compile(rb"</table:table-cell>"), b"row": re.compile(rb"</table:table-row>")}
_MAX_PARTS = 10_000      # a workbook's zip holds a part per sheet, drawing, image...: dozens, rarely hundreds
_MAX_DIRECTORY = 4 << 20  # the zip's list of parts: 10,000 entries with long names
_END_SEARCH = 22 + 65_535 + 20  # the end record, its longest comment, and a zip64 locator before it
_ENTRY_BYTES = 46  # the smallest entry a zip's list of parts can hold (a part without a name)
_END_RECORD, _ZIP64_LOCATOR, _ZIP64_END = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
_NUMBERS_PART = b"Index/Document.iwa"
_NUMBERS_TAIL = 256 * 1024  # the end of a zip, where its list of parts is: a Numbers file's lists a few hundred
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class WorkbookRefused(ValueError):
    """The workbook cannot be read; str(error) is a sentence for a person."""


@dataclass
class Sheet:
    """One sheet of a workbook: its name, whether it is shown, and how many rows the child wrote for it.

    The rows stay in the child's output, a temporary file without a name (gone with the last Sheet using it);
    `rows()` reads them afresh, a line of JSON at a time.
    """

    name: str
    visible: bool
    count: int = 0
    start: int = 0
    end: int = 0
    spool: _Spool | None = field(default=None, repr=False)
    # Cells merged across columns, (line, first cell, last line, last cell): a header merged over two columns.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Rows hidden in the spreadsheet (by hand or by a filter), as (first line, last line).
    hidden: list[tuple[int, int]] = field(default_factory=list)
    # Cells that are mailto: hyperlinks, (line, cell, address): an Email cell showing "Email me".
    links: list[tuple[int, int, str]] = field(default_factory=list)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for every row of the sheet, read from the child's output."""
        loads = json.loads
        for raw in io.BufferedReader(_Slice(self.spool, self.start, self.end), 1 << 16):
            line, cells = loads(raw)
            yield line, cells


class _Spool:
    """The child's output: a temporary file without a name, closed when the last sheet reading it is gone."""

    def __init__(self):
        self.file = tempfile.TemporaryFile(prefix="workbook-")

    def __del__(self):
        self.file.close()


class _Slice(io.RawIOBase):
    """Bytes start to end of a file, read with pread: every reader has its own position in the shared file."""

    def __init__(self, spool: _Spool, start: int, end: int):
        super().__init__()
        self.spool, self.position, self.end = spool, start, end

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        size = min(len(buffer), self.end - self.position)
        if size <= 0:
            return 0
        data = os.pread(self.spool.file.fileno(), size, self.position)
        buffer[:len(data)] = data
        self.position += len(data)
        return len(data)


def workbook_kind(data: Upload, extension: str) -> str | None:
    """"xlsx", "ods", "xls" or "xml" (Excel 2003 XML) from the bytes themselves, or None when they are no workbook."""
    head = data.head(4096)
    if head.startswith(ZIP_MAGIC):
        if b"mimetypeapplication/vnd.oasis.opendocument" in head or \
                extension == ".ods" and data.contains(b"content.xml"):
            return "ods"
        return "xlsx"
    if head.startswith(CFB_MAGIC):
        return "xls"
    return "xml" if looks_like_spreadsheetml(head) else None


def looks_like_numbers(data: Upload) -> bool:
    """True for a zip holding an Apple Numbers document's parts (Index/Document.iwa), named in its list of parts."""
    return _NUMBERS_PART in data.head(4096) or _NUMBERS_PART in data.tail(_NUMBERS_TAIL)


def read_sheets(data: Upload, kind: str, label: str, limits,
                progress: Callable[[int, int | None], None] | None = None) -> list[Sheet]:
    """Every sheet of a workbook, parsed in a capped child process; refuse with a sentence on trouble.

    `progress(rows, declared)` hears the rows parsed so far, and the rows the sheets declare when they say.
    """
    if data.head(8) == CFB_MAGIC and data.contains("EncryptedPackage".encode("utf-16-le")):
        raise WorkbookRefused(
            f"The workbook ({label}) is protected with a password, so it can't be read. Open it, remove the "
            "password (File > Info > Protect Workbook), save it, and upload it again.")
    declared = far = None
    if kind in ("xlsx", "ods"):
        declared, far = _check_container(data, kind, label, limits)
    return _parse_in_child(data, label, limits, progress and (lambda rows, held: progress(rows, declared or held)),
                           far=far, kind=kind)


def damaged_message(label: str) -> str:
    return (f"The file could not be opened as a workbook ({label}): it may be damaged, password-protected or not "
            "really a spreadsheet. Open it in your spreadsheet program, save it again as .xlsx or CSV, and upload "
            "that.")


def _check_container(data: Upload, kind: str, label: str, limits) -> tuple[int | None, str | None]:
    """Refuse zip bombs and filled ods repeats past the limits, before parsing.

    Returns the rows the sheets of an .xlsx declare, when they do, and the sentence for a sheet whose declared
    range is past the limits (said if the parse then runs out of memory).
    """
    with data.open() as stream:
        return _check_archive(stream, kind, label, limits)


def _check_archive(stream, kind: str, label: str, limits) -> tuple[int | None, str | None]:
    _refuse_crowded_archive(stream, label)
    try:
        archive = zipfile.ZipFile(stream)
        members = archive.infolist()
    except Exception:  # a damaged central directory shows up as several exception types
        raise WorkbookRefused(damaged_message(label)) from None
    declared = sum(member.file_size for member in members)
    if declared > limits.max_decompressed_bytes:
        raise WorkbookRefused(
            f"The workbook unpacks to {declared / 1e6:,.0f} MB, more than the "
            f"{limits.max_decompressed_bytes / 1e6:,.0f} MB this importer unpacks (setting "
            "IMPORT_MAX_DECOMPRESSED_BYTES). Delete unused sheets or save the people as CSV, then upload that.")
    for member in members:
        if member.file_size > _RATIO_FLOOR and member.file_size > _MAX_RATIO * max(member.compress_size, 1):
            raise WorkbookRefused(
                f"The workbook's part {member.filename[:80]} unpacks to {member.file_size / 1e6:,.0f} MB from "
                f"{member.compress_size / 1e3:,.0f} KB, which no real spreadsheet does, so it was not opened. "
                "Save the people as CSV and upload that.")
    try:
        declaring = declaring_part(archive, members)
        if declaring is not None:
            raise WorkbookRefused(
                f"The workbook ({label}) declares a DOCTYPE or XML entities in its part {declaring[:80]}, which "
                "spreadsheet programs never write and which can make a reader fetch or expand hidden content, so it "
                "was not read. Open it in your spreadsheet program, save it again as .xlsx or CSV, and upload that.")
        if kind == "xlsx":
            declared, far = _check_xlsx_dimensions(archive, limits)
            return declared, far or _impossible_string_count(archive, label)
        _check_ods_repeats(archive, limits)
        return None, None
    except WorkbookRefused:
        raise
    except Exception:  # zipfile and zlib raise many types for damaged members (zlib.error, EOFError, ...)
        raise WorkbookRefused(damaged_message(label)) from None


def _refuse_crowded_archive(stream, label: str) -> None:
    """Refuse a zip of more parts than any workbook holds, from its end record, before zipfile lists them.

    zipfile reads the whole central directory and makes an object per entry in this (the web) process: a 100 MB
    upload of a million empty entries cost hundreds of MB and half a minute before anything was refused.
    """
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(max(0, size - _END_SEARCH))
    tail = stream.read()
    at = tail.rfind(_END_RECORD)
    if at < 0 or len(tail) - at < 22:
        return  # no end record: zipfile says the file is damaged
    entries, directory = struct.unpack("<HL", tail[at + 10:at + 16])
    locator = tail.rfind(_ZIP64_LOCATOR, 0, at)
    if locator >= 0 and at - locator == 20:
        (record,) = struct.unpack("<Q", tail[locator + 8:locator + 16])
        if record < size:
            stream.seek(record)
            zip64 = stream.read(56)
            if zip64[:4] == _ZIP64_END and len(zip64) == 56:
                entries, directory = struct.unpack("<QQ", zip64[32:48])
    stream.seek(0)
    if directory > size or entries * _ENTRY_BYTES > size:
        return  # more than the file holds: a damaged end record (zipfile says so), not a crowded workbook
    # zipfile goes by the directory's size, not the count (which may lie): both are bounded.
    if entries > _MAX_PARTS or directory > _MAX_DIRECTORY:
        more = " or more" if entries == 0xFFFF else ""  # the most the count field holds without zip64
        held = f"{entries:,}{more} parts" if entries > _MAX_PARTS else f"a {directory / 1e6:,.0f} MB list of parts"
        raise WorkbookRefused(
            f"The workbook ({label}) holds {held}, far more than a spreadsheet has (a few dozen parts; at most "
            f"{_MAX_PARTS:,} are read), so it was not opened. Open it in your spreadsheet program, save the people "
            "as CSV or a new .xlsx, and upload that.")


def _check_xlsx_dimensions(archive: zipfile.ZipFile, limits) -> tuple[int | None, str | None]:
    names = _xlsx_sheet_names(archive)
    declared = far = None
    for member in archive.infolist():
        if not re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
            continue
        with archive.open(member) as stream:
            head = stream.read(_HEAD_BYTES)
        found = _DIMENSION.search(head)
        if not found or not found.group(3):
            continue
        columns = _column_number(found.group(3)) - _column_number(found.group(1)) + 1
        rows = int(found.group(4)) - int(found.group(2)) + 1
        sheet = names.get(member.filename.rsplit("/", 1)[-1], member.filename)
        try:
            _check_size(sheet, found.group(3).decode() + found.group(4).decode(), rows, columns, limits)
        except WorkbookRefused as exc:
            # The declared range counts cells that are only formatted (a header row bolded to column XFD, a
            # border drawn to the last row), which the parser skips; the child checks the cells actually filled.
            # A filled far cell makes the parser run out of memory, and then this sentence says why.
            far = far or str(exc)
            continue
        declared = (declared or 0) + int(found.group(4))
    return declared, far


_STRING_COUNT = re.compile(rb"<(?:[\w.-]+:)?sst\s[^<>]{0,2000}?\buniqueCount=[\"'](\d{1,20})[\"']")


def _impossible_string_count(archive: zipfile.ZipFile, label: str) -> str | None:
    """The sentence for an .xlsx whose list of texts claims more than its size can hold (said if the parse then
    runs out of memory: calamine makes room for every text the list claims before reading one)."""
    try:
        member = archive.getinfo("xl/sharedStrings.xml")
        with archive.open(member) as stream:
            found = _STRING_COUNT.search(stream.read(_HEAD_BYTES))
    except KeyError:
        return None
    claimed = int(found.group(1)) if found else 0
    if claimed <= 1000 + member.file_size // 5:  # <si/>, five bytes, is the shortest text an entry can be
        return None
    return (f"The workbook ({label}) says its list of texts holds {claimed:,} entries, more than a part of "
            f"{member.file_size:,} bytes can, so the file is damaged. Open it in your spreadsheet program, save it "
            "again as .xlsx or CSV, and upload that.")


def _check_size(sheet: str, last_cell: str, rows: int, columns: int, limits) -> None:
    if columns > limits.max_columns:
        raise WorkbookRefused(
            f"{the_sheet(sheet)} reaches cell {last_cell}: {columns:,} columns, more than the "
            f"{limits.max_columns:,} this importer reads (setting IMPORT_MAX_COLUMNS). Delete the far-away cells "
            "(Ctrl+End shows the last one), save, and upload the file again.")
    if rows > limits.max_rows + 1:
        raise WorkbookRefused(
            f"{the_sheet(sheet)} reaches cell {last_cell}: {rows:,} rows, more than the "
            f"{limits.max_rows:,} this importer reads (setting IMPORT_MAX_ROWS). Delete the far-away cells "
            "(Ctrl+End shows the last one) or split the file, then upload it again.")


def _xlsx_sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map sheet file names (sheet1.xml) to the names shown on their tabs, as far as the workbook says."""
    try:
        with archive.open("xl/workbook.xml") as stream:
            workbook = stream.read(_HEAD_BYTES * 4)
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            relations = stream.read(_HEAD_BYTES * 4)
    except KeyError:
        return {}
    # Tag by tag, each search bounded: this runs in the web process, and a lazy search from every Id=" to the
    # next Target=" made 256 KB of Id="a" without a tag end cost 40 seconds.
    targets = {rid: target.rsplit(b"/", 1)[-1] for rid, target in relation_targets(relations).items()}
    names = {}
    for tag in SHEET_TAG.findall(workbook):
        name = re.search(rb"name=\"([^\"]*)\"", tag)
        rid = re.search(rb"r:id=\"([^\"]*)\"", tag)
        if name and rid and rid.group(1) in targets:
            names[targets[rid.group(1)].decode("utf-8", "replace")] = name.group(1).decode("utf-8", "replace")
    return names


def _check_ods_repeats(archive: zipfile.ZipFile, limits) -> None:
    """A filled cell or row repeated past the limits would be materialised in full, and so would the empty and
    covered cells between filled ones (xml_checks); empty repeats after the last filled cell are harmless."""
    spread = OdsSpread(limits.max_rows)
    try:
        with archive.open("content.xml") as stream:
            tail, sheet = b"", ""
            while chunk := stream.read(1024 * 1024):
                text = tail + chunk
                _check_spaces_in(text, sheet, limits)
                sheet = _check_repeats_in(text, sheet, limits)
                spread.feed(chunk)
                tail = text[-_REPEAT_TAG:]
            spread.finish()
    except SpreadRefused as exc:
        raise WorkbookRefused(str(exc)) from None


# <text:s text:c="N"/>: N spaces in a cell's text, which the reader writes out (a 40-byte tag, a gigabyte of text).
_SPACES = re.compile(rb"<text:s\s{1,20}text:c\s{0,20}=\s{0,20}[\"'](\d{1,12})[\"']")


def _check_spaces_in(text: bytes, sheet: str, limits) -> None:
    """Refuse a run of spaces longer than a cell may hold, before the reader writes it out in full."""
    for spaces in _SPACES.finditer(text):
        count = int(spaces.group(1))
        if count > limits.max_cell_chars:
            where = the_sheet(_ods_sheet_name(text, spaces.start()) or sheet)
            raise WorkbookRefused(
                f"{where} holds a cell of {count:,} spaces in a row, more than the {limits.max_cell_chars:,} "
                "characters a cell may hold (setting IMPORT_MAX_CELL_CHARS). Shorten that cell and upload the file "
                "again.")


def _check_repeats_in(text: bytes, sheet: str, limits) -> str:
    """Refuse a filled cell or row of `text` (a block of content.xml) repeated past the limits; return the name of
    the sheet the block ends in (`sheet`: the one it starts in).

    This runs in the web process, so it is one pass whatever the XML: each search only moves forward, and the next
    end tag and the next sign of content found are remembered for the repeats after. (A search per repeat from the
    repeat to its end tag made a block of a million unclosed tags cost minutes.)
    """
    found: dict[bytes, int] = {}

    def next_at(what: bytes, position: int) -> int:
        """Where the next `what` ("filled", "cell" or "row" end) is at or after position; len(text) if nowhere."""
        known = found.get(what)
        if known is None or known < position:
            match = (_ODS_FILLED if what == b"filled" else _ODS_ENDS[what]).search(text, position)
            known = found[what] = match.start() if match else len(text)
        return known

    for repeat in _REPEAT.finditer(text):
        what = b"cell" if repeat.group(1) == b"columns" else b"row"
        repeated = int(repeat.group(2))
        if repeated <= (limits.max_columns if what == b"cell" else limits.max_rows + 1):
            continue
        start = text.rfind(b"<", max(0, repeat.start() - _REPEAT_TAG), repeat.start())
        end = text.find(b">", repeat.end(), repeat.end() + _REPEAT_TAG)
        tag = _ODS_TAG.match(text, start) if start >= 0 and end >= 0 else None
        if tag is None or tag.group(1) != what:
            continue  # a tag too long to be LibreOffice's, or the attribute on another element
        filled = next_at(b"filled", start) < end  # a value in the tag itself: <table:table-cell office:value="1"/>
        if not filled and text[end - 1:end] != b"/":
            filled = next_at(b"filled", end) < next_at(what, end)  # content before the cell's or row's end
        if not filled:
            continue  # LibreOffice pads every sheet with empty repeated rows and cells
        sheet = _ods_sheet_name(text, start) or sheet
        if what == b"cell":
            raise WorkbookRefused(
                f"{the_sheet(sheet)} repeats a filled cell across {repeated:,} columns, more than the "
                f"{limits.max_columns:,} this importer reads (setting IMPORT_MAX_COLUMNS). Delete the columns you "
                "don't need, save, and upload the file again.")
        raise WorkbookRefused(
            f"{the_sheet(sheet)} repeats a filled row down {repeated:,} rows, more than the "
            f"{limits.max_rows:,} this importer reads (setting IMPORT_MAX_ROWS). Delete the rows you don't need "
            "(Ctrl+End shows the last one), save, and upload the file again.")
    return _ods_sheet_name(text, len(text)) or sheet


_ODS_SHEET = re.compile(rb"<table:table\s[^>]{0,4000}?table:name=[\"']([^\"']{0,200})")


def _ods_sheet_name(text: bytes, before: int) -> str | None:
    """The name of the last sheet of an .ods's content.xml that starts in text before `before`, if one does."""
    at = text.rfind(b"<table:table ", 0, before)
    found = _ODS_SHEET.match(text, at) if at >= 0 else None
    return unescape(found.group(1).decode("utf-8", "replace")) if found else None


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number


def _parse_in_child(data: Upload, label: str, limits, progress: Callable[[int, int], None] | None = None,
                    far: str | None = None, kind: str | None = None) -> list[Sheet]:
    """Run the child on the file; its rows stream back as JSON lines into a temporary file, never all in memory."""
    settings = json.dumps({"memory_mb": limits.parse_memory_mb, "max_rows": limits.max_rows,
                           "max_columns": limits.max_columns, "max_cell_chars": limits.max_cell_chars, "kind": kind,
                           "max_sheets": MAX_SHEETS, "last_line": LAST_LINE})
    stopped = threading.Event()
    spool = _Spool()
    with _child_input(data) as stdin, tempfile.TemporaryFile() as errors:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-I", _CHILD, settings], stdin=stdin, stdout=subprocess.PIPE,
                                 stderr=errors)

        def stop():
            stopped.set()
            child.kill()

        timer = threading.Timer(limits.parse_timeout_seconds, stop)
        timer.start()
        try:
            sheets, result = _collect(child.stdout, spool, progress)
            returncode = child.wait()
        finally:
            timer.cancel()
            # The timer thread may not get a turn on a busy machine before the child ends: the clock decides.
            if time.monotonic() - started > limits.parse_timeout_seconds:
                stopped.set()
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
        errors.seek(0)
        stderr = errors.read(64 * 1024)
    if stopped.is_set():
        raise WorkbookRefused(
            f"Reading the workbook took longer than {limits.parse_timeout_seconds} seconds (setting "
            "IMPORT_PARSE_TIMEOUT_SECONDS), so it was stopped. Save the sheet with the people as CSV and upload "
            "that.")
    if result is None or returncode != 0:
        if b"MemoryError" in stderr or b"memory allocation" in stderr or returncode == -6:
            raise WorkbookRefused(far or _memory_message(limits))
        raise WorkbookRefused(damaged_message(label))
    if result.get("error"):
        raise WorkbookRefused(far if far and result["error"] == "memory" else _child_error_message(result, label, limits))
    return sheets


@contextlib.contextmanager
def _child_input(data: Upload):
    """The workbook as a real file for the child's stdin (no pipe to keep fed while reading its output)."""
    if data.path is not None:
        with open(data.path, "rb") as stream:
            yield stream
        return
    with tempfile.TemporaryFile() as stream:
        stream.write(data.data)
        stream.seek(0)
        yield stream


def _collect(output, spool, progress) -> tuple[list[Sheet], dict | None]:
    """Copy the child's row lines into `spool`, noting where each sheet's rows are; return sheets and last word.

    `progress(rows, held)` hears the rows so far and those the sheets parsed so far hold (each sheet says).
    """
    sheets: list[Sheet] = []
    names = UniqueNames()  # a name of thousands of characters is shortened here, for every page and sentence after
    current, result, position, rows, held = None, None, 0, 0, 0
    write = spool.file.write
    for raw in output:
        if raw[:1] == b"[" and current is not None:
            write(raw)
            position += len(raw)
            current.count += 1
            rows += 1
            if progress is not None and rows % 10_000 == 0:
                progress(rows, held)
            continue
        if current is not None:
            current.end = position
        try:
            message = json.loads(raw)
        except ValueError:  # a line cut short: the child died writing it, and its exit status says why
            current, result = None, None
            break
        if not isinstance(message, dict):
            message = {"error": "damaged"}
        if "visible" in message:  # a sheet starts; any other word is the last
            current = Sheet(names.add(str(message["sheet"])), message["visible"], start=position, end=position,
                            spool=spool, merged=[tuple(item) for item in message.get("merged") or []],
                            hidden=[tuple(item) for item in message.get("hidden") or []],
                            links=[tuple(item) for item in message.get("links") or []])
            held += int(message.get("rows") or 0)
            sheets.append(current)
        else:
            current, result = None, message
    if current is not None:
        current.end = position
    spool.file.flush()
    return sheets, result


def _memory_message(limits) -> str:
    return (f"Reading the workbook needed more than {limits.parse_memory_mb:,} MB of memory (setting "
            "IMPORT_PARSE_MEMORY_MB), so it was stopped. It may hold far-away cells or huge texts: save the sheet "
            "with the people as CSV and upload that.")


def _child_error_message(result: dict, label: str, limits) -> str:
    error = result["error"]
    sheet = shown_name(str(result.get("sheet", "")))
    if error == "memory":
        return _memory_message(limits)
    if error == "doctype":
        return (f"The file ({label}) is an Excel 2003 XML spreadsheet with a DOCTYPE or entity declaration, which "
                "Excel never writes and which can make a reader fetch or expand hidden content, so it was not read. "
                "Open it in Excel, save it as .xlsx or CSV, and upload that.")
    if error == "shared":
        return (f"The workbook ({label}) lists {result['count']:,} sheets that read the same part of the file, which no "
                "spreadsheet program writes, so it is damaged and was not read. Open it in your spreadsheet program, "
                "save the sheet with the people as CSV or a new .xlsx, and upload that.")
    if error == "sheets":
        return (f"The workbook ({label}) holds more than {MAX_SHEETS:,} sheets, far more than a spreadsheet has, so "
                "it was not read. Open it in your spreadsheet program, save the sheet with the people as CSV, and "
                "upload that.")
    if error == "line":
        return (f"Row {result['line']:,} of the sheet \u201c{sheet}\u201d is past the last row a spreadsheet has "
                f"({LAST_LINE:,}), so the file ({label}) is damaged. Open it in your spreadsheet program, save it as "
                ".xlsx or CSV, and upload that.")
    if error == "rows":
        return (f"The sheet \u201c{sheet}\u201d has {result['count']:,} rows, more than the {limits.max_rows:,} "
                "this importer reads (setting IMPORT_MAX_ROWS). Split it into smaller files and import them one "
                "after another.")
    if error == "columns":
        return (f"Row {result['line']} of the sheet \u201c{sheet}\u201d has {result['count']:,} columns, more than "
                f"the {limits.max_columns:,} this importer reads (setting IMPORT_MAX_COLUMNS). Delete the columns "
                "you don't need and upload the file again.")
    if error == "cells":
        return (f"The workbook ({label}) holds {result['count']:,} cells once its repeated rows and columns are "
                f"counted, more than the {result['most']:,} a workbook may hold to be read, so it was not read. Delete "
                "the rows and columns you don't need, or save the sheet with the people as CSV, and upload that.")
    if error == "cell":
        return (f"Row {result['line']}, column {result['column']} of the sheet \u201c{sheet}\u201d holds "
                f"{result['count']:,} characters, more than the {limits.max_cell_chars:,} a cell may hold (setting "
                "IMPORT_MAX_CELL_CHARS). Shorten that cell and upload the file again.")
    return damaged_message(label)
