"""The staged table's row form and bulk bar as an admin works them with the keyboard (tests/data/import_mixed.csv)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DATA, settled, sign_in
from webapp.imports import staging


# import_mixed.csv: line 3 is ready, line 5's email, line 8's names and line 10's account type ("Wizard") are wrong.
@pytest.mark.parametrize("line,starts_at", [
    (3, "First name for line 3"),
    (5, "Email for line 5"),
    (8, "First name for line 8"),
    (10, "Account type for line 10"),
], ids=["ready", "email", "names", "account-type"])
def test_an_opened_row_puts_the_cursor_on_its_first_field_with_a_problem(page, batch, line, starts_at):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name=f"Edit line {line}", exact=True).focus()
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_label(starts_at, exact=True)).to_be_focused()


def test_a_refused_type_asks_for_a_choice_and_leaving_it_unchosen_keeps_the_problem(page, batch, screenshot):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    menu = page.get_by_label("Account type for line 10", exact=True)
    expect(menu.locator("option:checked")).to_have_text("Choose a type")  # it showed "User"
    row = page.locator("tr", has=menu)
    expect(row).to_contain_text("Account type “Wizard” is not known.")
    screenshot("ui11-refused-type")
    page.get_by_role("link", name="Edit line 10", exact=True).click()
    settled(page)
    page.get_by_role("button", name="Save line 10").click()
    settled(page)
    menu = page.get_by_label("Account type for line 10", exact=True)
    expect(menu.locator("option:checked")).to_have_text("Choose a type")
    expect(page.locator("tr.editing-problems")).to_contain_text("Account type “Wizard” is not known.")
    expect(menu).to_be_focused()  # the save came back with the problem: the cursor is on it
    menu.select_option("guest")
    page.get_by_role("button", name="Save line 10").click()
    line_10 = page.locator("tr", has=page.get_by_label("Select line 10"))
    expect(line_10).to_contain_text("Ready")
    expect(line_10.get_by_label("Account type for line 10").locator("option:checked")).to_have_text("Guest")


def test_the_bulk_account_type_shows_only_for_set_account_type_and_the_keyboard_reaches_it(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    action, account_type = page.get_by_label("Bulk action"), page.get_by_label("Account type (for Set account type)")
    expect(action.locator("option:checked")).to_have_text("Set account type")
    expect(account_type).to_be_visible()
    action.focus()
    page.keyboard.press("ArrowDown")  # Tick Send Invite & Password
    expect(action.locator("option:checked")).to_have_text("Tick Send Invite & Password")
    expect(account_type).to_be_hidden()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Apply to rows")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("ArrowUp")
    expect(account_type).to_be_visible()
    page.keyboard.press("Tab")
    expect(account_type).to_be_focused()
    # The bar comes back from a bulk change with the action chosen (it went back to "Set account type"), the menu
    # hidden as that action wants, and still follows the choice.
    page.get_by_label("Select line 2").check()
    action.select_option("invite_on")
    page.get_by_role("button", name="Apply to rows").click()
    page.get_by_text("Send Invite & Password ticked for 1 row.").wait_for()
    expect(action.locator("option:checked")).to_have_text("Tick Send Invite & Password")
    expect(account_type).to_be_hidden()
    action.select_option("set_type")
    expect(account_type).to_be_visible()


def test_without_javascript_the_bulk_account_type_is_always_there(browser, live_server, batch):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page)
        page.goto(f"/users/import/{batch.id}")
        page.get_by_label("Bulk action").select_option("invite_on")
        expect(page.get_by_label("Account type (for Set account type)")).to_be_visible()
    finally:
        context.close()


def test_zoomed_in_after_a_bulk_change_the_focused_apply_stays_in_view(page, org, admin):
    """At 200% zoom on a 1280x720 laptop (640x360 CSS pixels) the swap scrolled the page to the table's end, the
    focused Apply to rows three screens above."""
    batch = staging.stage_upload(org.id, admin.id, "people.csv", (DATA / "import_fifty_problems.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    page.set_viewport_size({"width": 640, "height": 360})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_label("Select line 2", exact=True).check()
    page.get_by_label("Bulk action").select_option("invite_on")
    page.get_by_role("button", name="Apply to rows").click()
    settled(page)
    apply = page.get_by_role("button", name="Apply to rows")
    expect(apply).to_be_focused()
    expect(apply).to_be_in_viewport()
    # The notice above is out of view at this height; it is read out as a status.
    expect(page.get_by_role("status").filter(has_text="Send Invite & Password ticked for 1 row.")).to_have_count(1)
