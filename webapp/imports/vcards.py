"""Contacts files (.vcf, vCard 2.1, 3.0 and 4.0 from iPhone, Android, Google Contacts or Outlook) read as one row a card.

A card's photo or logo may be megabytes of base64 over thousands of folded lines, or on one line: the file is read a
line at a time in pieces of _PIECE bytes, and the lines of a property no column needs are passed over, never joined.
"""
from __future__ import annotations

import codecs
import quopri
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from webapp.imports.uploads import Upload

VCARD_HEADERS = ["First Name", "Last Name", "Full Name", "Email Address"]
_BEGIN = re.compile(rb"^(?:\xef\xbb\xbf)?\s*BEGIN\s*:\s*VCARD\s*$", re.I | re.M)
_PIECE = 64 * 1024
_KEPT = frozenset({"FN", "N", "EMAIL", "BEGIN", "END"})
_MAX_EMAILS = 20  # a card lists a few addresses; more are passed over
_ESCAPED = re.compile(r"\\(.)")
_UNESCAPED = {"n": "\n", "N": "\n"}


class UnreadableContacts(ValueError):
    """The contacts file holds none, or is past the limits; str(error) says where and what to do."""


def looks_like_vcard(head: bytes) -> bool:
    """True when the file's first filled line is BEGIN:VCARD."""
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n").split(b"\n", 1)[0]
    return _BEGIN.match(first) is not None


@dataclass
class _Card:
    line: int
    given: str = ""
    family: str = ""
    full: str = ""
    emails: list[tuple[int, str]] = field(default_factory=list)  # (rank, address): the lowest rank is the person's

    def row(self) -> tuple[int, list[str]]:
        email = min(self.emails)[1] if self.emails else ""
        return self.line, [self.given, self.family, self.full, email]


def first_cards(upload: Upload, limits, held: int) -> tuple[list[tuple[int, list[str]]], int]:
    """The first `held` cards' rows and how many cards the file holds; refuses a file of none."""
    head, count = [], 0
    for row in iter_cards(upload, limits):
        count += 1
        if len(head) < held:
            head.append(row)
    if not count:
        raise UnreadableContacts("The contacts file holds no contacts (no line BEGIN:VCARD). Export the contacts "
                                 "again as vCard (.vcf) and upload that.")
    return head, count


def iter_cards(upload: Upload, limits) -> Iterator[tuple[int, list[str]]]:
    """(line of BEGIN:VCARD, [first name, last name, full name, email]) for each card, read a line at a time."""
    card: _Card | None = None
    count = 0
    for line, name, params, value in _properties(upload, limits):
        if name == "BEGIN" and value.strip().upper() == "VCARD":
            if card is not None:
                yield card.row()  # a card left open: the next one ends it
            count += 1
            if count > limits.max_rows:
                raise UnreadableContacts(
                    f"The file has more than {limits.max_rows:,} contacts, the most this importer reads (setting "
                    "IMPORT_MAX_ROWS). Export the contacts in smaller groups and import them one after another.")
            card = _Card(line)
        elif name == "END" and card is not None and value.strip().upper() == "VCARD":
            yield card.row()
            card = None
        elif card is not None:
            _take(card, name, params, value)
    if card is not None:
        yield card.row()


def _take(card: _Card, name: str, params: list[str], value: str) -> None:
    if name == "FN":
        card.full = _unescape(value).strip()
    elif name == "N":
        parts = [_unescape(part).strip() for part in _split_components(value)] + ["", ""]
        card.family, card.given = parts[0], parts[1]
    elif name == "EMAIL" and len(card.emails) < _MAX_EMAILS and value.strip():
        kinds = {kind.lower() for param in params for kind in _param_values(param)}
        # The work address is the person's for onboarding; then the preferred one; then the first.
        rank = (0 if "work" in kinds else 2) + (0 if "pref" in kinds or "pref=1" in kinds else 1)
        card.emails.append((rank * 1000 + len(card.emails), _unescape(value).strip()))


def _param_values(param: str) -> list[str]:
    """TYPE=work,pref -> work, pref; 2.1's bare WORK -> work; PREF=1 -> pref=1."""
    key, equals, values = param.partition("=")
    if not equals:
        return [key]
    if key.strip().upper() == "TYPE":
        return [value.strip('"') for value in values.split(",")]
    return [f"{key.strip()}={values.strip()}"]


