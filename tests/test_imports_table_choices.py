"""An account type or Send Invite set for every row is kept with the batch, not written into each row:
what the admin sees, downloads and creates is still each row's value, and rows set later win."""
from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from tests import test_imports_table_v2
from tests.test_imports_table import HX, row_id, rows
from tests.test_imports_table_v2 import bulk, undo_url
from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.models import ImportBatch, User

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too


def every_row(client, batch, **data):
    return bulk(client, batch, scope="all_matching", **data)


def choose(client, batch, line, **data):
    return client.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, line)}/choice", headers=HX,
                       data=data).get_data(as_text=True)


def test_a_row_chosen_after_every_row_keeps_its_choice_and_undo_puts_back_the_others(signed_in, batch):
    before = {line: (row.account_type, row.send_invite) for line, row in rows(batch.id).items()}
    html = every_row(signed_in, batch, action="set_type", account_type="guest")
    assert "Account type set to Guest for 7 rows." in html
    choose(signed_in, batch, 3, field="account_type", account_type="team_manager")
    after = rows(batch.id)
    assert after[3].account_type == "team_manager"
    assert {after[line].account_type for line in (2, 5, 6, 7, 8, 9, 10)} == {"guest"}
    assert after[4].account_type == "admin"  # an ignored duplicate is not changed by a bulk action

    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 7 rows as before." in undone
    back = rows(batch.id)
    assert back[3].account_type == "team_manager"  # the admin's later choice stands
    assert {line: back[line].account_type for line in before if line != 3} == \
        {line: value[0] for line, value in before.items() if line != 3}
    assert back[10].account_type_error == "Wizard"


def test_the_table_and_a_rows_form_show_the_value_set_for_every_row(signed_in, batch):
    every_row(signed_in, batch, action="invite_on")
    page = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    ticked = re.findall(r'<input type="checkbox" name="send_invite"[^>]*?( checked)?\s*\n', page)
    assert len(ticked) == 8 and all(ticked)  # every open row (not the ignored duplicate)
    row_html = choose(signed_in, batch, 2, field="send_invite")  # unticked on line 2 alone
    assert "checked" not in row_html.split('name="send_invite"')[1].split(">")[0]
    assert not rows(batch.id)[2].send_invite and rows(batch.id)[3].send_invite


def test_a_removed_row_keeps_its_type_when_every_row_is_set_and_it_is_restored(signed_in, batch):
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/remove", headers=HX)
    every_row(signed_in, batch, action="set_type", account_type="guest")
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/restore", headers=HX)
    assert rows(batch.id)[2].account_type == "admin" and rows(batch.id)[3].account_type == "guest"


def test_a_search_after_every_row_changes_only_the_rows_found(signed_in, batch):
    every_row(signed_in, batch, action="set_type", account_type="guest")
    html = bulk(signed_in, batch, action="set_type", account_type="user", scope="all_matching", q="grace")
    assert "for 1 row." in html
    after = rows(batch.id)
    assert after[3].account_type == "user" and after[2].account_type == "guest"
    signed_in.post(undo_url(html), headers=HX)
    assert rows(batch.id)[3].account_type == "guest"


def test_problems_csv_shows_the_type_set_for_every_row(signed_in, batch):
    every_row(signed_in, batch, action="set_type", account_type="team_manager")
    text = signed_in.get(f"/users/import/{batch.id}/problems.csv").get_data(as_text=True)
    lines = {row["Line"]: row for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert lines["5"]["Account Type"] == "Team Manager" and lines["4"]["Account Type"] == "Admin"


def test_create_users_creates_each_row_with_the_type_and_invite_it_shows(signed_in, batch, admin):
    every_row(signed_in, batch, action="set_type", account_type="guest")
    every_row(signed_in, batch, action="invite_on")
    choose(signed_in, batch, 6, field="account_type", account_type="team_manager")
    result = creating.create_users(batch.id, admin.id)
    assert result.created == 4  # line 10's refused type was replaced too
    users = {u.email: u for u in db.session.scalars(select(User).where(User.org_id == batch.org_id))}
    assert users["ada@example.com"].account_type == "guest" and users["ada@example.com"].invite_status == "invited"
    assert users["alan@example.com"].account_type == "team_manager"
    assert users["grace@example.com"].account_type == "guest"
    assert users["margaret@example.com"].account_type == "guest"


def test_reading_the_file_again_drops_a_type_set_for_every_row_and_its_undo(signed_in, batch):
    html = every_row(signed_in, batch, action="set_type", account_type="guest")
    staging.restage(db.session.get(ImportBatch, batch.id), delimiter=",")
    assert rows(batch.id)[2].account_type == "admin" and rows(batch.id)[3].account_type == "user"
    refused = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "can no longer be undone" in refused and rows(batch.id)[3].account_type == "user"
