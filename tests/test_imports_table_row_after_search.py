"""A change of one row after a bulk remove over a search (whose rows are kept apart, imports/removal.py) writes
into the rows only the rows removed apart it can read: the row and those sharing its addresses. The others stay
apart, and every row, the counters and the search removal's Undo stay right."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests import test_imports_table_v2
from tests.test_imports_table import HX, edit, row_id, rows
from tests.test_imports_table_counts import assert_counters_right
from tests.test_imports_table_v2 import bulk, undo_url
from tests.test_imports_table_writes import assert_as_a_full_recheck
from webapp.extensions import db
from webapp.models import StagedRemoval

batch = test_imports_table_v2.batch  # the mixed file's batch: lines 2-10, line 7 (alan@) conflicts with line 6


def apart_lines(batch_id):
    ids = set(db.session.scalars(select(StagedRemoval.row_id).where(StagedRemoval.batch_id == batch_id)))
    return {line for line, row in rows(batch_id).items() if row.id in ids}


def post_row(client, batch, line, action, **data):
    return client.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, line)}/{action}", headers=HX, data=data)


# (the change of one row, the lines removed apart it writes into the rows, line 3's status after it)
CHANGES = {
    "edit a name": (lambda c, b: edit(c, b, 3, first_name="Gracie"), set(), "valid"),
    # Line 3 takes the address of the removed lines 6 and 7: they are out of play, so no conflict.
    "edit to the removed rows' address": (lambda c, b: edit(c, b, 3, email="alan@example.com"), {6, 7}, "valid"),
    "remove another row": (lambda c, b: post_row(c, b, 3, "remove"), set(), "removed"),
    # Line 7 back on its own: line 6 (same address) is read for its conflict, so it is written into the rows.
    "restore a removed row": (lambda c, b: post_row(c, b, 7, "restore"), {6, 7}, "valid"),
    "set a row's type": (lambda c, b: post_row(c, b, 3, "choice", field="account_type", account_type="admin"),
                         set(), "valid"),
}


@pytest.mark.parametrize("case", CHANGES)
def test_one_row_changed_after_a_search_removal_leaves_the_other_rows_apart(signed_in, batch, case):
    change, written, line_3 = CHANGES[case]
    removal_html = bulk(signed_in, batch, action="remove", scope="all_matching", q="alan")
    assert apart_lines(batch.id) == {6, 7}

    response = change(signed_in, batch)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert "banner-error" not in response.get_data(as_text=True)
    assert apart_lines(batch.id) == {6, 7} - written
    assert rows(batch.id)[3].status == line_3
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)

    # The search removal can still be undone, whether its rows are apart or were written into the rows.
    undone = signed_in.post(undo_url(removal_html), headers=HX).get_data(as_text=True)
    assert "Undone:" in undone
    assert apart_lines(batch.id) == set()
    assert rows(batch.id)[6].status != "removed" and rows(batch.id)[7].status != "removed"
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


# (bulk form data, the open lines it sets; the rows removed apart are never among them)
CHOICES = {
    "type for every row": ({"action": "set_type", "account_type": "admin", "scope": "all_matching"},
                           "account_type", "admin"),
    "Send Invite for every row": ({"action": "invite_on", "scope": "all_matching"}, "send_invite", True),
    "type over a search": ({"action": "set_type", "account_type": "admin", "scope": "all_matching", "q": "example"},
                           "account_type", "admin"),
}


@pytest.mark.parametrize("case", CHOICES)
def test_a_type_or_send_invite_after_a_search_removal_leaves_its_rows_apart_and_as_they_were(signed_in, batch, case):
    data, column, value = CHOICES[case]
    bulk(signed_in, batch, action="remove", scope="all_matching", q="alan")
    before = {line: getattr(row, column) for line, row in rows(batch.id).items()}

    html = bulk(signed_in, batch, **data)
    assert "banner-error" not in html
    # Counted as the rows it changed: open rows that showed another value, never the removed ones.
    changed = sum(1 for line, row in rows(batch.id).items() if row.status in ("valid", "invalid", "existing")
                  and getattr(row, column) != before[line])
    assert f"for {changed} rows." in html, re.search(r'notice"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert apart_lines(batch.id) == {6, 7}, "no row removed apart is written into the rows"
    now = rows(batch.id)
    assert {line for line in now if getattr(now[line], column) != before[line]} >= {3}  # an open row takes it
    assert getattr(now[6], column) == before[6] and getattr(now[7], column) == before[7]
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)

    # Brought back, the removed rows show what they showed when the change was made.
    bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed", q="alan")
    back = rows(batch.id)
    assert back[6].status != "removed" and getattr(back[6], column) == before[6]
    assert getattr(back[7], column) == before[7]
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)
