"""Bulk writes re-check only the rows that can differ (remove, restore, find and replace, suggested fixes,
and their Undo): the rows then hold what a full re-check of the batch gives, the counters and the Create
Users page agree with them, and Undo puts every row back. Each runs twice: with the rows sharing the
change's addresses found address by address, and through the addresses rows share (a change of thousands)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import true

from tests import test_imports_table_v2
from tests.test_imports_table import HX, row_id, rows
from tests.test_imports_table_counts import assert_counters_right
from tests.test_imports_table_v2 import bulk, counter, undo_url
from webapp.extensions import db
from webapp.imports import removal, rewriting, row_changes, staging
from webapp.imports.cleaning import check_values
from webapp.imports.fields import staged_fields
from webapp.models import ImportBatch

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too


@pytest.fixture(params=["few addresses", "many addresses"])
def addresses(request, monkeypatch):
    if request.param == "many addresses":
        monkeypatch.setattr(row_changes, "FEW_ADDRESSES", 0)  # (read through the module by every change)


def state(batch_id):
    return {line: (row.first_name, row.last_name, row.email, row.status, row.conflict_with, row.errors,
                   row.email_ok, row.suggested_email) for line, row in rows(batch_id).items()}


def assert_as_a_full_recheck(batch_id):
    """Every row holds the checks, conflicts and status that checking the whole batch again gives."""
    kept = state(batch_id)
    fields = [f for f in staged_fields() if f.key in rewriting.REPLACEABLE]
    for line, row in rows(batch_id).items():
        checked = check_values({key: getattr(row, key) for key in rewriting.REPLACEABLE}, fields=fields)
        assert sorted(map(str, row.errors)) == sorted(map(str, checked.problems)), line
        assert row.email_ok == checked.email_ok, line
    removal.settle(batch_id)  # rows removed apart (or all at once) written into the rows, as they show
    staging.refresh_rows(db.session.get(ImportBatch, batch_id), true(), true())
    assert state(batch_id) == kept
    db.session.rollback()


def replace(client, batch, column, find, replacement, **data):
    return client.post(f"/users/import/{batch.id}/replace", headers=HX,
                       data={"column": column, "find": find, "replacement": replacement, "scope": "all_matching",
                             "filter": "all", "q": "", **data}).get_data(as_text=True)


def remove_all(client, batch):
    return bulk(client, batch, action="remove", scope="all_matching")


def restore_all(client, batch):
    return bulk(client, batch, action="restore", scope="all_matching", filter="removed")


def remove_search(client, batch):  # lines 6 and 7 (alan@), which conflicted with each other
    return bulk(client, batch, action="remove", scope="all_matching", q="alan")


def restore_search(client, batch):  # lines 6 and 7 back: line 7 conflicts with line 6 again
    return bulk(client, batch, action="restore", scope="all_matching", filter="removed", q="alan")


def remove_line_2(client, batch):
    return bulk(client, batch, action="remove", scope="selected", row=[row_id(batch.id, 2)])


def remove_line_6(client, batch):  # line 7 stops conflicting with it
    return bulk(client, batch, action="remove", scope="selected", row=[row_id(batch.id, 6)])


def restore_line_7(client, batch):  # line 6 still removed: line 7 conflicts with nothing
    return bulk(client, batch, action="restore", scope="selected", filter="removed", row=[row_id(batch.id, 7)])


def email_meets_another(client, batch):  # line 2 ada@ -> alan@, before line 6: lines 6 and 7 conflict with it
    return replace(client, batch, "email", "ada@", "alan@")


def email_leaves_another(client, batch):  # line 7 alone: alan@ -> al@ no longer conflicts with line 6
    return replace(client, batch, "email", "alan@", "al@", scope="selected", row=[row_id(batch.id, 7)])


def earlier_email_leaves(client, batch):  # line 6 alan@ -> al@: line 7 keeps alan@ and conflicts with no row
    return replace(client, batch, "email", "alan@", "al@", scope="selected", row=[row_id(batch.id, 6)])


def email_made_invalid(client, batch):  # grace@example.com -> "grace at example.com": a problem
    return replace(client, batch, "email", "@", " at ", q="grace")


def name_too_long(client, batch):
    return replace(client, batch, "last_name", "Hopper", "H" * 120)


def first_name_emptied(client, batch):
    return replace(client, batch, "first_name", "Grace", "")


def last_name_emptied(client, batch):  # after its first name: line 3 has no name at all
    return replace(client, batch, "last_name", "Hopper", "")


def misspelt_domain(client, batch):  # grace@gmial.com, suggested as grace@gmail.com
    return replace(client, batch, "email", "example.com", "gmial.com", q="grace")


def suggestions_taken(client, batch):
    return client.post(f"/users/import/{batch.id}/suggestions", headers=HX, data={"filter": "all"}
                       ).get_data(as_text=True)


# (set-up, the change, a line and the status the change gives it)
CHANGES = {
    "remove a search": (None, remove_search, 7, "removed"),
    "remove a selection": (None, remove_line_6, 7, "valid"),
    "restore all rows": (remove_all, restore_all, 4, "duplicate"),
    "restore a selection": (remove_search, restore_line_7, 7, "valid"),
    # A search's rows are removed apart (imports/removal.py); what follows must read and undo them right.
    "restore a search": (remove_search, restore_search, 7, "invalid"),
    "remove more after a search": (remove_search, remove_line_2, 2, "removed"),
    "restore all after a search": (remove_search, restore_all, 7, "invalid"),
    "remove all after a search": (remove_search, remove_all, 2, "removed"),
    "email meets another": (None, email_meets_another, 6, "invalid"),
    "email leaves another": (None, email_leaves_another, 7, "valid"),
    "earlier email leaves another": (None, earlier_email_leaves, 7, "valid"),
    "email made invalid": (None, email_made_invalid, 3, "invalid"),
    "name too long": (None, name_too_long, 3, "invalid"),
    "names emptied": (first_name_emptied, last_name_emptied, 3, "invalid"),
    "suggested fixes taken": (misspelt_domain, suggestions_taken, 3, "valid"),
}


@pytest.mark.parametrize("case", CHANGES)
def test_a_change_and_its_undo_leave_every_row_as_a_full_recheck(signed_in, batch, addresses, case):
    setup, change, line, status = CHANGES[case]
    assert_counters_right(signed_in, batch.id)  # counted once, then kept through every change
    if setup is not None:
        setup(signed_in, batch)
    before = state(batch.id)
    html = change(signed_in, batch)
    assert rows(batch.id)[line].status == status
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)
    assert to_create(signed_in, batch) == counter(html, "ready")
    signed_in.post(undo_url(html), headers=HX)
    assert state(batch.id) == before
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


def to_create(client, batch) -> int:
    """How many accounts the Create Users page says it will create."""
    page = client.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    found = re.search(r"([\d,]+) users? will be created", page)
    return int(found.group(1).replace(",", "")) if found else 0
