"""The Create Users page says what the chosen mode will do to people who already have an account."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.imports import staging, sync

FILE = b"First Name,Last Name,Email\r\nAnn,Newname,ann@example.com\r\nDee,Dunn,dee@example.com\r\n"


@pytest.mark.parametrize("mode,heading,existing,button", [
    ("add", "1 user will be created.", "they are not created again and are reported as failed.", "Create 1 user"),
    ("add_update", "1 user will be created and 1 person will be updated.",
     "their accounts are updated where the file differs", "Create 1 user, update 1"),
    ("update", "Nobody new is created in this mode.", "their accounts are updated where the file differs",
     "Update 1 person"),
])
def test_the_create_users_page_describes_existing_people_by_the_mode(page, org, admin, make_user,
                                                                   mode, heading, existing, button):
    make_user(email="ann@example.com", first_name="Ann", last_name="Oldname")
    batch = staging.stage_upload(org.id, admin.id, "people.csv", FILE, max_bytes=10**6, ttl_days=7)
    sync.configure(batch, mode=mode)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}/create")
    summary = page.locator("main section.card").last
    expect(summary).to_contain_text(heading)
    expect(summary).to_contain_text(existing)
    if mode != "add":  # it said "reported as failed" while the mode updates them
        expect(summary).not_to_contain_text("reported as failed")
    if mode == "update":  # it said "1 user will be created" though this mode creates nobody
        expect(summary).to_contain_text("1 row for people without an account is left out.")
    control = page.get_by_role("button", name=button)
    expect(control).to_be_enabled()
    box = control.bounding_box()
    assert box["y"] + box["height"] <= 720  # the decision is on the first screen


def test_an_undone_import_reads_as_undone_in_recent_imports_and_on_its_page(page, org, admin):
    from webapp.imports import creating, undo

    batch = staging.stage_upload(org.id, admin.id, "people.csv", FILE, max_bytes=10**6, ttl_days=7)
    db.session.commit()
    creating.create_users(batch.id, admin.id)
    undo.undo_import(batch.id, admin.id)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/users/import/")
    row = page.locator("main table tbody tr", has_text="people.csv")
    expect(row).to_contain_text("Undone")
    expect(row).not_to_contain_text("created")  # said "2 created" although both accounts were removed
    row.get_by_role("link", name="people.csv").click()
    expect(page.locator("main .banner-success")).to_contain_text("The import was later undone.")
    panel = page.locator("#sync-panel")
    expect(panel).to_contain_text("This import was undone")
    expect(panel.get_by_role("link", name="Undo this import…")).to_have_count(0)
    panel.get_by_role("link", name="See what was undone").click()
    expect(page.locator("#undo-report")).to_contain_text("2 accounts removed")


def test_a_finished_imports_banner_writes_its_counts_like_the_counters_beside_it(page, org, admin):
    batch = staging.stage_upload(org.id, admin.id, "people.csv", FILE, max_bytes=10**6, ttl_days=7)
    batch.status, batch.created_count, batch.failed_count = "done", 12345, 1002
    db.session.commit()
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    expect(page.locator("main .banner-success")).to_have_text(
        "Users were created from this file: 12,345 created, 1,002 failed.")  # was "12345 created, 1002 failed"
