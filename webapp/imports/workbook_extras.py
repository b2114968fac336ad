"""What calamine does not give of .ods and .xls workbooks, read from the file's own bytes: error cells (#REF!, #N/A,
#DIV/0!...), which it reads as empty cells (or as 0), an .ods's merged cells, rows hidden in the spreadsheet and
cells that are mailto: hyperlinks (an Email cell showing "Email me").

The workbook child writes the error cells in as their error's text, as it does for .xlsx, so cleaning reports them
on their rows; the merged cells tell a "Name" header merged over its columns. Loaded by the child by its path: the
standard library only.
"""
from __future__ import annotations

import re
import struct
import zipfile
import zlib
from html import unescape
from urllib.parse import unquote

_BLOCK = 1 << 20
_CARRY_MAX = 8 << 20  # a row of XML this long holds no cells a person typed
_MAX_FOUND = 1_000_000  # error cells reported per sheet; past this the rest read as blanks

# ---- .ods: content.xml, rows and cells counted through their repeats --------------------------------------------

# A sheet's start or end, or a row's start (group 1 its attributes, group 2 "/" when it holds no cells).
_TOKEN = re.compile(rb"<table:table[\s>]|</table:table>|<table:table-row(?=[\s/>])([^>]{0,2000}?)(/?)>")
_CELL = re.compile(rb"<table:(?:covered-)?table-cell\b([^>]{0,100000}?)(/?)>")
_CELL_END = b"</table:table-cell>"
_ROWS_REPEATED = re.compile(rb'table:number-rows-repeated="(\d{1,9})"')
_COLUMNS_REPEATED = re.compile(rb'table:number-columns-repeated="(\d{1,9})"')
_ERROR_TYPE = b'calcext:value-type="error"'
_VALUE_TYPE = re.compile(rb'office:value-type="(\w+)"')
_TAG = re.compile(rb"<[^>]{0,2000}>")
_ERROR_LOOK = re.compile(rb"(?:#|Err:)[^<]{1,40}")
_OWN_ERROR = re.compile(r"Err:\d{3}")


def ods_errors(source, index: int):
    """(line, column, text) of each error cell of the index-th sheet of an .ods, in the sheet's order.

    LibreOffice marks them calcext:value-type="error"; other writers (Excel) give the formula a number or no value
    and show the error as its text: a formula cell whose shown text is "#..." or "Err:..." is one too.
    """
    found = 0
    for line, count, body in _ods_rows(source, index, (_ERROR_TYPE, b"table:formula=")):
        cells = list(_row_errors(body))
        for repeat in range(count if cells else 0):
            for column, shown in cells:
                found += 1
                if found > _MAX_FOUND:
                    return
                yield line + repeat, column, shown


_SPANNED = b"table:number-columns-spanned="
_COLUMNS_SPANNED = re.compile(rb'table:number-columns-spanned="(\d{1,5})"')
_ROWS_SPANNED = re.compile(rb'table:number-rows-spanned="(\d{1,7})"')
_MERGED_ROWS = 5000  # a header merged over its columns is near the top
_MAX_MERGED = 1000


def ods_merged(source, index: int) -> list[tuple[int, int, int, int]]:
    """The index-th sheet's cells merged across columns near its top, as (line, first cell, last line, last cell)
    with cells counted from column A."""
    merged = []
    for line, _count, body in _ods_rows(source, index, (_SPANNED,), _MERGED_ROWS):
        column = 0
        for match in _CELL.finditer(body):
            attributes = match.group(1)
            across = _COLUMNS_SPANNED.search(attributes)
            if across and int(across.group(1)) > 1:
                down = _ROWS_SPANNED.search(attributes)
                merged.append((line, column, line + (int(down.group(1)) if down else 1) - 1,
                               column + int(across.group(1)) - 1))
                if len(merged) >= _MAX_MERGED:
                    return merged
            repeated = _COLUMNS_REPEATED.search(attributes)
            column += min(int(repeated.group(1)), 1 << 20) if repeated else 1
    return merged


