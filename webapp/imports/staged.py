"""Reading a StagedRow: its problems and its fields' values (template globals of the imports blueprint).

These lived on the model; they read the imports field registry and problem sentences, which sit
above the models, so they are functions here and the model stays free of feature imports.
"""
from __future__ import annotations

from webapp.imports.fields import ImportField, get_field
from webapp.imports.problems import sentence, sentences, stored_problems


def staged_problems(row) -> list[dict]:
    """Every problem with the row, as data."""
    return stored_problems(row.errors, row.account_type_error, row.conflict_with)


def staged_sentences(row) -> list[str]:
    """Every problem to show beside the row, in plain sentences."""
    return sentences(staged_problems(row))


def staged_problem_fields(row) -> frozenset[str]:
    """The fields whose cells hold a problem on this row (email, groups, account_type...), to mark those cells."""
    if not (row.errors or row.account_type_error or row.conflict_with):
        return frozenset()  # most rows: nothing to read
    return frozenset(staged_field_errors(row))


def staged_field_errors(row) -> dict[str, list[str]]:
    """The row's problems in sentences by field, to mark the fields of its edit form the moment it opens.

    A field listed with no sentence of its own is wrong too; its sentence sits by the first name (both names
    missing is one problem, stored on first_name).
    """
    return _by_field(staged_problems(row))


def own_field_errors(row) -> dict[str, list[str]]:
    """staged_field_errors without a conflict with another row: what the admin must still fix in this row itself
    after a save (a conflict may be ended by changing the other row)."""
    return _by_field(stored_problems(row.errors, row.account_type_error))


def _by_field(problems: list[dict]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in problems:
        if item.get("field"):
            found.setdefault(item["field"], []).append(sentence(item))
        if item.get("code") == "names_missing":
            found.setdefault("last_name", [])
    return found


def staged_value(row, key: str | ImportField):
    """A registered field's staged value: its own column, or the extra values (the field given, or its key)."""
    # (Given the field, a table of 50 rows skips 150 look-ups of the registry: ~5% of its drawing.)
    import_field = key if isinstance(key, ImportField) else get_field(key)
    if import_field is not None and import_field.column:
        return getattr(row, import_field.column)
    return (row.extra or {}).get(import_field.key if import_field is not None else key, "")


def hidden_lines_named(hidden: dict) -> str:
    """The rows a workbook hid, as read_info keeps them ({"count", "lines"}): "line 3" or "lines 3, 4, 6, …"."""
    lines = hidden["lines"]
    more = ", \u2026" if hidden["count"] > len(lines) else ""
    return f"line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))}{more}"


def register(bp) -> None:
    """Make the readers template globals wherever the blueprint is registered."""
    for function in (staged_problems, staged_sentences, staged_problem_fields, staged_field_errors, staged_value,
                     hidden_lines_named):
        bp.add_app_template_global(function)
