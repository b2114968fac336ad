"""Clean and check: every mapped cell through its field's cleaner, then duplicates and email conflicts, once."""
from __future__ import annotations

import re

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from webapp.imports.fields import EMAIL, NAME, import_fields, staged_fields
from webapp.imports.mail_links import with_link_addresses
from webapp.imports.problems import problem, sentences
from webapp.imports.text import clean_cell, collapse_spaces, is_placeholder
from webapp.imports.values import (  # noqa: F401  (re-exported: the cell-level rules)
    ACCOUNT_TYPE_LABELS,
    GUEST_ALIAS_MARK,
    is_exchange_address,
    parse_account_type,
    parse_flag,
    plain_names_and_address,
    spreadsheet_problem,
)

if TYPE_CHECKING:
    from webapp.imports.columns import ColumnMap
    from webapp.imports.reading import RawTable

_ALWAYS = ("first_name", "last_name", "email")
NAME_MAX_LENGTH = 100  # matches User.first_name / User.last_name
# Lower-case words that start a surname ("van der Berg", "de la Cruz", "bin Said").
SURNAME_PARTICLES = frozenset({"de", "del", "della", "der", "den", "da", "das", "do", "dos", "du", "von",
                               "van", "vom", "zu", "bin", "binti", "ibn", "al", "el", "le", "la", "ter",
                               "ten", "di", "dei", "degli", "mac", "st", "y"})
_NOT_FIRST_PARTICLES = frozenset({"y"})  # "García y López": joins two surnames, never starts one


@dataclass(slots=True)  # 100,000 of these per large file: slots keep them small
class CleanRow:
    """One data row after cleaning and checking, with its problems as data."""

    line: int
    first_name: str
    last_name: str
    email: str
    account_type: str
    status: str  # "valid" | "invalid" | "duplicate"
    problems: list = field(default_factory=list)
    duplicate_of: int | None = None
    send_invite: bool = False
    extra: dict | None = None
    conflict_with: int | None = None
    email_ok: bool = False

    @property
    def errors(self) -> list[str]:
        """The problems as sentences, for people."""
        return sentences(self.problems)


@dataclass(slots=True)
class Checked:
    """One row's cleaned values (by field key), its problems, and whether the email is a valid address."""

    values: dict
    problems: list
    email_ok: bool


def clean_name(text: str) -> str:
    """Clean a name cell and collapse runs of whitespace (line breaks too) inside it to one space."""
    return collapse_spaces(clean_cell(text))


_TRAILING_NOTE = re.compile(r"\s*[(\[][^()\[\]]*[)\]]$")


# Words before a name that are not part of it ("Dr. Ann Lee") and after it that belong with the surname ("Ray Jr.").
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "miss", "mx", "prof", "professor", "sir", "dame", "rev", "revd",
                     "herr", "frau", "mme", "mlle", "sr", "sra", "srta", "dott", "dssa"})
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "jnr", "snr"})


def _word_key(word: str) -> str:
    return word.replace(".", "").casefold()


def _without_titles(words: list[str]) -> list[str]:
    """The words of a name without the titles in front of it, while a name is left."""
    while len(words) > 1 and _word_key(words[0]) in _TITLES:
        words = words[1:]
    return words


def split_full_name(text) -> tuple[str, str]:
    """Split a full name into (first, last): "Last, First", surname particles kept with the last name, titles
    ("Dr.", "Ms") left out and a suffix ("Jr.", "III") kept after the last name."""
    name = clean_name(text or "")
    # Meeting tools and directories add a note in brackets: "Ben Ng (Ben)", "Ann Lee (External)".
    name = _TRAILING_NOTE.sub("", name) or name
    suffix = ""
    before, comma, after = name.rpartition(",")
    if comma and _word_key(after.strip()) in _SUFFIXES and before.strip():  # "Bob Ray, Jr.": not "Last, First"
        name, suffix = clean_name(before), clean_name(after)
    if "," in name:
        last, _, first = name.partition(",")
        return " ".join(_without_titles(clean_name(first).split(" "))), _joined(clean_name(last), suffix)
    words = name.split(" ")
    named = _without_titles(words)
    if len(named) == 1 and len(words) > 1:  # "Ms Lee": a surname with its title
        return "", _joined(named[0], suffix)
    if not suffix and len(named) > 2 and _word_key(named[-1]) in _SUFFIXES:
        named, suffix = named[:-1], named[-1]
    capitals = _surname_in_capitals(named)
    if capitals:  # "DUPONT Jean", "YAMADA Taro": the family name first, written in capitals
        return " ".join(named[capitals:]), _joined(" ".join(named[:capitals]), suffix)
    first, last = _split_words(named)
    return first, _joined(last, suffix)


