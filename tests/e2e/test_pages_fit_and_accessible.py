"""Every main console page at 1366x768: no sideways scrolling, and no serious accessibility violation (axe-core)."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import insert, select

from tests.e2e.axe import serious_violations
from tests.e2e.conftest import sign_in
from webapp.extensions import db
from webapp.imports import staging
from webapp.models import Group, Series, User
from webapp.accounts.membership import sync_all_org_users

DATA = Path(__file__).resolve().parent.parent / "data"
LONG = "Bartholomew-Maximilian-Alexandros-Konstantinopoulos-Wolfeschlegelsteinhausen"


@pytest.fixture
def laptop(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    return page


@pytest.fixture
def console_data(org, admin):
    """People with very long names and addresses, a group, a series, a staged import with long cells."""
    db.session.execute(insert(User), [{
        "org_id": org.id, "first_name": f"{LONG}{n}", "last_name": LONG,
        "email": f"{LONG.lower()}.{n}@a-very-long-subdomain-of-an-organisation.example.com",
        "account_type": "user", "invite_status": "created", "password_is_generated": True,
        "is_active_account": True, "created_by_id": admin.id,
    } for n in range(3)])
    sync_all_org_users(org.id)
    group = Group(org_id=org.id, name=f"Group {LONG}")
    series = Series(org_id=org.id, name=f"Series {LONG}", description="A long description. " * 20)
    db.session.add_all([group, series])
    text = ("First Name,Last Name,Email Address\r\n"
            f"{LONG},{LONG},{LONG.lower()}@a-very-long-subdomain-of-an-organisation.example.com\r\n"
            f"{LONG},{LONG},{LONG.lower()} at gmial.com\r\n"
            "Ada,Lovelace,ada@example.com\r\n")
    batch = staging.stage_upload(org.id, admin.id, f"{LONG}.csv", text.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    person = db.session.scalar(select(User).where(User.first_name == f"{LONG}0"))
    return {"user": person.id, "group": group.id, "series": series.id, "batch": batch.id}


PAGES = [
    ("users", "/users/"),
    ("user", "/users/{user}"),
    ("create-user", "/users/new"),
    ("file-import", "/users/import/"),
    ("staged-table", "/users/import/{batch}"),
    ("confirm-create", "/users/import/{batch}/create"),
    ("mail", "/mail/"),
    ("series-list", "/series"),
    ("series", "/series/{series}"),
    ("new-series", "/series/new"),
    ("enrol", "/enrolments/new"),
    ("groups", "/users/groups"),
    ("group", "/users/groups/{group}"),
    ("password", "/account/password"),
]


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_sign_in_page_fits_and_has_no_serious_violations(laptop, org, admin, screenshot):
    laptop.goto("/login")
    screenshot("page-sign-in")
    assert fits(laptop)
    assert serious_violations(laptop) == []


@pytest.mark.parametrize("name,path", PAGES, ids=[name for name, _ in PAGES])
def test_console_page_fits_a_laptop_and_has_no_serious_violations(laptop, console_data, name, path, screenshot):
    sign_in(laptop)
    laptop.goto(path.format(**console_data))
    screenshot(f"page-{name}")
    width = laptop.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width}"
    assert serious_violations(laptop) == []


def test_staged_table_row_actions_stay_visible_and_long_cells_keep_their_full_text(laptop, console_data):
    sign_in(laptop)
    laptop.goto(f"/users/import/{console_data['batch']}")
    remove = laptop.get_by_role("button", name="Remove line 2", exact=True)
    box = remove.bounding_box()
    assert box and box["x"] + box["width"] <= 1366
    email_cell = laptop.locator("td.cell-email").first
    assert email_cell.get_attribute("title").startswith(LONG.lower())


def test_a_very_long_name_keeps_its_staged_row_two_lines_tall_with_its_full_text_there(laptop, console_data):
    sign_in(laptop)
    laptop.goto(f"/users/import/{console_data['batch']}")
    long_row = laptop.locator("tr", has=laptop.get_by_label("Select line 2"))
    short_row = laptop.locator("tr", has=laptop.get_by_label("Select line 4"))
    line_height = short_row.locator("td.cell-text").first.bounding_box()["height"]
    name = long_row.locator("td.cell-text").first
    assert name.bounding_box()["height"] <= 2 * line_height + 4  # without the clamp it is seven lines
    assert name.text_content().strip() == LONG  # the full name is in the page, not cut
    assert name.get_attribute("title") == LONG


def test_the_staged_table_counts_and_search_show_without_scrolling_on_a_laptop(laptop, console_data):
    sign_in(laptop)
    laptop.goto(f"/users/import/{console_data['batch']}")
    for control in (laptop.locator("#import-counters"), laptop.get_by_label("Search names, emails or a line number")):
        box = control.bounding_box()
        assert box and box["y"] + box["height"] <= 768, box  # below the file's and the mode's cards, stacked


def _lines(page, selector: str) -> int:
    """How many lines the text of the first element matching selector wraps onto."""
    return page.evaluate("""(selector) => {
        const range = document.createRange();
        range.selectNodeContents(document.querySelector(selector));
        return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
    }""", selector)


def test_the_mail_list_keeps_a_short_address_on_one_line(laptop, org, admin):
    from webapp.mail import messages

    outcomes = [dict(first_name=f"Person{n}", last_name="Imported", email=f"p{n}@example.com",
                     account_type="user", outcome="created", password=f"Pw-{n}-xyz") for n in range(2)]
    messages.created_users_summary(org, admin, outcomes, source="File Import of a file with a long name.csv")
    db.session.commit()
    sign_in(laptop)
    laptop.goto("/mail/")
    assert _lines(laptop, "main table tbody td:nth-child(2)") == 1  # was "admin@acme.ex / ample" beside a roomy Subject
    assert fits(laptop)


def test_the_header_row_box_of_the_matching_step_is_as_tall_as_the_lists_beside_it(laptop, org, admin, screenshot):
    batch = staging.stage_upload(org.id, admin.id, "map_headerless.csv", (DATA / "map_headerless.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.commit()
    sign_in(laptop)
    laptop.goto(f"/users/import/{batch.id}/match")
    screenshot("page-match-columns")
    header_line = laptop.get_by_label("Header row (line number)").bounding_box()
    encoding = laptop.get_by_label("Encoding", exact=True).bounding_box()
    assert abs(header_line["height"] - encoding["height"]) <= 2  # was a 21 px browser default beside 42 px lists
    assert abs(header_line["y"] - encoding["y"]) <= 2
    assert header_line["width"] >= 80
    assert fits(laptop)
    assert serious_violations(laptop) == []
