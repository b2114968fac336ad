"""The Mail page in a real browser: filter, read a message, download its file, resend."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import SCREENSHOTS, sign_in
from webapp.extensions import db
from webapp.mail import messages, sender
from webapp.models import OutboxMessage
from webapp.users.services import create_user


def make_mail(org, admin):
    for n, name in enumerate(["Nina", "Omar", "Priya"]):
        create_user(org, admin, first_name=name, last_name="Newcomer",
                    email=f"{name.lower()}@example.com", send_invite=True)
    outcomes = [dict(first_name=f"Person{n}", last_name="Imported", email=f"p{n}@example.com",
                     account_type="user", outcome="created", password=f"Pw-{n}-xyz")
                for n in range(4)]
    outcomes.append(dict(first_name="Dup", last_name="Licate", email="nina@example.com",
                         account_type="user", outcome="failed",
                         reason="An account with this email address already exists in your organisation."))
    messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()


def test_keep_only_mail_page(page, org, admin, screenshot):
    make_mail(org, admin)
    sign_in(page)
    page.get_by_role("link", name="Mail", exact=True).click()
    expect(page.get_by_role("heading", name="Mail", exact=True)).to_be_visible()
    expect(page.get_by_text("Not sent: this server keeps mail locally.")).to_be_visible()
    screenshot("mail-list-keep-only")

    page.get_by_role("link", name="File Import: 4 users created, 1 failed").click()
    expect(page.get_by_role("heading", name="Text version")).to_be_visible()
    preview = page.frame_locator("iframe.mail-preview")
    expect(preview.get_by_text("Not created").first).to_be_visible()
    screenshot("mail-message-summary-kept")
    # Full-page captures leave sandboxed frames blank, so the preview gets its own picture.
    page.locator("iframe.mail-preview").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "mail-message-html-preview.png"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download created-users-").click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()
    assert "Pw-3-xyz" in content  # never left the machine, so the copy is whole


def test_filter_and_resend_with_a_mail_server(page, org, admin, smtp_server, screenshot):
    smtp_server.handler.reject.add("omar@example.com")
    make_mail(org, admin)
    sender.send_queued()
    sign_in(page)
    page.goto("/mail/")
    screenshot("mail-list-sent")

    rows = page.locator("#mail-results tbody tr")
    page.get_by_label("Status").select_option("failed")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("omar@example.com")
    expect(page).to_have_url(re.compile(r"status=failed"))
    page.get_by_label("Status").select_option("")
    page.get_by_label("Recipient").fill("priya")
    expect(rows.first).to_contain_text("priya@example.com")
    expect(rows).to_have_count(1)

    page.goto("/mail/?status=failed")
    page.get_by_role("link", name="Welcome to Acme Learning: your sign-in details").click()
    expect(page.get_by_text("No such user here").first).to_be_visible()
    screenshot("mail-message-failed")
    smtp_server.handler.reject.clear()
    page.get_by_role("button", name="Resend").click()
    expect(page.get_by_text("is queued to be sent again")).to_be_visible()
    sender.send_queued()
    assert len(smtp_server.to("omar@example.com")) == 1

    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    page.goto(f"/mail/{summary.id}")
    expect(page.get_by_text("the password was then removed")).to_be_visible()
    screenshot("mail-message-summary-redacted")
