"""The staged table's marked cells in Chromium at 1280x720: the bad cell is tinted and barred, no row gets taller
and no column wider for it, the page keeps its focus where it was, and axe finds nothing serious."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import settled, sign_in
from webapp.extensions import db
from webapp.imports import staging

PEOPLE = ("First Name,Last Name,Email Address,Account Type,Group\r\n"
          "Ada,Lovelace,ada@example.com,User,\r\n"
          "Bob,Smith,bob at example.com,User,\r\n"
          "Cy,Young,cy@example.com,User,Sales\r\n"
          "Di,Prince,di@example.com,Wizard,\r\n")
BAD_BG, BAD = "rgb(254, 242, 242)", "rgb(185, 28, 28)"  # --bad-bg and --bad in static/app.css

# Every row's height and every column's width, to compare the table with and without its marks.
LAYOUT = """() => {
  const table = document.querySelector('#staged-table table');
  return {rows: [...table.tBodies[0].rows].map((row) => row.getBoundingClientRect().height),
          columns: [...table.tBodies[0].rows[0].cells].map((cell) => cell.getBoundingClientRect().width),
          width: table.getBoundingClientRect().width};
}"""
UNMARK = """() => {
  document.querySelectorAll('#staged-table td.cell-problem').forEach((cell) => {
    cell.classList.remove('cell-problem');
    cell.querySelectorAll('.visually-hidden').forEach((hidden) => { if (hidden.textContent.includes('problem')) hidden.remove(); });
  });
}"""


def looks(cell) -> dict:
    return cell.evaluate("(cell) => ({background: getComputedStyle(cell).backgroundColor, "
                         "bar: getComputedStyle(cell).boxShadow})")


@pytest.fixture
def batch(org, admin):
    staged = staging.stage_upload(org.id, admin.id, "people.csv", PEOPLE.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    return staged


def test_the_bad_cell_is_marked_without_a_taller_row_or_wider_column(page, batch, screenshot):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    settled(page)
    screenshot("staged-marked-cells-1280")
    rows = page.locator("#staged-table tbody tr")
    ready, bad_email, bad_group, bad_type = (rows.nth(n) for n in range(4))

    email = bad_email.locator("td.cell-email")
    expect(email).to_have_class("cell-email cell-problem")
    mark = looks(email)
    assert mark["background"] == BAD_BG
    assert BAD in mark["bar"] and "inset" in mark["bar"]  # a bar at its left: a shape, not colour alone
    assert looks(ready.locator("td.cell-email"))["background"] != BAD_BG
    assert looks(bad_email.locator("td.cell-text").first)["background"] != BAD_BG  # only the email, not its row
    # Read right after the value, before the suggested fix.
    assert " ".join(email.text_content().split()).startswith("bob at example.com, problem Did you mean")
    expect(bad_group.locator("td.cell-problem")).to_have_attribute("title", "Sales")
    type_select = bad_type.get_by_label("Account type for line 5")
    expect(type_select).to_have_attribute("aria-invalid", "true")
    assert looks(bad_type.locator("td.cell-problem"))["background"] == BAD_BG
    expect(ready.locator("td.cell-problem")).to_have_count(0)
    # A refused account type on the page does not pull the focus to its select as the page loads.
    assert page.evaluate("() => document.activeElement === document.body")

    marked = page.evaluate(LAYOUT)
    page.evaluate(UNMARK)
    assert page.locator("#staged-table td.cell-problem").count() == 0
    assert page.evaluate(LAYOUT) == marked
    assert serious_violations(page) == []


def test_choosing_a_type_for_a_refused_row_clears_its_mark_and_keeps_the_focus_on_the_select(page, batch):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    type_select = page.get_by_label("Account type for line 5")
    type_select.focus()
    type_select.select_option("guest")
    page.keyboard.press("Tab")  # the select saves as it is left
    settled(page)
    row = page.locator("#staged-table tbody tr").nth(3)
    expect(row.locator("td.cell-problem")).to_have_count(0)
    expect(page.get_by_label("Account type for line 5")).not_to_have_attribute("aria-invalid", "true")
    assert serious_violations(page) == []
