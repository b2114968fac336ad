"""The staged table's counters are kept with the batch instead of counted on every request: after every
kind of change, on the next page and in another request, they still say exactly how many rows are where."""
from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from flask import render_template
from sqlalchemy import func, select

from tests.test_imports_table import HX, row_id
from tests import test_imports_table_v2
from tests.test_imports_table_v2 import bulk, counter, undo_url
from webapp.extensions import db
from webapp.imports import creating, removal, table_pages
from webapp.models import ImportBatch, RowStatus, StagedRow

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too
LABELS = {RowStatus.VALID: "ready", RowStatus.INVALID: "problems?", RowStatus.DUPLICATE: "duplicates? ignored",
          RowStatus.EXISTING: "already ha(?:s|ve) an account"}


def counted(batch_id):
    """The rows' statuses as the table shows them, counted (a removal of every row is kept in the batch)."""
    return removal.fold(batch_id, dict(db.session.execute(
        select(StagedRow.status, func.count()).where(StagedRow.batch_id == batch_id).group_by(StagedRow.status)).all()))


def assert_counters_right(client, batch_id):
    """The counters a fresh page shows are the rows' real statuses, counted."""
    html = client.get(f"/users/import/{batch_id}", headers=HX).get_data(as_text=True)
    db.session.expire_all()
    real = counted(batch_id)
    for status, label in LABELS.items():
        assert counter(html, label) == real.get(status, 0), (label, real)
    assert counter(html, "removed") == real.get(RowStatus.REMOVED, 0)


def edit_line_5(client, batch_id):  # "not-an-email" fixed: a problem becomes ready
    client.post(f"/users/import/{batch_id}/rows/{row_id(batch_id, 5)}", headers=HX,
                data={"first_name": "Bad", "last_name": "Row", "email": "bad.row@example.com",
                      "account_type": "user"})


def type_line_10(client, batch_id):  # "Wizard" refused; choosing a type makes the row ready
    client.post(f"/users/import/{batch_id}/rows/{row_id(batch_id, 10)}/choice", headers=HX,
                data={"field": "account_type", "account_type": "guest"})


def remove_line_6(client, batch_id):  # line 7 stops conflicting with it
    client.post(f"/users/import/{batch_id}/rows/{row_id(batch_id, 6)}/remove", headers=HX)


def remove_all(client, batch_id):
    client.post(f"/users/import/{batch_id}/bulk", headers=HX,
                data={"action": "remove", "scope": "all_matching", "filter": "all", "account_type": "user"})


def set_type_all(client, batch_id):  # clears line 10's refused type
    client.post(f"/users/import/{batch_id}/bulk", headers=HX,
                data={"action": "set_type", "scope": "all_matching", "filter": "all", "account_type": "user"})


def replace_email(client, batch_id):  # ada@ -> alan@: new conflicts with line 6
    client.post(f"/users/import/{batch_id}/replace", headers=HX,
                data={"column": "email", "find": "ada@", "replacement": "alan@", "scope": "all_matching",
                      "filter": "all"})


@pytest.mark.parametrize("change", [edit_line_5, type_line_10, remove_line_6, remove_all, set_type_all,
                                    replace_email])
def test_counters_follow_each_change_and_its_undo(signed_in, batch, change):
    assert_counters_right(signed_in, batch.id)  # counted once and kept
    before = counted(batch.id)
    change(signed_in, batch.id)
    assert counted(batch.id) != before  # the change moved rows between counters
    assert_counters_right(signed_in, batch.id)
    html = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    if "/undo/" in html:
        signed_in.post(undo_url(html), headers=HX)
        assert_counters_right(signed_in, batch.id)


def test_undo_of_a_removal_brings_the_counters_back(signed_in, batch):
    assert_counters_right(signed_in, batch.id)
    html = bulk(signed_in, batch, action="remove", scope="all_matching")
    assert counter(html, "removed") == 9 and counter(html, "ready") == 0
    html = signed_in.post(undo_url(html), headers=HX).get_data(as_text=True)
    assert counter(html, "removed") == 0 and counter(html, "ready") == 3 and counter(html, "problems") == 4


def test_counters_after_create_users_show_the_created_rows(signed_in, batch, admin):
    assert_counters_right(signed_in, batch.id)  # kept while the batch was being checked
    creating.create_users(batch.id, admin.id)
    html = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    assert counter(html, "created") == 3 and counter(html, "ready") == 0


def test_kept_counts_are_not_trusted_once_the_batch_changes_elsewhere(app, batch):
    table_pages.counters(batch)
    # A change the staged table did not make (as a re-read of the file would): the batch row is updated too.
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id)
                       .values(status=RowStatus.REMOVED))
    db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch.id).values(filename="again.csv"))
    db.session.commit()
    assert table_pages.counters(db.session.get(ImportBatch, batch.id)).removed == 9


def test_removing_selected_rows_frees_the_rows_that_shared_their_address(signed_in, batch):
    html = bulk(signed_in, batch, action="remove", scope="selected", row=[row_id(batch.id, 6)])
    assert counter(html, "ready") == 3 and counter(html, "problems") == 3  # line 7 no longer conflicts
    assert_counters_right(signed_in, batch.id)
    html = bulk(signed_in, batch, action="restore", scope="selected", filter="removed", row=[row_id(batch.id, 6)])
    assert counter(html, "ready") == 3 and counter(html, "problems") == 4 and counter(html, "removed") == 0
    assert_counters_right(signed_in, batch.id)


@pytest.mark.parametrize("count, words", [
    (0, ["0 rows read", "0 duplicates ignored", "0 ready", "0 problems", "0 already have an account"]),
    (1, ["1 row read", "1 duplicate ignored", "1 ready", "1 problem", "1 already has an account"]),
    (2, ["2 rows read", "2 duplicates ignored", "2 ready", "2 problems", "2 already have an account"]),
])
def test_counter_labels_read_naturally_for_0_1_and_2(app, count, words):
    counters = SimpleNamespace(rows_read=count, duplicates=count, ready=count, problems=count, existing=count,
                               removed=0, created=0, failed=0)
    with app.test_request_context():
        html = render_template("imports/partials/_counters.html", counters=counters)
    shown = [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in re.findall(r"<li>.*?</li>", html)]
    assert shown == words
