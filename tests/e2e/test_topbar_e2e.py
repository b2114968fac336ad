"""The top bar on 1280- and 1366-pixel laptops: a long organisation name keeps it one line, cut short with "…"
on screen while its whole text stays readable to screen readers and on hover."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in
from webapp.extensions import db

LAPTOPS = [(1280, 800), (1366, 768)]
# The organisation's name, and whether the bar has to cut it short.
NAMES = [
    ("North Yorkshire and Humber Regional Apprenticeship Training Partnerships Limited", True),  # 80 characters
    ("LlanfairpwllgwyngyllgogerychwyrndrobwllllantysiliogogogochApprenticeshipAcademies", True),  # one long word
    ("Acme Learning", False),
]


def parts_of_the_bar(page) -> dict[str, dict]:
    """Where each thing in the top bar is drawn, by its text."""
    bar = page.locator("header.topbar")
    things = [bar.get_by_role("link", name="Onboarding Console")]
    things += bar.get_by_role("navigation", name="Main").get_by_role("link").all()
    things += [bar.locator(".who"), bar.get_by_role("link", name="Password"), bar.get_by_role("button", name="Sign out")]
    return {thing.inner_text(): thing.bounding_box() for thing in things}


@pytest.mark.parametrize("name,cut_short", NAMES, ids=["80-characters", "one-long-word", "short"])
@pytest.mark.parametrize("width,height", LAPTOPS, ids=["1280", "1366"])
def test_the_top_bar_stays_one_line_with_a_long_organisation_name_read_in_full(
        page, org, admin, screenshot, width, height, name, cut_short):
    org.name = name
    db.session.commit()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    screenshot(f"topbar-{width}-{len(name)}")
    parts = parts_of_the_bar(page)
    assert {"Users", "Groups", "Series", "Mail", f"Ada Admin · {name}", "Password", "Sign out"} <= set(parts)
    # One line: everything sits on the brand's line, and the bar is no taller than it is for a short name (54 px).
    middles = {text: box["y"] + box["height"] / 2 for text, box in parts.items()}
    brand_middle = middles["Onboarding Console"]
    assert all(abs(middle - brand_middle) <= 2 for middle in middles.values()), middles
    assert page.locator("header.topbar").bounding_box()["height"] <= 56
    # Nothing overlaps and nothing runs off the screen: left to right, each ends before the next begins.
    boxes = sorted(parts.values(), key=lambda box: box["x"])
    assert boxes[0]["x"] >= 0 and boxes[-1]["x"] + boxes[-1]["width"] <= width
    assert all(left["x"] + left["width"] <= right["x"] for left, right in zip(boxes, boxes[1:])), boxes
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")

    who = page.locator("header.topbar .who")
    assert who.evaluate("(element) => element.scrollWidth > element.clientWidth") is cut_short
    if cut_short:
        assert who.evaluate("(element) => getComputedStyle(element).textOverflow") == "ellipsis"
    assert who.get_attribute("title") == f"Ada Admin · {name}"  # the whole name on hover
    # A screen reader reads the page's text, not what fits on screen: the whole name is there.
    assert f"Ada Admin · {name}" in page.locator("header.topbar").aria_snapshot()
