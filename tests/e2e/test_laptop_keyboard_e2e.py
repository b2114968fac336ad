"""A new admin on a laptop with the keyboard: the page opens where they expect, and what they read has its counts."""
from __future__ import annotations

from tests.e2e.test_laptop_tables_e2e import sign_in, stage


def test_the_staged_page_opens_with_focus_at_the_top_not_in_the_changes_loaded_after_it(page, org, admin):
    batch = stage(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.locator("#sync-changes-body nav.tabs").wait_for()  # the changes arrive after the page, by htmx
    assert page.evaluate("() => document.activeElement === document.body")  # was the "Will be updated" tab
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Skip to content"
    assert page.evaluate("() => window.scrollY") == 0
