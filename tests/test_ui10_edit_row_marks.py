"""A row with problems opened for editing shows at once which of its fields is wrong, and why, by the field."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.test_imports_table import HX, row_id
from tests.test_imports_table_marked_cells import PEOPLE
from webapp.extensions import db
from webapp.imports import staging


class EditRow(HTMLParser):
    """The edit row's controls in error, each with the text its aria-describedby points to."""

    def __init__(self):
        super().__init__()
        self.invalid: dict[str, str] = {}  # control name -> id it is described by
        self.texts: dict[str, list[str]] = {}
        self.open: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("aria-invalid") == "true":
            self.invalid[attrs["name"]] = attrs.get("aria-describedby")
        if tag not in ("input", "br", "wbr"):
            self.open.append(attrs.get("id"))
            if attrs.get("id"):
                self.texts[attrs["id"]] = []

    def handle_endtag(self, tag):
        if tag not in ("input", "br", "wbr") and self.open:
            self.open.pop()

    def handle_data(self, data):
        for element_id in filter(None, self.open):
            self.texts[element_id].append(data)

    def errors(self) -> dict[str, str]:
        """Each control in error and the words read out for it."""
        return {name: " ".join("".join(self.texts.get(described, [])).split())
                for name, described in self.invalid.items()}


def edit_row(html: str) -> EditRow:
    found = EditRow()
    found.feed(html)
    return found


@pytest.fixture
def batch(org, admin):
    staged = staging.stage_upload(org.id, admin.id, "people.csv", PEOPLE.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    return staged


NAMES = "⚠ Error: First name and last name are both missing."


@pytest.mark.parametrize("line,errors", [
    (2, {}),
    (3, {"email": "⚠ Error: Not a valid email address: An email address must have an @-sign."}),
    (4, {"groups": "⚠ Error: No group called “Sales” (Group column). Tick Create missing groups, or correct "
                   "the name."}),
    (5, {"account_type": "⚠ Error: Account type “Wizard” is not known. Use one of: User, Guest, Admin, "
                         "Team Manager."}),
    (6, {"send_invite": "⚠ Error: Send Invite & Password “maybe” is not understood. Use yes or no (or leave it "
                        "blank for no)."}),
    (7, {"first_name": NAMES, "last_name": NAMES}),  # one problem, said once by the first name
    (8, {"email": "⚠ Error: Same email as line 2, with different details."}),
], ids=["ready", "email", "group", "account-type", "send-invite", "names", "same-email"])
def test_opening_a_row_marks_its_fields_in_error_with_the_reason_by_each(signed_in, batch, line, errors):
    html = signed_in.get(f"/users/import/{batch.id}/rows/{row_id(batch.id, line)}/edit", headers=HX)
    assert 'class="editing"' in html.get_data(as_text=True)
    assert edit_row(html.get_data(as_text=True)).errors() == errors


def test_the_page_opened_on_a_row_without_javascript_marks_it_too(signed_in, batch):
    line_3 = row_id(batch.id, 3)
    page = signed_in.get(f"/users/import/{batch.id}?edit={line_3}").get_data(as_text=True)
    editing = page[page.index('class="editing"'):]
    editing = editing[:editing.index("</tr>", editing.index('class="editing-problems"'))]  # and its problems' line
    assert edit_row(editing).errors() == {
        "email": "⚠ Error: Not a valid email address: An email address must have an @-sign."}


def test_a_value_refused_as_too_long_is_said_once_and_the_stored_problems_wait(signed_in, batch):
    line_3 = row_id(batch.id, 3)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}", headers=HX, data={
        "first_name": "B" * 101, "last_name": "Smith", "email": "bob at example.com",
        "account_type": "user"}).get_data(as_text=True)
    assert html.count("First name is longer than 100 characters.") == 1
    # Every text field points at that one sentence; the email's stored problem is not restated as current.
    assert set(edit_row(html).errors().values()) == {"First name is longer than 100 characters."}
