"""The Users list, the Mail page and a finished import at 1280 pixels: dates on one line, addresses wrapped at
"@" or a dot rather than inside a word."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_laptop_tables_e2e import broken_mid_word, rendered_lines, stage
from webapp.extensions import db
from webapp.users.services import create_user

ADDRESSES = ["katherine.johnson@example.org", "alan.mathison.turing.the.very.long.address@department-of-computer"
             "-science.example-university.ac.uk", "margaret.hamilton@apollo-guidance-computer.example.com"]


def make_people(org, admin):
    for n, email in enumerate(ADDRESSES):
        create_user(org, admin, first_name=f"Person{n}", last_name="Newcomer", email=email, send_invite=True)
    db.session.commit()


def test_the_users_list_keeps_dates_on_one_line_and_wraps_addresses_between_words(page, org, admin, screenshot):
    make_people(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/users/")
    screenshot("laptop-users-1280")
    rows = page.locator("main table tbody tr")
    assert rows.count() == len(ADDRESSES) + 1
    for n in range(rows.count()):
        created = rows.nth(n).locator("td").nth(-1)
        assert len(rendered_lines(created)) == 1, created.inner_text()  # was "5 Dec" / "2026"
        email = rows.nth(n).locator("td").nth(1)
        assert broken_mid_word(rendered_lines(email)) == [], email.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_the_mail_page_wraps_addresses_between_words(page, org, admin):
    make_people(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/mail/")
    cells = page.locator("main table tbody td.cell-address")
    assert cells.count() >= len(ADDRESSES)
    for n in range(cells.count()):
        assert broken_mid_word(rendered_lines(cells.nth(n))) == [], cells.nth(n).inner_text()  # "…@exampl" / "e.org"


def test_a_finished_import_has_no_pinned_divider_before_its_last_column(page, org, admin, client):
    batch = stage(org, admin)
    batch.status = "done"
    db.session.commit()
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    last_heading = page.locator("#staged-table thead th").last
    assert last_heading.inner_text().strip().lower() == "status and problems"
    assert last_heading.evaluate("(th) => getComputedStyle(th).position") == "static"  # only Edit/Remove are pinned


def test_a_long_address_on_a_users_page_stays_inside_its_card(page, org, admin):
    make_people(org, admin)
    page.set_viewport_size({"width": 1280, "height": 720})
    sign_in(page)
    page.goto("/users/")
    page.get_by_role("link", name="Newcomer, Person1").click()
    email = page.locator("dl.details dd", has_text="alan.mathison")
    card = page.locator(".card", has=email)
    # (Measured once the page's script has marked where the address may break: a loaded machine runs it later.)
    expect(email.locator("wbr")).not_to_have_count(0)
    text_right = email.evaluate("""(dd) => { const range = document.createRange(); range.selectNodeContents(dd);
        return Math.max(...[...range.getClientRects()].map((rect) => rect.right)); }""")
    card_box = card.bounding_box()
    assert text_right <= card_box["x"] + card_box["width"]  # ran past the card into the Edit card's gutter
    assert broken_mid_word(rendered_lines(email)) == []


@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768)], ids=["1280", "1366"])
def test_the_users_filters_and_their_search_button_share_one_row(page, org, admin, width, height):
    make_people(org, admin)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto("/users/")
    search_box = page.get_by_label("Search", exact=True).bounding_box()
    button = page.get_by_role("button", name="Search", exact=True).bounding_box()
    assert abs(button["y"] - search_box["y"]) <= 2  # the button sat alone on a second row
    count = page.get_by_text(f"Showing 1–{len(ADDRESSES) + 1} of {len(ADDRESSES) + 1} users").bounding_box()
    assert count["y"] - (search_box["y"] + search_box["height"]) <= 40  # no empty row for "Searching…"
