"""Escape in the staged table, keyboard only: it cancels a row's edit as Cancel does, and takes back an account type
reached with the arrows but not saved yet."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import settled, sign_in
from tests.test_imports_table import rows


def requests_made(page) -> list[str]:
    """Every request the page sends from now on, as "METHOD path"."""
    made = []
    page.on("request", lambda request: made.append(f"{request.method} {request.url.split('/', 3)[3]}"))
    return made


# Where the keyboard is when Escape is pressed: each of the edited row's own controls.
CONTROLS = [
    ("textbox", "First name for line 5"),
    ("combobox", "Account type for line 5"),
    ("checkbox", "Send Invite & Password to line 5"),
    ("button", "Save line 5"),
]


@pytest.mark.parametrize("role,name", CONTROLS, ids=[role for role, _ in CONTROLS])
def test_escape_in_an_edited_row_cancels_the_edit_unsaved_and_focus_returns_to_edit(page, batch, role, name):
    # import_mixed.csv: line 5 is "Bad,Row,not-an-email" (a problem), line 3 Grace Hopper (ready).
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    row = page.locator("#" + page.get_by_label("Select line 5").evaluate("(box) => box.closest('tr').id"))
    as_it_was = row.inner_text()
    edit = page.get_by_role("link", name="Edit line 5", exact=True)
    edit.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Email for line 5")).to_be_focused()  # the field in error
    # Change every box of the row, then leave without saving.
    page.get_by_label("First name for line 5").fill("Changed")
    page.get_by_label("Email for line 5").fill("changed@example.com")
    page.get_by_label("Account type for line 5").select_option("guest")
    page.get_by_label("Send Invite & Password to line 5").click()
    made = requests_made(page)
    page.get_by_role(role, name=name, exact=True).focus()
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")  # a second press while the row is on its way asks for nothing more

    expect(page.get_by_role("link", name="Edit line 5", exact=True)).to_be_focused()
    settled(page)
    expect(page.locator("tr.editing")).to_have_count(0)
    assert row.inner_text() == as_it_was  # "Bad", "Row", "not-an-email", User, its problems: as before Edit
    expect(page.get_by_label("Account type for line 5")).to_have_value("user")
    expect(page.get_by_label("Send Invite & Password to line 5")).not_to_be_checked()
    assert [line for line in made if not line.startswith("GET static/")] == [
        f"GET users/import/{batch.id}/rows/{rows(batch.id)[5].id}?filter=all&q=&page=1"]  # Cancel's one request
    saved = rows(batch.id)[5]
    assert (saved.first_name, saved.email, saved.account_type, saved.send_invite) == \
        ("Bad", "not-an-email", "user", False)


def test_escape_takes_back_an_account_type_chosen_with_the_arrows_and_saves_nothing(page, batch):
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    made = requests_made(page)
    select = page.get_by_label("Account type for line 3")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(select).to_have_value("admin")
    page.keyboard.press("Escape")
    expect(select).to_have_value("user")
    expect(select).to_be_focused()
    page.keyboard.press("Tab")  # leaving the menu saves a changed choice: there is none now
    expect(page.get_by_label("Send Invite & Password to line 3")).to_be_focused()
    settled(page)
    assert made == []
    assert rows(batch.id)[3].account_type == "user"
    # Escape with nothing to take back changes nothing either; a choice made afterwards still saves on leaving.
    select.focus()
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Send Invite & Password to line 3")).to_be_focused()
    settled(page)
    assert rows(batch.id)[3].account_type == "guest"