def _surname_in_capitals(words: list[str]) -> int:
    """How many leading words are a family name in capitals before a given name that is not ("DUPONT Jean",
    "DE LA CRUZ Maria"), as French, Japanese and many international directories write it; 0 otherwise. Two capitals
    alone ("JP Morgan", "AJ Lee") are initials, not a family name."""
    count = 0
    while count < len(words) - 1 and words[count].isupper():
        count += 1
    if not count or not any(ch.islower() for word in words[count:] for ch in word):
        return 0
    if max(sum(ch.isalpha() for ch in word) for word in words[:count]) < 3:
        return 0
    return count


def preferred_first_name(preferred: str, last: str) -> str:
    """The first name a preferred name gives: Workday's "Jon Smith" beside the last name "Smith" is "Jon"."""
    words, surname = clean_name(preferred).split(" "), clean_name(last).split(" ")
    if last and len(words) > len(surname) and [w.casefold() for w in words[-len(surname):]] == \
            [w.casefold() for w in surname]:
        return " ".join(words[:-len(surname)])
    return preferred


def _joined(last: str, suffix: str) -> str:
    return f"{last} {suffix}" if last and suffix else last or suffix


def _split_words(words: list[str]) -> tuple[str, str]:
    """(first, last) of a name's words: the last word, or from a surname particle on, is the last name."""
    if len(words) < 2:
        return " ".join(words), ""
    for index in range(1, len(words) - 1):
        if words[index] in SURNAME_PARTICLES and words[index] not in _NOT_FIRST_PARTICLES:
            return " ".join(words[:index]), " ".join(words[index:])
    return " ".join(words[:-1]), words[-1]


def cleaners(fields=None) -> list[tuple[str, object]]:
    """(key, bound cleaner) for each field, to clean many rows with."""
    return [(f.key, f.cleaner()) for f in fields or staged_fields()]


def check_values(raw: dict, *, default_account_type: str = "user", fields=None, bound=None) -> Checked:
    """Clean and check one row's cell texts (by field key) through the registry's cleaners."""
    problems: list = []
    values = {}
    email_problems = 0
    for key, clean in bound or cleaners(fields):
        before = len(problems)
        value = clean(raw.get(key) or "", problems)
        if key == "account_type" and value is None:
            value = default_account_type
        if key == "email":
            email_problems = len(problems) - before
        values[key] = value
    if not values.get("first_name") and not values.get("last_name") and \
            not any(item["code"] in _SPREADSHEET_CODES for item in problems):
        problems.append(problem("first_name", "names_missing"))  # (a spreadsheet error in a name says why)
    return Checked(values, problems, bool(values.get("email")) and not email_problems)


def validate_fields(first_name, last_name, email, account_type_cell, *, has_type_column,
                    default_account_type="user"):
    """Clean and check an inline edit's core values; return (first, last, email, account_type, sentences)."""
    raw = {"first_name": first_name, "last_name": last_name, "email": email,
           "account_type": account_type_cell if has_type_column else ""}
    checked = check_values(raw, default_account_type=default_account_type)
    v = checked.values
    return v["first_name"], v["last_name"], v["email"], v["account_type"], sentences(checked.problems)


def _blank(text: str) -> bool:
    text = clean_cell(text)
    return not text or is_placeholder(text)


_LAST_NAME_PARTS = ("surname_prefix", "second_last_name")
_SPREADSHEET_CODES = ("spreadsheet_error", "formula_without_result")