def _ods_rows(source, index: int, marks: tuple[bytes, ...], last_line: int | None = None):
    """(line, times repeated, XML) of the rows of the index-th sheet of an .ods whose XML (its cells, or the row's own
    attributes) holds one of `marks`.

    content.xml is first searched for the marks (most files hold none: then no row is looked at), then read once
    for all the sheets: the child asks for sheet 0, 1, 2... in turn, and each answer goes on from where the last
    stopped (read from the start for each sheet, 3,000 sheets took minutes). `last_line`: each sheet's rows after
    that line are passed over.
    """
    if marks not in _MENTIONED:  # (the child reads one workbook: asked again for each sheet, answered once)
        _MENTIONED[marks] = _mentions(part_blocks(source, "content.xml"), marks)
    if not _MENTIONED[marks]:
        return
    key = (id(source), marks, last_line)
    cursor = _CURSORS.get(key)
    if cursor is None or cursor.source is not source or cursor.sheet > index:
        cursor = _CURSORS[key] = _Cursor(source, _ods_marked_rows(source, marks, last_line))
    while cursor.pending is not None and cursor.pending[0] <= index:
        sheet, line, count, body = cursor.pending
        cursor.step()
        if sheet == index:
            yield line, count, body


class _Cursor:
    """Rows of every sheet, (sheet, line, times repeated, XML), one held ahead (pending); `sheet` is the last one
    reached, so a later sheet is asked for from here."""

    def __init__(self, source, rows):
        self.source, self.rows, self.sheet = source, rows, -1
        self.step()

    def step(self) -> None:
        self.pending = next(self.rows, None)
        if self.pending is not None:
            self.sheet = self.pending[0]


_CURSORS: dict[tuple, _Cursor] = {}


def _ods_marked_rows(source, marks: tuple[bytes, ...], last_line: int | None):
    """(sheet, line, times repeated, XML) of every row holding one of `marks`, sheet by sheet, in one pass."""
    sheet, line = -1, 0
    carry = b""
    for block in part_blocks(source, "content.xml"):
        text = carry + block
        # Whole rows only: the block is cut after its last row's (or sheet's) end, the rest carried over.
        cut = max(text.rfind(b"</table:table-row>"), text.rfind(b"</table:table>"))
        if block and cut < 0:
            carry = text if len(text) < _CARRY_MAX else b""
            continue
        end = text.index(b">", cut) + 1 if block else len(text)
        whole, carry = text[:end], text[end:]
        for match in _TOKEN.finditer(whole):
            if match.group(0) == b"</table:table>":
                continue
            if match.group(1) is None:  # a sheet starts
                sheet, line = sheet + 1, 0
                continue
            if last_line is not None and line >= last_line:
                continue
            repeated = _ROWS_REPEATED.search(match.group(1))
            count = min(int(repeated.group(1)), 1 << 20) if repeated else 1
            if not match.group(2):  # a row with cells, up to its end
                row_end = whole.find(b"</table:table-row>", match.end())
                body = whole[match.end():row_end if row_end >= 0 else len(whole)]
                if any(mark in body or mark in match.group(1) for mark in marks):
                    yield sheet, line + 1, count, body
            line += count


_MENTIONED: dict[tuple[bytes, ...], bool] = {}


def _mentions(blocks, marks: tuple[bytes, ...]) -> bool:
    """True when the blocks (part_blocks) hold one of the marks."""
    tail = b""
    for block in blocks:
        text = tail + block
        if any(mark in text for mark in marks):
            return True
        tail = text[-40:]
    return False


def _row_errors(body: bytes):
    """(column, text) of each error cell in a row's XML."""
    column = 0
    for match in _CELL.finditer(body):
        attributes = match.group(1)
        repeated = _COLUMNS_REPEATED.search(attributes)
        count = min(int(repeated.group(1)), 1 << 20) if repeated else 1
        if not match.group(2) and b"table:formula=" in attributes:
            end = body.find(_CELL_END, match.end())
            shown = unescape(_TAG.sub(b"", body[match.end():end if end >= 0 else len(body)])
                             .decode("utf-8", "replace")).strip()
            kind = _VALUE_TYPE.search(attributes)
            if shown and (_ERROR_TYPE in attributes
                          or (kind is None or kind.group(1) != b"string") and _ERROR_LOOK.fullmatch(shown.encode())):
                # LibreOffice's own errors ("Err:502", an invalid argument) have no Excel name; Excel shows #VALUE!.
                shown = "#VALUE!" if _OWN_ERROR.fullmatch(shown) else shown
                for repeat in range(min(count, 1000)):
                    yield column + repeat, shown
        column += count


