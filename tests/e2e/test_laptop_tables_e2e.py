"""File Import's wide tables on 1280- and 1366-pixel laptops, as a new admin sees them: files with extra columns
(Group, Series, Status) keep every row's Edit and Remove in view, and email addresses stay readable."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.imports import staging

LONG_ADDRESS = "alan.mathison.turing.the.very.long.address@department-of-computer-science.example-university.ac.uk"
HEADER = "First Name,Last Name,Email Address,Account Type,Send Invite,Group,Series,Status"
PEOPLE = [
    ("Ada", "Lovelace", "ada.lovelace@example.com"),
    ("Katherine", "Johnson", "katherine.johnson@example.com"),
    ("Alan", "Turing", LONG_ADDRESS),
    ("Margaret", "Hamilton", "margaret at example.com"),
]
LAPTOPS = [(1280, 720), (1366, 768)]


def stage(org, admin, group="Engineering Team North"):
    lines = [HEADER] + [f"{first},{last},{email},User,No,{group},Safety Induction 2026,Active"
                        for first, last, email in PEOPLE]
    batch = staging.stage_upload(org.id, admin.id, "people_with_groups.csv", ("\r\n".join(lines) + "\r\n").encode(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.commit()
    return batch


def rendered_lines(locator) -> list[str]:
    """The text of an element as the person sees it, one entry per line on screen (a space stays at its line's end)."""
    return locator.evaluate("""(element) => {
        const lines = [];
        let top = null;
        const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i++) {
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (!rect || !node.data[i].trim()) { if (lines.length) lines[lines.length - 1] += node.data[i]; continue; }
                if (top === null || rect.top > top + 2) { lines.push(""); top = rect.top; }
                lines[lines.length - 1] += node.data[i];
            }
        }
        return lines;
    }""")


def broken_mid_word(lines: list[str]) -> list[str]:
    """Line ends where text was cut inside a word ("example.co" / "m"): not after @, - or a space, nor before a dot."""
    return [f"{before!r} / {after!r}" for before, after in zip(lines, lines[1:])
            if not (before.endswith(("@", "-", " ")) or after.startswith("."))]


def scrolls_sideways(locator) -> bool:
    return locator.evaluate("(element) => element.scrollWidth > element.clientWidth + 1")


@pytest.mark.parametrize("width,height", LAPTOPS, ids=["1280", "1366"])
def test_a_staged_table_with_group_series_and_status_columns_fits_a_laptop_with_remove_in_view(
        page, org, admin, screenshot, width, height):
    batch = stage(org, admin)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    screenshot(f"laptop-staged-extra-columns-{width}")
    table_box = page.locator("#staged-table .table-wrap")
    assert not scrolls_sideways(table_box), "the staged table scrolls sideways"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    for line in range(2, 2 + len(PEOPLE)):
        for control in (page.get_by_role("link", name=f"Edit line {line}", exact=True),
                        page.get_by_role("button", name=f"Remove line {line}", exact=True)):
            box = control.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, (line, box)
    # The file's Status column is headed "Active": one "Status" heading, the row's own.
    expect(page.get_by_role("columnheader", name="Status", exact=True)).to_have_count(0)
    for heading in ("Group", "Series", "Active", "Status and problems"):
        box = page.get_by_role("columnheader", name=heading, exact=True).bounding_box()
        assert box["x"] + box["width"] <= width, heading
    # An everyday address reads on one line; a very long one wraps at "@" or a dot, never inside a word.
    assert rendered_lines(page.locator("td.cell-email .clamp").first) == ["ada.lovelace@example.com"]
    for cell in page.locator("td.cell-email .clamp").all():
        assert broken_mid_word(rendered_lines(cell)) == []
    # Names and the extra columns break between words: "Katherine", "Engineering", not "Katherin" / "e".
    for cell in page.locator("td.cell-text .clamp").all():
        assert broken_mid_word(rendered_lines(cell)) == []
    assert serious_violations(page) == []


def test_with_columns_too_wide_to_fit_edit_and_remove_stay_pinned_in_view(page, org, admin, screenshot):
    batch = stage(org, admin, group="ENG_OPERATIONS_NORTHWEST_REGION_APPRENTICES_2026_INTAKE")
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    wrap = page.locator("#staged-table .table-wrap")
    assert scrolls_sideways(wrap)  # this file is wider than the laptop: the table scrolls in its own box
    screenshot("laptop-staged-too-wide-1280")
    wrap_box = wrap.bounding_box()
    remove = page.get_by_role("button", name="Remove line 2", exact=True)
    box = remove.bounding_box()
    assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"] <= 1280
    # Scrolled all the way to the right and back, it is still there and still answers a click.
    wrap.evaluate("(element) => { element.scrollLeft = element.scrollWidth; }")
    assert remove.bounding_box()["x"] + box["width"] <= 1280
    wrap.evaluate("(element) => { element.scrollLeft = 0; }")
    remove.click()
    page.get_by_text("Line 2 (ada.lovelace@example.com) removed.").wait_for()


@pytest.mark.parametrize("width,height", LAPTOPS, ids=["1280", "1366"])
def test_the_column_matching_preview_shows_email_addresses_whole_and_readable(
        page, org, admin, screenshot, width, height):
    batch = stage(org, admin)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}/match")
    preview = page.locator("#match-preview")
    preview.scroll_into_view_if_needed()
    screenshot(f"laptop-match-preview-{width}")
    assert not scrolls_sideways(preview.locator("xpath=.."))
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    cells = preview.locator("td.cell-address")
    assert rendered_lines(cells.nth(0)) == ["ada.lovelace@example.com"]  # was "ada.lovelace@e" / "xample.com"
    long_cell = preview.locator("td.cell-address", has_text="alan.mathison")
    assert "".join(rendered_lines(long_cell)) == LONG_ADDRESS  # whole: nothing clipped
    assert broken_mid_word(rendered_lines(long_cell)) == []
    for n in range(cells.count()):
        assert broken_mid_word(rendered_lines(cells.nth(n))) == []
    # A sample cut to its first 80 characters says so, instead of ending mid-word ("…science.exampl").
    sample = page.locator("#match-columns li", has_text="alan.mathison")
    assert sample.inner_text().strip().startswith(LONG_ADDRESS[:80] + "…")
    # Headings wrap rather than widen their column, and the Problems column is wide enough to read.
    problems = preview.get_by_role("columnheader", name="Problems").bounding_box()
    assert problems["x"] + problems["width"] <= width
    assert preview.locator("td.problems").first.bounding_box()["width"] >= 180
    assert serious_violations(page) == []


