"""Find and replace reads only rows whose search text holds the find, checks in Python only names that are not
plain (plain.py says which in SQL), and writes the search text again by the find, the replacement or the line:
the rows must still come out as a full re-check gives them, and every row's search text must follow."""
from __future__ import annotations

import pytest
from sqlalchemy import func, literal, select

from tests import test_imports_table_v2
from tests.test_imports_table import edit, rows
from tests.test_imports_table_v2 import undo_url
from tests.test_imports_table_writes import addresses, assert_as_a_full_recheck, replace, state, suggestions_taken
from webapp.extensions import db
from webapp.imports import search_rows
from webapp.imports.plain import plain
from webapp.imports.values import _plain
from webapp.models import StagedRow, StagedSearch

batch = test_imports_table_v2.batch  # the mixed file's batch, as a fixture here too
# Few rows changed: each row's old checks kept, the Undo finds the rows by them; many: by the rows' undo token.
addresses = addresses


@pytest.mark.parametrize("text", [
    "Hopper", "Ada Lovelace", "O'Neil-Smith", "a", "~", "", " Hopper", "Hopper ", "Ada  Lovelace", "Ada\tLovelace",
    "José", "Zoë", "Ada\u00a0Lovelace", "Ada\x7fLovelace", "null", "NULL", "N/A", "(blank)", "nulls",
    "x" * 100, "x" * 101, "Ada\u200bLovelace", "'Abdul", "'=SUM(1)", "' -1", "O'Brien", "Abdul'",
])
def test_sql_says_a_name_is_plain_only_when_python_does(app, text):  # (a NUL never reaches it: see table.py)
    in_sql = db.session.scalar(select(plain(literal(text), 100, 300)))
    assert bool(in_sql) == _plain(text, 100, 300) if text else not in_sql


@pytest.mark.parametrize("text,holding", [
    ("N/A", "/"), ("null", "ul"), ("NULL", "L"), ("nulls", "s"), ("Byron", "yr"), ("none", "none"), ("NA", "A"),
    ("(blank)", "(b"), ("Lest1", "Lest1"), ("Ada  Lovelace", "Ada"), ("Zoë", "Zo"), ("-", "-"),
])
def test_sql_says_a_name_holding_a_replacement_is_plain_only_when_python_does(app, text, holding):
    # A replacement no placeholder holds rules placeholders out without comparing: the answer must not change.
    in_sql = db.session.scalar(select(plain(literal(text), 100, 300, holding=holding)))
    assert bool(in_sql) == _plain(text, 100, 300)


def assert_search_follows_the_rows(batch_id):
    stale = db.session.scalars(select(StagedSearch.line).join(StagedRow, StagedRow.id == StagedSearch.row_id).where(
        StagedSearch.batch_id == batch_id, StagedSearch.search != search_rows.search_text())).all()
    assert stale == []
    assert db.session.scalar(select(func.count()).where(StagedSearch.batch_id == batch_id)) == len(rows(batch_id))
    db.session.rollback()


# (column, find, replacement): plain names, names cleaning changes, non-ASCII, emptied, and addresses.
REPLACES = [
    ("last_name", "Hopper", "Byron"),
    ("last_name", "Hopper", " Hopper  "),
    ("last_name", "Hop", "Hop  "),
    ("last_name", "Hopper", "NULL"),
    ("last_name", "Hopper", "Höpper"),
    ("first_name", "a", ""),
    ("first_name", "A", "a"),
    ("email", "example.com", "example.org"),
    ("email", "@", ""),
]


@pytest.mark.parametrize("column,find,replacement", REPLACES)
def test_a_replace_and_its_undo_keep_checks_and_search_text_right(signed_in, batch, addresses, column, find,
                                                                   replacement):
    before = state(batch.id)
    html = replace(signed_in, batch, column, find, replacement)
    assert "Replaced in" in html
    assert_as_a_full_recheck(batch.id)
    assert_search_follows_the_rows(batch.id)
    signed_in.post(undo_url(html), headers={"HX-Request": "true"})
    assert state(batch.id) == before
    assert_search_follows_the_rows(batch.id)


def test_an_undo_puts_back_a_row_edited_since_and_its_search_text(signed_in, batch, addresses):
    html = replace(signed_in, batch, "last_name", "Hopper", "Byron")
    edit(signed_in, batch, 3, last_name="Edited")  # no longer holds what the change wrote
    signed_in.post(undo_url(html), headers={"HX-Request": "true"})
    assert rows(batch.id)[3].last_name == "Hopper"
    assert_search_follows_the_rows(batch.id)


def test_an_undo_of_few_rows_puts_back_the_checks_of_a_row_edited_since(signed_in, batch):
    html = replace(signed_in, batch, "last_name", "Hopper", "Byron")  # a plain name: no check changes
    edit(signed_in, batch, 3, first_name="", last_name="")  # no name at all: a problem
    assert rows(batch.id)[3].status == "invalid"
    signed_in.post(undo_url(html), headers={"HX-Request": "true"})
    line_3 = rows(batch.id)[3]
    assert (line_3.first_name, line_3.last_name, line_3.errors, line_3.status) == ("", "Hopper", [], "valid")
    assert_as_a_full_recheck(batch.id)
    assert_search_follows_the_rows(batch.id)


def test_suggested_fixes_and_their_undo_keep_search_text_right(signed_in, batch, addresses):
    replace(signed_in, batch, "email", "example.com", "gmial.com", q="grace")
    html = suggestions_taken(signed_in, batch)
    assert_search_follows_the_rows(batch.id)
    signed_in.post(undo_url(html), headers={"HX-Request": "true"})
    assert_search_follows_the_rows(batch.id)
    assert "gmial.com" in rows(batch.id)[3].email


def test_a_nul_written_into_names_is_cleaned_out_and_flagged(signed_in, batch):
    if db.engine.dialect.name == "postgresql":
        pytest.skip("PostgreSQL refuses a NUL in any text, the replacement's too")
    replace(signed_in, batch, "first_name", "Ada", "Ada\x00")
    line_2 = rows(batch.id)[2]
    assert line_2.first_name == "Ada" and [p["code"] for p in line_2.errors] == ["control_characters"]
    assert_search_follows_the_rows(batch.id)
