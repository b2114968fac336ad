"""A first or last name with no letter at all ("12345", "#", "?") is flagged on its row: it is almost always a
wrong column (an employee number) or junk. The usual "no last name" marks read as an empty last name."""
from __future__ import annotations

import pytest

from webapp.imports.cleaning import check_values
from webapp.imports.problems import sentences
from tests.test_imports_qa_files import stage

FIRST_NUMBER = ("First name \u201c12345\u201d has no letters, so it is not a name: it may be an employee number or "
                "another column's value. Check which column feeds the first name under \u201cHow we read the "
                "file\u201d, or edit this row and type the first name.")


def _last(value: str) -> str:
    return (f"Last name \u201c{value}\u201d has no letters, so it is not a name: it may be an employee number or "
            "another column's value. Check which column feeds the last name under \u201cHow we read the file\u201d, "
            "or edit this row and type the last name (leave it blank if the person has none).")


@pytest.mark.parametrize("first, last, staged, problems", [
    ("12345", "Lee", ("12345", "Lee"), [FIRST_NUMBER]),
    ("Ann", "0", ("Ann", "0"), [_last("0")]),
    ("Ann", "#", ("Ann", "#"), [_last("#")]),
    ("Ann", "?", ("Ann", "?"), [_last("?")]),
    ("Ann", "4711 / 2", ("Ann", "4711 / 2"), [_last("4711 / 2")]),
    # "No last name", however it is written: an empty last name, the person's one name kept.
    ("Ann", "-", ("Ann", ""), []),
    ("Ann", ".", ("Ann", ""), []),
    ("Ann", "n/a", ("Ann", ""), []),
    ("Ann", "N/A", ("Ann", ""), []),
    ("Ann", "none", ("Ann", ""), []),
    ("Ann", "\u2014", ("Ann", ""), []),
    ("Ann", "", ("Ann", ""), []),
    ("", "Suharto", ("", "Suharto"), []),  # one name, given as the last
    (".", "Suharto", ("", "Suharto"), []),
    # Names with letters in any script, numbers and marks beside them, stay names.
    ("Ann 2", "Lee", ("Ann 2", "Lee"), []),
    ("J.", "O'Brien", ("J.", "O'Brien"), []),
    ("\u674e", "\u5c0f\u9f8d", ("\u674e", "\u5c0f\u9f8d"), []),
    ("\u0645\u062d\u0645\u062f", "\u0639\u0644\u064a", ("\u0645\u062d\u0645\u062f", "\u0639\u0644\u064a"), []),
    ("Zo\u00eb", "\u00d8sterg\u00e5rd", ("Zo\u00eb", "\u00d8sterg\u00e5rd"), []),
    # Nothing at all: said once, as before.
    ("-", ".", ("", ""), ["First name and last name are both missing."]),
])
def test_a_name_without_letters_is_a_problem_and_no_last_name_is_blank(first, last, staged, problems):
    checked = check_values({"first_name": first, "last_name": last, "email": "ann@example.com"})
    assert (checked.values["first_name"], checked.values["last_name"]) == staged
    assert sentences(checked.problems) == problems


def test_an_employee_number_read_as_the_first_name_is_shown_on_its_row(signed_in):
    data = ("First name,Last name,Email\n"
            "12345,Lee,ann@example.com\n"
            "Ben,.,ben@example.com\n"
            "Cat,Ho,cat@example.com\n").encode()
    rows = stage(signed_in, "people.csv", data)
    assert [(rows[line].first_name, rows[line].last_name, rows[line].status) for line in (2, 3, 4)] == [
        ("12345", "Lee", "invalid"), ("Ben", "", "valid"), ("Cat", "Ho", "valid")]
    assert rows[2].errors == [{"field": "first_name", "code": "name_without_letters", "params": {"value": "12345"}}]


@pytest.mark.parametrize("find, replacement, last_names, statuses", [
    # Letters replaced by digits leave no letter: the row gets the problem, as if the file had said it.
    ("Lee", "123", ["123", "Hoang"], ["invalid", "valid"]),
    # Digits in the replacement beside the name's other letters: still a name.
    ("ee", "33", ["L33", "Hoang"], ["valid", "valid"]),
    # A letter in the replacement: every changed name keeps one.
    ("Lee", "Li", ["Li", "Hoang"], ["valid", "valid"]),
])
def test_find_and_replace_that_leaves_a_name_without_letters_flags_its_row(
        signed_in, org, admin, find, replacement, last_names, statuses):
    from tests.test_imports_table_writes import replace
    from webapp.extensions import db
    from webapp.imports import staging
    from webapp.models import StagedRow

    batch = staging.stage_upload(org.id, admin.id, "people.csv", b"First Name,Last Name,Email\nAnn,Lee,ann@example.com\n"
                                 b"Bao,Hoang,bao@example.com\n", max_bytes=10**6, ttl_days=7)
    replace(signed_in, batch, "last_name", find, replacement)
    db.session.expire_all()
    staged = db.session.scalars(db.select(StagedRow).filter_by(batch_id=batch.id).order_by(StagedRow.line)).all()
    assert [(row.last_name, row.status) for row in staged] == list(zip(last_names, statuses))
    if "invalid" in statuses:
        assert staged[0].errors == [{"field": "last_name", "code": "name_without_letters", "params": {"value": "123"}}]
