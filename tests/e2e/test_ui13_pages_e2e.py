"""A new admin at laptop size: an enrolment's result names where its emails are, as the Mail page counts them."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.clock import utcnow
from webapp.enrolments import services


def test_an_enrolment_with_no_mail_server_says_its_emails_are_kept_as_the_mail_page_counts_them(
        page, admin, make_user):
    series = services.create_series(admin.org_id, admin, name="Safety Basics", description="")
    people = [make_user(generated=True, invite_status="created", password_set_at=utcnow()) for _ in range(2)]
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/enrolments/new?" + "&".join(f"user_id={person.id}" for person in people))
    page.get_by_label("Series", exact=True).select_option(label=series.name)
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.get_by_text("2 users enrolled").wait_for()
    # No mail server is configured: nothing is queued to be sent (the Mail page said 0 Queued, 2 Kept, not sent).
    expect(page.get_by_role("status")).to_contain_text(
        "2 enrolment emails to the learners kept on the Mail page: no mail server is configured, so nothing is sent.")
    results = page.get_by_role("list", name="Enrolment results")
    expect(results.get_by_text("emails kept, not sent")).to_be_visible()
    expect(results).not_to_contain_text("queued")
    page.get_by_role("link", name="See the kept emails").click()
    # The link lands on those emails, counted alike.
    chosen = page.locator(".counters a[aria-current]")
    expect(chosen.locator(".l")).to_have_text("Kept, not sent")
    expect(chosen.locator(".n")).to_have_text("2")
    expect(page.get_by_text("Showing 1–2 of 2 messages")).to_be_visible()
    for person in people:
        expect(page.get_by_role("cell", name=person.email)).to_be_visible()
