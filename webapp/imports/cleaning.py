"""Cleaning and validation of imported rows: trim, normalise, check, and find duplicates and conflicts."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from webapp.addresses import InvalidEmail, normalise_email

if TYPE_CHECKING:
    from webapp.imports.columns import ColumnMap
    from webapp.imports.reading import RawTable

# Zero-width characters are invisible in a spreadsheet, so they are never meant to be part of a value.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Every character str.isspace() knows (which includes \u00a0 and \u202f) plus the zero-width ones.
_STRIP = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000" + _ZERO_WIDTH
)
_REMOVE_ZERO_WIDTH = {ord(c): None for c in _ZERO_WIDTH}

NAME_MAX_LENGTH = 100  # matches User.first_name / User.last_name

ACCOUNT_TYPE_LABELS = {"user": "User", "guest": "Guest", "admin": "Admin", "team_manager": "Team Manager"}

_ACCOUNT_TYPE_ALIASES = {
    "user": "user", "orguser": "user", "organisationuser": "user", "organizationuser": "user",
    "learner": "user", "member": "user", "standard": "user", "standarduser": "user", "student": "user",
    "guest": "guest", "guestuser": "guest", "externalguest": "guest",
    "admin": "admin", "administrator": "admin", "orgadmin": "admin", "organisationadmin": "admin",
    "organizationadmin": "admin", "orgadministrator": "admin",
    "teammanager": "team_manager", "manager": "team_manager", "teammgr": "team_manager",
}

KNOWN_TYPES_SENTENCE = "Use one of: User, Guest, Admin, Team Manager."


@dataclass(slots=True)  # 100,000 of these per large file: slots keep them small
class CleanRow:
    """One data row after cleaning and validation."""

    line: int
    first_name: str
    last_name: str
    email: str
    account_type: str
    status: str  # "valid" | "invalid" | "duplicate"
    errors: list[str] = field(default_factory=list)
    duplicate_of: int | None = None


def clean_cell(text: str) -> str:
    """Trim ordinary, non-breaking and zero-width spaces, and drop zero-width characters inside."""
    text = text.strip(_STRIP)
    if not text.isascii():
        text = text.translate(_REMOVE_ZERO_WIDTH).strip(_STRIP)
    return text


def clean_name(text: str) -> str:
    """Clean a name cell and collapse runs of whitespace inside it to one space."""
    text = clean_cell(text)
    if "  " in text or not text.isascii() or "\t" in text or "\n" in text:
        text = " ".join(text.split())
    return text


def _account_type_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def parse_account_type(text: str) -> str | None:
    """Return the AccountType value a cell names ("" means "user"), or None when unknown."""
    key = _account_type_key(clean_cell(text or ""))
    if not key:
        return "user"
    return _ACCOUNT_TYPE_ALIASES.get(key)


def split_full_name(text) -> tuple[str, str]:
    """Split a full name into (first, last): "Last, First" or first word(s) and last word."""
    name = clean_name(text or "")
    if "," in name:
        last, _, first = name.partition(",")
        return clean_name(first), clean_name(last)
    first, _, last = name.rpartition(" ")
    if not first:
        return last, ""
    return first, last


def _email_text(text: str) -> str:
    """Take the address out of "Name <address>" or "mailto:address" forms, which are safe to unwrap."""
    if "<" in text and text.endswith(">"):
        text = text[text.rindex("<") + 1:-1].strip(_STRIP)
    if text[:7].lower() == "mailto:":
        text = text[7:].strip(_STRIP)
    return text


def validate_fields(first_name, last_name, email, account_type_cell, *, has_type_column,
                    default_account_type="user"):
    """Clean and check one row's values; return (first, last, email, account_type, errors)."""
    return _check(first_name, last_name, email, account_type_cell, has_type_column, default_account_type)[:5]


def _check(first_name, last_name, email, account_type_cell, has_type_column, default_account_type):
    """validate_fields plus a flag saying whether the email is a valid address (for conflict checks)."""
    first = clean_name(first_name or "")
    last = clean_name(last_name or "")
    email_text = _email_text(clean_cell(email or ""))
    errors = []
    email_ok = False
    if not email_text:
        errors.append("Email address is missing.")
    else:
        try:
            email_text = normalise_email(email_text)
            email_ok = True
        except InvalidEmail as exc:
            errors.append(str(exc))
    if not first and not last:
        errors.append("First name and last name are both missing.")
    if len(first) > NAME_MAX_LENGTH:
        errors.append(f"First name is longer than {NAME_MAX_LENGTH} characters.")
    if len(last) > NAME_MAX_LENGTH:
        errors.append(f"Last name is longer than {NAME_MAX_LENGTH} characters.")
    account_type = default_account_type
    if has_type_column:
        type_text = clean_cell(account_type_cell or "")
        if type_text:
            parsed = _ACCOUNT_TYPE_ALIASES.get(_account_type_key(type_text))
            if parsed is None:
                errors.append(f'Account type "{type_text}" is not known. {KNOWN_TYPES_SENTENCE}')
            else:
                account_type = parsed
    return first, last, email_text, account_type, errors, email_ok


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return cells[index]


def _first_filled(cells: list[str], indexes: list[int]) -> str:
    for index in indexes:
        value = _cell(cells, index)
        if clean_cell(value):
            return value
    return ""


def clean_rows(table: RawTable, columns: ColumnMap, *, default_account_type="user") -> list[CleanRow]:
    """Clean and validate every row of the file, then mark duplicates and email conflicts."""
    first_i, last_i, email_i, type_i = columns.first_name, columns.last_name, columns.email, columns.account_type
    split_i = columns.full_name if first_i is None and last_i is None else None
    fallbacks = getattr(columns, "fallbacks", None) or {}
    first_fb = [first_i, *fallbacks.get("first_name", ())] if fallbacks.get("first_name") else None
    last_fb = [last_i, *fallbacks.get("last_name", ())] if fallbacks.get("last_name") else None
    email_fb = [email_i, *fallbacks.get("email", ())] if fallbacks.get("email") else None
    has_type = type_i is not None

    rows: list[CleanRow] = []
    seen_rows: dict[tuple, int] = {}
    first_line_for_email: dict[str, int] = {}
    for line, cells in table.rows:
        if split_i is not None:
            first_text, last_text = split_full_name(_cell(cells, split_i))
        else:
            first_text = _first_filled(cells, first_fb) if first_fb else _cell(cells, first_i)
            last_text = _first_filled(cells, last_fb) if last_fb else _cell(cells, last_i)
        email_text = _first_filled(cells, email_fb) if email_fb else _cell(cells, email_i)
        first, last, email, account_type, errors, email_ok = _check(
            first_text, last_text, email_text, _cell(cells, type_i), has_type, default_account_type
        )
        key = (first, last, email, account_type)
        earlier = seen_rows.get(key)
        if earlier is not None:
            rows.append(CleanRow(line, first, last, email, account_type, "duplicate", [], earlier))
            continue
        seen_rows[key] = line
        if email_ok:
            owner = first_line_for_email.setdefault(email, line)
            if owner != line:
                errors.append(f"Same email as line {owner}, with different details.")
        rows.append(CleanRow(line, first, last, email, account_type, "invalid" if errors else "valid", errors))
    return rows
