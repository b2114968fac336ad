"""In a real browser: forgot password by emailed link, and Send sign-in details (one person and bulk)."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from webapp.mail.sender import send_queued

NEW_PASSWORD = "copper kettles sing at dawn"


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_forgot_password_from_the_sign_in_page(page, app, live_server, org, make_user, smtp_server,
                                               screenshot):
    app.config["BASE_URL"] = None  # links must come from the address the browser used
    make_user(email="fay@example.com", first_name="Fay", last_name="Forgetful")
    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
    page.get_by_label("Email address").fill("fay@example.com")
    screenshot("signin-forgot-password")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("If an account uses fay@example.com, we have sent it an email")).to_be_visible()

    assert send_queued().sent == 1
    [message] = smtp_server.to("fay@example.com")
    link = re.search(r"http://\S+/reset-password/\S+", body(message)).group(0)
    assert link.startswith(live_server + "/reset-password/")  # the live server's own random port
    page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    screenshot("signin-reset-password")
    page.get_by_role("button", name="Save password").click()
    expect(page.get_by_text("Your password is set. Sign in with it now.")).to_be_visible()
    sign_in(page, "fay@example.com", NEW_PASSWORD)
    expect(page.get_by_role("heading", name="My learning")).to_be_visible()

    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()


def test_welcome_email_links_to_the_live_servers_port(page, app, live_server, org, admin, smtp_server):
    app.config["BASE_URL"] = None
    sign_in(page)
    page.goto("/users/new")
    page.get_by_label("First name").fill("Pia")
    page.get_by_label("Last name").fill("Port")
    page.get_by_label("Email address").fill("pia@example.com")
    page.get_by_label(re.compile("Send Invite & Password")).check()
    page.get_by_role("button", name="Create User").click()
    expect(page.get_by_text("The welcome email with their password is on its way.")).to_be_visible()
    send_queued()
    [message] = smtp_server.to("pia@example.com")
    assert f"Sign in at: {live_server}/login" in body(message)


def test_send_sign_in_details_from_a_page_and_for_a_selection(page, app, live_server, org, admin,
                                                              make_user, smtp_server, screenshot):
    cleo = make_user(email="cleo@example.com", first_name="Cleo", last_name="Created", generated=True)
    make_user(email="dan@example.com", first_name="Dan", last_name="Created", generated=True)
    sign_in(page)
    page.goto(f"/users/{cleo.id}")
    expect(page.locator("#last-details")).to_have_text("Never sent")
    page.get_by_role("button", name="Send sign-in details").click()
    expect(page.get_by_text("Sign-in details for 1 person: 1 with a new password. The email is on its way.")) \
        .to_be_visible()
    expect(page.locator("#last-details")).to_contain_text("Waiting to be sent")
    send_queued()
    page.reload()
    expect(page.locator("#last-details")).to_contain_text("Delivered to the mail server")
    screenshot("signin-user-page-details-sent")

    page.goto("/users/?q=Created")
    page.get_by_label("Select Cleo Created").check()
    page.get_by_label("Select Dan Created").check()
    page.get_by_role("button", name="Send sign-in details…").click()
    expect(page.get_by_role("heading", name="Send sign-in details to 2 people?")).to_be_visible()
    screenshot("signin-bulk-confirm")
    page.get_by_role("button", name="Send sign-in details").click()
    # Cleo's password went out minutes ago and still stands; Dan gets a new one.
    expect(page.get_by_text(re.compile(r"Sign-in details for 2 people: 1 with a new password; 1 reminded"))) \
        .to_be_visible()
    send_queued()
    assert len(smtp_server.to("dan@example.com")) == 1 and len(smtp_server.to("cleo@example.com")) == 2