def _split_components(value: str) -> list[str]:
    """N's parts (family;given;additional;prefix;suffix), split on semicolons that are not escaped."""
    return re.split(r"(?<!\\);", value)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text
    return _ESCAPED.sub(lambda found: _UNESCAPED.get(found.group(1), found.group(1)), text)


def _properties(upload: Upload, limits) -> Iterator[tuple[int, str, list[str], str]]:
    """(line, NAME, params, value) of each property a column needs, its folded lines joined and decoded."""
    longest = limits.max_cell_chars * 4  # an escaped, quoted-printable value of a full cell, at the most
    current: _Property | None = None
    for line, text, continued in _physical_lines(upload):
        folded = text[:1] in (b" ", b"\t")
        if not (continued or folded or current is not None and current.soft_break()):
            if current is not None and current.kept:
                yield current.decoded()
            current = _Property.start(line, text)
        elif current is not None:
            current.add(text[1:] if folded and not continued else text)
        if current is not None and current.kept and current.length > longest:
            raise UnreadableContacts(_long_value(current.line, current.name, limits))
    if current is not None and current.kept:
        yield current.decoded()


@dataclass
class _Property:
    """A property being read; one no column needs (PHOTO, LOGO, NOTE...) keeps only its last piece, to see where it
    ends."""

    line: int
    name: str
    params: list[str]
    pieces: list[bytes]
    kept: bool
    length: int = 0

    @classmethod
    def start(cls, line: int, text: bytes) -> _Property | None:
        """The property a line starts, or None for a line that is no property."""
        head, colon, value = text.partition(b":")
        if not colon or not head.strip():
            return None
        name, params = _name_and_params(head)
        return cls(line, name, params, [value], name in _KEPT, len(value))

    def add(self, piece: bytes) -> None:
        if self.soft_break():
            self.pieces[-1] = self.pieces[-1][:-1]  # quoted-printable's "=" at a line's end joins the next line
        if self.kept:
            self.pieces.append(piece)
            self.length += len(piece)
        else:
            self.pieces[-1] = piece

    def soft_break(self) -> bool:
        """True when a quoted-printable value's line ends in "=": its next line goes on with it."""
        return "encoding=quoted-printable" in self.params and self.pieces[-1].endswith(b"=")

    def decoded(self) -> tuple[int, str, list[str], str]:
        raw = b"".join(self.pieces)
        if "encoding=quoted-printable" in self.params:
            raw = quopri.decodestring(raw)
        charset = next((param.split("=", 1)[1].strip('"') for param in self.params if param.startswith("charset=")),
                       None)
        return self.line, self.name, self.params, _text(raw, charset)


def _name_and_params(head: bytes) -> tuple[str, list[str]]:
    name, _, rest = head.partition(b";")
    name = name.strip().rsplit(b".", 1)[-1].upper().decode("ascii", errors="replace")  # Apple's "item1.EMAIL"
    if not rest:
        return name, []
    params = [part.strip().lower() for part in rest.decode("ascii", errors="replace").split(";") if part.strip()]
    return name, ["encoding=quoted-printable" if param == "quoted-printable" else param for param in params]


def _text(raw: bytes, charset: str | None) -> str:
    """The value's bytes as text: in the CHARSET the card names, else UTF-8, else Windows-1252 (old Outlook's)."""
    if charset:
        try:
            return raw.decode(codecs.lookup(charset).name, errors="replace")
        except LookupError:
            pass
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _physical_lines(upload: Upload) -> Iterator[tuple[int, bytes, bool]]:
    """(line number, bytes without the line end, whether this piece goes on from the one before) for each line; a line
    longer than _PIECE comes in pieces, so a photo on one line of 100 MB never sits in memory whole."""
    number = 0
    continued = False
    with upload.open() as stream:
        while piece := stream.readline(_PIECE):
            ended = piece.endswith(b"\n")
            if not continued:
                number += 1
            if number == 1 and not continued:
                piece = piece.removeprefix(b"\xef\xbb\xbf")  # UTF-8's byte order mark, as Outlook writes it
            yield number, piece.rstrip(b"\r\n"), continued
            continued = not ended


_NAMED = {"FN": "full name (FN)", "N": "name (N)", "EMAIL": "email address (EMAIL)"}


def _long_value(line: int, name: str, limits) -> str:
    return (f"Line {line:,} of the contacts file holds a {_NAMED.get(name, name)} longer than the "
            f"{limits.max_cell_chars:,} characters a cell may hold (setting IMPORT_MAX_CELL_CHARS). Shorten it in "
            "your contacts, export them again and upload that.")
