"""The staged table as a new admin meets it at laptop sizes: what an opened row says is wrong, and where."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import settled, sign_in

# The words of an element that are cut across two lines.
CUT_WORDS = """(element) => {
  const cut = [], walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
      if (new Set([...range.getClientRects()].map((box) => Math.round(box.top))).size > 1) cut.push(word[0]);
    }
  }
  return cut;
}"""


def test_an_opened_row_shows_which_field_is_wrong_before_any_save(page, batch, screenshot):
    sign_in(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).focus()
    page.keyboard.press("Enter")
    settled(page)
    email = page.get_by_label("Email for line 5")
    expect(email).to_be_focused()  # the row opens at its field in error (it opened at the first name)
    expect(email).to_have_attribute("aria-invalid", "true")
    message = page.locator(f"#{email.get_attribute('aria-describedby')}")
    expect(message).to_be_visible()
    expect(message).to_have_text("⚠ Error: Not a valid email address: An email address must have an @-sign.")
    expect(page.get_by_label("First name for line 5")).not_to_have_attribute("aria-invalid", "true")
    screenshot("ui10-edit-row-opened-marked")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Edit line 5", exact=True)).to_be_focused()


def test_an_opened_row_with_both_names_missing_marks_both_and_a_refused_type_marks_the_select(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 8", exact=True).click()
    settled(page)
    first, last = page.get_by_label("First name for line 8"), page.get_by_label("Last name for line 8")
    expect(first).to_have_attribute("aria-invalid", "true")
    expect(last).to_have_attribute("aria-invalid", "true")
    expect(last).to_have_attribute("aria-describedby", first.get_attribute("aria-describedby"))
    expect(page.locator("tr.editing-problems p.error")).to_have_text(["⚠ Error: First name and last name are both missing."])
    page.keyboard.press("Escape")
    settled(page)
    page.get_by_role("link", name="Edit line 10", exact=True).click()
    settled(page)
    account_type = page.get_by_label("Account type for line 10")
    expect(account_type).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{account_type.get_attribute('aria-describedby')}")).to_contain_text("“Wizard” is not known")


def test_at_1280_a_narrow_columns_problem_reads_in_words_under_its_field(page, org, admin):
    from tests.test_imports_table_marked_cells import PEOPLE
    from webapp.extensions import db
    from webapp.imports import staging

    batch = staging.stage_upload(org.id, admin.id, "people.csv", PEOPLE.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    sign_in(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 4", exact=True).click()
    settled(page)
    message = page.locator("tr.editing-problems p.field-error")
    expect(message).to_have_text("⚠ Error: No group called “Sales” (Group column). Tick Create missing groups, or "
                                 "correct the name.")
    # No word cut across lines (it was "missin / g", "“Sales / ”" in a column five letters wide).
    assert message.evaluate(CUT_WORDS) == []
    assert page.evaluate("document.documentElement.scrollWidth") == 1280


def test_an_open_rows_line_number_sits_level_with_its_boxes_text(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).click()
    settled(page)
    number = page.locator("tr.editing td.num").evaluate(
        "(td) => { const r = document.createRange(); r.selectNodeContents(td); const b = r.getBoundingClientRect();"
        " return b.top + b.height / 2; }")
    box = page.get_by_label("First name for line 5").bounding_box()
    assert number == pytest.approx(box["y"] + box["height"] / 2, abs=3)  # it sat 12 pixels above the text


def _luminance(rgb: str) -> float:
    channels = [int(part) / 255 for part in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_focus_ring_on_a_rows_tick_box_stands_out_from_the_table(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_label("Select line 2").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # account type, Send Invite, Edit, Remove, then line 3's tick box
    expect(page.get_by_label("Select line 3")).to_be_focused()
    ring, cell = page.evaluate("""() => { const box = document.activeElement;
      return [getComputedStyle(box).boxShadow, getComputedStyle(box.closest('tr')).backgroundColor]; }""")
    outer = re.findall(r"rgba?\([^)]*\)", ring)[-1]  # the last shadow's colour: the ring's outer edge
    background = cell if cell != "rgba(0, 0, 0, 0)" else "rgb(255, 255, 255)"
    assert _contrast(outer, background) >= 3  # the light blue ring was 1.8:1 on the white table
