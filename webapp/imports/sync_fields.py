"""The optional Group, Series and Status columns as import fields: cleaners, header synonyms and database checks.

`register(app)` adds them to the field registry. Their cleaned values are kept in StagedRow.extra as text
("Sales; Night shift", "active"); the checks that need the database run set-based through `check`.
"""
from __future__ import annotations

import re

from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import values
from webapp.imports.fields import TEXT, ImportField, register_field, shown_fields
from webapp.imports.problems import problem
from webapp.models import Group, Series, StagedRow

GROUP_NAME_MAX, SERIES_NAME_MAX = 120, 200
SEPARATOR = "; "
ACTIVE, INACTIVE = "active", "inactive"


def names(cell: str | None) -> list[str]:
    """Names separated by ";" (or "|"), spaces tidied, repeats dropped, order kept."""
    seen, found = set(), []
    for part in re.split(r"[;|]", cell or ""):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            found.append(name)
    return found


def listed(cell: str | None, known) -> list[str]:
    """names(), where a name the organisation does not have (`known`: casefolded names) that holds commas is read as
    a list: Moodle's participants export writes "Group A, Group B". A group called "Smith, Jones" stays one."""
    seen, found = set(), []
    for name in names(cell):
        parts = [name] if "," not in name or name.casefold() in known else \
            [part for part in (" ".join(piece.split()) for piece in name.split(",")) if part]
        for part in parts:
            if part.casefold() not in seen and part.casefold() not in NONE_NAMES:
                seen.add(part.casefold())
                found.append(part)
    return found


# What a cell says when a person is in no group or series (Moodle's participants export: "No groups").
NONE_NAMES = frozenset({"no groups", "no group", "no teams", "no team", "no cohorts", "no cohort", "no series",
                        "no courses", "no course", "not in a group", "ungrouped"})


def _name_list(limit: int):
    def clean(raw: str, key: str, problems: list, *, max_length=None, storage=2000) -> str:
        listed = [name for name in names(values.clean_text(raw, key, problems, storage=storage))
                  if name.casefold() not in NONE_NAMES]
        # (A comma list, "Group A, Group B", is judged by its names: listed() may read it so.)
        too_long = next((name for name in listed if len(name) > limit
                         and any(len(part.strip()) > limit for part in name.split(","))), None)
        if too_long is not None:
            problems.append(problem(key, "name_too_long", name=too_long[:40], limit=limit))
        return SEPARATOR.join(listed)
    return clean


ACTIVE_WORDS = frozenset({
    "active", "activ", "activo", "activa", "actif", "aktiv", "attivo", "ativo", "actief",
    "yes", "y", "true", "1", "enabled", "enable", "on", "current", "employed", "oui", "ja", "si", "sí",
    "sim", "vrai", "wahr", "reactivate", "reactivated",
    # Directories and HR systems say what kind of live account it is: Okta's STAGED or LOCKED_OUT, Slack's
    # "Member" or "Single-Channel Guest" in its status column, an HR system's "On Leave".
    "staged", "provisioned", "recovery", "locked out", "password expired", "member", "admin", "owner",
    "primary owner", "workspace admin", "workspace owner", "multi channel guest", "single channel guest",
    "on leave", "leave", "leave of absence", "invited",
    # An HR list of joiners and leavers: a starter is someone whose account should be live.
    "starter", "new starter", "joiner", "new joiner", "new hire", "hired", "onboarding",
})
INACTIVE_WORDS = frozenset({
    "inactive", "inactif", "inaktiv", "inactivo", "inactiva", "inattivo", "inativo",
    "inactief", "no", "n", "false", "0", "disabled", "disable", "off", "suspended", "suspend",
    "left", "leaver", "terminated", "deactivated", "deactivate", "archived", "non", "nein", "nee",
    "não", "nao", "faux", "falsch", "gone", "former", "retired", "resigned", "deleted", "blocked",
    "deprovisioned", "dismissed", "separated", "withdrawn", "graduated",
})


def clean_status(raw: str, key: str, problems: list, *, max_length=None, storage=60) -> str:
    """"active" or "inactive" for the words people use, blank for a blank cell; anything else is a problem."""
    text = values.clean_text(raw, key, problems, storage=storage)
    word = " ".join(re.split(r"[\s_-]+", text.casefold().strip(".!")))
    if not word:
        return ""
    if word in ACTIVE_WORDS:
        return ACTIVE
    if word in INACTIVE_WORDS:
        return INACTIVE
    problems.append(problem(key, "unknown_status", value=text[:40]))
    return text


