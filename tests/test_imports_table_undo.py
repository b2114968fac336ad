"""Bulk changes and their undo over every row, the rows matching a search, or a selection: exactly
those rows change, and Undo puts every one back (the undo values are kept in the rows)."""
from __future__ import annotations

import pytest

from tests.test_imports_table import HX, row_id, rows
from tests import test_imports_table_v2
from tests.test_imports_table_v2 import bulk, undo_url

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too


def snapshot(batch_id):
    return {line: (row.account_type, row.account_type_error, row.send_invite, row.status, row.conflict_with)
            for line, row in rows(batch_id).items()}


def changed_lines(before, after):
    return {line for line in before if before[line] != after[line]}


SCOPES = {"all": {"scope": "all_matching"}, "search": {"scope": "all_matching", "q": "alan"},
          "selection": {"scope": "selected"}}
OPEN_LINES = {2, 3, 5, 6, 7, 8, 9, 10}  # line 4 repeats line 2's email: an ignored duplicate
# The lines each change touches, by scope. Line 9 is a guest already; a duplicate can only be removed.
CHANGES = [
    ("set_type", {"account_type": "guest"}, {"all": OPEN_LINES - {9}, "search": {6, 7}, "selection": {2, 3}}),
    ("invite_on", {}, {"all": OPEN_LINES, "search": {6, 7}, "selection": {2, 3}}),
    ("invite_off", {}, {"all": OPEN_LINES, "search": {6, 7}, "selection": {2, 3}}),
    ("remove", {}, {"all": OPEN_LINES | {4}, "search": {6, 7}, "selection": {2, 3}}),
]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("action,extra,lines", CHANGES)
def test_a_bulk_change_touches_exactly_its_rows_and_undo_restores_them(signed_in, batch, scope, action,
                                                                        extra, lines):
    data, expected = SCOPES[scope], lines[scope]
    if action == "invite_off":  # every row ticked first, so clearing changes something
        bulk(signed_in, batch, action="invite_on", scope="all_matching")
    if scope == "selection":
        data = {**data, "row": [row_id(batch.id, line) for line in sorted(expected)]}
    before = snapshot(batch.id)
    html = bulk(signed_in, batch, action=action, **extra, **data)
    assert changed_lines(before, snapshot(batch.id)) == expected
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert f"Undone: {len(expected)} rows as before." in undone
    assert snapshot(batch.id) == before


def test_an_undone_change_never_comes_back_with_a_later_undo(signed_in, batch):
    html = bulk(signed_in, batch, action="set_type", scope="all_matching", account_type="guest")
    signed_in.post(undo_url(html), headers=HX)
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/choice", headers=HX,
                   data={"field": "account_type", "account_type": "user"})
    html = bulk(signed_in, batch, action="set_type", scope="selected", account_type="team_manager",
                row=[row_id(batch.id, 3)])
    signed_in.post(undo_url(html), headers=HX)
    after = rows(batch.id)
    assert after[2].account_type == "user" and after[3].account_type == "user"
    assert after[10].account_type_error == "Wizard"


def test_undoing_a_later_change_never_reverts_an_older_one(signed_in, batch):
    bulk(signed_in, batch, action="set_type", scope="all_matching", account_type="guest")
    html = bulk(signed_in, batch, action="invite_on", scope="selected", row=[row_id(batch.id, 3)])
    signed_in.post(undo_url(html), headers=HX)
    html = bulk(signed_in, batch, action="set_type", scope="selected", account_type="team_manager",
                row=[row_id(batch.id, 5)])
    signed_in.post(undo_url(html), headers=HX)
    after = rows(batch.id)
    assert [after[line].account_type for line in (2, 3, 5, 6)] == ["guest"] * 4
    assert not after[3].send_invite
