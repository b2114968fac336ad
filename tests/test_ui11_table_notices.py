"""Find and replace says when it found nothing (no Undo of nothing) and stays open; Recent imports add up."""
from __future__ import annotations

import re
from html import unescape

import pytest

from tests.test_imports_table import DATA, rows
from tests.test_imports_table_writes import bulk, replace
from webapp.extensions import db
from webapp.imports import staging, table_pages


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


def typed(html: str) -> dict:
    """The find and replace boxes as they come back."""
    return {name: value for name, value in re.findall(r'<input id="replace-\w+" name="(\w+)"[^>]*value="([^"]*)"', html)}


@pytest.mark.parametrize("column,find", [("first_name", "Hopper"), ("last_name", "hopper")],
                         ids=["other-column", "letter-case"])
def test_a_replace_that_finds_nothing_says_so_and_offers_no_undo(signed_in, batch, column, find):
    before = {line: row.last_name for line, row in rows(batch.id).items()}
    html = unescape(replace(signed_in, batch, column, find, "Brewster"))
    noun = {"first_name": "first name", "last_name": "last name"}[column]
    assert (f"Nothing was replaced: no {noun} in the rows chosen under “In” holds “{find}”. Letter case must match"
            in html)  # it said "Replaced in 0 rows." beside an Undo
    assert "Replaced in" not in html and "/undo/" not in html
    assert '<details class="replace card" open>' in html and typed(html) == {"find": find, "replacement": "Brewster"}
    assert {line: row.last_name for line, row in rows(batch.id).items()} == before


def test_after_a_replace_find_and_replace_stays_open_with_what_was_typed(signed_in, batch):
    html = unescape(replace(signed_in, batch, "last_name", "Hopper", "Brewster"))
    assert "Replaced in 1 row." in html and "/undo/" in html
    assert '<details class="replace card" open>' in html and typed(html) == {"find": "Hopper", "replacement": "Brewster"}
    assert rows(batch.id)[3].last_name == "Brewster"


def test_recent_imports_say_what_became_of_every_line_read(signed_in, batch):
    signed_in.post(f"/users/import/{batch.id}/create")
    page = unescape(signed_in.get("/users/import/").get_data(as_text=True))
    row = " ".join(re.sub(r"<[^>]+>", " ", page[page.index("import_mixed.csv"):page.index("</tr>",
                                                                   page.index("import_mixed.csv"))]).split())
    # 9 lines read: it said only "3 created, 1 failed", leaving 5 lines unexplained.
    assert row.endswith("9 3 created, 1 failed 5 other lines not created")


def test_a_finished_import_says_why_lines_were_not_created_and_shows_no_type_for_a_refused_one(signed_in, batch):
    signed_in.post(f"/users/import/{batch.id}/create")
    page = unescape(signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True))
    assert ("Users were created from this file: 3 created, 1 failed. 5 other lines were not created: the table below "
            "says why.") in page  # the 5 left out went unmentioned
    line_10 = page[page.index('<td class="num">10</td>'):]
    line_10 = " ".join(re.sub(r"<[^>]+>", " ", line_10[:line_10.index("</tr>")]).split())
    assert line_10.startswith("10 Margaret Hamilton margaret@example.com Not chosen No Problem")  # it said "User"


def test_a_bulk_change_that_changes_nothing_says_so_and_offers_no_undo(signed_in, batch):
    line_2 = str(rows(batch.id)[2].id)
    first = unescape(bulk(signed_in, batch, action="invite_on", scope="selected", row=line_2))
    assert "Send Invite & Password ticked for 1 row." in first and "/undo/" in first
    again = unescape(bulk(signed_in, batch, action="invite_on", scope="selected", row=line_2))
    # It said "Send Invite & Password ticked for 0 rows." beside an Undo.
    assert "Nothing changed: the rows chosen under “Apply to” already show this" in again
    assert "ticked for" not in again and "/undo/" not in again
    assert rows(batch.id)[2].send_invite is True


@pytest.mark.parametrize("delivery,how", [("password", "a generated password"),
                                          ("link", "a single-use link to choose their password")])
def test_create_users_says_what_each_person_is_sent_as_create_user_does(signed_in, org, batch, delivery, how):
    org.password_delivery = delivery
    db.session.commit()
    page = unescape(signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True))
    plan = " ".join(re.sub(r"<[^>]+>", " ", page[page.index('id="mail-plan"'):]).split()[:100])
    # It said "a generated password" to an organisation that sends links, and promised Admins an enrolment email.
    assert (f"People with Send Invite & Password ticked get a welcome email now with {how}. Everyone else gets no "
            "email now: a User or Guest gets sign-in details with their first series enrolment; an Admin or Team "
            "Manager when you press Send sign-in details on their page.") in plan


def welcome_count(client, batch) -> str:
    page = unescape(client.get(f"/users/import/{batch.id}/create").get_data(as_text=True))
    start = page.index(">", page.index('id="welcome-count"')) + 1
    return " ".join(page[start:page.index("</strong>", start)].split())


def test_create_users_counts_the_welcome_emails_it_sends_now(signed_in, batch):
    """The confirm page says how many of the people to be created get a welcome email now (their tick)."""
    ready = table_pages.counters(batch).ready
    assert ready > 2
    assert welcome_count(signed_in, batch) == ("Nobody to be created has Send Invite & Password ticked: no welcome "
                                               "email is sent now.")
    ticked = [str(row.id) for row in rows(batch.id).values() if row.status == "valid"][:2]
    bulk(signed_in, batch, action="invite_on", scope="selected", row=ticked)
    assert welcome_count(signed_in, batch) == f"2 of the {ready} people to be created have Send Invite & Password ticked."
    bulk(signed_in, batch, action="invite_on", scope="all_matching")  # every row, kept in the batch (choices.py)
    assert welcome_count(signed_in, batch) == f"All {ready} people to be created have Send Invite & Password ticked."
    bulk(signed_in, batch, action="remove", scope="selected", row=ticked[:1])  # a removed row is not created
    assert welcome_count(signed_in, batch) == f"All {ready - 1} people to be created have Send Invite & Password ticked."
