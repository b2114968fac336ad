"""Enrol users: a long series name is read whole in its menu before the admin chooses it."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in

LONG = "Safety Basics for New Starters in the North Forest Warehouse Team"
# The chosen name's width against the room inside the menu (its padding and arrow left out).
FITS = """(s) => {
  const style = getComputedStyle(s), pen = document.createElement('canvas').getContext('2d');
  pen.font = style.font;
  const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight) - 20;
  return pen.measureText(s.selectedOptions[0].text).width <= room;
}"""


@pytest.mark.parametrize("width", [1366, 1280])
def test_a_long_series_name_shows_whole_in_the_enrol_menu(page, admin, width):
    sign_in(page)
    page.set_viewport_size({"width": width, "height": 768})
    page.goto("/series/new")
    page.get_by_label("Name").fill(LONG)
    page.get_by_role("button", name="Create series").click()
    page.get_by_text(f"Series \u201c{LONG}\u201d created").wait_for()
    page.goto("/enrolments/new")
    series = page.get_by_label("Series", exact=True)
    assert series.evaluate("(s) => s.selectedOptions[0].text") == LONG
    assert series.evaluate(FITS)  # was cut at "... North Forest W" in a 28rem menu
    assert page.evaluate("document.documentElement.scrollWidth") == width
