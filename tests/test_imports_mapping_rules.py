"""Mapping rules on golden files (tests/data/map_*.csv): which column feeds each field, and what each row becomes."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.cleaning import clean_rows, split_full_name
from webapp.imports.staging import read_file

DATA = Path(__file__).parent / "data"


def staged(name: str):
    table, column_map = read_file((DATA / name).read_bytes(), name)
    return table, column_map, clean_rows(table, column_map)


def people(rows):
    return [(row.line, row.first_name, row.last_name, row.email, row.status) for row in rows]


@pytest.mark.parametrize("name, email_header, doubts", [
    # An explicitly work address beats a generic "Email Address" when both exist.
    ("map_work_vs_generic.csv", "Work Email", False),
    ("map_guest_alias.csv", "Mail", False),
    ("map_recovery_fallback.csv", "Email", False),
    # Identity-provider templates: the bracketed property is the synonym; "Required" is ignored.
    ("map_entra_template.csv", "User name [userPrincipalName] Required", False),
    # Content decides where the header does not: Login holds addresses.
    ("map_login_content.csv", "Login", True),
    ("map_username_content.csv", "User name", True),
    # A neighbouring Type column's label counts like a word of the header (Google Contacts).
    ("map_google_contacts.csv", "E-mail 2 - Value", True),
    # Google Contacts' default label "Other": the only address is the person's.
    ("map_google_contacts_other.csv", "E-mail 1 - Value", True),
    ("map_headerless.csv", "Column 3", True),
])
def test_the_email_column_is_chosen_among_all_candidates(name, email_header, doubts):
    table, column_map, _ = staged(name)
    assert column_map.header_names(table.headers)["email"] == email_header
    assert bool(column_map.doubts) is doubts


@pytest.mark.parametrize("name, expected", [
    ("map_work_vs_generic.csv", [(2, "Ann", "Lee", "ann.lee@work.example", "valid"),
                                 (3, "Ben", "Ng", "ben@example.org", "valid")]),
    # A blank Mail falls back to the sign-in name only when that is a mailbox, never a guest alias.
    ("map_guest_alias.csv", [(2, "Kim", "Lee", "kim@example.com", "valid"),
                             (3, "Pat", "Ray", "", "invalid"),
                             (4, "Sam", "Cole", "sam@example.com", "valid")]),
    # Recovery, manager and home addresses never stand in for the person's own.
    ("map_recovery_fallback.csv", [(2, "Ann", "Lee", "ann@example.com", "valid"),
                                   (3, "Ben", "Ng", "", "invalid")]),
    ("map_entra_template.csv", [(2, "Chris", "Green", "chris@contoso.example", "valid"),
                                (3, "Dana", "Fox", "dana@contoso.example", "valid")]),
    ("map_login_content.csv", [(2, "Ada", "Lovelace", "ada@example.com", "valid"),
                               (3, "Alan", "Turing", "alan@example.com", "valid"),
                               (4, "Grace", "Hopper", "grace@example.com", "valid")]),
    ("map_username_content.csv", [(2, "Ada", "Lovelace", "ada@example.com", "valid"),
                                   (3, "Alan", "Turing", "alan@example.com", "valid")]),
    ("map_google_contacts.csv", [(2, "Rosa", "Diaz", "rosa.diaz@work.example", "valid"),
                                 (3, "Jake", "Peralta", "jake.peralta@work.example", "valid")]),
    # A preferred name gives the first name; blank names come from the display name, particles kept.
    ("map_names.csv", [(2, "Bob", "Hughes", "bob@example.com", "valid"),
                       (3, "Pieter", "van der Berg", "pieter@example.com", "valid"),
                       (4, "Marie", "Curie", "marie@example.com", "valid"),
                       (5, "Maria", "de la Cruz", "maria@example.com", "valid")]),
    # A preferred name beside a "Last, First" column gives the first name; the last name still comes from it.
    ("map_bamboohr_preferred.csv", [(2, "Annie", "Lee", "ann.lee@example.com", "valid"),
                                    (3, "Bob", "Ray", "bob.ray@example.com", "valid"),
                                    (4, "Piet", "van der Berg", "pieter@example.com", "valid")]),
    # A preferred name that is the whole name ("Jon Smith") does not give the last name twice.
    ("map_preferred_whole_name.csv", [(2, "Jon", "Smith", "jon.smith@example.com", "valid"),
                                      (3, "Maggie", "de la Cruz", "maggie@example.com", "valid"),
                                      (4, "Annie", "Lee", "ann@example.com", "valid")]),
    # Zoom's participant report: the name column is "User Name (Original Name)".
    ("zoom_participants.csv", [(2, "Ann", "Lee", "ann@example.com", "valid"),
                               (3, "Ben", "Ng", "ben@example.com", "valid"),
                               (4, "Cat", "Ho", "cat@example.com", "valid")]),
    # A Salesforce report: "Contact: Full Name" is the person; the contact owner's name and address are not.
    ("salesforce_contacts_report.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                        (3, "Ben", "Ng", "ben.ng@example.com", "valid")]),
    ("map_google_contacts_other.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                       (3, "Ben", "Ng", "ben.ng@example.com", "valid")]),
    # A UK school's SIMS export: legal and preferred forenames and surnames, the preferred ones used when given.
    ("sims_students.csv", [(2, "Jon", "Smith", "jon.smith@school.example", "valid"),
                           (3, "María José", "García López", "mj@school.example", "valid"),
                           (4, "Liz", "Jones", "liz@school.example", "valid")]),
    # Teams' attendance report (UTF-16, tabs): the participants, not the summary above nor the activities below.
    ("teams_attendance.csv", [(11, "Ann", "Lee", "ann.lee@contoso.example", "valid"),
                              (12, "Ben", "Lee", "ben.lee@contoso.example", "valid"),
                              (13, "Cleo", "Patel", "cleo@partner.example", "valid")]),
    # Its older form: the meeting's id ("19:meeting_...@thread.v2") in the summary is no address.
    ("teams_attendance_2021.csv", [(9, "Ann", "Lee", "ann.lee@contoso.example", "valid"),
                                   (10, "Ben", "Ng", "ben.ng@contoso.example", "valid"),
                                   (11, "Cleo", "Patel", "cleo.patel@contoso.example", "valid")]),
    # Webinar reports: the host's and the panelists' one-row tables come before the attendees, after a blank line
    # (GoToWebinar) or only a title (Zoom, which also lists a person once per session).
    ("gotowebinar_attendees.csv", [(17, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                   (18, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                   (19, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # Webex: the meeting's details as lines of label and value, the host's address among them, above the attendees.
    ("webex_attendees.csv", [(8, "Ann", "Lee", "ann.lee@example.com", "valid"),
                             (9, "Ben", "Ng", "ben.ng@example.com", "valid"),
                             (10, "Hal", "Host", "hal.host@acme.example", "valid")]),
    ("zoom_webinar_attendees.csv", [(13, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                    (14, "Ann", "Lee", "ann.lee@example.com", "duplicate"),
                                    (15, "Benjamin", "Ng", "ben.ng@example.com", "valid"),
                                    (16, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # Typeform: each question leads to "your ...", also after "And" or a greeting; the "#" column is the response's id.
    ("typeform_responses.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                (4, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # Gravity Forms: "Name (First)" and "Name (Last)" are the names, never "Name (Prefix)".
    ("gravity_forms_entries.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                   (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                   (4, "", "", "cleo.patel@example.org", "invalid")]),
    # Eventbrite: each attendee's own name and address; "Info Requested" (not collected) is blank, and the buyer's
    # address never stands in for it, nor the "Attendee #" for a name.
    ("eventbrite_attendees.csv", [(2, "Ann", "Lee", "ann.lee@acme.example", "valid"),
                                  (3, "Ben", "Ng", "ben.ng@acme.example", "valid"),
                                  (4, "", "", "", "invalid"),
                                  (5, "Dev", "Rao", "dev.rao@example.org", "valid")]),
    # Outlook's contacts (cp1252): a blank first address falls back to the second; a contact copied from the address
    # book has an internal Exchange address, and its display name "Dev Rao (dev.rao@...)" gives the real one.
    ("outlook_contacts_cp1252.csv", [(2, "Zo\u00eb", "Lef\u00e8vre", "zoe.lefevre@acme.example", "valid"),
                                     (3, "Ben", "Ng", "ben.ng@acme.example", "valid"),
                                     (4, "Cleo", "Patel", "cleo.patel@acme.example", "valid"),
                                     (5, "Dev", "Rao", "dev.rao@acme.example", "valid"),
                                     (6, "Eve", "Ray", "/o=ExchangeLabs/ou=Exchange Administrative Group "
                                      "(FYDIBOHF23SPDLT)/cn=Recipients/cn=9a8b7c6d5e4f-eve.ray", "invalid")]),
    # Microsoft Forms, a form anyone could fill in: its Email "anonymous" and blank Name give way to the questions.
    ("microsoft_forms_anonymous.xlsx", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                        (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                        (4, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # LinkedIn's connections: a "Notes:" preamble; a connection who hides their address is missing one.
    ("linkedin_connections.csv", [(5, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                  (6, "Ben", "Ng", "", "invalid"),
                                  (7, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # Mailchimp's audience: "Email Address" first; a subscriber who gave no name is missing both names.
    ("mailchimp_audience.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                                (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                (4, "", "", "cleo@example.org", "invalid")]),
    # Brightspace (D2L) grades: "#"-marked ids and the "#" end-of-line column are no people's values.
    ("brightspace_grades.csv", [(2, "Ann", "Lee", "ann.lee@uni.example", "valid"),
                                (3, "Ben", "Ng", "ben.ng@uni.example", "valid"),
                                (4, "Cleo", "Patel", "cleo.patel@uni.example", "valid")]),
    # A training booking system's delegates: "Delegate First Name" and "Delegate Surname" are the names; a place
    # booked for a delegate not named yet ("TBC") is missing both, never given the booker's address.
    ("training_delegates.csv", [(2, "Ann", "Lee", "ann.lee@acme.example", "valid"),
                                (3, "Ben", "Ng", "ben.ng@acme.example", "valid"),
                                (4, "", "", "", "invalid"),
                                (5, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # A Japanese HR export with the names' kana readings before the names: the names, never their readings.
    ("japanese_hr_kana.csv", [(2, "\u592a\u90ce", "\u5c71\u7530", "taro.yamada@example.jp", "valid"),
                              (3, "\u82b1\u5b50", "\u4f50\u85e4", "hanako.sato@example.jp", "valid"),
                              (4, "\u3072\u308d\u307f", "\u9234\u6728", "hiromi.suzuki@example.jp", "valid")]),
    # A German HR export with the manager's address before the person's: never the manager's, also when blank.
    ("personio_german.csv", [(2, "J\u00fcrgen", "M\u00fcller", "juergen.mueller@firma.example", "valid"),
                             (3, "Zo\u00eb", "Gro\u00df", "", "invalid"),
                             (4, "\u00d6mer", "Y\u0131lmaz", "oemer.yilmaz@firma.example", "valid")]),
    # A school's pupils with their contacts: the pupil's own address, never the primary or a numbered contact's.
    ("school_students_contacts.csv", [(2, "Olly", "Smith", "olly.smith@school.example", "valid"),
                                      (3, "Amelia", "Jones", "", "invalid"),
                                      (4, "Noah", "Khan", "noah.khan@school.example", "valid")]),
    # A training provider's apprentices: a blank address stays blank, never the assessor's or the employer's.
    ("apprentices.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                         (3, "Ben", "Ng", "", "invalid"),
                         (4, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # An HR export whose Manager column holds the managers' addresses: never an employee's own.
    ("hr_manager_addresses.csv", [(2, "Ann", "Lee", "ann.lee@acme.example", "valid"),
                                  (3, "Ben", "Ng", "", "invalid"),
                                  (4, "Cleo", "Patel", "cleo.patel@acme.example", "valid")]),
    # A shop's orders (WooCommerce): with no other names or address, the billing ones are the customer's.
    ("woocommerce_orders.csv", [(2, "Ann", "Lee", "ann.lee@acme.example", "valid"),
                                (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                                (4, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
    # Active Directory (csvde): "sn" is the surname; a blank mail falls back to the sign-in name, reported when
    # that is an internal ".local" address.
    ("active_directory_csvde.csv", [(2, "Ann", "Lee", "ann.lee@school.example", "valid"),
                                    (3, "Ben", "Ng", "ben.ng@school.example", "valid"),
                                    (4, "Cleo", "van der Berg", "cvanderberg@school.local", "invalid")]),
    # A last name the file keeps under a header of its own ("Family") comes from the same person's display name;
    # never from a display name that is not hers ("Devendra Rao" beside "Dev").
    ("last_from_display.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                               (3, "Ben", "Ng", "ben.ng@example.com", "valid"),
                               (4, "Cleo", "", "cleo@example.com", "valid"),
                               (5, "Dev", "", "dev.rao@example.com", "valid")]),
    # NULL, N/A, "-" and (none) are blank.
    ("map_placeholders.csv", [(2, "Ann", "", "ann@example.com", "valid"),
                              (3, "Ben", "", "ben@example.com", "valid"),
                              (4, "Cleo", "Patel", "", "invalid")]),
    # A file without a header row keeps its first person.
    ("map_headerless.csv", [(1, "", "", "jane@example.com", "invalid"),
                            (2, "", "", "john@example.com", "invalid"),
                            (3, "", "", "mia@example.com", "invalid")]),
])
def test_golden_files_stage_the_people_in_them(name, expected):
    assert people(staged(name)[2]) == expected


def test_an_internal_exchange_address_says_what_it_is_and_what_to_do():
    eve = staged("outlook_contacts_cp1252.csv")[2][-1]
    assert eve.errors == ["\u201c/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Recipients/"
                          "cn=9a8b7c6d5e4f-eve.ray\u201d is an internal Exchange address, not an email address "
                          "(Outlook exports one for a contact copied from the address book). Type the person's email "
                          "address."]


def test_a_role_of_job_titles_is_not_an_account_type_but_a_role_of_types_is():
    titles_table, titles_map, titles = staged("map_role_job_titles.csv")
    assert titles_map.account_type is None
    assert {row.status for row in titles} == {"valid"}
    types_table, types_map, types = staged("map_role_account_types.csv")
    assert types_map.header_names(types_table.headers)["account_type"] == "Role"
    assert [row.account_type for row in types] == ["admin", "user", "guest"]


def test_placeholders_are_blank_also_for_the_account_type():
    rows = staged("map_placeholders.csv")[2]
    assert [row.account_type for row in rows] == ["user", "user", "user"]
    assert rows[2].errors == ["Email address is missing."]


def test_garbled_names_are_a_problem_never_staged_as_valid():
    rows = staged("map_mojibake.csv")[2]
    assert [(row.first_name, row.status) for row in rows] == [("Jos\u00c3\u00a9", "invalid"), ("Zo\u00eb", "valid")]
    assert rows[0].problems[0]["code"] == "mojibake" and rows[0].problems[0]["field"] == "first_name"
    assert "looks garbled" in rows[0].errors[0]


def test_a_guest_alias_alone_is_explained():
    from webapp.imports.cleaning import check_values

    checked = check_values({"first_name": "Pat", "email": "pat_example.org#EXT#@tenant.onmicrosoft.com"})
    assert [p["code"] for p in checked.problems] == ["guest_alias"]
    assert not checked.email_ok


@pytest.mark.parametrize("line, send_invite, status", [
    (2, True, "valid"), (3, False, "valid"), (4, True, "valid"), (5, False, "valid"), (6, True, "valid"),
    (7, False, "valid"), (8, False, "invalid"), (9, True, "valid"),
])
def test_a_send_invite_column_sets_each_rows_tick(line, send_invite, status):
    rows = {row.line: row for row in staged("map_send_invite.csv")[2]}
    assert (rows[line].send_invite, rows[line].status) == (send_invite, status)
    if status == "invalid":
        assert rows[line].errors == ["Send Invite & Password \u201cmaybe\u201d is not understood. "
                                     "Use yes or no (or leave it blank for no)."]


def test_nul_characters_are_removed_and_flagged():
    from webapp.imports.cleaning import check_values

    checked = check_values({"first_name": "A\x00nn", "last_name": "Lee", "email": "ann@example.com\x00"})
    assert (checked.values["first_name"], checked.values["email"]) == ("Ann", "ann@example.com")
    assert [(p["field"], p["code"]) for p in checked.problems] == [("first_name", "control_characters"),
                                                                  ("email", "control_characters")]


def test_bounds_long_values_controls_and_line_breaks():
    rows = {row.line: row for row in staged("map_bounds.csv")[2]}
    long_name = rows[2]
    assert long_name.status == "invalid" and long_name.errors == ["First name is longer than 100 characters."]
    assert len(long_name.first_name) == 300  # shortened to what the staged column holds
    controls = rows[3]
    assert (controls.first_name, controls.last_name) == ("Rose", "Ctl")
    assert {p["code"] for p in controls.problems} == {"control_characters"}
    breaks = [row for row in rows.values() if row.email == "mary@example.com"][0]
    assert (breaks.first_name, breaks.last_name, breaks.status) == ("Mary Ann", "Smith Jones", "valid")
    long_email = [row for row in rows.values() if row.first_name == "Ann"][0]
    assert long_email.status == "invalid" and len(long_email.email) <= 320
    assert long_email.problems[0]["code"] in ("too_long", "invalid_email")


@pytest.mark.parametrize("text, parts", [
    ("Pieter van der Berg", ("Pieter", "van der Berg")), ("Maria de la Cruz", ("Maria", "de la Cruz")),
    ("Ana dos Santos", ("Ana", "dos Santos")), ("Ali bin Said", ("Ali", "bin Said")),
    ("Ludwig von Mises", ("Ludwig", "von Mises")), ("Gianna del Monte", ("Gianna", "del Monte")),
    ("Berg, Pieter", ("Pieter", "Berg")), ("Mary Ann Evans", ("Mary Ann", "Evans")),
    ("Omar al Farsi", ("Omar", "al Farsi")), ("Kees ter Horst", ("Kees", "ter Horst")),
    # The family name first in capitals, as French, Japanese and international directories write it.
    ("DUPONT Jean", ("Jean", "DUPONT")), ("DE LA CRUZ Maria", ("Maria", "DE LA CRUZ")),
    ("YAMADA Taro", ("Taro", "YAMADA")), ("\u0418\u0412\u0410\u041d\u041e\u0412 \u0418\u0432\u0430\u043d",
                                          ("\u0418\u0432\u0430\u043d", "\u0418\u0412\u0410\u041d\u041e\u0412")),
    ("Jean DUPONT", ("Jean", "DUPONT")), ("ANN LEE", ("ANN", "LEE")),
    # Initials are a first name, not a family name in capitals.
    ("JP Morgan", ("JP", "Morgan")), ("AJ Lee", ("AJ", "Lee")),
])
def test_splitting_a_full_name_keeps_surname_particles(text, parts):
    assert split_full_name(text) == parts


@pytest.mark.parametrize("header, field", [
    ("Correo electrónico", "email"), ("Indirizzo email", "email"), ("Endereço de e-mail", "email"),
    ("E-mailadres", "email"), ("Adres e-mail", "email"), ("Электронная почта", "email"), ("メールアドレス", "email"),
    ("Cognome", "last_name"), ("Nazwisko", "last_name"), ("Фамилия", "last_name"), ("姓", "last_name"),
    ("Imię", "first_name"), ("Имя", "first_name"), ("Voornaam", "first_name"), ("名", "first_name"),
    ("氏名", "full_name"), ("ФИО", "full_name"), ("Nickname", "preferred_name"), ("Rufname", "preferred_name"),
    ("Send Invite", "send_invite"), ("Einladung senden", "send_invite"), ("Typ konta", "account_type"),
])
def test_headers_in_ten_languages(header, field):
    from webapp.imports.columns import classify_header

    assert classify_header(header)[0] == field
