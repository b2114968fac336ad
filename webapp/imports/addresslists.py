"""Recipient lists pasted from a mail client ("Doe, Jane" <jane@x.org>; bob@y.org) read as one row per address."""
from __future__ import annotations

import csv
import re
from email.header import decode_header, make_header

from webapp.imports.locating import BLANK_CHARS

ADDRESS_HEADERS = ["Display name", "Email address"]
_BARE = re.compile(r"[^\s@<>,;:\"()\[\]]+@[^\s@<>,;:\"()\[\]]+\.[^\s@<>,;:\"()\[\].]{2,}")
_SAMPLE = 50
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def split_addresses(text: str) -> list[tuple[str, str]] | None:
    """The (display name, address) pairs in text, or None when some part of it is not an address."""
    parts = _split_outside_quotes(_csv_unquoted(text))
    found = []
    for part in parts:
        part = part.strip(BLANK_CHARS)
        if not part:
            continue
        pair = _one_address(part)
        if pair is None:
            return None
        found.append(pair)
    return found or None


def _csv_unquoted(text: str) -> str:
    """A line that is one quoted CSV cell ("Ann Lee <ann@x.org>", as exporters that quote every cell write it)
    as that cell's text; any other text as it is."""
    stripped = text.strip(BLANK_CHARS)
    if len(stripped) < 2 or stripped[0] != '"' or stripped[-1] != '"':
        return text
    cells = next(csv.reader([stripped]), [])
    return cells[0] if len(cells) == 1 else text


def _split_outside_quotes(text: str) -> list[str]:
    """Split on commas and semicolons that are not inside "quotes" or <angle brackets>."""
    if '"' not in text and "<" not in text:
        return re.split(r"[,;]", text)
    parts, current, quoted, bracketed = [], [], False, False
    for char in text:
        if char == '"' and not bracketed:
            quoted = not quoted
        elif char == "<" and not quoted:
            bracketed = True
        elif char == ">" and not quoted:
            bracketed = False
        elif char in ",;" and not quoted and not bracketed:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return parts


def _one_address(part: str) -> tuple[str, str] | None:
    if part.endswith(">") and "<" in part:
        name, _, address = part[:-1].rpartition("<")
        address = address.strip()
        if not _BARE.fullmatch(address):
            return None
        return display_name(name), address
    if _BARE.fullmatch(part):
        return "", part
    return None


def display_name(raw: str) -> str:
    """A display name without its quotes and with RFC 2047 encoded words (=?utf-8?q?...?=) decoded."""
    name = raw.strip(BLANK_CHARS)
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = name[1:-1].replace('\\"', '"')
    name = name.strip(BLANK_CHARS)
    if _ENCODED_WORD.search(name):
        try:
            name = str(make_header(decode_header(name)))
        except Exception:  # a malformed encoded word stays as written; the admin can still read and fix it
            pass
    return name


def is_address_list(lines: list[str]) -> bool:
    """True when the sample's lines are mostly addresses, some with display names or several to a line."""
    sample = [line for line in lines if line.strip(BLANK_CHARS)][:_SAMPLE]
    if not sample:
        return False
    parsed = [(line, split_addresses(line)) for line in sample]
    leading = 0
    while leading < min(5, len(parsed) - 1) and parsed[leading][1] is None:
        leading += 1  # a "To:" or a title above the addresses
    parsed = parsed[leading:]
    sample = sample[leading:]
    good = [line for line, pairs in parsed if pairs]
    if len(good) < 0.8 * len(sample):
        return False
    # Bare addresses separated by commas are just as likely a headerless CSV with two email columns:
    # a recipient list shows itself by its <angle brackets>.
    return sum(1 for line in good if "<" in line and ">" in line) >= len(good) / 3


def iter_address_rows(lines, above: list):
    """One row [display name, address] per address, keeping the line each came from, a line at a time; the lines
    above the first address are appended to `above`."""
    started = False
    for line, text in lines:
        if not text.strip(BLANK_CHARS):
            continue
        pairs = split_addresses(text)
        if pairs is None and not started:
            above.append((line, text.strip(BLANK_CHARS)))
            continue
        started = True
        if pairs is None:
            # Not an address: kept with its text as the name, so nothing is lost and the row shows the problem.
            yield line, [text.strip(BLANK_CHARS), ""]
            continue
        for name, address in pairs:
            yield line, [name, address]


def expand_address_columns(headers: list[str], rows: list[tuple[int, list[str]]]):
    """Expand columns whose cells mostly hold `Name <address>` or several addresses: one row per address."""
    return expand_columns(headers, rows, address_columns(headers, rows))


def address_columns(headers: list[str], rows) -> list[int]:
    """The columns (last first) whose sampled cells mostly hold `Name <address>` or several addresses."""
    return [column for column in reversed(range(len(headers))) if _is_address_column(rows, column)]


def expand_columns(headers: list[str], rows, columns: list[int]):
    """Expand the given address columns (last first): one row per address, its display name beside it."""
    for column in columns:
        headers, rows = _expand(headers, rows, column)
    return headers, rows


def _is_address_column(rows, column) -> bool:
    cells = []
    for _line, row in rows:
        if column < len(row) and row[column].strip(BLANK_CHARS):
            cells.append(row[column])
            if len(cells) >= _SAMPLE:
                break
    if not cells or not any(("<" in cell or "," in cell or ";" in cell) and "@" in cell for cell in cells):
        return False
    parsed = [split_addresses(cell) for cell in cells]
    rich = [pairs for pairs in parsed if pairs and (len(pairs) > 1 or pairs[0][0])]
    return len(rich) >= 0.5 * len(cells) and sum(1 for pairs in parsed if pairs) >= 0.8 * len(cells)


def _expand(headers, rows, column):
    name_header = f"Display name ({headers[column] or f'column {column + 1}'})"
    new_headers = headers[:column + 1] + [name_header] + headers[column + 1:]
    expanded = []
    for line, cells in rows:
        cell = cells[column] if column < len(cells) else ""
        pairs = split_addresses(cell) if cell.strip(BLANK_CHARS) else None
        if not pairs:
            expanded.append((line, cells[:column + 1] + [""] + cells[column + 1:]))
            continue
        for name, address in pairs:
            expanded.append((line, cells[:column] + [address, name] + cells[column + 1:]))
    return new_headers, expanded