# ---- rows hidden in the spreadsheet (by hand or by a filter): .xlsx and .ods (an .xls's: xls_hidden_rows) ----------

_MAX_HIDDEN = 10_000  # ranges of hidden rows passed on; past this the rest are not named
_ODS_HIDDEN = (b'table:visibility="collapse"', b'table:visibility="filter"')
_XLSX_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_XLSX_ROW = re.compile(rb"<(?:[\w.-]+:)?row\s([^>]{0,4000})>")  # (a <col> is no row)
_ROW_NUMBER = re.compile(rb'\br="(\d{1,7})"')


def ods_hidden_rows(source, index: int) -> list[list[int]]:
    """The index-th sheet's rows hidden in the spreadsheet that hold cells, as [first line, last line] ranges."""
    return _ranges((line, line + count - 1) for line, count, _ in _ods_rows(source, index, _ODS_HIDDEN))


def xlsx_hidden_rows(source, part: str) -> list[list[int]]:
    """The rows a sheet part marks hidden (<row r="3" hidden="1">), as [first line, last line] ranges."""
    lines = []
    for attributes in _tags(source, part, _XLSX_ROW, b"hidden"):
        number = _XLSX_HIDDEN.search(attributes) and _ROW_NUMBER.search(attributes)
        if number:
            lines.append(int(number.group(1)))
    return _ranges((line, line) for line in lines)


# ---- cells that are mailto: hyperlinks: .xlsx and .ods ---------------------------------------------------------

_MAX_LINKS = 100_000  # linked cells passed on; past this the rest are read as they show
_MAILTO = re.compile(r"mailto:([^?#]{1,320})", re.IGNORECASE)
_ODS_MAILTO = (b'xlink:href="mailto:', b'xlink:href="MAILTO:', b'xlink:href="Mailto:')
_HREF = re.compile(rb'xlink:href="([^"]{1,5000})"')
_XLSX_LINK = re.compile(rb"<(?:[\w.-]+:)?hyperlink\s([^>]{0,4000})>")
_LINK_REF = re.compile(rb'\bref="\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?"')
_LINK_ID = re.compile(rb'\b[\w.-]+:id="([^"]{1,255})"')
_RELATION = re.compile(rb"<(?:[\w.-]+:)?Relationship\s([^>]{0,6000})>")
_RELATION_ID = re.compile(rb'\bId="([^"]{1,255})"')
_TARGET = re.compile(rb'\bTarget="([^"]{1,5000})"')


def mailto_address(target: str) -> str | None:
    """The one address a mailto: link names ("mailto:ann@example.com?subject=Hi"), or None for any other link."""
    found = _MAILTO.fullmatch(unescape(target).strip().split("?", 1)[0].split("#", 1)[0])
    if not found:
        return None
    address = unquote(found.group(1)).strip()
    return address if address.count("@") == 1 and not any(mark in address for mark in ",; ") else None


def ods_mail_links(source, index: int) -> list[tuple[int, int, str]]:
    """(line, column from A, address) of each cell of the index-th sheet of an .ods that links to a mailto:."""
    links: list[tuple[int, int, str]] = []
    for line, count, body in _ods_rows(source, index, _ODS_MAILTO):
        found, column = [], 0
        for match in _CELL.finditer(body):
            repeated = _COLUMNS_REPEATED.search(match.group(1))
            cells = min(int(repeated.group(1)), 1 << 20) if repeated else 1
            if not match.group(2):
                end = body.find(_CELL_END, match.end())
                href = _HREF.search(body, match.end(), end if end >= 0 else len(body))
                address = href and mailto_address(href.group(1).decode("utf-8", "replace"))
                if address and len(found) < _MAX_LINKS:
                    found += [(column + repeat, address) for repeat in range(min(cells, 1000))]
            column += cells
        for repeat in range(count if found else 0):
            links += [(line + repeat, cell, address) for cell, address in found]
            if len(links) >= _MAX_LINKS:
                return links[:_MAX_LINKS]
    return links


