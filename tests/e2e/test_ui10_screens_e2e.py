"""Addresses and tables as a new admin reads them, at 1280, at 1920 and zoomed to 200% at 1366 (683 CSS pixels,
twice as dense): an address wraps after "@", never before its last dot or inside a word; nothing runs off a table;
a big screen's room goes to the staged table."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import DATA, settled, sign_in
from webapp.extensions import db
from webapp.imports import staging

# A cell's words cut across two lines, and its words line by line, run together (for an address, split into
# pieces at its break points, <wbr>: each piece is a word here).
LINES = """(cell) => {
  const cut = [], lines = new Map(), walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
  const tops = (range) => [...new Set([...range.getClientRects()].map((r) => Math.round(r.top)))];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || node.parentElement.closest('.visually-hidden')) continue;
    for (const word of node.data.matchAll(/\\S+/g)) {
      const range = document.createRange();
      range.setStart(node, word.index); range.setEnd(node, word.index + word[0].length);
      const on = tops(range);
      if (on.length > 1) cut.push(word[0]);
      lines.set(on[0], (lines.get(on[0]) || '') + word[0]);  // read for addresses, which have no spaces
    }
  }
  return {cut, lines: [...lines.values()]};
}"""


def zoomed(browser, live_server):
    """A tab at 1366 x 768 zoomed to 200%."""
    context = browser.new_context(base_url=live_server, viewport={"width": 683, "height": 384}, device_scale_factor=2)
    context.set_default_timeout(30000)
    return context, context.new_page()


def test_an_address_that_wraps_keeps_its_domain_whole_at_1280(page, org, admin, screenshot):
    batch = staging.stage_upload(org.id, admin.id, "hr_export.csv", (DATA / "hr_export.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.commit()
    sign_in(page)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.goto(f"/users/import/{batch.id}")
    cell = page.locator("#staged-table td.cell-email", has_text="margaret.hall")
    found = cell.evaluate(LINES)
    assert found == {"cut": [], "lines": ["margaret.hall@", "example.com"]}  # not "margaret.hall@example" / ".com"
    screenshot("ui10-address-wraps-at-at-sign")


@pytest.mark.parametrize("address", ["grace.hopper@example.com", "katherine.johnson@research.example.org"])
def test_at_200_percent_the_users_list_keeps_each_address_in_whole_pieces(browser, live_server, org, admin,
                                                                          make_user, address):
    make_user(email=address, first_name="Grace", last_name="Hopper")
    context, tab = zoomed(browser, live_server)
    try:
        sign_in(tab)
        tab.goto("/users/")
        found = tab.locator("table.users td", has_text=address.split("@")[0]).evaluate(LINES)
        assert found["cut"] == []  # was "grace / .hoppe / r@exa / mple.c / om" in a column five letters wide
        assert "".join(found["lines"]) == address
        assert found["lines"][-1].endswith(address.rsplit(".", 1)[0].split("@")[-1].split(".")[-1] + "."
                                           + address.rsplit(".", 1)[1])
    finally:
        context.close()


def test_at_200_percent_the_mail_list_cuts_no_word(browser, live_server, org, admin, batch):
    context, tab = zoomed(browser, live_server)
    try:
        sign_in(tab)
        tab.goto(f"/users/import/{batch.id}/create")
        tab.get_by_role("button", name="Create 3 users").click()
        tab.wait_for_url(lambda url: "batch=" in url)
        tab.goto("/mail/")
        cells = tab.locator("main table tbody tr").first.locator("td")
        subject, kind = cells.nth(2), cells.nth(3)
        assert kind.inner_text() == "Created users summary"
        assert subject.evaluate(LINES)["cut"] == []
        assert kind.evaluate(LINES)["cut"] == []  # "Crea / ted user / s sum / mar / y" before
    finally:
        context.close()


def test_at_200_percent_the_sentence_under_the_staged_table_stays_in_view(browser, live_server, batch):
    context, tab = zoomed(browser, live_server)
    try:
        sign_in(tab)
        tab.goto(f"/users/import/{batch.id}")
        settled(tab)
        wrap = tab.locator("#staged-table .table-wrap")
        assert wrap.evaluate("(w) => w.scrollWidth > w.clientWidth")  # the table scrolls sideways at this size
        caption = wrap.locator("caption").bounding_box()
        box = wrap.bounding_box()
        assert caption["x"] >= box["x"] and caption["x"] + caption["width"] <= box["x"] + box["width"] + 1
        wrap.evaluate("(w) => { w.scrollLeft = w.scrollWidth; }")
        moved = wrap.locator("caption").bounding_box()
        assert moved["x"] == pytest.approx(caption["x"], abs=1)  # it stays put while the rows scroll under it
    finally:
        context.close()


def test_on_a_1920_screen_the_staged_table_uses_the_room(page, org, admin):
    typos = "First Name,Last Name,Email Address\r\nJane,Doe,jane at gmail.com\r\nJohn,Roe,john@hotmial.com\r\n"
    batch = staging.stage_upload(org.id, admin.id, "typos.csv", typos.encode(), max_bytes=10**6, ttl_days=7)
    db.session.commit()
    sign_in(page)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/users/import/{batch.id}")
    assert page.locator("#staged-table table").bounding_box()["width"] > 1500  # was 1340, between empty margins
    fix = page.locator("#staged-table form.suggestion", has_text="jane@gmail.com")
    assert fix.evaluate(LINES)["lines"] == ["Didyoumeanjane@gmail.com?Apply"]  # one line, words run together
    assert page.evaluate("document.documentElement.scrollWidth") == 1920
