"""An open staged row says each problem once, under its field, and a refused account type shows no type chosen."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.test_imports_table import HX, rows, row_id
from tests.test_imports_table_marked_cells import PEOPLE
from webapp.extensions import db
from webapp.imports import staging
from webapp.imports.staged import staged_sentences


@pytest.fixture
def batch(org, admin):
    staged = staging.stage_upload(org.id, admin.id, "people.csv", PEOPLE.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    return staged


def status_cell(html: str) -> str:
    """The words of the row's status cell, as one line."""
    cell = html[html.index('<td class="status-cell">'):]
    cell = cell[:cell.index("</td>")]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def chosen_type(html: str) -> list[str]:
    """The options shown selected in the row's account type menu."""
    menu = html[html.index('<select name="account_type"'):]
    menu = menu[:menu.index("</select>")]
    return re.findall(r"<option value=\"[^\"]*\" selected>([^<]*)</option>", menu)


@pytest.mark.parametrize("line,attention", [
    (3, "Check Email."),
    (4, "Check Group."),
    (5, "Check Account type."),
    (6, "Check Send invite."),
    (7, "Check First name and Last name."),
    (8, "Check Email."),
], ids=["email", "group", "account-type", "send-invite", "names", "same-email"])
def test_an_opened_rows_problem_is_said_once_under_its_field_and_named_beside_save(signed_in, batch, line,
                                                                                  attention):
    html = signed_in.get(f"/users/import/{batch.id}/rows/{row_id(batch.id, line)}/edit",
                         headers=HX).get_data(as_text=True)
    for sentence in staged_sentences(rows(batch.id)[line]):
        assert unescape(html).count(sentence) == 1, sentence  # it was said under the field and again beside Save
    assert status_cell(html) == f"Problem {attention}"


def test_a_refused_type_shows_choose_a_type_in_the_row_and_in_its_form(signed_in, batch):
    line_5 = row_id(batch.id, 5)  # the file said "Wizard"
    table = signed_in.get(f"/users/import/{batch.id}?q=5", headers=HX).get_data(as_text=True)
    assert chosen_type(table) == ["Choose a type"]  # it showed "User" selected beside "Wizard" is not known
    form = signed_in.get(f"/users/import/{batch.id}/rows/{line_5}/edit", headers=HX).get_data(as_text=True)
    assert chosen_type(form) == ["Choose a type"]
    ready = signed_in.get(f"/users/import/{batch.id}?q=2", headers=HX).get_data(as_text=True)
    assert chosen_type(ready) == ["User"] and "Choose a type" not in ready


def test_saving_a_refused_types_row_without_choosing_keeps_its_problem(signed_in, batch):
    line_5 = row_id(batch.id, 5)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_5}", headers=HX, data={
        "first_name": "Dee", "last_name": "Prince", "email": "di@example.com", "account_type": ""}
    ).get_data(as_text=True)
    row = rows(batch.id)[5]
    assert (row.first_name, row.status, row.account_type_error) == ("Dee", "invalid", "Wizard")
    assert "Account type “Wizard” is not known." in html and chosen_type(html) == ["Choose a type"]


@pytest.mark.parametrize("data", [
    {"field": "account_type", "account_type": ""},
    {"field": "both", "account_type": ""},  # the row's Save without JavaScript, the tick cleared
], ids=["menu", "save-without-javascript"])
def test_choosing_no_type_keeps_the_problem_and_says_nothing_went_wrong(signed_in, batch, data):
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 5)}/choice", headers=HX, data=data)
    html = response.get_data(as_text=True)
    row = rows(batch.id)[5]
    assert (row.status, row.account_type_error) == ("invalid", "Wizard")
    assert row.send_invite is (data["field"] == "account_type")  # the file said yes; Save sends the cleared tick
    assert chosen_type(html) == ["Choose a type"] and 'role="alert"' not in html


def test_choosing_a_type_for_a_refused_row_makes_it_ready(signed_in, batch):
    html = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 5)}/choice", headers=HX,
                          data={"field": "account_type", "account_type": "guest"}).get_data(as_text=True)
    assert rows(batch.id)[5].status == "valid"
    assert chosen_type(html) == ["Guest"] and "Choose a type" not in html
