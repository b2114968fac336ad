"""A user's page as a new admin reads it on a laptop: nothing runs out of its card."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import sign_in


@pytest.mark.parametrize("width", [1366, 1280])
def test_the_kept_sign_in_details_badge_stays_inside_the_details_card(page, admin, make_user, width):
    person = make_user(email="nia.okafor@example.com", first_name="Nia", last_name="Okafor")
    sign_in(page)
    page.set_viewport_size({"width": width, "height": 768})
    page.goto(f"/users/{person.id}")
    page.get_by_role("button", name="Send sign-in details").click()
    badge = page.locator("#last-details .badge")
    badge.wait_for()
    assert badge.inner_text() == "Kept on the Mail page, not sent (no mail server is configured)"
    card = page.locator("section.card", has=badge).bounding_box()
    box = badge.bounding_box()
    assert box["x"] + box["width"] <= card["x"] + card["width"]  # it ran past the card, cut off under the next one
