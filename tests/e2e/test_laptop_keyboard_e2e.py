"""A new admin on a laptop with the keyboard: the page opens where they expect, and what they read has its counts."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import settled, sign_in
from tests.e2e.test_laptop_tables_e2e import stage
from webapp.extensions import db
from webapp.imports import staging, sync


def test_the_staged_page_opens_with_focus_at_the_top_not_in_the_changes_loaded_after_it(page, org, admin):
    batch = stage(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.locator("#sync-changes-body nav.tabs").wait_for()  # the changes arrive after the page, by htmx
    settled(page)
    assert page.evaluate("() => document.activeElement === document.body")  # was the "Will be updated" tab
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    assert page.evaluate("() => window.scrollY") == 0


@pytest.mark.parametrize("mode,expected,current", [
    # Add new people changes nobody who has an account: no always-empty "Will be updated (0)" or "Unchanged (0)"
    # tabs; the panel opens on the rows that cannot be applied.
    ("add", ["Cannot be applied (0)", "New people with groups, series or status (0)"], 0),
    ("add_update", ["Will be updated (0)", "Unchanged (0)", "Cannot be applied (0)",
                    "New people with groups, series or status (0)"], 0),
])
def test_the_changes_tabs_each_read_on_one_line_with_their_count(page, org, admin, mode, expected, current):
    batch = stage(org, admin)
    sync.configure(batch, mode=mode)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    tabs = page.locator("#sync-changes-body nav.tabs a")
    tabs.first.wait_for()
    labels = [text.strip() for text in tabs.all_inner_texts()]
    assert labels == expected
    assert tabs.nth(current).get_attribute("aria-current") == "page"
    one_line = tabs.first.bounding_box()["height"]
    for n in range(tabs.count()):
        box = tabs.nth(n).bounding_box()
        assert box["height"] <= one_line + 1, labels[n]  # "New people with groups, series or status" was 5 lines
        assert box["x"] + box["width"] <= 1280


def test_next_page_below_the_staged_table_keeps_focus_on_the_pager(page, org, admin):
    lines = ["First Name,Last Name,Email"] + [f"Person{n},Surname{n},person{n}@example.com" for n in range(60)]
    batch = staging.stage_upload(org.id, admin.id, "sixty.csv", ("\r\n".join(lines) + "\r\n").encode(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    next_page = page.locator("nav.pager").get_by_role("link", name="Next")
    next_page.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Select line 61", exact=True).wait_for()  # the second page of rows
    expect(page.locator("nav.pager").get_by_role("link", name="Previous")).to_be_focused()  # was "Skip to content"
    assert page.evaluate("() => window.scrollY") > 0
    page.keyboard.press("Enter")
    page.get_by_label("Select line 2", exact=True).wait_for()
    expect(page.locator("nav.pager").get_by_role("link", name="Next")).to_be_focused()


def test_next_page_of_the_users_list_keeps_focus_on_the_pager(page, org, admin):
    from sqlalchemy import insert

    from webapp.models import User

    db.session.execute(insert(User), [{
        "org_id": org.id, "first_name": f"Person{n}", "last_name": "Listed", "email": f"person{n}@example.com",
        "account_type": "user", "invite_status": "created", "password_is_generated": True,
        "is_active_account": True, "created_by_id": admin.id} for n in range(60)])
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/users/")
    page.locator("nav.pager").get_by_role("link", name="Next →").focus()
    page.keyboard.press("Enter")
    page.get_by_text("Page 2 of 2").wait_for()
    expect(page.locator("nav.pager").get_by_role("link", name="← Previous")).to_be_focused()  # was the first checkbox
    page.keyboard.press("Enter")
    page.get_by_text("Page 1 of 2").wait_for()
    expect(page.locator("nav.pager").get_by_role("link", name="Next →")).to_be_focused()


def test_a_changes_tab_chosen_with_the_keyboard_keeps_focus(page, org, admin):
    batch = stage(org, admin)
    sync.configure(batch, mode="add_update")
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    settled(page)  # (the page's own load of the changes first: focusing while it lands raced in CI)
    tab = page.locator("#sync-changes-body nav.tabs a", has_text="Cannot be applied")
    tab.focus()
    page.keyboard.press("Enter")
    page.locator("#sync-changes-body caption", has_text="Cannot be applied").wait_for()
    settled(page)
    expect(page.locator("#sync-changes-body nav.tabs a", has_text="Cannot be applied")).to_be_focused()  # was the first tab


def test_many_changes_scroll_in_their_own_box_so_the_staged_table_stays_near(page, org, admin, screenshot):
    from sqlalchemy import insert

    from webapp.models import User

    db.session.execute(insert(User), [{
        "org_id": org.id, "first_name": f"Person{n}", "last_name": "Oldname", "email": f"person{n}@example.com",
        "account_type": "user", "invite_status": "created", "password_is_generated": True,
        "is_active_account": True, "created_by_id": admin.id} for n in range(40)])
    lines = ["First Name,Last Name,Email"] + [f"Person{n},Newname,person{n}@example.com" for n in range(40)]
    batch = staging.stage_upload(org.id, admin.id, "renames.csv", ("\r\n".join(lines) + "\r\n").encode(),
                                 max_bytes=10**6, ttl_days=7)
    sync.configure(batch, mode="add_update")
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    changes = page.get_by_role("region", name="Will be updated, 40 rows")
    changes.wait_for()
    screenshot("laptop-many-changes-1280")
    assert changes.bounding_box()["height"] <= 360
    counters = page.locator("#import-counters").bounding_box()
    assert counters["y"] <= 1.5 * 720, counters  # was below 3,000 px: forty changes made the Mode card that tall
    # The box scrolls with the keyboard: it takes focus, and its headings stay in view as it scrolls.
    changes.focus()
    page.keyboard.press("End")
    page.wait_for_function("() => document.querySelector('#sync-changes-body .changes-wrap').scrollTop > 0")
    heading = changes.get_by_role("columnheader", name="Changes").bounding_box()
    box = changes.bounding_box()
    assert box["y"] - 1 <= heading["y"] <= box["y"] + 2
    assert serious_violations(page) == []
