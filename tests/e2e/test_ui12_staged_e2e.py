"""The staged table's open row at 1280 with a file's extra columns, and its sentences' weight."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import settled, sign_in
from tests.e2e.test_laptop_tables_e2e import rendered_lines, scrolls_sideways, stage
from webapp.extensions import db
from webapp.imports import creating, staging

SENTENCES = ["⚠ Error: Not a valid email address: An email address must have an @-sign.",
             "⚠ Error: No group called “Sales” (Group column). Tick Create missing groups, or correct the name.",
             "⚠ Error: No series called “Safety Induction 2026” (Series column). Create it under Series first, or "
             "correct the name."]


def test_an_open_row_at_1280_with_group_series_and_status_reads_its_names_and_problems_whole(
        page, org, admin, screenshot):
    batch = stage(org, admin, group="Sales")  # no group called Sales: a sentence for the narrow Group column
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).click()
    settled(page)
    screenshot("ui12-open-row-1280")
    for label in ("First name for line 5", "Last name for line 5"):  # "Margaret", not "Margare"
        assert page.get_by_label(label).evaluate("(box) => box.scrollWidth <= box.clientWidth"), label
    assert not scrolls_sideways(page.locator("#staged-table .table-wrap"))
    # The sentences read on a line of their own under the row's boxes, each pointed to by its field.
    sentences = page.locator("tr.editing-problems p.field-error")
    expect(sentences).to_have_text(SENTENCES)
    for n in range(sentences.count()):
        assert len(rendered_lines(sentences.nth(n))) == 1  # the Group one was thirteen lines, a word a line
    group = page.get_by_label("Group for line 5")
    expect(page.locator(f"#{group.get_attribute('aria-describedby')}")).to_have_text(SENTENCES[1])
    # A save that leaves a problem shows its line once; Cancel takes it away with the row's boxes.
    page.get_by_label("Email for line 5").fill("margaret@example.com")
    page.get_by_role("button", name="Save line 5").click()
    settled(page)
    expect(sentences).to_have_text(SENTENCES[1:])
    page.get_by_role("link", name="Cancel editing line 5").click()
    settled(page)
    expect(page.locator("tr.editing-problems")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit line 5", exact=True)).to_be_visible()


def test_a_failed_rows_reason_reads_like_the_problem_sentences(page, org, admin, make_user):
    make_user(email="ada.lovelace@example.com")  # already has an account: that row fails when users are created
    text = "First Name,Last Name,Email\nAda,Lovelace,ada.lovelace@example.com\nMargaret,Hamilton,margaret at example.com\n"
    batch = staging.stage_upload(org.id, admin.id, "people.csv", text.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    assert creating.create_users(batch.id, admin.id).ok
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    reason = page.locator("#staged-table td.status-cell p.error", has_text="already")
    problem = page.locator("#staged-table td.status-cell ul.problems li").first
    expect(reason).to_be_visible()
    expect(problem).to_be_visible()
    look = "(el) => { const s = getComputedStyle(el); return [s.fontWeight, s.fontSize, s.lineHeight, s.color]; }"
    assert reason.evaluate(look) == problem.evaluate(look)  # the reason was bold (600), the sentences regular
