"""Staged-table search and pages read from the narrow search table: what they show must follow every
change of a row's names or email, and every status, on every page."""
from __future__ import annotations

import pytest

from tests import test_imports_table_v2
from tests.test_imports_table import HX, _lines, edit, rows
from tests.test_imports_table_v2 import bulk, undo_url
from webapp.extensions import db
from webapp.imports import staging, table_pages
from webapp.models import ImportBatch

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too


def found(client, batch_id, query, **params):
    html = client.get(f"/users/import/{batch_id}", query_string={"q": query, **params}, headers=HX)
    return [int(line) for line in _lines(html.get_data(as_text=True))]


def test_a_search_finds_a_row_by_its_edited_name_and_no_longer_by_the_old_one(signed_in, batch):
    edit(signed_in, batch, 3, first_name="Amazing", last_name="Grace", email="amazing@example.org")
    assert found(signed_in, batch.id, "amazing grace") == [3]
    assert found(signed_in, batch.id, "example.org") == [3]
    assert found(signed_in, batch.id, "hopper") == []


def test_find_and_replace_and_its_undo_move_what_a_search_finds(signed_in, batch):
    html = signed_in.post(f"/users/import/{batch.id}/replace", headers=HX, data={
        "column": "last_name", "find": "Lovelace", "replacement": "Byron", "scope": "all_matching",
        "filter": "all", "q": ""}).get_data(as_text=True)
    # Line 4 is an ignored duplicate: find and replace leaves it as it was.
    assert found(signed_in, batch.id, "byron") == [2] and found(signed_in, batch.id, "lovelace") == [4]
    signed_in.post(undo_url(html), headers=HX, data={"filter": "all"})
    assert found(signed_in, batch.id, "lovelace") == [2, 4] and found(signed_in, batch.id, "byron") == []


def test_reading_the_file_again_leaves_no_old_row_to_find(signed_in, batch):
    before = found(signed_in, batch.id, "example.com")
    staging.restage(db.session.get(ImportBatch, batch.id), delimiter=",")
    db.session.commit()
    assert found(signed_in, batch.id, "example.com") == before
    assert found(signed_in, batch.id, "Lovelace") == [2, 4]


@pytest.fixture
def mixed_batch(org, admin):
    """170 rows: every 9th address is not one (a problem); most rows are ready."""
    lines = ["First Name,Last Name,Email Address"] + [
        f"P{i},{'Odd' if i % 2 else 'Even'}," + (f"bad{i}" if i % 9 == 0 else f"p{i}@example.com") for i in range(170)]
    return staging.stage_upload(org.id, admin.id, "mixed.csv", "\r\n".join(lines).encode(), max_bytes=10**6,
                                ttl_days=7)


@pytest.mark.parametrize("filter_name,query,hashed", [
    ("all", "", None), ("ready", "", None), ("problems", "", None), ("removed", "", None), ("all", "odd", None),
    ("ready", "even", None), ("problems", "odd", None), ("removed", "p1", None), ("all", "12", None),
    # Pages read from the narrow table from the first one on; other rows left out by a hashed list of
    # ids, or by an anti-join (PostgreSQL, many of them).
    ("all", "", 20_000), ("ready", "", 20_000), ("ready", "", 0), ("ready", "even", 0),
])
def test_every_page_of_a_filter_and_search_shows_its_rows_in_file_order(signed_in, mixed_batch, monkeypatch,
                                                                         filter_name, query, hashed):
    if hashed is not None:
        monkeypatch.setattr(table_pages, "_HASHED_IDS", hashed)
        monkeypatch.setattr(table_pages, "_NEAR_START", 0)
    for line in (5, 6, 20, 101, 150):  # a few rows removed, on pages read from the start and from the end
        signed_in.post(f"/users/import/{mixed_batch.id}/rows/{rows(mixed_batch.id)[line].id}/remove", headers=HX)
    status = {"all": None, "ready": "valid", "problems": "invalid", "removed": "removed"}[filter_name]
    expected = [line for line, row in sorted(rows(mixed_batch.id).items())
                if (row.status == status if status else row.status != "removed")
                and (not query or query in f"{row.first_name} {row.last_name} {row.email}".lower()
                     or query == str(line))]
    shown = []
    for page in range(1, 6):
        shown += found(signed_in, mixed_batch.id, query, filter=filter_name, page=page)
        if len(shown) >= len(expected):
            break
    assert shown == expected
    last = -(-len(expected) // 50) or 1
    html = signed_in.get(f"/users/import/{mixed_batch.id}", headers=HX,
                         query_string={"q": query, "filter": filter_name, "page": 99}).get_data(as_text=True)
    assert [int(line) for line in _lines(html)] == expected[(last - 1) * 50:]  # past the end: the last page
    assert f"of {len(expected)} rows" in html or not expected


def test_a_bulk_change_over_a_search_changes_only_the_rows_found(signed_in, mixed_batch):
    html = bulk(signed_in, mixed_batch, action="set_type", account_type="guest", scope="all_matching", q="odd")
    after = rows(mixed_batch.id)
    assert {line for line, row in after.items() if row.account_type == "guest"} == \
        {line for line, row in after.items() if row.last_name == "Odd"}
    assert "Account type set to Guest for 85 rows." in html