def status_value(text: str | None) -> bool | None:
    """True, False, or None (no change) for a staged Status value."""
    return {ACTIVE: True, INACTIVE: False}.get(text or "")


def _staged(key: str, batch, scope):
    value = StagedRow.extra[key].as_string()
    return db.session.execute(select(StagedRow.id, value).where(scope, value != "")).all()


def check_groups(batch, scope) -> dict[int, list]:
    """Rows naming a group the organisation does not have (unless missing groups are to be created)."""
    if batch.create_missing_groups:
        return {}
    known = {name.casefold() for name in db.session.scalars(select(Group.name).where(
        Group.org_id == batch.org_id, Group.is_builtin.is_(False)))}
    found = {}
    for row_id, text in _staged("groups", batch, scope):
        unknown = [problem("groups", "unknown_group", name=name) for name in listed(text, known)
                   if name.casefold() not in known and len(name) <= GROUP_NAME_MAX]
        if unknown:
            found[row_id] = unknown
    return found


def check_series(batch, scope) -> dict[int, list]:
    """Rows naming a series the organisation does not have, or one that is archived."""
    series = {name.casefold(): (name, archived) for name, archived in db.session.execute(
        select(Series.name, Series.is_archived).where(Series.org_id == batch.org_id))}
    found = {}
    for row_id, text in _staged("series", batch, scope):
        items = []
        for name in listed(text, series):
            known = series.get(name.casefold())
            if len(name) > SERIES_NAME_MAX:
                continue  # already a name_too_long problem
            if known is None:
                items.append(problem("series", "unknown_series", name=name))
            elif known[1]:
                items.append(problem("series", "archived_series", name=known[0]))
        if items:
            found[row_id] = items
    return found


def _ranked(*groups) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in groups)


# A "Department" column is an HR unit, not a list of the product's groups: it is left unread.
GROUPS = ImportField(
    "groups", "Group", kind=TEXT, max_length=None, noun="group", storage_length=2000,
    clean=_name_list(GROUP_NAME_MAX), check=check_groups, only_when_mapped=True,
    check_codes=("unknown_group",), synonyms=_ranked(
        ("Group", "Groups", "Group name", "Group names", "Groupe", "Groupes", "Gruppe", "Gruppen", "Grupo",
         "Grupos", "Gruppo", "Gruppi", "Groep", "Groepen", "Grupa", "Grupy", "Группа", "Группы", "グループ"),
        ("Team", "Teams", "Équipe", "Cohort", "Cohorts"),
    ))
SERIES = ImportField(
    "series", "Series", kind=TEXT, max_length=None, noun="series", storage_length=2000,
    clean=_name_list(SERIES_NAME_MAX), check=check_series, only_when_mapped=True,
    check_codes=("unknown_series", "archived_series"), synonyms=_ranked(
        ("Series", "Series name", "Series names", "Série", "Séries", "Serie", "Serien", "Reeks", "Серия"),
        ("Course", "Courses", "Enrol in", "Enroll in", "Formation", "Formations", "Kurs", "Kurse", "Curso",
         "Cursos", "Corso", "Corsi", "Cursus", "Kursy", "Курс", "コース"),
    ))
ACCOUNT_STATUS = ImportField(
    # Headed "Active" in the staged table: a second "Status" beside "Status and problems" read as the row's own.
    "account_status", "Status", kind=TEXT, max_length=None, noun="status", storage_length=60, heading="Active",
    clean=clean_status, only_when_mapped=True, synonyms=_ranked(
        ("Status", "Account status", "User status", "Statut", "Statut du compte", "Kontostatus", "Estado",
         "Stato", "Estado da conta", "Accountstatus", "Статус", "ステータス"),
        ("Active", "Is active", "Enabled", "Actif", "Aktiv", "Activo", "Attivo", "Ativo", "Actief"),
    ))
FIELDS = (GROUPS, SERIES, ACCOUNT_STATUS)
KEYS = tuple(f.key for f in FIELDS)


def register(app) -> None:
    """Make Group, Series and Status fields of the app's import registry."""
    for import_field in FIELDS:
        register_field(import_field, app)
    app.jinja_env.globals["shown_fields"] = shown_fields


def mapped(batch) -> tuple[str, ...]:
    """The keys of the Group, Series and Status columns the batch's mapping reads."""
    columns = batch.column_map or {}
    return tuple(key for key in KEYS if columns.get(key) is not None)
