"""Cleaning and checking one cell: each cleaner returns the value to stage and appends typed problems."""
from __future__ import annotations

import re

from webapp.addresses import InvalidEmail, normalise_email, quick_normalised
from webapp.csvsafe import starts_formula
from webapp.imports.encodings import looks_like_mojibake
from webapp.imports.problems import problem
from webapp.imports.suggestions import recipient_address, several_addresses
from webapp.imports.text import (
    PLACEHOLDER_MAX,
    PLACEHOLDERS,
    clean_cell,
    collapse_spaces,
    is_placeholder,
    strip_controls,
)

ACCOUNT_TYPE_LABELS = {"user": "User", "guest": "Guest", "admin": "Admin", "team_manager": "Team Manager"}

_ACCOUNT_TYPE_ALIASES = {
    "user": "user", "orguser": "user", "organisationuser": "user", "organizationuser": "user",
    "learner": "user", "member": "user", "standard": "user", "standarduser": "user", "student": "user",
    "utilisateur": "user", "benutzer": "user", "nutzer": "user", "usuario": "user", "utente": "user",
    "usuário": "user", "gebruiker": "user", "uzytkownik": "user", "użytkownik": "user",
    "пользователь": "user", "ユーザー": "user", "membre": "user", "mitglied": "user", "miembro": "user",
    "guest": "guest", "guestuser": "guest", "externalguest": "guest", "invité": "guest", "invite": "guest",
    "gast": "guest", "invitado": "guest", "ospite": "guest", "convidado": "guest", "gość": "guest",
    "gosc": "guest", "гость": "guest", "ゲスト": "guest", "visitor": "guest",
    "admin": "admin", "administrator": "admin", "orgadmin": "admin", "organisationadmin": "admin",
    "organizationadmin": "admin", "orgadministrator": "admin", "administrateur": "admin",
    "administrador": "admin", "amministratore": "admin", "beheerder": "admin", "administratorka": "admin",
    "администратор": "admin", "管理者": "admin",
    "teammanager": "team_manager", "manager": "team_manager", "teammgr": "team_manager",
    "teamlead": "team_manager", "teamleader": "team_manager", "linemanager": "team_manager",
    "responsabledéquipe": "team_manager", "teamleiter": "team_manager", "gerentedeequipo": "team_manager",
}

_YES = frozenset({"yes", "y", "true", "t", "1", "x", "✓", "✔", "on", "oui", "o", "vrai", "ja", "j", "wahr",
                  "sí", "si", "s", "verdadero", "vero", "sim", "verdadeiro", "waar", "tak", "да", "д",
                  "はい", "有", "invite", "send"})
_NO = frozenset({"no", "n", "false", "f", "0", "off", "non", "faux", "nein", "falsch", "falso", "não", "nao",
                 "nee", "onwaar", "nie", "нет", "н", "いいえ", "無", "dontsend"})
# Microsoft tenants give guests a sign-in alias like ann_example.com#EXT#@tenant.onmicrosoft.com.
GUEST_ALIAS_MARK = "#ext#"


def is_exchange_address(text: str) -> bool:
    """True for Exchange's internal X.500 address ("/o=ExchangeLabs/ou=.../cn=Recipients/cn=..."), which Outlook
    exports for a contact copied from the address book: it names a mailbox but is no email address."""
    return text[:3].casefold() == "/o="

# What a spreadsheet shows, and a CSV export holds, when a formula can't be worked out: Excel's words in English,
# German, French, Spanish, Italian, Portuguese, Dutch, Polish and Russian (LibreOffice writes the English ones).
SPREADSHEET_ERRORS = frozenset("""
#REF! #N/A #VALUE! #DIV/0! #NAME? #NULL! #NUM! #SPILL! #CALC! #GETTING_DATA #FIELD! #BLOCKED! #CONNECT! #BUSY!
#UNKNOWN! #EXTERNAL! #NV #BEZUG! #WERT! #ZAHL! #NOM? #VALEUR! #NOMBRE! #NUL! #N/D #¡REF! #¡VALOR! #¿NOMBRE?
#¡NULO! #¡NUM! #¡DIV/0! #VALOR! #NOME? #RIF! #VALORE! #NULLO! #N/B #VERW! #WAARDE! #NAAM? #GETAL! #LEEG!
#ARG! #ADR! #NAZWA? #DZIEL/0! #LICZBA! #PUSTE! #ЗНАЧ! #ССЫЛКА! #ИМЯ? #ЧИСЛО! #ДЕЛ/0! #ПУСТО! #Н/Д
""".split())
# How reading writes a formula saved without its result (workbook_child.FORMULA_MARK): a word joiner and "=".
FORMULA_MARK = "\u2060="
_SPREADSHEET_STARTS = ("#", "\u2060")


