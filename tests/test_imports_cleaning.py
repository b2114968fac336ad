"""Cleaning and validating rows: spaces, names, emails, account types, duplicates and conflicts."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.cleaning import (
    clean_cell,
    clean_name,
    clean_rows,
    parse_account_type,
    split_full_name,
    validate_fields,
)
from webapp.imports.columns import map_columns
from webapp.imports.reading import read_table
from webapp.imports.suggestions import suggestion_for

DATA = Path(__file__).parent / "data"


def cleaned(name: str, **options):
    table = read_table((DATA / name).read_bytes(), name)
    return clean_rows(table, map_columns(table.headers), **options)


def summary(rows):
    return [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("  Ann  ", "Ann"),
        ("\u00a0Ann\u00a0", "Ann"),
        ("\u202fAnn\u2009", "Ann"),
        ("\u200b\ufeffAnn\u200d", "Ann"),
        ("An\u200bn", "Ann"),
        ("\u00a0\u200b ", ""),
        ("Ann  Lee", "Ann  Lee"),
    ],
)
def test_clean_cell_trims_every_kind_of_space(text, expected):
    assert clean_cell(text) == expected


ZOHREH, SADAT, ZWNJ = "\u0632\u0647\u0631\u0647", "\u0633\u0627\u062f\u0627\u062a", "\u200c"


@pytest.mark.parametrize("text, expected", [
    # Persian spells Zohreh-Sadat and Mohammad-Reza with a ZWNJ between the parts: kept, once.
    (ZOHREH + ZWNJ + SADAT, ZOHREH + ZWNJ + SADAT), (ZOHREH + ZWNJ * 2 + SADAT, ZOHREH + ZWNJ + SADAT),
    ("\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627", "\u0645\u062d\u0645\u062f\u200c\u0631\u0636\u0627"),
    # Devanagari: a ZWNJ after the virama keeps the half form (\u0915\u094d\u200c\u0937 is not \u0915\u094d\u0937).
    ("\u0915\u094d\u200c\u0937", "\u0915\u094d\u200c\u0937"),
    # At the ends, beside Latin letters, digits or spaces, it is an invisible mark and goes.
    (ZWNJ + ZOHREH + ZWNJ, ZOHREH), ("An\u200cn", "Ann"), (ZOHREH + ZWNJ + "Lee", ZOHREH + "Lee"),
    (ZOHREH + ZWNJ + " " + SADAT, ZOHREH + " " + SADAT), (ZOHREH + ZWNJ + "\u06f1", ZOHREH + "\u06f1"),
    # Other invisible marks beside it still go.
    (ZOHREH + ZWNJ + SADAT + "\u200f", ZOHREH + ZWNJ + SADAT),
])
def test_a_zero_width_non_joiner_is_kept_only_inside_a_word_of_a_script_that_spells_with_it(text, expected):
    assert clean_cell(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [(" Mary   Ann ", "Mary Ann"), ("Karlsson\u00a0\u00a0Berg", "Karlsson Berg"), ("Ó  Briain", "Ó Briain"),
     ("Ann\tLee", "Ann Lee")],
)
def test_clean_name_collapses_runs_of_spaces(text, expected):
    assert clean_name(text) == expected


@pytest.mark.parametrize("cell", ["Info Requested", "TBC", "tba", "To be confirmed", "Not provided", "(not set)"])
def test_details_not_collected_yet_are_blank_not_a_name_or_an_address(cell):
    from webapp.imports.cleaning import check_values

    checked = check_values({"first_name": cell, "last_name": cell, "email": cell})
    assert (checked.values["first_name"], checked.values["email"]) == ("", "")
    assert [p["code"] for p in checked.problems] == ["missing", "names_missing"]


@pytest.mark.parametrize(
    "text, account_type",
    [
        ("", "user"), ("User", "user"), ("Org User", "user"), ("org-user", "user"), ("Learner", "user"),
        ("MEMBER", "user"), ("Admin", "admin"), ("Administrator", "admin"), (" admin. ", "admin"),
        ("Manager", "team_manager"), ("Team Manager", "team_manager"), ("team_manager", "team_manager"),
        ("Guest", "guest"), ("guest", "guest"),
        ("Team Lead", "team_manager"), ("Line manager", "team_manager"), ("Visitor", "guest"),
        # Never an admin from a word that may mean something else in the file's system, and no employment type
        # (Staff, Contractor, External) taken for an account type: the admin chooses.
        ("Superuser", None), ("Owner", None), ("Primary Owner", None), ("Instructor", None), ("Staff", None),
        ("External", None),
    ],
)
def test_account_type_aliases(text, account_type):
    assert parse_account_type(text) == account_type


@pytest.mark.parametrize(
    "text, parts",
    [("Mary Ann Evans", ("Mary Ann", "Evans")), ("Curie, Marie", ("Marie", "Curie")),
     ("  Ada   Lovelace ", ("Ada", "Lovelace")), ("Plato", ("Plato", "")), ("", ("", "")),
     # Titles are not part of the name; a generational or degree suffix stays with the surname.
     ("Dr. Ann Lee", ("Ann", "Lee")), ("Prof. Dr. Hans Müller", ("Hans", "Müller")), ("Sr. Juan Pérez", ("Juan", "Pérez")),
     ("Lee, Dr. Ann", ("Ann", "Lee")), ("Ms Lee", ("", "Lee")), ("Dr", ("Dr", "")),
     ("Mr Bob Ray Jr.", ("Bob", "Ray Jr.")), ("Bob Ray, Jr.", ("Bob", "Ray Jr.")),
     ("Martin Luther King III", ("Martin Luther", "King III")), ("Ann Lee PhD", ("Ann", "Lee PhD")),
     ("Lee, Ann (Dr)", ("Ann", "Lee")), ("Drew Barrymore", ("Drew", "Barrymore"))],
)
def test_split_full_name(text, parts):
    assert split_full_name(text) == parts


@pytest.mark.parametrize(
    "cells, has_type, expected_errors",
    [
        (("Ann", "Lee", "ann@example.com", ""), False, []),
        (("Ann", "Lee", "", ""), False, ["Email address is missing."]),
        (("", "", "ann@example.com", ""), False, ["First name and last name are both missing."]),
        (("Ann", "", "ann@example.com", ""), False, []),
        (("Ann", "Lee", "ann@example.com", "Wizard"), True,
         ['Account type \u201cWizard\u201d is not known. Use one of: User, Guest, Admin, Team Manager.']),
        (("Ann", "Lee", "ann@example.com", "Wizard"), False, []),
        (("A" * 101, "Lee", "ann@example.com", ""), False, ["First name is longer than 100 characters."]),
    ],
)
def test_validate_fields_reports_what_is_wrong(cells, has_type, expected_errors):
    *_, errors = validate_fields(*cells, has_type_column=has_type)
    assert errors == expected_errors


def test_validate_fields_returns_cleaned_values_for_an_inline_edit():
    assert validate_fields(" Ann ", " van  der Berg ", " ANN@Example.COM ", "administrator", has_type_column=True) == (
        "Ann", "van der Berg", "ann@example.com", "admin", [],
    )


def test_an_invalid_email_keeps_the_admins_text():
    first, last, email, account_type, errors = validate_fields("Ann", "Lee", " ann@@Example.com ", "",
                                                               has_type_column=False)
    assert email == "ann@@Example.com"
    assert errors[0].startswith("Not a valid email address")


@pytest.mark.parametrize("cell", [
    "ivy@example.com; ivy.home@example.net", "ivy@example.com, ivy.home@example.net",
    "ivy@example.com / ivy.home@example.net", "ivy@example.com or ivy.home@example.net",
    # Recipients copied from a mail program: never unwrapped to the last one as if it were "Name <address>".
    "<ivy@example.com>, <ivy.home@example.net>", "<ivy@example.com> <ivy.home@example.net>",
    "Ivy Po <ivy@example.com>; Ivy at home <ivy.home@example.net>",
    '"Po, Ivy" <ivy@example.com>, "Po, Ivy (home)" <ivy.home@example.net>', "ivy@example.com, <ivy.home@example.net>",
])
def test_a_cell_listing_two_addresses_says_so_and_suggests_the_first(cell):
    _, _, email, _, errors = validate_fields("Ivy", "Po", cell, "", has_type_column=False)
    assert email == cell  # kept as typed, for the admin to choose
    assert errors == [f"The cell holds 2 email addresses (\u201c{cell}\u201d); a person signs in with one. Keep the "
                      "person's own address."]
    assert suggestion_for(cell, False) == "ivy@example.com"


@pytest.mark.parametrize("cell", ["Ivy Po <Ivy@Example.com>", '"Po, Ivy" <ivy@example.com>', "<ivy@example.com>",
                                  '"ivy@example.com" <ivy@example.com>', "ivy@example.com <IVY@example.com>",
                                  # Outlook's display name of a contact, and a recipient copied from its To line
                                  "Ivy Po (ivy@example.com)", "Po, Ivy (Ivy@Example.com)", "Ivy Po <ivy@example.com>;"])
def test_one_recipient_written_as_a_mail_program_does_is_the_address(cell):
    assert validate_fields("Ivy", "Po", cell, "", has_type_column=False)[2:] == ("ivy@example.com", "user", [])


def test_invalid_emails_file_says_why_each_row_is_invalid():
    rows = cleaned("invalid_emails.csv")
    assert [(row.line, row.status) for row in rows] == [
        (2, "valid"), (3, "invalid"), (4, "invalid"), (5, "invalid"), (6, "invalid"), (7, "invalid"),
        (8, "invalid"), (9, "valid"),
    ]
    errors = {row.line: row.errors for row in rows}
    assert errors[3] == ["Email address is missing."]
    assert errors[4] == ["Not a valid email address: An email address must have an @-sign."]
    assert "special-use or reserved name" in errors[7][0]
    assert errors[8] == ["First name and last name are both missing."]
    assert rows[-1].email == "wrapped@example.com"


def test_duplicates_are_ignored_and_conflicts_name_the_earlier_line():
    rows = cleaned("duplicates_conflicts.csv")
    assert [(row.line, row.status, row.duplicate_of, row.errors) for row in rows] == [
        (2, "valid", None, []),
        (3, "valid", None, []),
        (4, "duplicate", 2, []),
        (5, "invalid", None, ["Same email as line 2, with different details."]),
        (6, "duplicate", 3, []),
        (7, "valid", None, []),
    ]


def test_different_account_types_for_one_email_are_a_conflict():
    table = read_table(b"Email,First Name,Type\nann@example.com,Ann,Admin\nann@example.com,Ann,Guest\n"
                       b"ann@example.com,Ann,administrator\n", "a.csv")
    rows = clean_rows(table, map_columns(table.headers))
    assert [(row.status, row.account_type, row.errors) for row in rows] == [
        ("valid", "admin", []),
        ("invalid", "guest", ["Same email as line 2, with different details."]),
        ("duplicate", "admin", []),
    ]


def test_invisible_spaces_and_letter_case_are_cleaned():
    assert summary(cleaned("invisible_spaces.csv")) == [
        (2, "Anna", "Karlsson Berg", "anna@example.com", "valid"),
        (3, "Ben", "Ng", "ben@example.com", "valid"),
        (5, "Cleo", "Patel", "cleo@example.com", "valid"),
    ]


def test_account_type_column_sets_each_rows_type():
    rows = cleaned("account_types.csv")
    assert [(row.line, row.account_type, row.status) for row in rows] == [
        (2, "user", "valid"), (3, "user", "valid"), (4, "admin", "valid"), (5, "team_manager", "valid"),
        (6, "guest", "valid"), (7, "user", "invalid"),
    ]
    assert rows[-1].errors == ['Account type \u201cSuperuser\u201d is not known. Use one of: User, Guest, Admin, Team Manager.']


def test_default_account_type_applies_without_a_type_column():
    assert {row.account_type for row in cleaned("moodle.csv", default_account_type="guest")} == {"guest"}


@pytest.mark.parametrize(
    "name, expected",
    [
        ("utf8_bom.csv", [(2, "José", "García", "jose.garcia@example.com", "valid"),
                          (3, "Zoë", "Brontë", "zoe.bronte@example.com", "valid"),
                          (4, "Åsa", "Øberg", "asa.oberg@example.org", "valid")]),
        ("cp1252_semicolon.csv", [(2, "José", "Núñez", "jose.nunez@example.com", "valid"),
                                  (3, "Zoë", "Müller", "zoe.muller@example.com", "valid"),
                                  (4, "François", "L\u2019Hôte", "francois@example.org", "valid")]),
        ("utf16_tab.txt", [(2, "Jürgen", "Schäfer", "jurgen@example.com", "valid"),
                           (3, "Siobhán", "Ó Briain", "siobhan@example.com", "valid")]),
        ("people.xlsx", [(3, "Kofi", "Mensah", "kofi@example.com", "valid"),
                         (5, "Lena", "Vogel", "lena@example.com", "valid"),
                         (6, "Omar", "", "omar@example.com", "valid")]),
        ("google_workspace.csv", [(2, "Priya", "Shah", "priya.shah@example.com", "valid"),
                                  (3, "Liam", "Walsh", "liam.walsh@example.com", "valid")]),
        ("moodle.csv", [(2, "Jane", "Doe", "jane.doe@example.com", "valid"),
                        (3, "Richard", "Roe", "richard.roe@example.com", "valid")]),
        ("microsoft365_admin.csv", [(2, "Ingrid", "Larsen", "ingrid.larsen@example.com", "valid"),
                                    (3, "Ola", "Nordmann", "ola.nordmann@example.com", "valid")]),
        ("full_name.csv", [(2, "Mary Ann", "Evans", "mary@example.com", "valid"),
                           (3, "Marie", "Curie", "marie@example.com", "valid"),
                           (4, "Plato", "", "plato@example.com", "valid")]),
        ("hr_export.csv", [(2, "Bob", "Hughes", "bob.hughes@example.com", "valid"),
                           (3, "Margaret", "Hall", "margaret.hall@example.com", "valid")]),
        ("quoted_fields.csv", [(2, "Mary, Jr.", "Smith", "mary@example.com", "valid"),
                               (3, "Tom", 'O\'Neil "Tommy"', "tom@example.com", "valid"),
                               (6, "Ann", "Lee", "ann@example.com", "valid")]),
        ("messy_shape.csv", [(2, "Ann", "Ames", "ann@example.com", "valid"),
                             (5, "Short", "Row", "", "invalid"),
                             (6, "Long", "Row", "long@example.com", "valid"),
                             (8, "Last", "Row", "last@example.com", "valid")]),
    ],
)
def test_golden_files_clean_to_the_people_in_them(name, expected):
    assert summary(cleaned(name)) == expected


def test_entra_mail_falls_back_to_the_sign_in_name_and_user_type_sets_guests():
    table = read_table(b"User principal name,Mail,Given name,Surname,User type\n"
                       b"kim@example.com,,Kim,Lee,Member\npat@example.org,pat@example.org,Pat,Ray,Guest\n", "e.csv")
    rows = clean_rows(table, map_columns(table.headers))
    assert [(row.email, row.account_type, row.status) for row in rows] == [
        ("kim@example.com", "user", "valid"), ("pat@example.org", "guest", "valid"),
    ]


def test_rows_read_add_up_to_the_statuses():
    rows = cleaned("duplicates_conflicts.csv") + cleaned("invalid_emails.csv")
    counts = {status: sum(row.status == status for row in rows) for status in ("valid", "invalid", "duplicate")}
    assert counts == {"valid": 5, "invalid": 7, "duplicate": 2}
    assert sum(counts.values()) == len(rows)


@pytest.mark.parametrize("first, last, email", [
    ("Ann", "Lee", "Ann.Lee@Example.COM"),
    ("Ann", "Lee", "ann+tag@school7.example.org"),
    ("Ann Marie", "van der Berg", "o'neil@example.com"),
    ("Ann  Marie", "Lee", "ann@example.com"),
    (" Ann", "Lee ", "ann@example.com"),
    ("NULL", "n/a", "ann@example.com"),
    ("Ann", "Lee", "n/a"),
    ("Ann", "", "ann@example.com"),
    ("José", "Lee", "ann@example.com"),
    ("Ann\x00", "Lee", "ann@example.com"),
    ("A" * 101, "Lee", "ann@example.com"),
    ("Ann", "Lee", "ann_example.com#EXT#@tenant.onmicrosoft.com"),
    ("Ann", "Lee", "Ann <ann@example.com>"),
    ("Ann", "Lee", "<ann@example.com>, <ann.lee@example.org>"),
    ("Ann", "Lee", "mailto:ann@example.com"),
    ("Ann", "Lee", "ann at example.com"),
    ("Ann", "Lee", "ann@exa_mple.com"),
    ("Ann", "Lee", "ann@bücher.de"),
    ("Ann", "Lee", "a" * 65 + "@example.com"),
])
def test_a_whole_row_is_cleaned_as_each_of_its_cells_would_be(app, first, last, email):
    """Plain rows take a quicker path through cleaning; any row comes out as the per-cell cleaners make it."""
    from webapp.imports.cleaning import Cleaner, check_values

    [row] = Cleaner(map_columns(["First Name", "Last Name", "Email Address"])).clean([(2, [first, last, email])])
    checked = check_values({"first_name": first, "last_name": last, "email": email})
    assert (row.first_name, row.last_name, row.email, row.email_ok) == (
        checked.values["first_name"], checked.values["last_name"], checked.values["email"], checked.email_ok)
    assert row.problems == checked.problems
    assert row.status == ("invalid" if checked.problems else "valid")


@pytest.mark.parametrize("cell, name", [
    ("'=SUM(A1)", "=SUM(A1)"), ("'+Noor", "+Noor"), ("'-Ravi", "-Ravi"), ("'@Lena", "@Lena"),
    ("'\uff1dLi", "\uff1dLi"), ("' =1+1", "=1+1"),  # what csvsafe writes for a full-width or spaced formula sign
    ("'Abdul", "'Abdul"), ("O'Brien", "O'Brien"), ("'", "'"), ("''=SUM(A1)", "''=SUM(A1)"),
])
def test_only_our_formula_escape_is_undone_on_reading(cell, name):
    people = f"First Name,Last Name,Email Address\n{cell},{cell},ann@example.com\n".encode()
    table = read_table(people, "people.csv")
    (row,) = clean_rows(table, map_columns(table.headers))
    assert (row.first_name, row.last_name) == (name, name)


def test_an_address_our_csv_escaped_comes_back_as_it_was():
    table = read_table(b"First Name,Last Name,Email Address\nJo,Lee,'-jo@example.com\n", "people.csv")
    (row,) = clean_rows(table, map_columns(table.headers))
    assert (row.email, row.status) == ("-jo@example.com", "valid")
