"""A new admin in a real browser: Create Users says who is created, updated and deactivated, as the changes panel
does; the changes open on a tab with rows; Download problems only when there are some; one name per encoding."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_laptop_keyboard_e2e import settled
from tests.e2e.test_pages_fit_and_accessible import sign_in
from tests.test_imports_sync import by_email, stage

FILE = ("First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n"
        "Dee,D,dee@example.com\nEve,E,eve@example.com\n")


@pytest.mark.parametrize("width,height", [(1280, 800), (1366, 768)])
def test_create_users_says_the_panels_counts_and_does_them(page, org, admin, make_user, screenshot, width, height):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    make_user(email="gone@example.com", first_name="Gina", last_name="Gone")
    batch = stage(org, admin, FILE, mode="add_update", deactivate_missing=True)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    panel = page.locator("#sync-changes-body")
    expect(panel).to_contain_text("1 person will be updated")
    expect(panel).to_contain_text("1 person is not in the file and will be deactivated")
    page.locator(".page-head").get_by_role("link", name="Create Users").click()

    expect(page.locator("#planned")).to_contain_text(
        "2 users will be created, 1 person will be updated and 1 person will be deactivated.")
    button = page.get_by_role("button", name="Create 2 users, update 1, deactivate 1", exact=True)
    expect(button).to_be_enabled()
    box = button.bounding_box()
    assert box["y"] + box["height"] <= height  # the decision is on the first screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(f"create-users-counts-{width}")
    button.click()
    page.wait_for_url("**/users/?batch=*")
    status = page.get_by_role("status").filter(has_text="Import of people.csv finished")
    expect(status).to_contain_text("1 updated")
    assert by_email(org, "ann@example.com").last_name == "New"
    assert not by_email(org, "gone@example.com").is_active_account
    assert by_email(org, "eve@example.com") is not None


def test_update_only_names_no_creation_on_its_button(page, org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    batch = stage(org, admin, FILE, mode="update")
    sign_in(page)
    page.goto(f"/users/import/{batch.id}/create")
    expect(page.locator("#planned")).to_contain_text("1 person will be updated. Nobody new is created in this mode.")
    expect(page.get_by_role("button", name="Update 1 person", exact=True)).to_be_enabled()


def test_the_changes_open_on_the_tab_with_rows_and_an_empty_tab_stays_reachable(page, org, admin):
    batch = stage(org, admin, "First Name,Email,Status\nAnn,ann@example.com,Inactive\n")  # Add new people
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    tabs = page.locator("#sync-changes-body nav.tabs a")
    tabs.first.wait_for()
    settled(page)
    current = page.locator('#sync-changes-body nav.tabs a[aria-current="page"]')
    expect(current).to_have_text("New people with groups, series or status (1)")  # was "Cannot be applied (0)"
    expect(page.locator("#sync-changes-body table")).to_contain_text("ann@example.com")
    empty = page.locator("#sync-changes-body nav.tabs a", has_text="Cannot be applied (0)")
    empty.focus()
    page.keyboard.press("Enter")
    page.locator("#sync-changes-body caption", has_text="Cannot be applied").wait_for()
    settled(page)
    expect(page.locator("#sync-changes-body table")).to_contain_text("Every row can be applied.")
    expect(page.locator("#sync-changes-body nav.tabs a", has_text="Cannot be applied")).to_be_focused()


def test_download_problems_is_there_only_while_a_row_has_a_problem(page, org, admin, screenshot):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,bob at example.com\n")
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    head = page.locator(".page-head")
    expect(head.get_by_role("link", name="Download problems")).to_be_visible()
    page.get_by_role("link", name="Edit line 3", exact=True).click()
    # The edit row's late autofocus on the field in error would take keystrokes typed before it lands.
    expect(page.get_by_label("Email for line 3")).to_be_focused()
    page.get_by_label("Email for line 3").fill("bob@example.com")
    page.get_by_role("button", name="Save line 3").click()
    expect(page.locator("tr", has=page.get_by_label("Select line 3"))).to_contain_text("Ready")
    # The last problem fixed: no download of an empty file, a sentence instead.
    expect(head.get_by_role("link", name="Download problems")).to_have_count(0)
    expect(head).to_contain_text("No problems: every row is ready.")
    page.reload()
    expect(head.get_by_role("link", name="Download problems")).to_have_count(0)
    screenshot("staged-no-problems-to-download")


def test_the_encoding_has_one_name_on_every_page(page, org, admin):
    from webapp.extensions import db
    from webapp.imports import staging

    data = "First Name;Email\nRen\u00e9e;renee@example.com\nZo\u00eb;zoe@example.com\n".encode("cp1252")
    batch = staging.stage_upload(org.id, admin.id, "people.csv", data, max_bytes=10**6, ttl_days=7)
    db.session.commit()
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    how_read = page.locator("#how-read")
    expect(how_read).to_contain_text(re.compile(r"Encoding: Windows-1252\b"))
    how_read.get_by_text("Quick change: encoding, delimiter and columns").click()
    expect(how_read).to_contain_text("Detected: Windows-1252")
    assert "cp1252" not in how_read.inner_text()
    expect(page.get_by_label("Encoding").locator("option:checked")).to_have_text("Windows-1252 (Western European)")
    page.goto(f"/users/import/{batch.id}/match")
    main = page.locator("main")
    assert "cp1252" not in main.inner_text()
    expect(page.get_by_label("Encoding").locator("option:checked")).to_have_text("Windows-1252 (Western European)")