def spreadsheet_problem(raw: str, key: str, problems: list) -> bool:
    """True, with the problem appended, when a cell holds a spreadsheet error or a formula without its result.

    Such a cell has no value to stage: the row says what it held and what to do, instead of a silent blank.
    Only cells starting with "#" or the formula mark are looked at (callers test raw[:1] first).
    """
    if raw.startswith(FORMULA_MARK):
        problems.append(problem(key, "formula_without_result", formula=raw[len(FORMULA_MARK):][:80]))
        return True
    text = clean_cell(raw)
    if len(text) <= 14 and text.upper() in SPREADSHEET_ERRORS:
        problems.append(problem(key, "spreadsheet_error", value=text.upper()))
        return True
    return False


def unescaped(text: str) -> str:
    """A cell the app's CSVs escaped against formulas ("'=SUM(A1)", see csvsafe) as it was; any other as it is."""
    if text[:1] == "'" and starts_formula(text[1:]):
        return clean_cell(text[1:])
    return text  # "'Abdul", "O'Brien"


def _prepared(raw: str, key: str, problems: list) -> str:
    """Remove control characters (flagged), trim spaces, undo our formula escape, read NULL and the like as blank."""
    text, had_controls = strip_controls(raw or "")
    if had_controls:
        problems.append(problem(key, "control_characters"))
    text = unescaped(clean_cell(text))
    if text and is_placeholder(text):
        return ""
    return text


def _bounded(text: str, key: str, max_length: int | None, storage: int, problems: list) -> str:
    if max_length is not None and len(text) > max_length:
        problems.append(problem(key, "too_long", max=max_length))
    return text[:storage]


def clean_text(raw: str, key: str, problems: list, *, max_length: int | None = None, storage: int = 500) -> str:
    """Any text cell: controls removed, spaces trimmed and collapsed, length checked and bounded."""
    if raw[:1] in _SPREADSHEET_STARTS and spreadsheet_problem(raw, key, problems):
        return ""
    return _bounded(collapse_spaces(_prepared(raw, key, problems)), key, max_length, storage, problems)


def single_line_plain(raw: str) -> bool:
    """Printable ASCII already trimmed and single-spaced: what text.single_line would give back unchanged."""
    return raw.isascii() and raw.isprintable() and raw[:1] != " " and raw[-1:] != " " and "  " not in raw


def _plain(raw: str, max_length: int | None, storage: int) -> bool:
    """Printable ASCII already trimmed, single-spaced, within its limits, no placeholder and no leading apostrophe
    (perhaps our formula escape): nothing to clean."""
    size = len(raw)
    return (size <= storage and (max_length is None or size <= max_length) and single_line_plain(raw)
            and raw[:1] != "'"
            and (size > PLACEHOLDER_MAX or raw.lower() not in PLACEHOLDERS))  # lower() is casefold() for ASCII


# A first or last name with none of these is an employee number or junk ("12345", "#", "?"), never a person's.
_LETTER = re.compile(r"[^\W\d_]")
_NAME_KEYS = frozenset({"first_name", "last_name"})
# What people type for "no name" besides the placeholders every field knows ("-", "n/a", "none"): read as blank.
_NO_NAME = frozenset({".", "..", "...", "\u2026", "\u2013", "\u2014", "_"})


def has_letter(text: str) -> bool:
    """True when the text holds a letter of any script."""
    if text.isascii():
        return text.lower() != text.upper()  # (quicker than the pattern, on the path most cells take)
    return _LETTER.search(text) is not None


def clean_name(raw: str, key: str, problems: list, *, max_length: int | None = 100, storage: int = 300) -> str:
    """A name cell: as clean_text, plus checks that it is not garbled by a wrong encoding and (a first or last
    name) holds a letter."""
    start = raw[:1]
    if start in _SPREADSHEET_STARTS and spreadsheet_problem(raw, key, problems):
        return ""
    if start and _plain(raw, max_length, storage) and (key not in _NAME_KEYS or has_letter(raw)):
        return raw  # most cells of most files
    text = collapse_spaces(_prepared(raw, key, problems))
    if key in _NAME_KEYS and text and not has_letter(text):
        if text in _NO_NAME:
            return ""
        problems.append(problem(key, "name_without_letters", value=text[:60]))
    if text and not text.isascii() and looks_like_mojibake(text):
        problems.append(problem(key, "mojibake", value=text[:60]))
    return _bounded(text, key, max_length, storage, problems)


def plain_names_and_address(first: str, last: str, email: str, limits: tuple[int, int, int]) -> str | None:
    """The normalised address when two name cells and an email cell need no cleaning at all; else None.

    The same answer clean_name and clean_email give such cells (names as they are, no problem), checked in
    one go: most rows of most files take this path, and per-cell calls were most of a large file's cleaning.
    """
    first_max, last_max, email_max = limits
    if not (first and last and len(first) <= first_max and len(last) <= last_max and len(email) <= email_max
            and "#" not in email):
        return None
    text = first + last + email
    if not (text.isascii() and text.isprintable()) or "  " in first or "  " in last or " " in email \
            or first[0] in " '#" or first[-1] == " " or last[0] in " '#" or last[-1] == " " or email[:1] == "'":
        return None  # (a leading apostrophe may be our formula escape: the cleaners undo it; "#" a #REF!)
    if (len(first) <= PLACEHOLDER_MAX and first.lower() in PLACEHOLDERS) or \
            (len(last) <= PLACEHOLDER_MAX and last.lower() in PLACEHOLDERS):
        return None
    if not (has_letter(first) and has_letter(last)):
        return None  # a name without letters: clean_name says why
    # An address quick_normalised accepts has an @, a plain local part and a checked domain: no placeholder,
    # nothing to unwrap, and (with no "#") no guest alias.
    return quick_normalised(email)


