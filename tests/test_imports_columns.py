"""Mapping header cells to fields: the synonym table, look-alike email columns, preferences and messages."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.columns import NoEmailColumn, classify_header, map_columns, normalise_header
from webapp.imports.reading import read_table

DATA = Path(__file__).parent / "data"


def headers_of(name: str) -> list[str]:
    return read_table((DATA / name).read_bytes(), name).headers


@pytest.mark.parametrize(
    "header, key",
    [
        ("Email Address [Required]", "emailaddress"),
        ("  E-mail\u00a0Address (optional) ", "emailaddress"),
        ("\ufeffFIRST_NAME", "firstname"),
        ("Prénom", "prenom"),
        ("Last name {legal}", "lastname"),
    ],
)
def test_normalise_header_drops_case_accents_punctuation_spaces_and_notes(header, key):
    assert normalise_header(header) == key


@pytest.mark.parametrize(
    "header, field",
    [
        # Template and Excel
        ("First Name", "first_name"), ("Last Name", "last_name"), ("Email Address", "email"),
        ("E-mail", "email"), ("EMAIL", "email"), ("Account Type", "account_type"),
        # Google Workspace
        ("First Name [Required]", "first_name"), ("Last Name [Required]", "last_name"),
        ("Email Address [Required]", "email"),
        # Microsoft 365 / Entra ID
        ("User principal name", "email"), ("userPrincipalName", "email"), ("Mail", "email"),
        ("Given name", "first_name"), ("givenName", "first_name"), ("Surname", "last_name"),
        ("Display name", "full_name"), ("User Type", "account_type"),
        # Moodle and Canvas
        ("firstname", "first_name"), ("lastname", "last_name"), ("email", "email"),
        ("first_name", "first_name"), ("last_name", "last_name"), ("full_name", "full_name"),
        ("name", "full_name"), ("sortable_name", "full_name"), ("Student", "full_name"),
        ("Employee", "full_name"), ("Learner", "full_name"), ("Participant", "full_name"),
        # HR systems
        ("Work Email", "email"), ("Employee Email", "email"), ("Legal First Name", "first_name"),
        ("Preferred First Name", "preferred_name"), ("Known As", "preferred_name"),
        ("Family name", "last_name"), ("Forename", "first_name"),
        # Email and whole-name headers of other languages
        ("E-post", "email"), ("Sähköpostiosoite", "email"), ("E-posta", "email"), ("Indirizzo email aziendale", "email"),
        ("Nazwisko i imię", "full_name"), ("Vor- und Zuname", "full_name"), ("Nome Cognome", "full_name"),
        # UK school systems (SIMS, Arbor)
        ("Legal Forename", "first_name"), ("Legal Surname", "last_name"), ("Preferred Surname", "last_name"),
        ("Preferred Forename", "preferred_name"),
        # Meeting and event tools: Zoom's "User Name (Original Name)", a course's delegates
        ("User Name (Original Name)", "full_name"), ("Attendee Name", "full_name"), ("Delegate", "full_name"),
        # Schools, recruiting and volunteering lists, and names with a slash
        ("Pupil", "full_name"), ("Candidate Name", "full_name"), ("Volunteer", "full_name"),
        ("First/Last Name", "full_name"), ("Surname/Family name", "last_name"), ("Given/First name", "first_name"),
        # A CRM report's "Object: Field" (Salesforce), and a numbered form question
        ("Contact: Full Name", "full_name"), ("Contact: First Name", "first_name"), ("Lead: Email", "email"),
        ("Q1: What is your name?", "full_name"),
        ("Student Email Address", "email"), ("Role", "account_type"), ("Type", "account_type"),
        # Other languages
        ("Prénom", "first_name"), ("Nom", "last_name"), ("Courriel", "email"), ("Vorname", "first_name"),
        ("Nachname", "last_name"), ("E-Mail-Adresse", "email"), ("Apellidos", "last_name"),
    ],
)
def test_synonyms_map_to_their_field(header, field):
    assert classify_header(header)[0] == field


@pytest.mark.parametrize(
    "header",
    [
        "Recovery Email", "Manager Email", "Secondary Email", "Home Secondary Email", "Work Secondary Email",
        "Alternate Email", "alternateEmailAddress", "Supervisor E-mail", "Parent Email", "Emergency Contact Email",
        "New Primary Email [UPLOAD ONLY]", "Email Verified", "Email Usage [READ ONLY]", "CC Email",
        "username", "login_id", "Phone", "Employee ID", "Employee Type",
        # A manager's or parents' address in the other languages headers are matched in
        "E-Mail (Vorgesetzte/r)", "E-Mail F\u00fchrungskraft", "E-Mail der Eltern", "Courriel du responsable",
        "Correo del jefe", "E-mail leidinggevende", "Email genitori", "Adresse e-mail du tuteur",
        # A learner's carers and contacts in a school's or college's export
        "Primary Contact Email", "Contact 1 Email", "Priority 1 Contact Email", "Mother Email", "Carer Email",
        "Next of Kin Email", "Family Email",
        # The record's owner or creator in a CRM report is someone else
        "Contact Owner: Email", "Owner Email", "Created By: Full Name", "Account: Account Name",
    ],
)
def test_other_peoples_emails_and_unrelated_columns_map_to_nothing(header):
    assert classify_header(header) is None


@pytest.mark.parametrize(
    "headers, email_header",
    [
        (["Name", "Mail", "Email Address"], "Email Address"),
        (["User principal name", "Mail", "Display name"], "Mail"),
        (["Recovery Email", "Email"], "Email"),
        (["Personal Email", "Work Email"], "Work Email"),
        (["Email (personal)", "Email (work)"], "Email (work)"),
        # The same notes in other languages
        (["E-Mail (privat)", "E-Mail (geschäftlich)"], "E-Mail (geschäftlich)"),
        (["E-Mail (persönlich)", "E-Mail"], "E-Mail"),
        (["Courriel personnel", "Courriel"], "Courriel"),
        (["E-mail privé", "Correo electrónico corporativo"], "Correo electrónico corporativo"),
        (["Manager Email", "Personal Email", "Name"], "Personal Email"),
        (["Email", "Email"], "Email"),
        # Whoever booked, paid or taught: the address only when no other column holds one.
        (["Buyer Email", "Email", "First Name"], "Email"), (["Billing Email", "Customer Email"], "Customer Email"),
        (["Trainer Email", "Delegate Email"], "Delegate Email"), (["First Name", "Billing Email"], "Billing Email"),
        (["Teacher Name", "Teacher Email"], "Teacher Email"),
        (["Employer Email", "Apprentice Email"], "Apprentice Email"),
    ],
)
def test_the_strongest_email_column_wins(headers, email_header):
    columns = map_columns(headers)
    assert columns.header_names(headers)["email"] == email_header


@pytest.mark.parametrize("header, stands_in", [
    ("Manager", False), ("Line Manager", False), ("Reports To", False), ("Parent", False), ("Supervisor", False),
    ("Assessor", False), ("Buyer", False),  # someone else's addresses, whatever the header leaves unsaid
    ("Login", True), ("User name", True), ("Column 3", True),  # the person's own sign-in or an unnamed column
])
def test_a_column_of_someone_elses_addresses_never_stands_in_for_a_blank_email(header, stands_in):
    rows = [(2, ["Ann", "ann@example.com", "boss@example.com"]), (3, ["Ben", "", "ben.or.boss@example.com"])]
    columns = map_columns(["First Name", "Email", header], rows)
    assert (columns.email, columns.fallbacks.get("email", [])) == (1, [2] if stands_in else [])


@pytest.mark.parametrize("cells, email_header, name_header", [
    (["anonymous", "", "Ann Lee", "ann@example.com"], "Email address", "Full name"),  # Microsoft Forms, anonymous
    (["ann@example.com", "Ann Lee", "", ""], "Email", "Name"),  # signed in: the questions were not asked
])
def test_an_empty_column_gives_way_to_one_that_holds_the_field(cells, email_header, name_header):
    headers = ["Email", "Name", "Full name", "Email address"]
    columns = map_columns(headers, [(2, cells), (3, cells)])
    names = columns.header_names(headers)
    assert (names["email"], names["full_name"], columns.doubts) == (email_header, name_header, [])


@pytest.mark.parametrize("headers", [["Email", "Buyer Email"], ["Email", "Billing Email"], ["Email", "Host Email"],
                                     ["Email", "Organizer Email"], ["Email", "Booked By Email"],
                                     ["Email", "Assessor Email"], ["Email", "Employer Contact Email"]])
def test_a_bookers_or_hosts_address_never_stands_in_for_a_blank_one(headers):
    assert map_columns(headers).fallbacks.get("email", []) == []


@pytest.mark.parametrize("headers, first, last, full", [
    (["Billing First Name", "Billing Last Name", "Billing Email"], "Billing First Name", "Billing Last Name", None),
    (["First Name", "Surname", "Email", "Buyer First Name", "Buyer Surname"], "First Name", "Surname", None),
    (["Booker Name", "Delegate First Name", "Delegate Surname", "Email"], "Delegate First Name", "Delegate Surname",
     None),
    (["Name", "Billing First Name", "Email"], "Name", "Name", "Name"),
])
def test_a_buyers_or_bookers_names_are_the_names_only_when_no_column_names_the_person(headers, first, last, full):
    names = map_columns(headers).header_names(headers)
    assert (names["first_name"], names["last_name"], names["full_name"]) == (first, last, full)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("google_workspace.csv", ("First Name [Required]", "Last Name [Required]", "Email Address [Required]", None)),
        ("moodle.csv", ("firstname", "lastname", "email", None)),
        ("microsoft365_admin.csv", ("First name", "Last name", "User principal name", None)),
        ("entra_users.csv", ("givenName", "surname", "mail", "userType")),
        ("canvas_users.csv", ("full_name", "full_name", "email", None)),
        ("hr_export.csv", ("Legal First Name", "Family Name", "Work Email", None)),
        ("full_name.csv", ("Full Name", "Full Name", "Email", None)),
        ("account_types.csv", ("First Name", "Last Name", "Email Address", "Account Type")),
        ("sharepoint_list.csv", ("Employee", "Employee", "Work Email", None)),
    ],
)
def test_exported_files_map_to_the_right_columns(name, expected):
    headers = headers_of(name)
    names = map_columns(headers).header_names(headers)
    assert (names["first_name"], names["last_name"], names["email"], names["account_type"]) == expected


def test_a_name_column_is_split_only_when_there_are_no_first_or_last_columns():
    assert map_columns(["Name", "Email"]).full_name == 0
    with_first = map_columns(["First Name", "Name", "Email"])
    # The name column stays a per-row source for rows whose first and last names are blank.
    assert (with_first.first_name, with_first.full_name, with_first.splits_full_name()) == (0, 1, False)


def test_no_email_column_names_the_headers_found():
    with pytest.raises(NoEmailColumn) as caught:
        map_columns(headers_of("no_email.csv"))
    assert str(caught.value) == (
        'No email column found. The file\'s headers are: "Name", "Phone". Add a column named "Email Address".'
    )


def test_a_file_without_a_header_row_is_mapped_by_content():
    table = read_table((DATA / "no_header.csv").read_bytes(), "no_header.csv")
    assert table.headerless and table.rows[0] == (1, ["Jane", "Doe", "jane@example.com"])
    assert map_columns(table.headers, table.rows).email == 2


def test_only_look_alike_email_columns_is_no_email_column():
    with pytest.raises(NoEmailColumn, match='"Recovery Email", "Manager Email"'):
        map_columns(["First Name", "Recovery Email", "Manager Email"])


@pytest.mark.parametrize(
    "header, field",
    [
        # Forms and surveys ask a question in the header.
        ("What is your full name?", "full_name"), ("What is your name?", "full_name"), ("Your name", "full_name"),
        ("What's your email address?", "email"), ("Please enter your first name", "first_name"),
        ("Enter your last name:", "last_name"), ("Your Surname *", "last_name"),
        ("Please provide your e-mail address (work)", "email"), ("Your work email", "email"),
        # A possessive names the same column as the plain words.
        ("Participant's name", "full_name"), ("Student\u2019s Email", "email"),
        # One column for the whole name, as other languages head it.
        ("Nombre y apellidos", "full_name"), ("Vor- und Nachname", "full_name"), ("Name, Vorname", "full_name"),
        ("Nome e cognome", "full_name"), ("First and last name", "full_name"),
    ],
)
def test_questions_possessives_and_whole_name_headers_map_to_their_field(header, field):
    assert classify_header(header)[0] == field


@pytest.mark.parametrize(
    "header",
    ["What is your manager's email?", "Your manager's name", "Your department", "Which team are you in?",
     "Anything else?", "What is your favourite course?"],
)
def test_questions_about_anything_else_map_to_nothing(header):
    assert classify_header(header) is None
