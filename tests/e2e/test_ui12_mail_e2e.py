"""The Mail page zoomed in: a long subject wraps inside the table's box instead of running past its edge."""
from __future__ import annotations

from tests.e2e.conftest import sign_in
from tests.e2e.test_laptop_tables_e2e import broken_mid_word, rendered_lines
from tests.e2e.test_mail_page import make_mail
from webapp.extensions import db
from webapp.models import OutboxMessage

LONG_SUBJECT = "You are enrolled in Safety Basics for New Starters in the North Forest Warehouse and Depot"


def test_zoomed_in_a_long_subject_wraps_inside_the_mail_table(page, org, admin, screenshot):
    make_mail(org, admin)  # "File Import: 4 users created, 1 failed", beside addresses and kept badges
    db.session.add(OutboxMessage(org_id=org.id, kind="series_enrolment", to_address="margaret.hamilton@example.com",
                                 subject=LONG_SUBJECT, text_body="x", message_id="<long@x>", status="kept"))
    db.session.commit()
    page.set_viewport_size({"width": 640, "height": 360})  # a 1280x720 laptop at 200%
    sign_in(page)
    page.goto("/mail/")
    screenshot("ui12-mail-zoomed")
    box = page.locator(".table-wrap").first
    edge = box.evaluate("(wrap) => wrap.getBoundingClientRect().right")
    for link in page.locator(".table-wrap td a").all():
        right = link.evaluate("(a) => Math.max(...[...a.getClientRects()].map((r) => r.right))")
        assert right <= edge + 0.5, link.inner_text()  # it was cut at the box's edge, read only by scrolling
    assert box.evaluate("(wrap) => wrap.scrollWidth <= wrap.clientWidth")  # Kind, Status, Attempts in view too
    for cell in page.locator("td.cell-address").all():  # addresses whole between "@" and dots, not letter by letter
        assert broken_mid_word(rendered_lines(cell)) == []