def xlsx_mail_links(source, part: str) -> list[tuple[int, int, str]]:
    """(line, column from A, address) of each cell of a sheet part whose hyperlink (<hyperlink ref="C2" r:id=...>,
    its target in the part's relations) is a mailto: address."""
    folder, _, name = part.rpartition("/")
    targets = {}
    for attributes in _tags(source, f"{folder}/_rels/{name}.rels", _RELATION, b"mailto:"):
        rid, target = _RELATION_ID.search(attributes), _TARGET.search(attributes)
        address = target and mailto_address(target.group(1).decode("utf-8", "replace"))
        if rid and address and len(targets) < _MAX_LINKS:
            targets[rid.group(1)] = address
    links: list[tuple[int, int, str]] = []
    for attributes in _tags(source, part, _XLSX_LINK, b"hyperlink") if targets else ():
        ref, rid = _LINK_REF.search(attributes), _LINK_ID.search(attributes)
        address = rid and targets.get(rid.group(1))
        if not (ref and address):
            continue
        top, left = int(ref.group(2)), _column(ref.group(1))
        bottom, right = (int(ref.group(4)), _column(ref.group(3))) if ref.group(3) else (top, left)
        for line in range(top, min(bottom, top + _MAX_LINKS) + 1):
            links += [(line, column, address) for column in range(left, min(right, left + 100) + 1)]
            if len(links) >= _MAX_LINKS:
                return links[:_MAX_LINKS]
    return links


def _tags(source, part: str, pattern, mark: bytes):
    """group(1) of each whole tag `pattern` matches in a zipped part, read a block at a time; blocks without
    `mark` are not searched."""
    carry = b""
    for block in part_blocks(source, part):
        text = carry + block
        cut = text.rfind(b">") + 1 if block else len(text)  # whole tags only, the rest carried over
        whole, carry = text[:cut], text[cut:][-8192:]
        if mark in whole:
            for match in pattern.finditer(whole):
                yield match.group(1)


def _column(letters: bytes) -> int:
    """A column's letters as its index from A (0)."""
    number = 0
    for letter in letters:
        number = number * 26 + (letter - 64)
    return number - 1


def part_blocks(source, part: str, size: int = _BLOCK):
    """The bytes of one part of a zipped workbook, a block at a time, then b"" at its end; nothing more (and no
    end) once it cannot be read."""
    archive = _archive(source)
    try:
        stream = archive.open(part) if archive is not None else None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, zlib.error, EOFError, RuntimeError):
        return
    if stream is None:
        return
    with stream:
        while True:
            try:
                block = stream.read(size)
            except (OSError, ValueError, zlib.error, EOFError):
                return
            yield block
            if not block:
                return


_ARCHIVES: dict[int, tuple[object, zipfile.ZipFile | None]] = {}


def _archive(source) -> zipfile.ZipFile | None:
    """The workbook's zip, its list of parts read once: read again for each part of each sheet, a workbook of
    3,000 sheets took minutes (the child reads one workbook, so the list is kept for its life)."""
    kept = _ARCHIVES.get(id(source))
    if kept is None or kept[0] is not source:
        try:
            source.seek(0)
            archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError, ValueError, zlib.error, EOFError, RuntimeError):
            archive = None
        kept = _ARCHIVES[id(source)] = (source, archive)
    return kept[1]


def _ranges(spans) -> list[list[int]]:
    """[first, last] ranges of lines from (first, last) spans in order, touching ones joined, at most _MAX_HIDDEN."""
    ranges: list[list[int]] = []
    for first, last in spans:
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1][1] = max(ranges[-1][1], last)
        elif len(ranges) < _MAX_HIDDEN:
            ranges.append([first, last])
    return ranges


# ---- .xls: the Workbook stream of the compound file, its cell records ----------------------------------------------

_END_OF_CHAIN = 0xFFFFFFFE
_FORMULA, _BOOLERR, _BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0006, 0x0205, 0x0809, 0x000A, 0x0085, 0x002F
# Excel's error codes in a BIFF record (the same in every language: Excel shows them translated).
XLS_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
              0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