class _Reader:
    """Pulls each field's cell text out of a row, with the per-row fallbacks the mapping allows."""

    def __init__(self, columns: ColumnMap):
        mapped = columns.columns
        fallbacks = getattr(columns, "fallbacks", None) or {}
        self.email = [i for i in [mapped.get("email"), *fallbacks.get("email", ())] if i is not None]
        self.first = [i for i in [mapped.get("first_name"), *fallbacks.get("first_name", ())] if i is not None]
        self.last = [i for i in [mapped.get("last_name"), *fallbacks.get("last_name", ())] if i is not None]
        self.full = [i for i in [mapped.get("full_name"), *fallbacks.get("full_name", ())] if i is not None]
        self.preferred = mapped.get("preferred_name")
        self.last_parts = (mapped.get("surname_prefix"), mapped.get("second_last_name"))
        names = {"first_name", "last_name", "email", "full_name", "preferred_name", *_LAST_NAME_PARTS}
        self.plain = [(f.key, mapped[f.key]) for f in import_fields()
                      if f.key not in names and not f.source_only and mapped.get(f.key) is not None]
        # One column per field and no fallbacks (most files): each cell is taken as it is.
        core = (("first_name", self.first), ("last_name", self.last), ("email", self.email))
        if self.preferred is None and not self.full and self.last_parts == (None, None) \
                and all(len(indexes) <= 1 for _, indexes in core):
            self.direct = [(key, indexes[0]) for key, indexes in core if indexes] + self.plain
            self.absent = {key: "" for key, indexes in core if not indexes}
            self.raw = self._direct

    @staticmethod
    def _cell(cells, index):
        return cells[index] if index is not None and index < len(cells) else ""

    def _first_filled(self, cells, indexes, skip_alias=False):
        if not indexes:
            return ""
        value = self._cell(cells, indexes[0])
        if len(indexes) == 1 or not (_blank(value) or skip_alias and is_exchange_address(clean_cell(value))):
            return value
        for index in indexes[1:]:
            candidate = self._cell(cells, index)
            # A stand-in must be the person's own mailbox, never a guest's sign-in alias nor a text without an @.
            if not _blank(candidate) and not (skip_alias and (GUEST_ALIAS_MARK in candidate.casefold()
                                                              or "@" not in candidate)):
                return candidate
        return value

    def _direct(self, cells) -> dict:
        size = len(cells)
        raw = dict(self.absent)
        for key, index in self.direct:
            raw[key] = cells[index] if index < size else ""
        return raw

    def raw(self, cells) -> dict:
        first = self._first_filled(cells, self.first)
        last = self._first_filled(cells, self.last)
        if self.full and _blank(first) and _blank(last):
            full = self._first_filled(cells, self.full)
            # A #REF! or a formula without its result goes to the first name as it is, to be reported there.
            marked = full[:1] in ("#", "\u2060") and spreadsheet_problem(full, "", [])
            first, last = (full, "") if marked else split_full_name(full)
        elif self.full and _blank(last):
            # The same person's full name gives a last name the file left blank (or keeps under a header of its own):
            # "Ann" and "Ann Lee" is Ann Lee, never a last name from a full name that is not hers.
            full_first, full_last = split_full_name(self._first_filled(cells, self.full))
            if full_last and full_first.casefold() == clean_name(first).casefold():
                last = full_last
        if self.last_parts != (None, None):
            prefix, second = (self._cell(cells, index) for index in self.last_parts)
            last = " ".join(part for part in (prefix, last, second) if not _blank(part))
        if self.preferred is not None:
            # After the full name is split: a preferred first name never costs the person their last name.
            preferred = self._cell(cells, self.preferred)
            if not _blank(preferred):
                first = preferred_first_name(preferred, last)
        raw = {"first_name": first, "last_name": last,
               "email": self._first_filled(cells, self.email, skip_alias=True)}
        for key, index in self.plain:
            raw[key] = self._cell(cells, index)
        return raw


