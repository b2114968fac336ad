"""File Import in a real browser: upload, fix a bad row inline, bulk-set a type, create, see the users."""
from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.models import User

DATA = Path(__file__).resolve().parent.parent / "data"


def test_import_fix_bulk_type_create(page, org, admin, screenshot):
    sign_in(page)
    page.goto("/users/import/")
    screenshot("import-1-upload")
    page.get_by_label("File to import").set_input_files(str(DATA / "import_mixed.csv"))
    page.get_by_role("button", name="Upload and Continue").click()
    page.wait_for_url("**/users/import/*")
    expect(page.locator("#import-counters")).to_contain_text("rows read")
    screenshot("import-2-staged")

    # Fix line 5's email inline.
    page.get_by_role("link", name="Edit line 5").click()
    # The edit row opens with the cursor in the field in error; wait for that before typing,
    # or the late autofocus can steal the keystrokes.
    email_box = page.get_by_label("Email for line 5")
    expect(email_box).to_be_focused()
    email_box.fill("bad.row@example.com")
    page.get_by_role("button", name="Save").click()
    # expect() reports the row's actual text if it never becomes ready.
    line_5 = page.locator("tr", has=page.get_by_label("Select line 5"))
    expect(line_5).to_contain_text("bad.row@example.com")
    expect(line_5).to_contain_text("Ready")
    screenshot("import-3-fixed-row")
    page.locator("#import-counters").get_by_text("4 ready", exact=True).wait_for()

    # Bulk-set Guest on lines 2 and 3.
    page.get_by_label("Select line 2").check()
    page.get_by_label("Select line 3").check()
    page.get_by_label("Bulk action").select_option("set_type")
    page.get_by_label("Account type (for Set account type)").select_option("guest")
    page.get_by_role("button", name="Apply to rows").click()
    page.get_by_text("Account type set to Guest for 2 rows.").wait_for()
    screenshot("import-4-bulk-type")

    page.get_by_role("link", name="Create Users").click()
    page.get_by_text("4 users will be created.").wait_for()
    screenshot("import-5-confirm")
    page.get_by_role("button", name="Create 4 users").click()
    page.wait_for_url("**/users/?batch=*")
    page.get_by_text("4 users created").wait_for()
    screenshot("import-6-users-list")
    expect(page.get_by_text("grace@example.com").first).to_be_visible()
    db.session.expire_all()
    grace = db.session.scalar(select(User).where(User.email == "grace@example.com"))
    assert grace.account_type == "guest"
