"""Row problems as data ({"field", "code", "params"}) and the one place that turns them into sentences."""
from __future__ import annotations

KNOWN_TYPES_SENTENCE = "Use one of: User, Guest, Admin, Team Manager."


def problem(field: str, code: str, **params) -> dict:
    """One problem with a row: which field, what kind (a code), and the details the sentence needs."""
    return {"field": field, "code": code, "params": params}


def _noun(field: str) -> str:
    from webapp.imports.fields import field_noun  # fields declare their cleaners with problems

    return field_noun(field)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _missing(field, params):
    return f"{_cap(_noun(field))} is missing."


def _too_long(field, params):
    return f"{_cap(_noun(field))} is longer than {params['max']} characters."


def _controls(field, params):
    return (f"{_cap(_noun(field))} had control characters (such as NUL) that a person cannot type; they were "
            "removed, so check the value and save it.")


def _mojibake(field, params):
    return (f"{_cap(_noun(field))} \u201c{params.get('value', '')}\u201d looks garbled, as if the file was read with "
            "the wrong encoding. Choose another encoding under \u201cHow we read the file\u201d, or type it again.")


def _unknown_choice(field, params):
    return (f"{_cap(_noun(field))} \u201c{params.get('value', '')}\u201d is not understood. "
            "Use yes or no (or leave it blank for no).")


def _spreadsheet_error(field, params):
    return (f"{_cap(_noun(field))} holds the spreadsheet error \u201c{params.get('value', '')}\u201d, not a value: "
            "a formula in the file could not be worked out. Correct it in the spreadsheet and upload the file again, "
            f"or edit this row and type the {_noun(field)}.")


def _formula_without_result(field, params):
    formula = params.get("formula", "")
    shown = f" (\u201c={formula}\u201d)" if formula and formula != "(formula)" else ""
    return (f"{_cap(_noun(field))} is a formula{shown} saved without its result, so the file holds no value for "
            "it. Open the file in your spreadsheet program and save it again (that works the formulas out), then "
            f"upload it; or edit this row and type the {_noun(field)}.")


def _name_without_letters(field, params):
    blank = " (leave it blank if the person has none)" if field == "last_name" else ""
    return (f"{_cap(_noun(field))} \u201c{params.get('value', '')}\u201d has no letters, so it is not a name: it may "
            f"be an employee number or another column's value. Check which column feeds the {_noun(field)} under "
            f"\u201cHow we read the file\u201d, or edit this row and type the {_noun(field)}{blank}.")


_SENTENCES = {
    "missing": _missing,
    "too_long": _too_long,
    "control_characters": _controls,
    "mojibake": _mojibake,
    "name_without_letters": _name_without_letters,
    "unknown_choice": _unknown_choice,
    "spreadsheet_error": _spreadsheet_error,
    "formula_without_result": _formula_without_result,
    "invalid_email": lambda field, p: f"Not a valid email address: {p.get('reason', '')}".rstrip(": "),
    "several_emails": lambda field, p: (f"The cell holds {p.get('count', 2)} email addresses "
                                        f"(\u201c{p.get('value', '')}\u201d); a person signs in with one. Keep "
                                        "the person's own address."),
    "exchange_address": lambda field, p: (f"\u201c{p.get('value', '')}\u201d is an internal Exchange address, "
                                          "not an email address (Outlook exports one for a contact copied from "
                                          "the address book). Type the person's email address."),
    "guest_alias": lambda field, p: (f"\u201c{p.get('value', '')}\u201d is a guest's sign-in alias, not a mailbox. "
                                     "Type the person's own email address."),
    "names_missing": lambda field, p: "First name and last name are both missing.",
    "unknown_account_type": lambda field, p: (f"Account type \u201c{p.get('value', '')}\u201d is not known. "
                                              f"{KNOWN_TYPES_SENTENCE}"),
    "same_email": lambda field, p: f"Same email as line {p['line']}, with different details.",
    "duplicate": lambda field, p: f"Same as line {p['line']} in every field, so it is ignored.",
    "existing": lambda field, p: "Already has an account in this organisation.",
    "failed": lambda field, p: p.get("reason") or "Not created.",
    "removed": lambda field, p: "Removed by you from this import.",
    "note": lambda field, p: p.get("message", ""),
    "name_too_long": lambda field, p: (f"{_cap(_noun(field))} name \u201c{p.get('name', '')}\u2026\u201d in the "
                                       f"{_noun(field).title()} column is longer than {p.get('limit')} characters."),
    "unknown_group": lambda field, p: (f"No group called \u201c{p.get('name', '')}\u201d (Group column). Tick Create "
                                       "missing groups, or correct the name."),
    "unknown_series": lambda field, p: (f"No series called \u201c{p.get('name', '')}\u201d (Series column). Create "
                                        "it under Series first, or correct the name."),
    "archived_series": lambda field, p: (f"The series \u201c{p.get('name', '')}\u201d (Series column) is archived. "
                                         "Unarchive it first, or remove it from the row."),
    "unknown_status": lambda field, p: (f"Status \u201c{p.get('value', '')}\u201d is not one we know: use active "
                                        "or inactive."),
}


def sentence(item: dict) -> str:
    """The sentence a person reads for one problem."""
    build = _SENTENCES.get(item.get("code"))
    params = item.get("params") or {}
    if build is None:
        return params.get("message") or f"{_cap(_noun(item.get('field', '')))} needs checking."
    return build(item.get("field", ""), params)


def sentences(items) -> list[str]:
    """Sentences for a list of problems, in order."""
    return [sentence(item) for item in items or ()]


def stored_problems(errors, account_type_error=None, conflict_with=None) -> list[dict]:
    """A staged row's problems as data, from its stored columns (errors, refused type, conflict)."""
    found = [item if isinstance(item, dict) else problem("", "note", message=str(item)) for item in errors or []]
    if account_type_error:
        found.append(problem("account_type", "unknown_account_type", value=account_type_error))
    if conflict_with:
        found.append(problem("email", "same_email", line=conflict_with))
    return found


def outcome_problems(row) -> list[dict]:
    """Why a staged row (ORM object or plain result row) will not be, or was not, created."""
    if row.status == "duplicate":
        return [problem("", "duplicate", line=row.duplicate_of)]
    if row.status == "existing":
        return [problem("email", "existing")]
    if row.status == "failed":
        return [problem("", "failed", reason=row.failure_reason)]
    if row.status == "removed":
        return [problem("", "removed")]
    return stored_problems(row.errors, row.account_type_error, row.conflict_with)
