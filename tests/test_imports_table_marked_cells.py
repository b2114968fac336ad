"""The staged table marks the cell that holds a row's problem (tinted, barred, "problem" for screen readers),
on open rows only: a ready row, a removed row and a created batch's rows show no mark."""
from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.test_imports_table import HX, row_id
from webapp.extensions import db
from webapp.imports import staging

PEOPLE = ("First Name,Last Name,Email Address,Account Type,Send Invite,Group\r\n"
          "Ada,Lovelace,ada@example.com,User,yes,\r\n"
          "Bob,Smith,bob at example.com,User,yes,\r\n"
          "Cy,Young,cy@example.com,User,yes,Sales\r\n"
          "Di,Prince,di@example.com,Wizard,yes,\r\n"
          "Ed,Wood,ed@example.com,User,maybe,\r\n"
          ",,fay@example.com,User,yes,\r\n"
          "Gil,Other,ada@example.com,User,yes,\r\n")


class MarkedCells(HTMLParser):
    """Each staged row's marked cells, as a screen reader reads them (options and the suggestion form left out)."""

    def __init__(self):
        super().__init__()
        self.rows: dict[str, list[str]] = {}
        self.invalid: dict[str, list[str]] = {}
        self.row = self.cell = None
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "tr" and (attrs.get("id") or "").startswith("row-"):
            self.row = attrs["id"]
            self.rows[self.row], self.invalid[self.row] = [], []
        elif tag == "td" and self.row and "cell-problem" in (attrs.get("class") or "").split():
            self.cell = []
        elif tag in ("select", "form", "template"):
            self.skip += 1
        if self.row and attrs.get("aria-invalid") == "true":
            self.invalid[self.row].append(attrs.get("name"))
        if self.cell is not None and tag in ("select", "input") and attrs.get("type") != "hidden":
            self.cell.append(f"[{attrs.get('name')}]")

    def handle_endtag(self, tag):
        if tag in ("select", "form", "template"):
            self.skip -= 1
        elif tag == "td" and self.cell is not None:
            self.rows[self.row].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.cell is not None and not self.skip:
            self.cell.append(data)


def marked(html: str) -> MarkedCells:
    found = MarkedCells()
    found.feed(html)
    return found


@pytest.fixture
def batch(org, admin):
    staged = staging.stage_upload(org.id, admin.id, "people.csv", PEOPLE.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    return staged


@pytest.mark.parametrize("line,cells,invalid", [
    (2, [], []),  # ready: nothing marked
    (3, ["bob at example.com, problem"], []),  # not a valid email address
    (4, ["Sales, problem"], []),  # no group called Sales
    (5, ["[account_type], problem"], ["account_type"]),  # type "Wizard" refused: the select is invalid too
    (6, ["[send_invite], problem"], ["send_invite"]),  # "maybe" is not yes or no
    (7, ["problem", "problem"], []),  # both names missing: the empty cells are marked, read as "problem"
    (8, ["ada@example.com, problem"], []),  # same email as line 2 with different details
], ids=["ready", "email", "group", "account-type", "send-invite", "names", "same-email"])
def test_the_cell_holding_the_problem_is_marked_and_read_as_problem(signed_in, batch, line, cells, invalid):
    html = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    found = marked(html)
    row = f"row-{row_id(batch.id, line)}"
    assert found.rows[row] == cells
    assert found.invalid[row] == invalid


def test_the_row_fragment_marks_the_same_cells_and_a_fixed_row_loses_its_mark(signed_in, batch):
    line_3 = row_id(batch.id, 3)
    fragment = signed_in.get(f"/users/import/{batch.id}/rows/{line_3}", headers=HX).get_data(as_text=True)
    assert marked(fragment).rows[f"row-{line_3}"] == ["bob at example.com, problem"]
    saved = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}", headers=HX, data={
        "first_name": "Bob", "last_name": "Smith", "email": "bob@example.com", "account_type": "user"})
    assert "Ready" in saved.get_data(as_text=True)
    assert marked(saved.get_data(as_text=True)).rows[f"row-{line_3}"] == []


def test_choosing_an_account_type_clears_the_refused_types_mark(signed_in, batch):
    line_5 = row_id(batch.id, 5)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_5}/choice", headers=HX,
                          data={"field": "account_type", "account_type": "guest"}).get_data(as_text=True)
    assert marked(html).rows[f"row-{line_5}"] == [] and marked(html).invalid[f"row-{line_5}"] == []


def test_an_edit_that_is_still_wrong_marks_the_field_in_the_edit_row(signed_in, batch):
    line_3 = row_id(batch.id, 3)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}", headers=HX, data={
        "first_name": "Bob", "last_name": "Smith", "email": "still wrong", "account_type": "user"}).get_data(as_text=True)
    assert 'class="editing"' in html
    assert marked(html).invalid[f"row-{line_3}"] == ["email"]
    assert '<td class="cell-problem"><input type="text" name="email"' in html


def test_a_removed_row_shows_no_mark(signed_in, batch):
    line_3 = row_id(batch.id, 3)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_3}/remove", headers=HX).get_data(as_text=True)
    assert marked(html).rows[f"row-{line_3}"] == []


def test_once_created_no_row_is_marked_not_even_the_ones_left_out(signed_in, batch):
    assert signed_in.post(f"/users/import/{batch.id}/create").status_code == 302
    html = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    found = marked(html)
    assert "Created" in html and "Not a valid email address" in html  # the created rows and the left-out ones
    assert set(found.rows) and all(cells == [] for cells in found.rows.values())
    assert all(names == [] for names in found.invalid.values())
    assert "cell-problem" not in html
