"""The Group, Series and Status cleaning rules: header synonyms, parsing, typed problems and their sentences."""
from __future__ import annotations

import pytest

from webapp.imports import sync_fields


@pytest.mark.parametrize("header, key", [
    ("Group", "groups"), ("Groups", "groups"), ("Groupes", "groups"), ("Gruppe", "groups"), ("Grupo", "groups"),
    ("Team", "groups"), ("Series", "series"), ("Séries", "series"), ("Kurs", "series"), ("Course", "series"),
    ("Status", "status"), ("Statut", "status"), ("Account status", "status"), ("Aktiv", "status"),
    ("STATUS (active/inactive)", "status"),
])
def test_headers_in_several_languages_are_recognised(header, key):
    assert sync_fields.find_columns(["Email", header]) == {key: 1}


def test_unrelated_headers_are_left_alone_and_the_first_column_wins():
    assert sync_fields.find_columns(["First Name", "Email", "Notes"]) == {}
    assert sync_fields.find_columns(["Group", "Team"]) == {"groups": 0}


@pytest.mark.parametrize("cell, names", [
    ("Sales", ["Sales"]), (" Sales ;  Night   shift ", ["Sales", "Night shift"]), ("a;A;b", ["a", "b"]),
    ("", []), (" ; ", []), ("x|y", ["x", "y"]),
])
def test_names_are_split_on_semicolons_and_tidied(cell, names):
    assert sync_fields.parse_groups(cell).value == names
    assert sync_fields.parse_series(cell).value == names


@pytest.mark.parametrize("cell, value", [
    ("active", True), ("Active", True), ("yes", True), ("Y", True), ("enabled", True), ("actif", True),
    ("aktiv", True), ("1", True), ("inactive", False), ("no", False), ("disabled", False), ("inactif", False),
    ("inaktiv", False), ("suspended", False), ("left", False), ("0", False), ("", None), ("  ", None),
])
def test_status_words(cell, value):
    parsed = sync_fields.parse_status(cell)
    assert parsed.problem is None and parsed.value is value


def test_an_unknown_status_is_a_typed_problem_with_a_sentence():
    parsed = sync_fields.parse_status("maybe")
    assert parsed.problem == {"field": "status", "code": "unknown_status", "params": {"value": "maybe"}}
    assert sync_fields.problem_text(parsed.problem) == "Status “maybe” is not one we know: use active or inactive."


def test_a_group_name_that_is_too_long_is_a_problem():
    parsed = sync_fields.parse_groups("x" * 121)
    assert parsed.problem["code"] == "name_too_long"
    assert "longer than 120 characters" in sync_fields.problem_text(parsed.problem)