def test_editing_a_row_at_1280_keeps_its_problem_readable_beside_save(page, org, admin, screenshot):
    batch = stage(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).click()
    first_name = page.get_by_label("First name for line 5")
    email = page.get_by_label("Email for line 5")
    expect(email).to_be_focused()  # the row opens at its first field in error
    screenshot("laptop-staged-editing-1280")
    assert not scrolls_sideways(page.locator("#staged-table .table-wrap"))  # was 130 px wider: problems under Save
    # Each sentence is said once, under the row's fields; beside Save the status cell names those fields.
    row = page.locator("tr.editing")
    sentence = "Not a valid email address: An email address must have an @-sign."
    expect(page.locator("#staged-table").get_by_text(sentence)).to_have_count(1)
    expect(page.locator(f"#{email.get_attribute('aria-describedby')}")).to_contain_text(sentence)
    status = row.locator("td.status-cell")
    expect(status).to_have_text("Problem Check Email, Group and Series.", use_inner_text=True)
    expect(status.locator("li")).to_have_count(0)
    attention, save = status.locator("p.attention"), page.get_by_role("button", name="Save line 5")
    attention_box, save_box = attention.bounding_box(), save.bounding_box()
    assert attention_box["x"] + attention_box["width"] <= save_box["x"]
    assert save_box["x"] + save_box["width"] <= 1280
    assert first_name.input_value() == "Margaret"
    # Tab goes through the row's boxes to Save and Cancel.
    first_name.focus()
    for _ in range(9):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.textContent.trim()") == "Save line 5":
            break
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Save line 5"
