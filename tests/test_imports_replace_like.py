"""Find and replace finds the text as typed, even where it holds LIKE's wildcards (% and _) or the escape
character: rows are ruled out by a LIKE before replace() is worked out (PostgreSQL), so the text must be escaped.
On PostgreSQL the rewrite looks the rows' search text up by key for its one statement only: the planner's
settings are as before once it has run."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from tests.test_imports_table import rows
from tests.test_imports_table_rewrite import assert_search_follows_the_rows
from tests.test_imports_table_writes import replace
from webapp.extensions import db
from webapp.imports import search_rows, staging
from webapp.models import StagedRow

PEOPLE = (b"First Name,Last Name,Email\r\n"
          b"Ann,O%Neil,ann@example.com\r\n"
          b"Ben,Smith_Jones,ben@example.com\r\n"
          b"Cat,Back\\slash,cat@example.com\r\n"
          b"Dan,Plain,dan@example.com\r\n"
          b"Eve,SmithXJones,eve@example.com\r\n")


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "wildcards.csv", PEOPLE, max_bytes=10**6, ttl_days=7)


@pytest.mark.parametrize("find,replacement,changed", [
    ("%", "'", {2: "O'Neil"}),  # a % in the text is itself, not "anything"
    ("h_J", "h-J", {3: "Smith-Jones"}),  # "SmithXJones" (line 6) holds no "h_J"
    ("\\", "/", {4: "Back/slash"}),
    ("/", "-", {}),  # the escape SQLAlchemy uses, found nowhere
])
def test_wildcards_in_the_text_to_find_are_taken_as_they_are(signed_in, batch, find, replacement, changed):
    before = {line: row.last_name for line, row in rows(batch.id).items()}
    html = replace(signed_in, batch, "last_name", find, replacement)
    if changed:
        assert f"Replaced in {len(changed)} row" in html
    after = {line: row.last_name for line, row in rows(batch.id).items()}
    assert after == {**before, **changed}
    assert_search_follows_the_rows(batch.id)


def test_the_planner_settings_are_as_before_once_a_rewrite_has_run(app, batch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("Needs PostgreSQL (set FLASK_TEST_DATABASE_URL): only PostgreSQL writes search text this way")
    settings = ("enable_hashjoin", "enable_mergejoin", "plan_cache_mode")
    before = [db.session.scalar(text(f"SHOW {name}")) for name in settings]
    change = (update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.last_name == "Plain")
              .values(last_name="Plainer").execution_options(synchronize_session=False))
    given = search_rows.run_by_key(search_rows.with_search(batch.id, change, StagedRow.line, StagedRow.id))
    assert [line for line, _ in given] == [5]
    # Still in the same transaction: the settings were put back, not left for the page's own queries.
    assert [db.session.scalar(text(f"SHOW {name}")) for name in settings] == before
    assert db.session.scalar(select(StagedRow.last_name).where(StagedRow.batch_id == batch.id,
                                                               StagedRow.line == 5)) == "Plainer"
    db.session.commit()
    assert_search_follows_the_rows(batch.id)


def test_find_and_replace_without_javascript_is_kept_and_said(signed_in, batch):
    """The plain form (no HTMX) is answered with a redirect to the table, the change committed and named there."""
    response = signed_in.post(f"/users/import/{batch.id}/replace", follow_redirects=True, data={
        "column": "last_name", "find": "Plain", "replacement": "Simple", "scope": "all_matching", "filter": "all",
        "q": ""})
    assert response.status_code == 200
    assert "Replaced in 1 row." in response.get_data(as_text=True)
    db.session.rollback()  # read afresh: what was committed
    assert rows(batch.id)[5].last_name == "Simple"
