"""Mapping a file's header cells to First Name, Last Name, Email and Account Type through a synonym table."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from webapp.imports.cleaning import clean_cell

FIELDS = ["first_name", "last_name", "email", "account_type", "full_name"]

# Header key (see normalise_header) -> (field, rank). A lower rank wins when several columns qualify.
SYNONYMS: dict[str, tuple[str, int]] = {}


def _add(field_name: str, rank: int, *headers: str) -> None:
    for header in headers:
        SYNONYMS[_key(header)] = (field_name, rank)


_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>")

# Words that make an email column someone else's address (or a second one), never the person's own.
_NOT_OWN_EMAIL = (
    "manager", "supervisor", "recovery", "secondary", "alternate", "alternative", "backup", "parent",
    "guardian", "emergency", "other", "home", "boss", "mentor", "approver", "sponsor", "spouse",
    "second", "additional", "forwarding", "previous", "old", "former", "assistant", "reportsto",
)
# An email column that is the person's own but a last resort: used only when nothing better exists.
_PERSONAL_EMAIL = ("personal", "private")
# Google Workspace's rename column: blank in exports, and never the address the person has now.
_IGNORED = {"newprimaryemail"}
_EMAIL_ENDINGS = ("email", "emailaddress", "emailaddr", "emailid", "mailaddress", "courriel")


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def normalise_header(text: str) -> str:
    """Header text without case, accents, spaces, punctuation or bracketed notes like "[Required]"."""
    return _key(_BRACKETED.sub(" ", clean_cell(text or "")))


@dataclass
class ColumnMap:
    """Which column (by index) holds each field; full_name is used only when first and last are both None."""

    first_name: int | None = None
    last_name: int | None = None
    email: int | None = None
    account_type: int | None = None
    full_name: int | None = None
    # Further columns for a field, in order of preference, read when the chosen column's cell is blank.
    fallbacks: dict[str, list[int]] = field(default_factory=dict)

    def header_names(self, headers) -> dict:
        """The header each field is read from (a split full-name column counts for both names)."""
        def name(index):
            return headers[index] if index is not None and index < len(headers) else None

        splitting = self.first_name is None and self.last_name is None and self.full_name is not None
        return {
            "first_name": name(self.full_name if splitting else self.first_name),
            "last_name": name(self.full_name if splitting else self.last_name),
            "email": name(self.email),
            "account_type": name(self.account_type),
        }


class NoEmailColumn(ValueError):
    """No header looks like the person's email address; str(error) names the headers found."""


def classify_header(text: str) -> tuple[str, int] | None:
    """Return (field, rank) for one header cell, or None when it maps to nothing."""
    bare = normalise_header(text)
    notes = _key(" ".join(_BRACKETED.findall(clean_cell(text or ""))))
    if any(word in notes for word in _NOT_OWN_EMAIL + _PERSONAL_EMAIL):
        bare += notes  # "Email (personal)" must not pass for plain "Email"
    if bare in _IGNORED:
        return None
    known = SYNONYMS.get(bare)
    if known is not None:
        return known
    if "email" in bare or bare.endswith("mail") or "courriel" in bare:
        if bare.startswith("cc") or any(word in bare for word in _NOT_OWN_EMAIL):
            return None
        if any(word in bare for word in _PERSONAL_EMAIL):
            return ("email", 9)
        if bare.endswith(_EMAIL_ENDINGS):
            return ("email", 5)
    return None


def map_columns(headers: list[str]) -> ColumnMap:
    """Choose a column for each field from the header cells; raise NoEmailColumn when there is none."""
    candidates: dict[str, list[tuple[int, int]]] = {name: [] for name in FIELDS}
    for index, header in enumerate(headers):
        found = classify_header(header)
        if found is not None:
            candidates[found[0]].append((found[1], index))
    chosen = {}
    fallbacks = {}
    for name, options in candidates.items():
        options.sort()
        if not options:
            chosen[name] = None
            continue
        chosen[name] = options[0][1]
        # A personal address may stand in only when it is the sole email column, never per row.
        spare = [index for rank, index in options[1:] if not (name == "email" and rank >= 9)]
        if spare and name != "account_type":
            fallbacks[name] = spare
    if chosen["email"] is None:
        raise NoEmailColumn(_no_email_message(headers))
    if chosen["first_name"] is not None or chosen["last_name"] is not None:
        chosen["full_name"] = None
        fallbacks.pop("full_name", None)
    return ColumnMap(**chosen, fallbacks=fallbacks)


def _no_email_message(headers: list[str]) -> str:
    shown = [header for header in headers if header]
    if not shown:
        return 'No email column found: the header row is empty. Add a header row with a column named "Email Address".'
    if any("@" in header for header in shown):
        return ("No email column found: the first row looks like a person, not a header row. "
                'Add a header row such as "First Name", "Last Name", "Email Address" above the people.')
    listed = ", ".join(f'"{header}"' for header in shown)
    return f'No email column found. The file\'s headers are: {listed}. Add a column named "Email Address".'


_add("email", 0, "Email Address", "Email", "E-mail", "E-mail address", "Email Addresses")
_add("email", 1, "Work Email", "Work Email Address", "Business Email", "Business Email Address",
     "Office Email", "Employee Email", "Employee Email Address", "Company Email", "Corporate Email",
     "Primary Email", "Primary Email Address", "User Email", "Learner Email", "Student Email",
     "Staff Email", "Login Email", "Sign-in Email", "Email (Work)", "Work E-mail", "Courriel",
     "Adresse courriel", "Adresse e-mail", "Adresse email", "E-Mail-Adresse", "Correo electrónico",
     "Correo", "E-mailadres")
_add("email", 2, "Mail", "Mail Address", "Email ID", "Emailaddress1")
_add("email", 3, "User principal name", "UPN", "userPrincipalName", "Sign-in name", "Login email address")

_add("first_name", 0, "First Name", "First", "Firstname", "Given name", "Given names", "Givenname",
     "Forename", "Forenames", "First names", "FName", "Prénom", "Vorname", "Nombre", "Voornaam", "Nome")
_add("first_name", 1, "Employee First Name", "Student First Name", "User First Name", "Learner First Name")
# People are called by their preferred name when HR has one; the legal name fills in when it is blank.
_add("first_name", 2, "Preferred First Name", "Known As")
_add("first_name", 3, "Legal First Name", "First Name (Legal)")

_add("last_name", 0, "Last Name", "Last", "Lastname", "Surname", "Surnames", "Family name", "Familyname",
     "Family names", "LName", "Nom", "Nom de famille", "Nachname", "Familienname", "Apellido", "Apellidos",
     "Achternaam", "Cognome", "Sobrenome")
_add("last_name", 1, "Employee Last Name", "Student Last Name", "User Last Name", "Learner Last Name")
_add("last_name", 2, "Preferred Last Name")
_add("last_name", 3, "Legal Last Name", "Last Name (Legal)")

_add("full_name", 0, "Full Name", "Name", "Fullname", "Full names", "Person Name", "Nom complet")
_add("full_name", 1, "Display name", "Employee Name", "Student Name", "Learner Name", "User Name (full)",
     "Participant Name", "Staff Name", "Contact Name", "Member Name")
_add("full_name", 2, "Sortable name", "Short name")

_add("account_type", 0, "Account Type", "Account type", "Type of account")
_add("account_type", 1, "User Type", "Usertype", "Member Type", "Account Role", "User Role")
_add("account_type", 2, "Role", "Type")
