"""The staged table in Chromium: keyboard and focus across htmx swaps, Removed and Undo, suggested fixes,
find and replace, and the same table with JavaScript turned off."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import settled, sign_in
from tests.test_imports_table import rows
from webapp.extensions import db
from webapp.imports import staging

DATA = Path(__file__).resolve().parent.parent / "data"
TYPOS = ("First Name,Last Name,Email Address\r\nJane,Doe,jane at gmail.com\r\nJohn,Roe,john@hotmial.com\r\n"
         "Kim,Poe,kim@example.org\r\n")


@pytest.fixture
def typo_batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "typos.csv", TYPOS.encode(), max_bytes=10**6, ttl_days=7)


def choice_posts(page) -> list:
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and r.url.endswith("/choice") else None)
    return posts


def test_account_type_moves_with_arrows_and_saves_once_on_leaving(page, batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    posts = choice_posts(page)
    select = page.get_by_label("Account type for line 3")
    select.focus()
    for _ in range(3):  # User -> Guest -> Admin -> Team Manager, each arrow a change event
        page.keyboard.press("ArrowDown")
    expect(select).to_have_value("team_manager")
    assert posts == []  # nothing saved, nothing redrawn while the admin moves through the list
    page.keyboard.press("Tab")
    expect(page.get_by_label("Send Invite & Password to line 3")).to_be_focused()
    expect(page.get_by_label("Account type for line 3")).to_have_value("team_manager")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    assert len(posts) == 1
    assert rows(batch.id)[3].account_type == "team_manager"
    screenshot("staged-keyboard-type")


def test_enter_saves_the_account_type_and_keeps_focus_on_it(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    posts = choice_posts(page)
    select = page.get_by_label("Account type for line 3")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Account type for line 3")).to_be_focused()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.get_by_label("Account type for line 3")).to_have_value("guest")
    assert len(posts) == 1
    assert rows(batch.id)[3].account_type == "guest"


def test_remove_then_focus_moves_to_the_next_row_and_undo_restores(page, batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("button", name="Remove line 6", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Line 6 (alan@example.com) removed.")).to_be_visible()
    expect(page.get_by_label("Select line 7")).to_be_focused()
    expect(page.locator("#import-counters")).to_contain_text("1 removed")
    screenshot("staged-removed-row")
    page.get_by_role("button", name="Undo and restore line 6").click()
    expect(page.get_by_label("Select line 6")).to_be_visible()
    expect(page.locator("#import-counters")).not_to_contain_text("removed")


def test_saving_an_edit_returns_focus_to_edit_and_errors_are_focused_and_marked(page, batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email for line 5")).to_be_focused()  # the field in error
    page.get_by_label("Email for line 5").fill("still wrong")
    page.get_by_role("button", name="Save line 5").click()
    email = page.get_by_label("Email for line 5")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{email.get_attribute('aria-describedby')}")).to_contain_text("Error: Not a valid email")
    screenshot("staged-edit-error")
    email.fill("bad.row@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Edit line 5", exact=True)).to_be_focused()
    expect(page.locator("tr", has=page.get_by_label("Select line 5"))).to_contain_text("Ready")


def test_focus_ring_is_visible_on_row_actions(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_label("Send Invite & Password to line 2").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Edit line 2", exact=True)).to_be_focused()
    ring = page.evaluate("() => getComputedStyle(document.activeElement).boxShadow")
    assert ring != "none"


def test_bulk_remove_then_undo_and_restore_from_the_removed_filter(page, batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_label("Select all rows on this page").check()
    page.get_by_label("Bulk action").select_option("remove")
    page.get_by_role("button", name="Apply to rows").click()
    expect(page.get_by_text("9 rows removed.")).to_be_visible()
    expect(page.locator("#import-counters")).to_contain_text("9 removed")
    screenshot("staged-bulk-removed")
    page.get_by_role("button", name="Undo this change").click()
    expect(page.get_by_text("Undone: 9 rows as before.")).to_be_visible()
    expect(page.locator("#import-counters")).to_contain_text("3 ready")

    page.get_by_role("button", name="Remove line 2", exact=True).click()
    expect(page.get_by_text("Line 2 (ada@example.com) removed.")).to_be_visible()
    page.get_by_label("Show").select_option("removed")
    # Wait for the Removed view itself: the table it replaces has a Restore button for line 2 too.
    expect(page.get_by_label("Select line 3")).to_have_count(0)
    restore = page.get_by_role("button", name="Restore line 2")
    expect(restore).to_be_visible()
    restore.click()
    expect(page.locator("tr", has=page.get_by_label("Select line 2"))).to_contain_text("Ready")
    expect(page.locator("#import-counters")).not_to_contain_text("removed")


def test_suggested_fixes_one_by_one_and_all_at_once(page, typo_batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{typo_batch.id}")
    expect(page.get_by_text("Did you mean jane@gmail.com?")).to_be_visible()
    screenshot("staged-suggestions")
    page.get_by_role("button", name="Apply jane@gmail.com to line 2").click()
    line_2 = page.locator("tr", has=page.get_by_label("Select line 2"))
    expect(line_2).to_contain_text("Ready")
    expect(page.get_by_role("button", name="Apply the suggested fix")).to_be_visible()
    page.get_by_role("button", name="Apply the suggested fix").click()
    expect(page.get_by_text("1 email fixed.")).to_be_visible()
    expect(page.locator("tr", has=page.get_by_label("Select line 3"))).to_contain_text("john@hotmail.com")


def test_find_and_replace_in_the_browser(page, typo_batch):
    sign_in(page)
    page.goto(f"/users/import/{typo_batch.id}")
    page.get_by_text("Find and replace").click()
    page.get_by_label("In column").select_option("email")
    page.get_by_label("Find", exact=True).fill("example.org")
    page.get_by_label("Replace with").fill("example.com")
    page.get_by_role("button", name="Replace", exact=True).click()
    expect(page.get_by_text("Replaced in 1 row.")).to_be_visible()
    expect(page.locator("tr", has=page.get_by_label("Select line 4"))).to_contain_text("kim@example.com")


@pytest.fixture
def no_js_page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 768},
                                  java_script_enabled=False)
    context.set_default_timeout(30000)
    tab = context.new_page()
    yield tab
    context.close()


def test_without_javascript_rows_save_select_all_is_a_link_and_undo_works(no_js_page, batch):
    page = no_js_page
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    expect(page.get_by_label("Select all rows on this page")).to_be_hidden()
    page.get_by_label("Account type for line 3").select_option("guest")
    page.get_by_label("Send Invite & Password to line 3").check()
    page.get_by_role("button", name="Save line 3", exact=True).click()
    expect(page.get_by_text("Line 3 saved.")).to_be_visible()
    expect(page.get_by_label("Account type for line 3")).to_have_value("guest")
    expect(page.get_by_label("Send Invite & Password to line 3")).to_be_checked()

    page.get_by_role("link", name="Select all rows on this page").click()
    expect(page.get_by_label("Select line 10")).to_be_checked()
    page.get_by_label("Bulk action").select_option("invite_on")
    page.get_by_role("button", name="Apply to rows").click()
    expect(page.get_by_text("Send Invite & Password ticked for").first).to_be_visible()
    page.get_by_role("button", name="Undo this change").click()
    expect(page.get_by_text("Undone:")).to_be_visible()
    expect(page.get_by_label("Send Invite & Password to line 2")).not_to_be_checked()
    expect(page.get_by_label("Send Invite & Password to line 3")).to_be_checked()


def test_without_javascript_the_progress_page_reloads_itself_until_done(no_js_page, batch):
    batch.status = "staging"
    db.session.commit()
    page = no_js_page
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    expect(page.locator("#import-progress")).to_be_visible()
    batch.status = "staged"
    db.session.commit()
    # The meta refresh in <noscript> reloads the page; the table appears without any click.
    expect(page.get_by_label("Select line 2")).to_be_visible(timeout=15000)


def test_a_form_with_errors_puts_focus_on_the_first_field_in_error(page, org, admin, screenshot):
    sign_in(page)
    page.goto("/users/new")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Email address").fill("admin@acme.example")  # already has an account
    page.get_by_role("button", name="Create User").first.click()
    last_name = page.get_by_label("Last name")  # left empty: the first field in error
    expect(last_name).to_be_focused()
    expect(last_name).to_have_attribute("aria-invalid", "true")
    error = page.locator(f"#{last_name.get_attribute('aria-describedby').split()[-1]}")
    expect(error).to_be_visible()
    marker = error.evaluate("e => getComputedStyle(e, '::before').content")
    assert "Error:" in marker
    screenshot("form-error-focus")


def test_a_type_chosen_with_arrows_is_saved_before_the_undo_clicked_next(page, batch):
    """Leaving a select for Undo saves the select first: the undo then puts back every other row, and the
    row the admin changed afterwards keeps the admin's own choice, on screen and in the database."""
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_label("Apply to").select_option("all_matching")
    page.get_by_label("Bulk action").select_option("set_type")
    page.get_by_label("Account type (for Set account type)").select_option("guest")
    page.get_by_role("button", name="Apply to rows").click()
    expect(page.get_by_text("Account type set to Guest")).to_be_visible()
    # Focus is put back once the swap settles: wait for that, or it moves off the select after we focus it.
    settled(page)
    page.get_by_label("Account type for line 3").focus()
    page.keyboard.press("ArrowDown")  # Guest -> Admin, not yet saved
    expect(page.get_by_label("Account type for line 3")).to_have_value("admin")
    page.get_by_role("button", name="Undo this change").click()
    expect(page.get_by_text("Undone:")).to_be_visible()
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    expect(page.get_by_label("Account type for line 3")).to_have_value("admin")
    expect(page.get_by_label("Account type for line 6")).to_have_value("user")
    shown = rows(batch.id)
    assert (shown[3].account_type, shown[6].account_type) == ("admin", "user")


def test_a_slack_export_with_its_status_column_fits_a_1280_laptop(page, org, admin):
    batch = staging.stage_upload(org.id, admin.id, "slack_members.csv", (DATA / "slack_members.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    wrap = page.locator("#staged-table .table-wrap")
    assert wrap.evaluate("element => element.scrollWidth <= element.clientWidth")  # nothing hidden to the right
    wrap_box = wrap.bounding_box()
    for line in range(2, 6):  # (line 6, Slackbot, is skipped as not a person)
        remove = page.get_by_role("button", name=f"Remove line {line}")
        box = remove.bounding_box()
        assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"]
        select = page.get_by_label(f"Account type for line {line}")
        assert select.evaluate("element => element.scrollWidth <= element.clientWidth")  # "User" not cut
