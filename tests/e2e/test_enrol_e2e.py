"""Enrolment in a real browser: import three Created users, enrol them, one signs in and learns."""
from __future__ import annotations

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.models import Enrolment, OutboxMessage, User

DUE = date.today() + timedelta(days=30)
PEOPLE = [("Nia", "Okafor", "nia.okafor@example.com"),
          ("Tom", "Berg", "tom.berg@example.com"),
          ("Ines", "Duarte", "ines.duarte@example.com")]


def test_import_enrol_and_learner_signs_in_with_the_emailed_password(page, org, admin, screenshot,
                                                                     tmp_path):
    sign_in(page)

    # A series to enrol in, made through the console.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Series").click()
    page.get_by_role("link", name="New series").click()
    page.get_by_label("Name").fill("Warehouse Safety")
    page.get_by_label("Description").fill("Six short lessons on working safely around forklifts.")
    page.get_by_role("button", name="Create series").click()
    page.get_by_text("Series \u201cWarehouse Safety\u201d created").wait_for()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Series").click()
    screenshot("enrol-1-series-list")

    # Three people through File Import, leaving every Send Invite tick cleared.
    csv_file = tmp_path / "new-starters.csv"
    csv_file.write_text("First Name,Last Name,Email Address\n"
                        + "".join(f"{first},{last},{email}\n" for first, last, email in PEOPLE))
    page.goto("/users/import/")
    page.get_by_label("File to import").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and Continue").click()
    page.wait_for_url("**/users/import/*")
    page.get_by_role("link", name="Create Users").click()
    page.get_by_role("button", name="Create 3 users").click()
    page.wait_for_url("**/users/?batch=*")
    page.get_by_text("3 users created").wait_for()
    # Created users: nothing to them yet (the admin gets the created-users summary).
    emailed = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert not set(emailed) & {email for _, _, email in PEOPLE}

    # Enrol everyone the import created, from the Users list.
    page.get_by_label("Select all 3 users").check()
    page.get_by_role("button", name="Enrol in series…").click()
    page.get_by_text("3 users selected").wait_for()
    page.get_by_label("Series").select_option(label="Warehouse Safety")
    screenshot("enrol-2-form")
    # A due date in the past is refused with the selection kept.
    page.get_by_label("Due date (optional)").fill((date.today() - timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.get_by_text("The due date is in the past").wait_for()
    expect(page.get_by_text("3 users selected")).to_have_count(1)
    screenshot("enrol-2b-past-due-date")
    page.get_by_label("Due date (optional)").fill(DUE.isoformat())
    page.get_by_role("button", name="Enrol", exact=True).click()
    page.get_by_text("3 users enrolled").wait_for()
    expect(page.get_by_text("3 enrolment emails to the learners kept on the Mail page")).to_have_count(1)
    screenshot("enrol-3-result")
    assert db.session.scalar(select(db.func.count()).select_from(Enrolment)) == 3

    page.get_by_role("link", name="See everyone in Warehouse Safety").click()
    page.get_by_text("Showing 1–3 of 3 enrolments").wait_for()
    screenshot("enrol-4-series-page")

    # No mail server here: the message is kept on the outbox, password and all.
    db.session.expire_all()
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == PEOPLE[0][2]))
    assert message.kind == "created_user_series_enrolment" and message.status == "kept"
    password = next(line.split(":", 1)[1].strip() for line in message.text_body.splitlines()
                    if line.startswith("Password:"))

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()  # before the next page load could cancel the sign-out
    sign_in(page, PEOPLE[0][2], password)
    page.wait_for_url("**/choose-password**")
    page.get_by_label("New password", exact=True).fill("kettles and lanterns 42")
    page.get_by_label("Type the new password again", exact=True).fill("kettles and lanterns 42")
    page.get_by_role("button", name="Save password and continue").click()
    page.wait_for_url("**/learning")
    page.get_by_role("heading", name="My learning").wait_for()
    expect(page.get_by_text("Warehouse Safety")).to_have_count(1)
    expect(page.get_by_text("Six short lessons")).to_have_count(1)
    expect(page.get_by_text(f"{DUE.day} {DUE:%b %Y}")).to_have_count(1)
    screenshot("enrol-5-my-learning")
    db.session.expire_all()
    nia = db.session.scalar(select(User).where(User.email == PEOPLE[0][2]))
    assert nia.signed_in_at is not None and not nia.password_is_generated
