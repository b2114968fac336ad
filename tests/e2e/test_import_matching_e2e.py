"""The column-matching step in a real browser: a headerless file, its samples, a changed field, Continue."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from tests.e2e.conftest import sign_in


DATA = Path(__file__).resolve().parent.parent / "data"


def test_match_columns_of_a_headerless_file_then_see_the_staged_rows(page, org, admin, screenshot):
    sign_in(page)
    page.goto("/users/import/")
    page.get_by_label("File to import").set_input_files(str(DATA / "map_headerless.csv"))
    page.get_by_role("button", name="Upload and Continue").click()
    page.wait_for_url("**/match")
    expect(page.get_by_role("heading", name="Match the columns of map_headerless.csv")).to_be_visible()
    columns = page.locator("#match-columns")
    expect(columns).to_contain_text("jane@example.com")
    expect(columns).to_contain_text("Jane")
    expect(columns).to_contain_text("Doe")
    expect(page.locator("#match-doubts")).to_contain_text("no column holds names")
    expect(page.get_by_label("Field fed by column Column 3")).to_have_value("email")
    screenshot("match-1-headerless")

    page.get_by_label("Field fed by column Column 1").select_option(label="First Name")
    page.get_by_label("Field fed by column Column 2").select_option(label="Last Name")
    page.get_by_role("button", name="Update the preview").click()
    expect(page.locator("#match-preview")).to_contain_text("Jane")
    expect(page.get_by_label("Field fed by column Column 1")).to_have_value("first_name")
    screenshot("match-2-preview")

    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r".*/users/import/\d+$"))
    line_1 = page.locator("tr", has=page.get_by_label("Select line 1"))
    expect(line_1).to_contain_text("Jane")
    expect(line_1).to_contain_text("Doe")
    expect(line_1).to_contain_text("Ready")
    expect(page.locator("#how-read")).to_contain_text("no header row")
    screenshot("match-3-staged")
    page.get_by_role("link", name="Change how the file is read").click()
    page.wait_for_url("**/match")
    expect(page.get_by_label("Field fed by column Column 2")).to_have_value("last_name")