# A name, then one address in brackets, as Outlook shows a contact ("Ann Lee (ann@example.com)").
_DISPLAYED_ADDRESS = re.compile(r"[^@()<>]*\(\s*([^\s@()<>,;]+@[^\s@()<>,;]+)\s*\)")


def email_text(text: str) -> str:
    """Take the address out of "Name <address>" or "mailto:address" forms, which are safe to unwrap."""
    recipient = text.rstrip(";, ")  # (a recipient copied from a To line keeps its separator)
    if "<" in text and recipient.endswith(">") and (inside := recipient_address(recipient)):
        text = clean_cell(inside)  # a recipient copied from a mail program's To line: "Ann Lee <ann@x.org>;"
    elif text.endswith(")") and "@" in text and (inside := _DISPLAYED_ADDRESS.fullmatch(text)):
        text = clean_cell(inside.group(1))  # Outlook's display name "Ann Lee (ann@example.com)"
    if text[:7].lower() == "mailto:":
        text = clean_cell(text[7:])
    return text


def clean_email(raw: str, key: str, problems: list, *, max_length: int | None = 254, storage: int = 320) -> str:
    """An email cell: lower-cased when valid; otherwise the text as read, with why it is not valid."""
    if raw[:1] in _SPREADSHEET_STARTS and spreadsheet_problem(raw, key, problems):
        return ""
    if raw and _plain(raw, max_length, storage) and " " not in raw and "<" not in raw and ":" not in raw \
            and GUEST_ALIAS_MARK not in raw.lower():
        try:  # nothing to unwrap or strip: straight to the address check
            return normalise_email(raw)
        except InvalidEmail:
            pass  # the full path below gives the reason
    text = email_text(_prepared(raw, key, problems))
    if not text:
        problems.append(problem(key, "missing"))
        return ""
    if GUEST_ALIAS_MARK in text.casefold():
        problems.append(problem(key, "guest_alias", value=text[:120]))
        return text[:storage]
    if is_exchange_address(text):
        problems.append(problem(key, "exchange_address", value=text[:120]))
        return text[:storage]
    if max_length is not None and len(text) > max_length:
        problems.append(problem(key, "too_long", max=max_length))
        return text[:storage]
    try:
        return normalise_email(text)
    except InvalidEmail as exc:
        found = several_addresses(text)
        if found:
            problems.append(problem(key, "several_emails", count=len(found), value=text[:120]))
            return text[:storage]
        reason = str(exc).removeprefix("Not a valid email address:").strip()
        problems.append(problem(key, "invalid_email", reason=reason))
        return text[:storage]


def account_type_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def parse_account_type(text: str) -> str | None:
    """Return the AccountType value a cell names ("" means "user"), or None when unknown."""
    key = account_type_key(clean_cell(text or ""))
    if not key:
        return "user"
    return _ACCOUNT_TYPE_ALIASES.get(key)


def clean_account_type(raw: str, key: str, problems: list, **_) -> str | None:
    """An account type cell: the type's value, None when blank (the default applies), or a problem."""
    if raw[:1] in _SPREADSHEET_STARTS and spreadsheet_problem(raw, key, problems):
        return None
    text = _prepared(raw, key, problems)
    if not text:
        return None
    parsed = _ACCOUNT_TYPE_ALIASES.get(account_type_key(text))
    if parsed is None:
        problems.append(problem(key, "unknown_account_type", value=collapse_spaces(text)[:100]))
    return parsed


def parse_flag(text: str) -> bool | None:
    """True/False for yes/no, true/false, 1/0, x/blank and the same words in other languages; else None."""
    key = "".join(ch for ch in clean_cell(text or "").casefold() if ch.isalnum() or ch in "✓✔")
    if not key or is_placeholder(clean_cell(text or "")):
        return False
    if key in _YES:
        return True
    if key in _NO:
        return False
    return None


def clean_flag(raw: str, key: str, problems: list, **_) -> bool:
    """A yes/no cell (such as Send Invite); anything else is a problem and counts as no."""
    if raw[:1] in _SPREADSHEET_STARTS and spreadsheet_problem(raw, key, problems):
        return False
    text = _prepared(raw, key, problems)
    flag = parse_flag(text)
    if flag is None:
        problems.append(problem(key, "unknown_choice", value=text[:60]))
        return False
    return flag


def looks_like_email(text: str) -> bool:
    """A quick shape check for content-based column detection (not validation)."""
    at = text.find("@")
    return 0 < at < len(text) - 3 and " " not in text and "." in text[at:]
