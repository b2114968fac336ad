"""Console pages at laptop sizes as a new admin meets them: controls in rows that read as one."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in


@pytest.mark.parametrize("width,height", [(1280, 720), (1366, 768)], ids=["1280", "1366"])
def test_the_users_lists_bulk_buttons_sit_on_one_line_with_the_group_note_after_them(page, make_user, width,
                                                                                    height):
    for _ in range(12):
        make_user()
    page.set_viewport_size({"width": width, "height": height})
    sign_in(page)
    page.goto("/users/?q=example.example")  # "Select all 12 users matching this filter"
    bar = page.get_by_role("group", name="With the selected users")
    enrol, send = bar.get_by_role("button", name="Enrol in series…"), bar.get_by_role("button", name="Send sign-in "
                                                                                                     "details…")
    # At 1280 "Send sign-in details…" sat alone on a second line under the rest.
    assert enrol.bounding_box()["y"] == pytest.approx(send.bounding_box()["y"], abs=2)
    note = bar.get_by_text("To add people to a group, first")
    expect(note).to_be_visible()
    assert note.bounding_box()["x"] > send.bounding_box()["x"] or note.bounding_box()["y"] > send.bounding_box()["y"]
