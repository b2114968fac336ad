"""Exports from directory, HR and school systems, and the shapes they come in: each staged as the admin expects."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports.columns import classify_header
from webapp.imports.reading import read_table
from webapp.imports.sync_fields import clean_status
from webapp.models import ImportBatch, StagedRow

DATA = Path(__file__).parent / "data"


def stage_rows(client, name: str) -> list[StagedRow]:
    """Upload a file from tests/data through File Import; return its staged rows in line order."""
    content = (DATA / name).read_bytes()
    response = client.post("/users/import/", data={"file": (BytesIO(content), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert response.headers["Location"].endswith(tuple("0123456789")), "sent to column matching"
    db.session.expire_all()
    batch = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    return list(db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id).order_by(StagedRow.line)))


def stage(client, name: str) -> list[tuple]:
    """(line, first, last, email, status) of each row File Import stages from the file."""
    return [(row.line, row.first_name, row.last_name, row.email, row.status) for row in stage_rows(client, name)]


def test_a_japanese_excel_csv_in_shift_jis_keeps_its_names(signed_in):
    assert read_table((DATA / "japanese_excel_sjis.csv").read_bytes(), "社員.csv").encoding == "cp932"
    assert stage(signed_in, "japanese_excel_sjis.csv") == [
        (2, "太郎", "山田", "taro@example.jp", "valid"), (3, "花子", "佐藤", "hanako@example.jp", "valid"),
        (4, "ひろみ", "鈴木", "hiromi@example.jp", "valid")]


@pytest.mark.parametrize("text, encoding", [
    ("Prénom;Nom;Courriel\r\nChloé;Lefèvre;chloe@example.fr\r\nÉmile;Dubois;emile@example.fr\r\n", "cp1252"),
    ("Imię;Nazwisko;E-mail\r\nŁukasz;Wójcik;lukasz@example.pl\r\n", "cp1250"),
    ("Имя;Фамилия;Email\r\nИван;Петров;ivan@example.ru\r\n", "cp1251"),
])
def test_western_and_cyrillic_code_pages_are_not_taken_for_japanese(text, encoding):
    assert read_table(text.encode(encoding), "people.csv").encoding == encoding


@pytest.mark.parametrize("text, encoding", [
    ("姓名,电子邮件\r\n张伟,zhang.wei@example.cn\r\n", "gb18030"),
    ("姓名,電子郵件\r\n陳大文,chan@example.hk\r\n", "big5"),
    ("성,이름,이메일\r\n김,민준,minjun@example.kr\r\n", "cp949"),
])
def test_chinese_and_korean_files_read_right_when_the_admin_chooses_their_encoding(text, encoding):
    table = read_table(text.encode(encoding), "people.csv", encoding=encoding)
    assert table.rows[0][1] == text.split("\r\n")[1].split(",")


@pytest.mark.parametrize("name, staged", [
    ("okta_users.csv", [(2, "Ann", "Lee", "ann.lee@example.com", "valid"),
                        (3, "Ben", "Ng", "ben.ng@example.com", "valid")]),
    ("powerschool_students.txt", [(2, "Ann", "Lee", "ann@example.edu", "valid"),
                                  (3, "María José", "García López", "mj@example.edu", "valid")]),
    ("adp_payroll_names.csv", [(2, "Ann M", "Lee", "ann@example.com", "valid"),
                               (3, "Ben", "Ng", "ben@example.com", "valid")]),
    ("dutch_tussenvoegsel.csv", [(2, "Jan", "van der Berg", "jan@example.nl", "valid"),
                                 (3, "Anouk", "de Vries", "anouk@example.nl", "valid")]),
    ("spanish_two_surnames.csv", [(2, "María", "García López", "maria@example.es", "valid"),
                                  (3, "José", "Pérez", "jose@example.es", "valid")]),
    ("grade_centre_text.xls", [(2, "Ann", "Lee", "ann@example.edu", "valid"),
                               (3, "Ben", "Ngé", "ben@example.edu", "valid")]),
    ("excel_text_values.csv", [(2, "Ann", "Lee", "ann@example.com", "valid"),
                               (3, "Ben", "Ng", "ben@example.com", "valid")]),
    ("report_pages.csv", [(4, "Ann", "Lee", "ann@example.com", "valid"), (5, "Ben", "Ng", "ben@example.com", "valid"),
                          (8, "Cat", "Ho", "cat@example.com", "valid")]),
])
def test_an_export_naming_its_columns_its_own_way_is_staged_without_matching(signed_in, name, staged):
    assert stage(signed_in, name) == staged


@pytest.mark.parametrize("header, field", [
    ("profile.firstName", "first_name"), ("name.familyName", "last_name"), ("profile.email", "email"),
    ("profile.managerEmail", None), ("manager.email", None),  # someone else's address
    ("LastFirst", "full_name"), ("Last Name, First Name", "full_name"), ("Payroll Name", "full_name"),
    ("Tussenvoegsel", "surname_prefix"), ("Apellido materno", "second_last_name"),
    ("Apellido paterno", "last_name"),
    # A form's field in parts (Qualtrics, Gravity Forms); the parts no field holds are not the full name.
    ("Your name - First name", "first_name"), ("Your name - Last name", "last_name"), ("Name (First)", "first_name"),
    ("Name (Last)", "last_name"), ("Name (Prefix)", None), ("Name (Middle)", None), ("Name (Suffix)", None),
    ("Contact details - Email address", "email"), ("Manager - First name", None), ("Emergency contact - Email", None),
    ("Attendee #", None), ("Student #", None),  # numbers, not names
    # The people a list is of, then the part of the name; never the booker's, a parent's or an emergency contact's.
    ("Delegate First Name", "first_name"), ("Delegate Surname", "last_name"), ("Participant Surname", "last_name"),
    ("Attendee Last Name", "last_name"), ("Contact First Name", "first_name"), ("Learner Full Name", "full_name"),
    ("Trainee Forename", "first_name"), ("Student Preferred Name", "preferred_name"),
    ("Parent First Name", None), ("Emergency Contact First Name", None), ("User Name", None),
    ("Name of the delegate", "full_name"), ("Email address of participant", "email"),
    ("Delegate's Surname", "last_name"),
    ("Name of the organisation", None), ("Date of birth of the learner", None),
    # A form's question, however it leads to "your ...".
    ("And your last name?", "last_name"), ("Thanks {{field:01HQ8}}, what's your email address?", "email"),
    ("Could you tell us your email?", "email"), ("What is your manager's name?", None),
    # A name's reading is not the name: kana, furigana, Outlook's yomi, pinyin.
    ("First Name (Kana)", None), ("\u59d3(\u30ab\u30ca)", None),
    ("\u6c0f\u540d\uff08\u30d5\u30ea\u30ac\u30ca\uff09", None),
    ("Surname Yomi", None), ("Name (Pinyin)", None), ("\u59d3", "last_name"),
])
def test_headers_from_identity_providers_hr_and_schools(header, field):
    found = classify_header(header)
    assert (found[0] if found else None) == field


@pytest.mark.parametrize("name, skipped, staged", [
    ("successfactors_users.csv", [(2, "a second header row (the columns' names again), not a person")],
     [(3, "Ann", "Lee", "ann@example.com", "valid"), (4, "Ben", "Ng", "ben@example.com", "valid")]),
    ("classroom_grades.csv", [(2, "a line of the assignments' dates, not a person"),
                              (3, "a line of the most points of each assignment, not a person"),
                              (4, "a line of the class's average marks, not a person")],
     [(5, "Ann", "Lee", "ann@example.edu", "valid"), (6, "Ben", "Ng", "ben@example.edu", "valid")]),
    # A report grouped by department: each group's heading line among the people is skipped, saying what it is.
    ("grouped_staff.csv", [(1, "above the header row"),
                           (3, "a group heading (\u201cDepartment: Sales\u201d) among the people, not a person"),
                           (6, "a group heading (\u201cDepartment: Customer Support\u201d) among the people, "
                               "not a person"),
                           (9, "a total line below the table")],
     [(4, "Ann", "Lee", "ann.lee@acme.example", "valid"), (5, "Ben", "Ng", "ben.ng@acme.example", "valid"),
      (7, "Cleo", "Patel", "cleo.patel@acme.example", "valid"), (8, "Dev", "Rao", "", "invalid")]),
    # SurveyMonkey's second header row names the answers ("Response", each choice); the names are asked for.
    ("surveymonkey_responses.csv", [(2, "a second header row (the columns' names again), not a person")],
     [(3, "Ann", "Lee", "ann.lee@example.com", "valid"), (4, "Ben", "Ng", "ben.ng@example.com", "valid"),
      (5, "Mar\u00eda Jos\u00e9", "Garc\u00eda", "mj.garcia@example.es", "valid")]),
    # Qualtrics: internal names, then the questions ("Your name - First name"), then import ids.
    ("qualtrics_responses.csv", [(1, "above the header row"),
                                 (3, "a second header row (the columns' names again), not a person")],
     [(4, "Ann", "Lee", "ann.lee@example.com", "valid"), (5, "Ben", "Ng", "ben.ng@example.com", "valid"),
      (6, "Cleo", "Patel", "cleo.patel@example.org", "valid")]),
])
def test_lines_under_the_header_that_are_no_people_are_skipped_saying_why(signed_in, name, skipped, staged):
    table = read_table((DATA / name).read_bytes(), name)
    assert [(item.line, item.reason) for item in table.skipped] == skipped
    assert stage(signed_in, name) == staged


def test_a_slack_member_export_reads_its_roles_as_live_accounts_and_skips_its_bot(signed_in):
    rows = stage_rows(signed_in, "slack_members.csv")
    assert [(row.line, row.first_name, row.last_name, row.extra.get("account_status"), row.status)
            for row in rows] == [
        (2, "Ann", "Lee", "active", "valid"), (3, "Ben", "Ng", "active", "valid"),
        (4, "Cat", "Ho", "active", "valid"), (5, "Dan", "Li", "inactive", "valid")]
    skipped = db.session.get(ImportBatch, rows[0].batch_id).read_info["skipped"]
    assert skipped == [{"line": 6, "text": "slackbot, Bot, 0, 0, 0, USLACKBOT, Slackbot",
                        "reason": "a bot or app account (\u201cBot\u201d), not a person"}]


@pytest.mark.parametrize("cell, status", [
    ("ACTIVE", "active"), ("STAGED", "active"), ("LOCKED_OUT", "active"), ("PASSWORD_EXPIRED", "active"),
    ("DEPROVISIONED", "inactive"), ("SUSPENDED", "inactive"),  # Okta
    ("Multi-Channel Guest", "active"), ("Admin", "active"), ("Deactivated", "inactive"),  # Slack
    ("On Leave", "active"), ("Withdrawn", "inactive"), ("Graduated", "inactive"),  # HR and schools
])
def test_status_words_of_directories_hr_and_schools(cell, status):
    assert clean_status(cell, "account_status", []) == status


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_text_is_refused_by_name_with_what_to_save_instead(signed_in, encoding):
    data = "First Name,Last Name,Email\r\nJosé,Müller,jose@example.com\r\n".encode(encoding)
    response = signed_in.post("/users/import/", data={"file": (BytesIO(data), "people.csv")},
                              content_type="multipart/form-data")
    assert response.status_code == 422
    assert "The file is UTF-32 text, which File Import does not read. Open it in a text editor or spreadsheet, " \
           "save it as CSV UTF-8 (or .xlsx), and upload that." in response.get_data(as_text=True)


@pytest.mark.parametrize("name, data, sentence", [
    ("report_web_page.xls", None, "The file is a web page (HTML) named .xls, not a workbook; Excel opens it, but File "
                                  "Import can't read it. Open it in Excel, save it as .xlsx or CSV, and upload that."),
    ("people.xls", b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook>',
     "The file could not be opened as a workbook (.xls): it may be damaged"),  # Excel 2003 XML cut short
    ("people.xls", None, "The file could not be opened as a workbook (.xls): it may be damaged"),
])
def test_a_file_named_xls_that_no_reader_opens_says_what_it_is(signed_in, name, data, sentence):
    content = data if data is not None else (DATA / name).read_bytes()
    response = signed_in.post("/users/import/", data={"file": (BytesIO(content), name)},
                              content_type="multipart/form-data")
    assert response.status_code == 422
    assert sentence in response.get_data(as_text=True).replace("&#39;", "'")


@pytest.mark.parametrize("name, read_from, not_named", [
    ("dutch_tussenvoegsel.csv", "Last Name Prefix from “Tussenvoegsel”", "Second Last Name"),
    ("okta_users.csv", "First Name from “profile.firstName”", "Last Name Prefix"),
])
def test_how_the_file_was_read_names_a_last_name_part_only_when_the_file_has_it(signed_in, name, read_from,
                                                                                not_named):
    batch_id = stage_rows(signed_in, name)[0].batch_id
    page = signed_in.get(f"/users/import/{batch_id}").get_data(as_text=True)
    columns = page[page.index("<li>Columns:"):page.index("</li>", page.index("<li>Columns:"))]
    assert read_from in columns and "Not in the file:" in columns
    assert not_named not in columns
