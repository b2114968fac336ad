"""The console in a real browser: first-run set-up, sign-in, Create User, search, user page, groups."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import expect
from sqlalchemy import insert, select

from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import settled, sign_in
from webapp.extensions import db
from webapp.models import AccountType, User
from webapp.users import groups as group_services
from webapp.accounts.membership import sync_all_org_users

FIRST = ["Amara", "Ben", "Chloé", "Dev", "Elif", "Farah", "Gus", "Hana", "Ivo", "Jun"]
LAST = ["Okafor", "Berg", "Duarte", "Nakamura"]


def seed_people(org_id: int, admin_id: int) -> None:
    """About thirty people of every kind, in one bulk insert."""
    start = datetime(2026, 5, 1, 9)
    rows = []
    for n in range(30):
        first, last = FIRST[n % len(FIRST)], LAST[n % len(LAST)]
        rows.append({
            "org_id": org_id, "first_name": first, "last_name": last,
            "email": f"{first.lower().replace('é', 'e')}.{last.lower()}{n}@example.com",
            "account_type": [AccountType.USER, AccountType.USER, AccountType.GUEST,
                             AccountType.TEAM_MANAGER][n % 4].value,
            "invite_status": "invited" if n % 3 == 0 else "created",
            "signed_in_at": start + timedelta(days=n) if n % 5 == 0 else None,
            "password_is_generated": True, "is_active_account": True, "created_by_id": admin_id,
            "created_at": start + timedelta(hours=n), "updated_at": start + timedelta(hours=n),
        })
    db.session.execute(insert(User), rows)
    sync_all_org_users(org_id)
    db.session.commit()


def test_first_run_setup_in_the_browser(page, app, screenshot):
    page.goto("/")
    page.wait_for_url("**/setup")
    page.get_by_label("Organisation name").fill("Harbour Learning")
    page.get_by_label("Your first name").fill("Hana")
    page.get_by_label("Your last name").fill("Harbour")
    page.get_by_label("Your email address").fill("hana@example.com")
    page.get_by_label("Choose a password").fill("short")
    page.get_by_label("Type the password again").fill("short")
    page.get_by_role("button", name="Create organisation").click()
    page.get_by_text("12 characters").first.wait_for()
    screenshot("console-1-setup-error")
    page.get_by_label("Choose a password").fill("tide tables and ferry boats")
    page.get_by_label("Type the password again").fill("tide tables and ferry boats")
    page.get_by_role("button", name="Create organisation").click()
    page.wait_for_url("**/users/")
    page.get_by_text("Only you so far.").wait_for()
    screenshot("console-2-first-run-users")
    assert page.goto("/setup").status == 404


def test_sign_in_create_user_and_search(page, org, admin, screenshot):
    seed_people(org.id, admin.id)
    page.goto("/users/")
    page.wait_for_url("**/login**")
    page.get_by_label("Email address", exact=True).fill(admin.email)
    page.get_by_label("Password", exact=True).fill("wrong password entirely")
    page.get_by_role("button", name="Sign in").click()
    screenshot("console-3-sign-in-error")
    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/users/")
    page.get_by_text("Showing 1–31 of 31 users").wait_for()
    screenshot("console-4-users-list")

    # Create User: an error beside the field first, then success.
    page.get_by_role("link", name="Create User").click()
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Email address").fill("amara.okafor0@EXAMPLE.com")
    page.get_by_role("button", name="Create User").click()
    page.get_by_text("An account with this email address already exists in your organisation.").wait_for()
    expect(page.get_by_label("First name")).to_have_value("Nina")
    screenshot("console-5-create-user-error")
    page.get_by_label("Email address").fill("nina.newcomer@example.com")
    page.get_by_role("button", name="Create User").click()
    page.wait_for_url("**/users/")
    page.get_by_text("Created Nina Newcomer (nina.newcomer@example.com) as User.").wait_for()
    expect(page.get_by_role("link", name="Newcomer, Nina")).to_have_count(1)

    # Active search: typing updates the list in place, without a page load.
    page.evaluate("window.__same_page = true")
    page.get_by_role("searchbox", name="Search").press_sequentially("nakamura", delay=30)
    # A slow machine sends a search per pause in the typing ("nak" also finds 7): wait for the last one, whose
    # address is pushed as its list is swapped in, and for that swap to settle. A filter changed while it is
    # still on its way would race it (the two requests are not queued), and the later answer would win.
    expect(page).to_have_url(re.compile(r"[?&]q=nakamura(&|$)"))  # the address follows, so reload and Back work
    settled(page)
    page.get_by_text("Showing 1–7 of 7 users").wait_for()
    assert page.evaluate("window.__same_page") is True
    rows = page.locator("table.users tbody tr")
    expect(rows).to_have_count(7)
    assert all("Nakamura" in text for text in rows.all_inner_texts())
    page.get_by_label("Invite status").select_option("invited")
    expect(page).to_have_url(re.compile(r"[?&]status=invited(&|$)"))
    settled(page)
    page.get_by_text("Showing 1–3 of 3 users").wait_for()
    expect(rows).to_have_count(3)
    assert all("Invited" in text and "Nakamura" in text for text in rows.all_inner_texts())
    assert page.evaluate("window.__same_page") is True
    screenshot("console-6-users-search")
    page.get_by_role("searchbox", name="Search").fill("no such person")
    page.get_by_text("No users match “no such person”").wait_for()
    page.get_by_role("link", name="clear the search and filters").click()
    page.get_by_text("of 32 users").wait_for()

    # Sorting by a column header keeps the search box's state in sync.
    page.get_by_role("link", name="Email").click()
    page.wait_for_url(re.compile(r".*sort=email.*"))
    expect(page.locator("table.users tbody tr").first).to_contain_text("admin@acme.example")


def test_user_page_and_groups(page, org, admin, screenshot):
    seed_people(org.id, admin.id)
    sign_in(page)
    page.goto("/users/?q=okafor")
    page.get_by_role("link", name="Okafor, Amara").first.click()
    page.get_by_role("heading", name="Amara Okafor").wait_for()
    page.get_by_label("Last name").fill("Okafor-Reid")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Saved the changes to Amara Okafor-Reid.").wait_for()
    page.get_by_text("Changed last name from “Okafor” to “Okafor-Reid”").wait_for()
    screenshot("console-7-user-page")

    # A group, members added from the Users list, then one removed in place.
    page.get_by_role("link", name="Groups", exact=True).click()
    page.get_by_label("Group name").fill("Dock team")
    page.get_by_role("button", name="Create group").click()
    page.get_by_text("Created the group Dock team.").wait_for()
    manager = db.session.scalar(select(User).where(User.org_id == org.id,
                                                   User.account_type == "team_manager"))
    page.get_by_role("combobox", name="Owner").select_option(str(manager.id))
    page.get_by_role("button", name="Save owner").click()
    page.get_by_text("now owns Dock team").wait_for()

    page.goto("/users/?q=berg")
    page.get_by_label("Select all users on this page").check()
    expect(page.locator("input[name=user_id]:checked")).to_have_count(8)
    page.locator("#bulk-group").select_option(label="Dock team")
    page.get_by_role("button", name="Add to group").click()
    page.get_by_text("Added 8 users to Dock team.").wait_for()
    screenshot("console-8-users-bulk-added")

    page.goto("/users/groups")
    screenshot("console-9-groups")
    page.get_by_role("link", name="Dock team").click()
    expect(page.locator("#member-count")).to_have_text("8")
    screenshot("console-10-group")
    page.get_by_role("button", name=re.compile("Remove .* from Dock team")).first.click()
    page.locator("#member-count", has_text="7").wait_for()
    expect(page.locator("tbody tr")).to_have_count(7)
    dock = next(s for s in group_services.list_groups(org.id) if s.group.name == "Dock team")
    assert dock.member_count == 7
    page.goto(f"/users/groups/{dock.group.id}/delete")
    screenshot("console-11-delete-group-confirm")
