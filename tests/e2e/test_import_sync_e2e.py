"""Add and update in a real browser: the changed name shows as old -> new, it is applied, then undone."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.test_imports_sync import by_email


def test_add_and_update_shows_old_to_new_applies_and_undoes(page, org, admin, make_user, tmp_path, screenshot):
    make_user(email="ann@example.com", first_name="Ann", last_name="Oldname")
    people = tmp_path / "people.csv"
    people.write_text("First Name,Last Name,Email\nAnn,Newname,ann@example.com\nDee,Dunn,dee@example.com\n")
    sign_in(page)
    page.goto("/users/import/")
    page.get_by_label("File to import").set_input_files(str(people))
    page.get_by_label("Upload mode").select_option("add_update")
    page.get_by_role("button", name="Upload and Continue").click()
    page.wait_for_url("**/users/import/*")

    panel = page.locator("#sync-panel")
    expect(panel).to_contain_text("Mode: Add and update")
    # The changes load into the panel on their own (HTMX), shown as old -> new.
    changes = panel.locator("tr", has_text="ann@example.com")
    expect(changes.locator("del.old")).to_have_text("Oldname")
    expect(changes.locator("ins.new")).to_have_text("Newname")
    expect(panel).to_contain_text("1 person will be updated")
    screenshot("import-sync-1-changes")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.get_by_role("link", name="Create Users").click()
    expect(page.get_by_text("Mode: Add and update.")).to_be_visible()
    page.get_by_role("button", name="Create 1 user").click()
    page.wait_for_url("**/users/?batch=*")
    expect(page.get_by_role("status").filter(has_text="Import of people.csv finished")).to_contain_text("1 updated")
    assert by_email(org, "ann@example.com").last_name == "Newname"

    batch_id = page.url.rsplit("=", 1)[1]
    page.goto(f"/users/import/{batch_id}")
    page.get_by_role("link", name="Undo this import…").click()
    expect(page.get_by_text("remove the 1 account it created")).to_be_visible()
    page.get_by_role("button", name="Undo this import").click()
    report = page.locator("#undo-report")
    expect(report).to_contain_text("1 account removed")
    expect(report).to_contain_text("1 field put back")
    screenshot("import-sync-2-undone")
    assert by_email(org, "ann@example.com").last_name == "Oldname"
    assert by_email(org, "dee@example.com") is None