def xls_errors(source, index: int):
    """(line, column, text) of each error cell, and each formula whose result is an error, of the index-th sheet."""
    found = []
    for kind, data in _xls_sheet_records(source, index):
        if kind == _FORMULA and len(data) >= 14 and data[12:14] == b"\xff\xff" and data[6] == 2:
            found.append((*struct.unpack_from("<HH", data), XLS_ERRORS.get(data[8], "#VALUE!")))
        elif kind == _BOOLERR and len(data) >= 8 and data[7] == 1:
            found.append((*struct.unpack_from("<HH", data), XLS_ERRORS.get(data[6], "#VALUE!")))
        if len(found) > _MAX_FOUND:
            break
    found.sort()
    for row, column, shown in found:
        yield row + 1, column, shown


_ROW, _ROW_HIDDEN = 0x0208, 0x0020  # a ROW record, and its grbit's fDyZero: the row is hidden (height zero)


def xls_hidden_rows(source, index: int) -> list[list[int]]:
    """The index-th sheet's rows hidden in the spreadsheet (by hand or by a filter), as [first line, last line]
    ranges: each row's ROW record says so."""
    lines = []
    for kind, data in _xls_sheet_records(source, index):
        if kind == _ROW and len(data) >= 14 and struct.unpack_from("<H", data, 12)[0] & _ROW_HIDDEN:
            lines.append(struct.unpack_from("<H", data)[0] + 1)
    lines.sort()
    return _ranges((line, line) for line in lines)


def _xls_sheet_records(source, index: int):
    """(kind, data) of the index-th sheet's own records (not those of a chart inside it); none for an encrypted
    or unreadable file."""
    stream, sheets = _xls_sheets(source)
    if index >= len(sheets):
        return
    depth = 0
    for kind, data in _records(stream, sheets[index]):
        if kind == _BOF:
            depth += 1  # a chart inside the sheet has its own BOF ... EOF
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                return
        elif depth == 1:
            yield kind, data


_XLS_SHEETS: dict[int, tuple[object, bytes, list[int]]] = {}


def _xls_sheets(source) -> tuple[bytes, list[int]]:
    """The Workbook stream of an .xls and where each sheet's records start in it ([] when encrypted or unreadable),
    read once for the child's life: read again for each sheet, a workbook of a thousand sheets took minutes."""
    kept = _XLS_SHEETS.get(id(source))
    if kept is None or kept[0] is not source:
        try:
            source.seek(0)
            stream = _workbook_stream(source.read())
        except (ValueError, IndexError, struct.error, OSError, OverflowError):
            stream = b""
        kept = _XLS_SHEETS[id(source)] = (source, stream, _sheet_starts(stream))
    return kept[1], kept[2]


def _sheet_starts(stream: bytes) -> list[int]:
    sheets = []
    for kind, data in _records(stream, 0):
        if kind == _FILEPASS:
            return []  # encrypted: its records are not readable
        if kind == _BOUNDSHEET and len(data) >= 6:
            sheets.append(struct.unpack_from("<I", data)[0])
        if kind == _EOF:
            break
    return sheets


def _records(stream: bytes, at: int):
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        yield kind, stream[at + 4:at + 4 + length]
        at += 4 + length


def _workbook_stream(data: bytes) -> bytes:
    """The "Workbook" (or Excel 95's "Book") stream of an OLE2 compound file, b"" when there is none."""
    compound = _Compound(data)
    entry = compound.workbook_entry()
    return compound.stream(entry) if entry is not None else b""


def compound_is_damaged(data: bytes) -> bool:
    """True when a chain of sectors the reader of an .xls follows (the allocation table's, the directory's, the table
    of small sectors', the stream of small streams' and the Workbook stream's) comes back to a sector it passed.

    calamine follows a chain until it ends, with no check for a loop: a 6 KB file with one flipped byte in its
    allocation table ran it out of memory, said as "far-away cells or huge texts".
    """
    try:
        if _difat_loops(data):
            return True
        compound = _Compound(data)
        if not compound.entries:
            return False  # calamine says itself that there is no directory
        read = [compound.entries[0]]  # the root entry: the stream of the small streams
        workbook = compound.workbook_entry()
        read += [workbook] if workbook is not None else []
        if compound.loops(compound.directory_start, compound.fat) or compound.loops(compound.mini_fat_start, compound.fat):
            return True
        for entry in read:
            start, size = struct.unpack_from("<II", entry, 116)
            small = entry is not read[0] and size < compound.cutoff
            if compound.loops(start, compound.mini_fat if small else compound.fat):
                return True
    except (ValueError, IndexError, struct.error, OverflowError):
        return False  # the reader finds it damaged in its own way
    return False


