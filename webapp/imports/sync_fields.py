"""Cleaning rules for the optional Group, Series and Status columns, as plain data ready for the field registry.

Each field is a label, header synonyms in several languages, and a parse function that returns
`Parsed(value)` or `Parsed(problem={"field", "code", "params"})`; sentences are built in `problem_text`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Parsed:
    """A cell's value, or the typed problem that stops it being used."""

    value: object = None
    problem: dict | None = None


@dataclass(frozen=True)
class SyncField:
    key: str
    label: str
    synonyms: tuple[str, ...]
    parse: object  # Callable[[str], Parsed]
    hint: str = ""
    extra: dict = field(default_factory=dict)


def header_key(text: str) -> str:
    """Header text without case, accents, spaces or punctuation ("Groupes (;)" -> "groupes")."""
    text = re.sub(r"\[[^\]]*\]|\([^)]*\)", " ", text or "")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _names(cell: str) -> list[str]:
    """Names separated by ";" (or "|"), spaces tidied, repeats dropped, order kept."""
    seen, names = set(), []
    for part in re.split(r"[;|]", cell or ""):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def _problem(field_key: str, code: str, **params) -> Parsed:
    return Parsed(problem={"field": field_key, "code": code, "params": params})


def parse_groups(cell: str) -> Parsed:
    """Group names; names longer than a group name may be are a problem."""
    names = _names(cell)
    too_long = [name for name in names if len(name) > 120]
    if too_long:
        return _problem("groups", "name_too_long", name=too_long[0][:40], limit=120)
    return Parsed(names)


def parse_series(cell: str) -> Parsed:
    """Series names; a name longer than any series name cannot match one."""
    names = _names(cell)
    too_long = [name for name in names if len(name) > 200]
    if too_long:
        return _problem("series", "name_too_long", name=too_long[0][:40], limit=200)
    return Parsed(names)


ACTIVE_WORDS = {
    "active", "activ", "activo", "activa", "actif", "active", "aktiv", "attivo", "ativo", "actief",
    "yes", "y", "true", "1", "enabled", "enable", "on", "current", "employed", "oui", "ja", "si", "sí",
    "sim", "vrai", "wahr", "reactivate", "reactivated",
}
INACTIVE_WORDS = {
    "inactive", "inactif", "inactive", "inaktiv", "inactivo", "inactiva", "inattivo", "inativo",
    "inactief", "no", "n", "false", "0", "disabled", "disable", "off", "suspended", "suspend",
    "left", "leaver", "terminated", "deactivated", "deactivate", "archived", "non", "nein", "nee",
    "não", "nao", "faux", "falsch", "gone", "former", "retired", "resigned", "deleted", "blocked",
}


def parse_status(cell: str) -> Parsed:
    """True for active words, False for inactive ones, None for a blank cell."""
    word = " ".join((cell or "").split()).casefold().strip(".!")
    if not word:
        return Parsed(None)
    if word in ACTIVE_WORDS:
        return Parsed(True)
    if word in INACTIVE_WORDS:
        return Parsed(False)
    return _problem("status", "unknown_status", value=(cell or "").strip()[:40])


GROUPS = SyncField(
    key="groups", label="Group", parse=parse_groups,
    hint='Group names, several separated by ";".',
    synonyms=("Group", "Groups", "Group name", "Group names", "Team", "Teams", "Department",
              "Groupe", "Groupes", "Équipe", "Gruppe", "Gruppen", "Grupo", "Grupos", "Gruppo",
              "Groep", "Groepen", "Cohort", "Cohorts", "Class"),
)
SERIES = SyncField(
    key="series", label="Series", parse=parse_series,
    hint='Series names, several separated by ";".',
    synonyms=("Series", "Series name", "Series names", "Course", "Courses", "Training",
              "Enrol in", "Enroll in", "Enrolment", "Enrollment", "Série", "Séries", "Formation",
              "Formations", "Kurs", "Kurse", "Serie", "Curso", "Cursos", "Corso", "Cursus"),
)
STATUS = SyncField(
    key="status", label="Status", parse=parse_status,
    hint="active or inactive (yes/no, enabled/disabled and the like work too).",
    synonyms=("Status", "Account status", "User status", "Active", "Is active", "Enabled",
              "State", "Statut", "Actif", "Aktiv", "Zustand", "Estado", "Activo", "Stato", "Actief"),
)
FIELDS = (GROUPS, SERIES, STATUS)
_BY_HEADER = {header_key(synonym): f for f in FIELDS for synonym in f.synonyms}


def find_columns(headers: list[str]) -> dict[str, int]:
    """{field key: column index} for the Group, Series and Status columns a header row has (first wins)."""
    found: dict[str, int] = {}
    for index, header in enumerate(headers or []):
        known = _BY_HEADER.get(header_key(header))
        if known is not None:
            found.setdefault(known.key, index)
    return found


PROBLEM_TEXTS = {
    ("groups", "name_too_long"): "Group name “{name}…” is longer than {limit} characters.",
    ("groups", "unknown"): "No group called “{name}”. Tick Create missing groups, or correct the name.",
    ("series", "name_too_long"): "Series name “{name}…” is longer than {limit} characters.",
    ("series", "unknown"): "No series called “{name}”. Create it under Series first, or correct the name.",
    ("series", "archived"): "The series “{name}” is archived. Unarchive it first, or remove it from the row.",
    ("status", "unknown_status"): "Status “{value}” is not one we know: use active or inactive.",
}


def problem_text(problem: dict) -> str:
    """The sentence for a typed problem."""
    template = PROBLEM_TEXTS.get((problem["field"], problem["code"]), "This cell cannot be used.")
    return template.format(**problem.get("params", {}))
