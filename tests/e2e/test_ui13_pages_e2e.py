"""A new admin at laptop size: an enrolment's result names where its emails are; a click that fails says why."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import ADMIN_EMAIL, settled, sign_in
from tests.e2e.test_laptop_tables_e2e import scrolls_sideways, stage
from webapp.clock import utcnow
from webapp.enrolments import services
from webapp.extensions import db


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


def in_view(page, locator) -> bool:
    box, view = locator.bounding_box(), page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= view["height"] and box["x"] >= 0 \
        and box["x"] + box["width"] <= view["width"]


def test_a_click_in_the_staged_table_after_signing_out_elsewhere_leads_to_sign_in_and_back(page, batch):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    # The admin signs out in another tab; this one still shows the rows.
    other = page.context.new_page()
    other.goto("/users/")
    other.get_by_role("button", name="Sign out").click()
    other.wait_for_url("**/login**")
    other.close()
    page.get_by_role("button", name="Remove line 9", exact=True).click()
    # The whole tab goes to sign-in (the sign-in form was put inside the clicked row), then back to the rows.
    page.wait_for_url("**/login?next=*")
    expect(page.get_by_text("Please sign in to see that page.")).to_be_visible()
    expect(page.locator("#staged-table")).to_have_count(0)
    page.get_by_label("Email address", exact=True).fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/users/import/{batch.id}")
    expect(page.get_by_role("button", name="Remove line 9", exact=True)).to_be_visible()  # nothing was removed


def test_a_click_on_an_import_that_has_expired_says_so_in_view(page, batch, screenshot):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    # Past its expiry date, the import is deleted when File Import is next opened (here in another tab).
    batch.expires_at = utcnow() - timedelta(days=1)
    db.session.commit()
    other = page.context.new_page()
    other.goto("/users/import/")
    other.close()
    remove = page.get_by_role("button", name="Remove line 9", exact=True)
    remove.click()
    # The click answers in view (it seemed to do nothing: htmx drops an error answer).
    alert = page.locator("#request-error [role=alert]")
    expect(alert).to_contain_text("Page not found. The page or record does not exist")
    assert in_view(page, alert)
    screenshot("ui13-request-error-1280")
    page.get_by_role("button", name="Close").click()
    expect(alert).to_have_count(0)


def test_a_click_in_the_staged_table_that_gets_no_answer_says_so(page, batch):
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.route("**/rows/*/remove*", lambda route: route.abort("connectionrefused"))  # the server went away
    page.get_by_role("button", name="Remove line 2", exact=True).click()
    alert = page.locator("#request-error [role=alert]")
    expect(alert).to_contain_text("The console did not answer. Check your connection, then reload the page")
    assert in_view(page, alert)
    # The server answers again: the same click works, and the message goes.
    page.unroute("**/rows/*/remove*")
    page.get_by_role("button", name="Remove line 2", exact=True).click()
    expect(page.get_by_text("Line 2 (ada@example.com) removed.")).to_be_visible()
    expect(alert).to_have_count(0)


def test_file_import_names_every_column_the_staged_page_says_a_file_can_have(page, admin, tmp_path):
    template_shaped = tmp_path / "people.csv"
    template_shaped.write_text("First Name,Last Name,Email Address\nGrace,Hopper,grace@example.com\n", encoding="utf-8")
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/users/import/")
    page.get_by_label("File to import").set_input_files(str(template_shaped))
    page.get_by_role("button", name="Upload and Continue").click()
    absent = page.get_by_text("Not in the file:")
    labels = absent.inner_text().removeprefix("Not in the file:").strip().rstrip(".").split(", ")
    assert {"Group", "Series", "Status"} <= set(labels)
    # Before uploading, the instructions named none of Group, Series, Status or Full Name (only a checkbox
    # "Create missing groups" spoke of "a Group column").
    page.goto("/users/import/")
    instructions = page.locator("section", has=page.get_by_role("heading", name="1. Download the template"))
    for label in labels:
        expect(instructions).to_contain_text(label)


def test_zoomed_in_an_open_rows_problems_wrap_inside_the_tables_box(page, org, admin, screenshot):
    batch = stage(org, admin, group="Sales")  # no group Sales, no series: three sentences under line 5
    page.set_viewport_size({"width": 640, "height": 360})  # a 1280x720 laptop at 200%
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    page.get_by_role("link", name="Edit line 5", exact=True).click()
    settled(page)
    wrap = page.locator("#staged-table .table-wrap")
    assert scrolls_sideways(wrap)  # zoomed in, the table is wider than its box
    sentences = page.locator("tr.editing-problems p.field-error")
    expect(sentences).to_have_count(3)  # the email, the group and the series
    sentences.first.scroll_into_view_if_needed()
    screenshot("ui13-zoomed-open-row-problems")
    box = wrap.bounding_box()
    for n in range(sentences.count()):
        # Each sentence reads whole in view (they ran off the box's right edge: "... must have an" / "Tick Create").
        sentence = sentences.nth(n).bounding_box()
        assert box["x"] <= sentence["x"] and sentence["x"] + sentence["width"] <= box["x"] + box["width"], n
        assert sentences.nth(n).evaluate("(p) => p.scrollWidth <= p.clientWidth")