def _difat_loops(data: bytes) -> bool:
    """True when the chain of sectors listing an .xls's allocation table ("DIFAT") comes back to one it passed."""
    sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    start, seen = struct.unpack_from("<I", data, 0x44)[0], set()
    while start < _END_OF_CHAIN and (start + 2) * sector_size <= len(data):
        if start in seen:
            return True
        seen.add(start)
        start, = struct.unpack_from("<I", data, (start + 2) * sector_size - 4)  # a sector's last entry: the next
    return False


class _Compound:
    """An OLE2 compound file (what an .xls is): its sectors, allocation tables and directory entries."""

    def __init__(self, data: bytes):
        self.data = data
        self.sector_size = 1 << struct.unpack_from("<H", data, 0x1E)[0]
        self.mini_size = 1 << struct.unpack_from("<H", data, 0x20)[0]
        self.directory_start, = struct.unpack_from("<I", data, 0x30)
        self.cutoff, self.mini_fat_start = struct.unpack_from("<II", data, 0x38)
        difat_start, difat_count = struct.unpack_from("<II", data, 0x44)
        fat_sectors = [number for number in struct.unpack_from("<109I", data, 0x4C) if number < _END_OF_CHAIN]
        per_sector = self.sector_size // 4
        for _ in range(min(difat_count, len(data) // self.sector_size)):
            if difat_start >= _END_OF_CHAIN:
                break
            entries = struct.unpack_from(f"<{per_sector}I", data, (difat_start + 1) * self.sector_size)
            fat_sectors += [number for number in entries[:-1] if number < _END_OF_CHAIN]
            difat_start = entries[-1]
        self.fat = []
        for number in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{per_sector}I", data, (number + 1) * self.sector_size))
        directory = self.chain(self.directory_start, self.fat, self.sector)
        self.entries = [directory[at:at + 128] for at in range(0, len(directory) - 127, 128)]
        self._mini_fat: list[int] | None = None

    def workbook_entry(self) -> bytes | None:
        """The directory entry of the "Workbook" stream (Excel 95's "Book"), if there is one."""
        for entry in self.entries:
            name_length, = struct.unpack_from("<H", entry, 64)
            if entry[66] == 2 and entry[:max(0, name_length - 2)].decode("utf-16-le", "replace") in ("Workbook", "Book"):
                return entry
        return None

    @property
    def mini_fat(self) -> list[int]:
        if self._mini_fat is None:
            table = self.chain(self.mini_fat_start, self.fat, self.sector)
            self._mini_fat = list(struct.unpack_from(f"<{len(table) // 4}I", table))
        return self._mini_fat

    def sector(self, number: int) -> bytes:
        return self.data[(number + 1) * self.sector_size:(number + 2) * self.sector_size]

    def chain(self, start: int, table: list[int], read) -> bytes:
        parts, seen = [], set()
        while start < _END_OF_CHAIN and start < len(table) and start not in seen:  # a damaged chain may loop
            parts.append(read(start))
            seen.add(start)
            start = table[start]
        return b"".join(parts)

    def loops(self, start: int, table: list[int]) -> bool:
        """True when the chain from `start` comes back to a sector it passed (the reader would follow it forever)."""
        seen = set()
        while start < _END_OF_CHAIN and start < len(table):
            if start in seen:
                return True
            seen.add(start)
            start = table[start]
        return False

    def stream(self, entry: bytes) -> bytes:
        """The bytes of the stream a directory entry names."""
        start, size = struct.unpack_from("<II", entry, 116)
        if size >= self.cutoff:
            return self.chain(start, self.fat, self.sector)[:size]
        root = self.entries[0]
        mini_stream = self.chain(struct.unpack_from("<I", root, 116)[0], self.fat, self.sector)
        return self.chain(start, self.mini_fat,
                          lambda number: mini_stream[number * self.mini_size:(number + 1) * self.mini_size])[:size]
