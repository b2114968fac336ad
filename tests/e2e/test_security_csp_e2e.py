"""The strict Content-Security-Policy in a real browser: the console works under it, the email
preview keeps its own styles in its sandbox, and a violation is caught by the page fixture."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.mail import messages


def test_an_injected_inline_handler_is_blocked_and_reported(page, org, admin):
    sign_in(page)
    page.evaluate("""document.body.insertAdjacentHTML('beforeend',
        '<img id="probe" src="data:," onload="document.title = \\'hacked\\'">')""")
    page.wait_for_function("window.__cspViolationCount > 0")
    assert page.title() != "hacked"
    assert any("script-src" in v for v in page.csp_violations), page.csp_violations
    # The page fixture fails any test whose browser reported a violation; this one was on purpose.
    page.csp_violations.clear()


def test_the_email_preview_keeps_its_own_styles_inside_the_sandbox(page, org, admin):
    messages.welcome(admin, org, "kq7rt-mxw3e-abcde-fghjk")
    db.session.commit()
    sign_in(page)
    page.get_by_role("link", name="Mail", exact=True).click()
    page.get_by_role("link", name="Welcome to Acme Learning: your sign-in details").click()
    footer = page.frame_locator("iframe.mail-preview").locator("p", has_text="Acme Learning ·")
    expect(footer).to_be_visible()
    # #52606d from the email's own style attribute: inline styles apply inside the sandbox only.
    expect(footer).to_have_css("color", "rgb(82, 96, 109)")


def test_htmx_search_and_select_all_work_under_the_policy(page, org, admin, make_user):
    for n in range(3):
        make_user(first_name=f"Policy{n}")
    sign_in(page)
    page.get_by_label("Select all users on this page").check()
    boxes = page.locator("input[name=user_id]")
    expect(boxes.first).to_be_checked()
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_role("searchbox", name="Search").fill("Policy1")
    expect(page.locator("table.users tbody tr")).to_have_count(1)
