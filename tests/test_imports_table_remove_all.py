"""Remove of every row at once (kept in the batch, see imports/removal.py): every page, filter, counter,
the problems CSV and Create Users see every row removed; restoring, undoing and changing rows afterwards
behave as if each row had been removed on its own."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.test_imports_table import HX, row_id, rows
from tests import test_imports_table_v2
from tests.test_imports_table_counts import assert_counters_right
from tests.test_imports_table_undo import snapshot
from tests.test_imports_table_v2 import bulk, counter, undo_url
from webapp.extensions import db
from webapp.models import User

batch = test_imports_table_v2.batch  # the mixed file's batch: lines 2-10, line 7 conflicts with line 6
ALL_LINES = set(range(2, 11))


def remove_all(client, batch, expected=9):
    html = bulk(client, batch, action="remove", scope="all_matching")
    assert f"{expected} rows removed." in html
    return html


def page(client, batch, query=""):
    return client.get(f"/users/import/{batch.id}{query}", headers=HX).get_data(as_text=True)


def shown_lines(html, batch):
    return {line for line in ALL_LINES if 'id="row-%d"' % row_id(batch.id, line) in html}


def test_every_row_shows_as_removed_in_filters_counters_and_search(signed_in, batch):
    html = remove_all(signed_in, batch)
    assert counter(html, "removed") == 9 and counter(html, "ready") == 0 and counter(html, "problems") == 0
    assert shown_lines(page(signed_in, batch), batch) == set()
    assert shown_lines(page(signed_in, batch, "?filter=removed"), batch) == ALL_LINES
    assert shown_lines(page(signed_in, batch, "?filter=problems"), batch) == set()
    assert shown_lines(page(signed_in, batch, "?filter=removed&q=alan"), batch) == {6, 7}
    assert shown_lines(page(signed_in, batch, "?q=alan"), batch) == set()
    assert {row.status for row in rows(batch.id).values()} == {"removed"}
    assert_counters_right(signed_in, batch.id)


def test_undo_of_remove_all_puts_every_row_back_with_its_conflict(signed_in, batch):
    before = snapshot(batch.id)
    html = remove_all(signed_in, batch)
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 9 rows as before." in undone
    assert snapshot(batch.id) == before
    assert rows(batch.id)[7].conflict_with == 6
    assert_counters_right(signed_in, batch.id)


def test_a_removed_row_cannot_be_edited_until_restored_on_its_own(signed_in, batch):
    remove_all(signed_in, batch)
    line_3 = row_id(batch.id, 3)
    edited = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}", headers=HX,
                            data={"first_name": "Changed", "last_name": "Hopper", "email": "grace@example.com",
                                  "account_type": "user"}).get_data(as_text=True)
    assert "restore it first" in edited and rows(batch.id)[3].first_name == "Grace"
    restored = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}/restore", headers=HX).get_data(as_text=True)
    assert counter(restored, "ready") == 1 and counter(restored, "removed") == 8
    after = rows(batch.id)
    assert after[3].status == "valid" and all(after[line].status == "removed" for line in ALL_LINES - {3})
    assert shown_lines(page(signed_in, batch), batch) == {3}
    assert_counters_right(signed_in, batch.id)
    signed_in.post(f"/users/import/{batch.id}/rows/{line_3}", headers=HX,
                   data={"first_name": "Changed", "last_name": "Hopper", "email": "grace@example.com",
                         "account_type": "user"})
    assert rows(batch.id)[3].first_name == "Changed"


def test_restore_all_after_remove_all_brings_back_rows_removed_before_it_too(signed_in, batch):
    before = snapshot(batch.id)
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 6)}/remove", headers=HX)
    assert rows(batch.id)[7].status == "valid"  # line 6 removed: line 7 no longer conflicts
    remove_all(signed_in, batch, 8)  # the rows left; line 6 stays removed on its own
    html = bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert "9 rows restored." in html
    assert snapshot(batch.id) == before  # line 7 conflicts with line 6 again
    assert_counters_right(signed_in, batch.id)
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 9 rows as before." in undone
    assert {row.status for row in rows(batch.id).values()} == {"removed"}
    assert_counters_right(signed_in, batch.id)
    bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert snapshot(batch.id) == before


def test_undo_of_restore_all_removes_every_row_again(signed_in, batch):
    before = snapshot(batch.id)
    remove_all(signed_in, batch)
    html = bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert "9 rows restored." in html and snapshot(batch.id) == before
    undone = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert "Undone: 9 rows as before." in undone and counter(undone, "removed") == 9
    assert {row.status for row in rows(batch.id).values()} == {"removed"}
    assert_counters_right(signed_in, batch.id)
    bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert snapshot(batch.id) == before


def test_restore_over_a_search_after_remove_all_brings_back_only_its_rows(signed_in, batch):
    remove_all(signed_in, batch)
    html = bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed", q="alan")
    assert "2 rows restored." in html
    after = rows(batch.id)
    assert after[6].status == "valid" and after[7].status == "invalid" and after[7].conflict_with == 6
    assert all(after[line].status == "removed" for line in ALL_LINES - {6, 7})
    assert_counters_right(signed_in, batch.id)


def test_a_change_of_every_row_after_remove_all_touches_no_removed_row(signed_in, batch):
    remove_all(signed_in, batch)
    html = bulk(signed_in, batch, action="set_type", scope="all_matching", account_type="guest")
    assert "Nothing changed: the rows chosen under" in html and "/undo/" not in html
    again = bulk(signed_in, batch, action="remove", scope="all_matching")
    assert "Nothing changed: the rows chosen under" in again
    bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert rows(batch.id)[2].account_type == "admin" and rows(batch.id)[3].account_type == "user"
    assert_counters_right(signed_in, batch.id)


def test_problems_csv_lists_every_row_as_removed(signed_in, batch):
    remove_all(signed_in, batch)
    table = list(csv.reader(io.StringIO(signed_in.get(f"/users/import/{batch.id}/problems.csv")
                                        .data.decode("utf-8-sig"))))
    reasons = {int(r[0]): r[-1] for r in table[1:]}
    assert set(reasons) == ALL_LINES
    assert set(reasons.values()) == {"Removed by you from this import."}


def test_create_users_skips_every_removed_row(signed_in, batch):
    remove_all(signed_in, batch)
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 3)}/restore", headers=HX)
    confirm = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert "1 user will be created." in confirm
    signed_in.post(f"/users/import/{batch.id}/create")
    emails = set(db.session.scalars(select(User.email)))
    assert "grace@example.com" in emails
    assert not emails & {"ada@example.com", "alan@example.com", "margaret@example.com"}


def test_create_users_right_after_remove_all_creates_nobody(signed_in, batch):
    remove_all(signed_in, batch)
    confirm = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert "will be created" not in confirm or "0 users will be created" in confirm
    users = db.session.scalar(select(db.func.count()).select_from(User))
    signed_in.post(f"/users/import/{batch.id}/create")
    assert db.session.scalar(select(db.func.count()).select_from(User)) == users
