"""The staged table's "Status and problems" column on 1280- and 1366-pixel laptops: wide enough that a row with two
long problem sentences stays a few lines tall, without the table scrolling sideways."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.e2e.test_laptop_tables_e2e import LAPTOPS, rendered_lines, scrolls_sideways, stage
from webapp.extensions import db
from webapp.imports import staging

# Each row has two problems of 80 to 90 characters: an unknown account type or a bad address, and an unknown answer.
TWO_PROBLEMS = ("First Name,Last Name,Email Address,Account Type,Send Invite\r\n"
                "Ada,Lovelace,ada.lovelace@example.com,Trainee,maybe\r\n"
                "Grace,Hopper,grace at example.com,User,perhaps\r\n")


def lines_tall(row) -> float:
    """How many lines of the table's text a row is as tall as."""
    return row.evaluate("(row) => row.getBoundingClientRect().height / parseFloat(getComputedStyle(row.cells[0]).lineHeight)")


@pytest.mark.parametrize("width,height", LAPTOPS, ids=["1280", "1366"])
def test_two_long_problems_take_four_lines_and_the_table_still_fits(page, org, admin, screenshot, width, height):
    batch = staging.stage_upload(org.id, admin.id, "two_problems.csv", TWO_PROBLEMS.encode(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.commit()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    screenshot(f"staged-two-problems-{width}")
    assert not scrolls_sideways(page.locator("#staged-table .table-wrap"))
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    rows = page.locator("#staged-table tbody tr")
    sentences = [("Send Invite & Password “maybe” is not understood", "Account type “Trainee” is not known"),
                 ("Not a valid email address", "Send Invite & Password “perhaps” is not understood")]
    for row, expected in zip(rows.all(), sentences, strict=True):
        problems = row.locator("td.status-cell li")
        expect(problems).to_contain_text(list(expected))
        # Each sentence wraps once at most: four lines for the two, under the row's "Problem" badge.
        lines = [len(rendered_lines(problems.nth(n))) for n in range(2)]
        assert max(lines) <= 2, (lines, row.inner_text())
        assert lines_tall(row) <= 6  # the badge, four lines of problems and the cell's padding (it was 7 to 8)


@pytest.mark.parametrize("width,height,most", [(1280, 720, 13), (1366, 768, 10)], ids=["1280", "1366"])
def test_with_group_series_and_status_columns_two_long_problems_stay_shorter_than_before(
        page, org, admin, width, height, most):
    """With three more columns, the problems get what the other columns can spare: rows were 18 and 14 lines."""
    batch = stage(org, admin)
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto(f"/users/import/{batch.id}")
    assert not scrolls_sideways(page.locator("#staged-table .table-wrap"))
    row = page.locator("#staged-table tbody tr").first
    assert row.locator("td.status-cell li").count() == 2  # no such group, no such series
    assert lines_tall(row) <= most