class Cleaner:
    """Cleans a file's rows a chunk at a time, finding duplicates and email conflicts across the whole file.

    Only hashes are kept of earlier rows: per distinct valid address its first line and a hash of that row's
    values, and a hash per row whose address was seen before or is not valid. A million rows stay near 100 MB.
    """

    def __init__(self, columns: ColumnMap, *, default_account_type="user", links=None):
        self.reader = _Reader(columns)
        # A workbook's mailto: hyperlinks, (line, column) -> address: read in the email columns (mail_links).
        self.links = links if links and self.reader.email else None
        self.default_account_type = default_account_type
        mapped = columns.columns
        # Only mapped fields are cleaned (names and email always are: they are checked even when absent).
        self.fields = [f for f in staged_fields() if f.key in _ALWAYS or mapped.get(f.key) is not None]
        self.bound = cleaners(self.fields)
        self.extra_keys = [f.key for f in staged_fields()
                           if f.column is None and (not f.only_when_mapped or mapped.get(f.key) is not None)]
        self.owners: dict[int, int] = {}   # hash(email) -> line << 32 | 32 bits of the first row's hash
        self.others: dict[int, int] = {}   # hash(row values) -> line, for rows not owning their address
        self.plain = self._plain_cells()

    def _plain_cells(self) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
        """(first, last, email) cell indexes and length limits when rows may skip the per-cell cleaners; else None.

        Only for a file of exactly those three columns, cleaned by the built-in cleaners, with nothing else to
        read: then a plain row's values are its cells (the address normalised), with no problem.
        """
        direct = dict(getattr(self.reader, "direct", ()))
        if [f.key for f in self.fields] != list(_ALWAYS) or list(direct) != list(_ALWAYS) or self.extra_keys \
                or any(f.clean is not None for f in self.fields) or [f.kind for f in self.fields] != [NAME, NAME, EMAIL]:
            return None
        limits = tuple(min(f.storage_length, f.max_length or f.storage_length) for f in self.fields)
        return tuple(direct[key] for key in _ALWAYS), limits

    def clean(self, chunk) -> list[CleanRow]:
        """Clean and check (line, cells) rows that follow the ones cleaned before; mark duplicates and conflicts."""
        rows = []
        append = rows.append
        owners, others = self.owners, self.others
        default, extra_keys, bound, raw = self.default_account_type, self.extra_keys, self.bound, self.reader.raw
        (at_first, at_last, at_email), limits = self.plain or ((0, 0, 0), None)
        need = max(at_first, at_last, at_email) + 1
        if self.links:
            chunk = with_link_addresses(chunk, self.links, self.reader.email)
        for line, cells in chunk:
            address = None
            if limits is not None and len(cells) >= need:
                first, last = cells[at_first], cells[at_last]
                address = plain_names_and_address(first, last, cells[at_email], limits)
            if address is not None:  # values as the cleaners would give them, with no problem
                key = hash((first, last, address))
                row = CleanRow(line, first, last, address, default, "valid", [], None, False, None, None, True)
                email_ok = True
            else:
                checked = check_values(raw(cells), default_account_type=default, bound=bound)
                values = checked.values
                key = hash(tuple(values.values()))
                values.setdefault("account_type", default)
                extra = {k: values.get(k, "") for k in extra_keys} if extra_keys else None
                email_ok = checked.email_ok
                row = CleanRow(line, values["first_name"], values["last_name"], values["email"],
                               values["account_type"], "valid", checked.problems, None,
                               bool(values.get("send_invite")), extra, None, email_ok)
            append(row)
            short = key & 0xFFFFFFFF
            if email_ok:
                email_key = hash(row.email)
                owner = owners.get(email_key)
                if owner is None:
                    owners[email_key] = line << 32 | short
                    if row.problems:
                        row.status = "invalid"
                    continue
                if owner & 0xFFFFFFFF == short:
                    row.status, row.duplicate_of, row.problems = "duplicate", owner >> 32, []
                    continue
            earlier = others.get(key)
            if earlier is not None:
                row.status, row.duplicate_of, row.problems = "duplicate", earlier, []
                continue
            others[key] = line
            if email_ok:
                row.conflict_with = owner >> 32
                row.problems.append(problem("email", "same_email", line=row.conflict_with))
            if row.problems:
                row.status = "invalid"
        return rows


def clean_rows(table: RawTable, columns: ColumnMap, *, default_account_type="user") -> list[CleanRow]:
    """Clean and check every row of a (small) table, then mark duplicates and email conflicts."""
    cleaner = Cleaner(columns, default_account_type=default_account_type, links=getattr(table, "mail_links", None))
    return [row for chunk in table.chunks() for row in cleaner.clean(chunk)]
