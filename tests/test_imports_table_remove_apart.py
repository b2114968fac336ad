"""A bulk remove of chosen rows (a search's, a selection's) is kept apart from the wide rows (see
imports/removal.py): every page, filter, counter, the problems CSV and Create Users see those rows removed,
and an edit or another change in between (which may write the removal into the rows) leaves its Undo and the
Undo of a restore right."""
from __future__ import annotations

import csv
import io
from collections import Counter

import pytest
from sqlalchemy import select

from tests import test_imports_table_v2
from tests.test_imports_table import HX, edit, row_id, rows
from tests.test_imports_table_counts import LABELS, assert_counters_right
from tests.test_imports_table_remove_all import page, shown_lines
from tests.test_imports_table_undo import snapshot
from tests.test_imports_table_v2 import bulk, counter, undo_url
from tests.test_imports_table_writes import assert_as_a_full_recheck
from webapp.extensions import db
from webapp.imports import row_counts, staging, sync, table, table_pages
from webapp.models import Group, RowStatus, StagedRemoval, User

batch = test_imports_table_v2.batch  # the mixed file's batch: lines 2-10, line 7 conflicts with line 6
ALL_LINES = set(range(2, 11))


def remove_alan(client, batch):
    html = bulk(client, batch, action="remove", scope="all_matching", q="alan")
    assert "2 rows removed." in html
    return html


def restore_alan(client, batch):
    html = bulk(client, batch, action="restore", scope="all_matching", filter="removed", q="alan")
    assert "2 rows restored." in html
    return html


def apart(batch_id):
    return set(db.session.scalars(select(StagedRemoval.row_id).where(StagedRemoval.batch_id == batch_id)))


def test_a_search_removal_shows_in_filters_counters_search_and_csv(signed_in, batch):
    html = remove_alan(signed_in, batch)
    assert apart(batch.id) == {row_id(batch.id, 6), row_id(batch.id, 7)}  # kept apart, not written in the rows
    assert counter(html, "removed") == 2
    assert shown_lines(page(signed_in, batch), batch) == ALL_LINES - {6, 7}
    assert shown_lines(page(signed_in, batch, "?filter=removed"), batch) == {6, 7}
    assert shown_lines(page(signed_in, batch, "?filter=removed&q=alan"), batch) == {6, 7}
    assert shown_lines(page(signed_in, batch, "?filter=problems"), batch) & {6, 7} == set()
    assert shown_lines(page(signed_in, batch, "?q=alan"), batch) == set()
    assert rows(batch.id)[6].status == rows(batch.id)[7].status == "removed"
    assert rows(batch.id)[7].conflict_with is None
    table = list(csv.reader(io.StringIO(signed_in.get(f"/users/import/{batch.id}/problems.csv")
                                        .data.decode("utf-8-sig"))))
    reasons = {int(r[0]): r[-1] for r in table[1:]}
    assert reasons[6] == reasons[7] == "Removed by you from this import."
    assert_counters_right(signed_in, batch.id)


def test_a_row_removed_by_a_search_cannot_be_edited_until_restored(signed_in, batch):
    remove_alan(signed_in, batch)
    edited = edit(signed_in, batch, 6, first_name="Changed").get_data(as_text=True)
    assert "restore it first" in edited and rows(batch.id)[6].first_name == "Alan"
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 6)}/restore", headers=HX)
    assert rows(batch.id)[6].status == "valid" and rows(batch.id)[7].status == "removed"
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


def test_create_users_skips_rows_removed_by_a_search(signed_in, batch):
    html = remove_alan(signed_in, batch)
    confirm = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert f"{counter(html, 'ready')} users will be created." in confirm
    signed_in.post(f"/users/import/{batch.id}/create")
    emails = set(db.session.scalars(select(User.email)))
    assert "ada@example.com" in emails and "alan@example.com" not in emails


def test_undo_of_a_search_removal_after_an_edit_puts_its_rows_back(signed_in, batch):
    before = snapshot(batch.id)
    html = remove_alan(signed_in, batch)
    edit(signed_in, batch, 3, first_name="Gracie")  # an edit of another row leaves them apart
    assert apart(batch.id) == {row_id(batch.id, 6), row_id(batch.id, 7)} and rows(batch.id)[6].status == "removed"
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 2 rows as before." in undone
    assert snapshot(batch.id) == before and rows(batch.id)[7].conflict_with == 6
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


def test_undo_of_a_search_restore_after_an_edit_removes_its_rows_again(signed_in, batch):
    remove_alan(signed_in, batch)
    removed = snapshot(batch.id)
    html = restore_alan(signed_in, batch)
    assert rows(batch.id)[7].status == "invalid" and rows(batch.id)[7].conflict_with == 6
    edit(signed_in, batch, 3, first_name="Gracie")
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 2 rows as before." in undone
    assert snapshot(batch.id) == removed
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


def test_a_row_removed_on_its_own_after_a_search_restore_stays_removed_through_its_undo(signed_in, batch):
    remove_alan(signed_in, batch)
    html = restore_alan(signed_in, batch)
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 6)}/remove", headers=HX)
    signed_in.post(undo_url(html), headers=HX)
    assert rows(batch.id)[6].status == rows(batch.id)[7].status == "removed"
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


def test_a_type_set_for_every_row_after_a_search_removal_leaves_its_rows_alone(signed_in, batch):
    remove_alan(signed_in, batch)
    html = bulk(signed_in, batch, action="set_type", scope="all_matching", account_type="guest")
    assert counter(html, "removed") == 2
    restore_alan(signed_in, batch)
    assert rows(batch.id)[6].account_type == "user" and rows(batch.id)[2].account_type == "guest"
    assert_as_a_full_recheck(batch.id)
    assert_counters_right(signed_in, batch.id)


@pytest.mark.parametrize("kept", [True, False], ids=["kept counts", "counted afresh"])
def test_counters_with_a_search_removal_are_the_rows_as_they_show(signed_in, batch, kept):
    remove_alan(signed_in, batch)
    if not kept:
        row_counts.changed(batch.id)
        db.session.commit()
    html = page(signed_in, batch)
    shown = Counter(row.status for row in rows(batch.id).values())
    assert shown[RowStatus.REMOVED] == 2
    for status, label in LABELS.items():
        assert counter(html, label) == shown[status], label
    assert counter(html, "removed") == shown[RowStatus.REMOVED]


def test_ticking_create_missing_groups_with_rows_removed_by_a_search_keeps_the_counters_right(org, admin):
    db.session.add(Group(org_id=org.id, name="Sales"))
    db.session.commit()
    text = "First Name,Email,Group\nAnn,ann@example.com,Nowhere\nBob,bob@example.com,Sales\n"
    batch = staging.stage_upload(org.id, admin.id, "people.csv", text.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    assert table_pages.counters(batch).problems == 1  # Ann: no group called Nowhere
    table.bulk_action(batch, "remove", table_pages.matching(batch.id, "all", "ann"))
    sync.configure(batch, create_missing_groups=True)  # the open rows are checked again
    db.session.commit()
    assert table_pages.counters(batch).removed == 1  # (the page seen in between: counted afresh)
    table.bulk_action(batch, "restore", table_pages.matching(batch.id, "removed", "ann"))
    shown = Counter(row.status for row in rows(batch.id).values())
    counted = table_pages.counters(batch)
    assert shown[RowStatus.REMOVED] == 0
    assert (counted.ready, counted.problems, counted.removed) == (shown[RowStatus.VALID], shown[RowStatus.INVALID], 0)
