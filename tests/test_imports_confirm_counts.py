"""What the Create Users confirmation, the changes panel, Download problems and the encoding labels tell a new admin."""
from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select

from tests.test_imports_sync import stage
from webapp.extensions import db
from webapp.imports import creating, sync
from webapp.imports.encodings import ENCODING_CHOICES, encoding_label
from webapp.imports.outcomes import Planned, planned
from webapp.models import StagedRow

# Ann and Cy have accounts (Ann's last name changes, Cy's does not); Dee and Eve are new; Gone and Left are not in
# the file (leavers when the full-list option is on).
FILE = ("First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n"
        "Dee,D,dee@example.com\nEve,E,eve@example.com\n")


@pytest.fixture
def people(make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    make_user(email="gone@example.com", first_name="Gina", last_name="Gone")
    make_user(email="left@example.com", first_name="Len", last_name="Left")


def confirmation(client, batch) -> tuple[str, str]:
    """(the confirmation's sentence, its button's text), as the page shows them."""
    page = client.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    sentence = re.search(r'<p id="planned"><strong>(.*?)</strong>', page).group(1)
    button = re.search(r'<button type="submit" class="primary"[^>]*>(.*?)</button>', page).group(1)
    return sentence, button


@pytest.mark.parametrize("mode, deactivate, sentence, button", [
    ("add", False, "2 users will be created.", "Create 2 users"),
    ("add", True, "2 users will be created and 2 people will be deactivated.", "Create 2 users, deactivate 2"),
    ("add_update", False, "2 users will be created and 1 person will be updated.", "Create 2 users, update 1"),
    ("add_update", True, "2 users will be created, 1 person will be updated and 2 people will be deactivated.",
     "Create 2 users, update 1, deactivate 2"),
    ("update", False, "1 person will be updated.", "Update 1 person"),
    ("update", True, "1 person will be updated and 2 people will be deactivated.", "Update 1 person, deactivate 2"),
])
def test_the_confirmation_says_who_is_created_updated_and_deactivated_in_each_mode(
        signed_in, org, admin, people, mode, deactivate, sentence, button):
    batch = stage(org, admin, FILE, mode=mode, deactivate_missing=deactivate)
    assert confirmation(signed_in, batch) == (sentence, button)


def test_the_confirmation_counts_match_the_changes_panel_and_what_create_users_then_does(
        signed_in, org, admin, people):
    batch = stage(org, admin, FILE, mode="add_update", deactivate_missing=True)
    panel = signed_in.get(f"/users/import/{batch.id}/changes", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<strong>1</strong> person will be updated" in panel
    assert "<strong>2</strong> people are not in the file and will be deactivated" in panel
    assert confirmation(signed_in, batch)[1] == "Create 2 users, update 1, deactivate 2"
    result = creating.create_users(batch.id, admin.id)
    assert result.created == 2
    assert sync.sync_counts(batch) == {"updated": 1, "unchanged": 1, "deactivated": 2}


def test_a_row_edited_after_the_panel_was_drawn_is_counted_on_the_confirmation(signed_in, org, admin, people):
    batch = stage(org, admin, FILE, mode="add_update")
    signed_in.get(f"/users/import/{batch.id}/changes")  # the plan, as the batch page draws it: 1 update
    cy = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 3))
    signed_in.post(f"/users/import/{batch.id}/rows/{cy.id}", headers={"HX-Request": "true"},
                   data={"first_name": "Cy", "last_name": "Changed", "email": "cy@example.com", "account_type": "user"})
    assert confirmation(signed_in, batch)[1] == "Create 2 users, update 2"
    panel = signed_in.get(f"/users/import/{batch.id}/changes", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<strong>2</strong> people will be updated" in panel


def test_the_confirmation_writes_thousands_with_separators():
    counts = Planned(create=1204, update=37, unchanged=0, blocked=0, create_extras=0, deactivate=5)
    assert counts.sentence() == ("1,204 users will be created, 37 people will be updated and "
                                 "5 people will be deactivated.")
    assert counts.button() == "Create 1,204 users, update 37, deactivate 5"
    assert Planned(None, 12345, 0, 0, 0, None).button() == "Update 12,345 people"


@contextmanager
def statements():
    """The SQL statements run inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.parametrize("rows", [3, 300])
def test_the_counts_are_one_grouped_count_whatever_the_number_of_rows(org, admin, make_user, rows):
    for n in range(rows):
        make_user(email=f"p{n}@example.com", first_name="Old", last_name=f"Name{n}")
    text = "First Name,Last Name,Email\n" + "".join(f"New,Name{n},p{n}@example.com\n" for n in range(rows))
    batch = stage(org, admin, text, mode="update")
    sync.plan(batch, admin.id)
    with statements() as seen:
        counts = planned(batch, ready=0)
    assert counts.update == rows
    assert len(seen) == 1 and "GROUP BY" in seen[0]


def test_the_changes_panel_opens_on_a_tab_with_rows_and_keeps_the_empty_ones_reachable(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email,Status\nAnn,ann@example.com,Inactive\n")  # Add new people
    panel = signed_in.get(f"/users/import/{batch.id}/changes", headers={"HX-Request": "true"}).get_data(as_text=True)
    current = re.search(r'<a [^>]*aria-current="page"[^>]*>(.*?)</a>', panel, re.S).group(1)
    assert current.startswith("New people with groups, series or status")  # was "Cannot be applied (0)"
    assert "ann@example.com" in panel
    empty = signed_in.get(f"/users/import/{batch.id}/changes?show=blocked").get_data(as_text=True)
    assert "Every row can be applied." in empty  # was "No rows here."


@pytest.mark.parametrize("counts, tabs, opened", [
    ({"update": 0, "unchanged": 0, "blocked": 0, "create": 0}, ["blocked", "create"], "blocked"),
    ({"update": 0, "unchanged": 0, "blocked": 0, "create": 2}, ["blocked", "create"], "create"),
    ({"update": 0, "unchanged": 4, "blocked": 1, "create": 0}, ["update", "unchanged", "blocked", "create"],
     "blocked"),
    ({"update": 0, "unchanged": 4, "blocked": 0, "create": 0}, ["update", "unchanged", "blocked", "create"],
     "unchanged"),
    ({"update": 3, "unchanged": 4, "blocked": 1, "create": 2}, ["update", "unchanged", "blocked", "create"],
     "update"),
])
def test_the_opening_tab_is_the_most_useful_one_with_rows(counts, tabs, opened):
    from webapp.imports.sync_views import opening_tab

    assert opening_tab(tabs, counts) == opened


def test_download_problems_is_offered_only_when_a_row_has_a_problem(signed_in, org, admin):
    clean = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    page = signed_in.get(f"/users/import/{clean.id}").get_data(as_text=True)
    assert "Download problems" not in page and "No problems: every row is ready." in page
    refused = signed_in.get(f"/users/import/{clean.id}/problems.csv", follow_redirects=True)
    assert refused.mimetype == "text/html"  # not an empty file
    assert "No row of people.csv has a problem, so there is nothing to download." in refused.get_data(as_text=True)
    messy = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,not an address\n")
    page = signed_in.get(f"/users/import/{messy.id}").get_data(as_text=True)
    assert "Download problems" in page
    assert signed_in.get(f"/users/import/{messy.id}/problems.csv").mimetype == "text/csv"


def test_download_problems_goes_when_the_last_problem_is_fixed(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,not an address\n")
    bob = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 3))
    fixed = signed_in.post(f"/users/import/{batch.id}/rows/{bob.id}", headers={"HX-Request": "true"},
                           data={"first_name": "Bob", "email": "bob@example.com", "account_type": "user"})
    fragment = fixed.get_data(as_text=True)
    assert 'id="problems-download" hx-swap-oob="true"' in fragment
    assert "No problems: every row is ready." in fragment and "Download problems" not in fragment


def test_a_finished_import_with_nothing_left_out_offers_no_download(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    creating.create_users(batch.id, admin.id)
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Download problems" not in page and "No problems: every row was applied." in page


@pytest.mark.parametrize("spelling, label", [
    ("utf-8", "UTF-8"), ("UTF-8", "UTF-8"), ("utf_8", "UTF-8"), ("utf-8-sig", "UTF-8 with BOM"),
    ("cp1252", "Windows-1252"), ("windows-1252", "Windows-1252"), ("Windows-1252", "Windows-1252"),
    ("cp932", "Shift_JIS"), ("shift_jis", "Shift_JIS"), ("latin-1", "ISO-8859-1"), ("utf-16-le", "UTF-16LE"),
    ("mac-roman", "Mac Roman"), ("ascii", "ASCII"), ("", ""),
])
def test_an_encoding_has_one_name_however_it_is_spelt(spelling, label):
    assert encoding_label(spelling) == label


def test_every_encoding_choice_starts_with_the_name_the_pages_show():
    for value, label in ENCODING_CHOICES:
        assert label == encoding_label(value) or label.startswith(encoding_label(value) + " (")


@pytest.mark.parametrize("data, name", [
    ("First Name,Email\nAnn,ann@example.com\n".encode(), "UTF-8"),
    ("First Name,Email\nRen\u00e9e,renee@example.com\n".encode("cp1252"), "Windows-1252"),
])
def test_the_pages_name_the_encoding_the_same_way_and_the_settings_still_read_it(signed_in, org, admin, data, name):
    from webapp.imports import staging

    batch = staging.stage_upload(org.id, admin.id, "people.csv", data, max_bytes=10**6, ttl_days=7)
    db.session.commit()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert f"Encoding: {name}" in page and f"Detected: {name}</p>" in page
    match = signed_in.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert f"Detected: {name}</p>" in match or "Guessed:" in match
    stored = batch.encoding
    response = signed_in.post(f"/users/import/{batch.id}/settings",
                              data={"encoding": "cp1252", "delimiter": ",", "first_name": "0", "email": "1"})
    assert response.status_code == 302
    db.session.refresh(batch)
    assert batch.encoding == "cp1252" and stored in ("utf-8", "cp1252")
    assert "Encoding: Windows-1252" in signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
