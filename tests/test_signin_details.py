"""Send sign-in details on demand: the 48-hour rule, delivery state on the user's page, bulk, failed mail."""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.conftest import _prime_csrf
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.mail.sender import send_queued
from webapp.models import InviteStatus, OutboxMessage, User
from webapp.users.services import create_user


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def emailed_password(message) -> str | None:
    line = next((text for text in body(message).splitlines() if text.startswith("Password:")), None)
    return line.split(":", 1)[1].strip() if line else None


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def page_text(client, user) -> str:
    return " ".join(unescape(client.get(f"/users/{user.id}").get_data(as_text=True)).split())


def test_a_created_user_gets_a_new_password_that_signs_them_in(signed_in, org, admin, app, smtp_server):
    learner = create_user(org, admin, first_name="Cleo", last_name="Created", email="cleo@example.com").user
    response = signed_in.post(f"/users/{learner.id}/send-details", follow_redirects=True)
    assert "Sign-in details for 1 person: 1 with a new password. The email is on its way." in \
        unescape(response.get_data(as_text=True))
    assert send_queued().sent == 1
    [message] = smtp_server.to("cleo@example.com")
    assert message["Subject"] == "Your sign-in details for Acme Learning"
    password = emailed_password(message)
    assert fresh(learner).invite_status == InviteStatus.INVITED.value
    browser = app.test_client()
    _prime_csrf(browser, app)
    signed = browser.post("/login", data={"email": "cleo@example.com", "password": password})
    assert signed.status_code == 302 and "/choose-password" in signed.headers["Location"]
    text = page_text(signed_in, learner)
    assert "Last email" in text and "Delivered to the mail server" in text


def _emailed(user, hours_ago: float, status: str) -> None:
    """A welcome with a password, written `hours_ago`, in the given delivery status."""
    at = utcnow() - timedelta(hours=hours_ago)
    db.session.add(OutboxMessage(
        org_id=user.org_id, kind="welcome", to_address=user.email, to_user_id=user.id,
        subject="Welcome", text_body="Password: [password removed after sending]",
        message_id=f"<{user.id}-{status}@test>", carries_password=True, status=status, created_at=at))
    db.session.commit()


# (how the person stands, whether a new password is made, words the email must hold)
RULES = [
    ("chose_own", False, "Password: the one you chose."),
    ("signed_in", False, "Password: the one you chose."),
    ("emailed_10h_ago", False, "the one we emailed you on"),
    ("emailed_50h_ago", True, "This password replaces any password we sent you before."),
    ("email_failed_10h_ago", True, "This password replaces any password we sent you before."),
    ("email_kept_10h_ago", True, "This password replaces any password we sent you before."),
    ("never_emailed", True, "This password replaces any password we sent you before."),
]


@pytest.mark.parametrize("standing, new_password, words", RULES)
def test_the_48_hour_rule_and_a_chosen_password_is_never_replaced(signed_in, make_user, smtp_server,
                                                                 standing, new_password, words):
    hours = 50 if "50h" in standing else 10
    user = make_user(email="pat@example.com", generated=standing != "chose_own",
                     password_set_at=utcnow() - timedelta(hours=hours),
                     signed_in_at=utcnow() if standing == "signed_in" else None)
    if standing.startswith(("emailed", "email_")):
        status = {"emailed": "sent", "email_failed": "failed", "email_kept": "kept"}[standing.rsplit("_", 2)[0]]
        _emailed(user, hours - 1, status)
    old_hash = user.password_hash
    signed_in.post(f"/users/{user.id}/send-details")
    send_queued()
    [message] = [m for m in smtp_server.to("pat@example.com") if m["Subject"] != "Welcome"]
    assert words in " ".join(body(message).split())
    assert (fresh(user).password_hash != old_hash) is new_password
    assert bool(re.fullmatch(r"[a-z0-9]{5}(-[a-z0-9]{5}){3}", emailed_password(message) or "")) is new_password


def test_keep_only_mode_says_the_email_is_kept_not_on_its_way(signed_in, make_user):
    user = make_user(email="kim@example.com", generated=True)
    response = signed_in.post(f"/users/{user.id}/send-details", follow_redirects=True)
    text = " ".join(unescape(response.get_data(as_text=True)).split())
    assert "The email is kept on the Mail page: no mail server is configured" in text
    assert "on its way" not in text
    assert "Kept on the Mail page, not sent" in text


def test_bulk_send_confirms_the_count_then_emails_each_active_person(signed_in, org, admin, make_user,
                                                                    smtp_server):
    people = [make_user(email=f"bulk{n}@example.com", generated=True, last_name="Bulk") for n in range(3)]
    make_user(email="gone@example.com", generated=True, last_name="Bulk", is_active_account=False)
    confirm = signed_in.post("/users/send-details", data={"all_matching": "1", "q": "Bulk"})
    text = " ".join(unescape(confirm.get_data(as_text=True)).split())
    assert "Send sign-in details to 4 people?" in text
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # nothing yet
    done = signed_in.post("/users/send-details", data={"all_matching": "1", "q": "Bulk", "confirmed": "1"},
                          follow_redirects=True)
    text = " ".join(unescape(done.get_data(as_text=True)).split())
    assert "Sign-in details for 3 people: 3 with a new password. The emails are on their way." in text
    assert "1 deactivated person was skipped." in text
    send_queued()
    assert sorted(m["To"] for m in smtp_server.messages) == [p.email for p in people]


def test_bulk_with_nothing_selected_says_so(signed_in):
    response = signed_in.post("/users/send-details", data={}, follow_redirects=True)
    assert "No users were selected" in response.get_data(as_text=True)


def test_a_failed_email_shows_on_the_page_and_fixing_the_address_sends_again(signed_in, org, admin,
                                                                           smtp_server):
    smtp_server.handler.reject.add("typo@exmaple.com")
    user = create_user(org, admin, first_name="Tia", last_name="Typo", email="typo@exmaple.com",
                       send_invite=True).user
    assert send_queued().failed == 1
    text = page_text(signed_in, user)
    assert "An email to Tia Typo could not be delivered" in text and "550" in text
    assert "Failed: not delivered" in text
    assert re.search(r'<input checked id="send_details" name="send_details" type="checkbox"',
                     signed_in.get(f"/users/{user.id}").get_data(as_text=True))  # offered in the same step

    saved = signed_in.post(f"/users/{user.id}", data={
        "first_name": "Tia", "last_name": "Typo", "email": "tia@example.com", "account_type": "user",
        "send_details": "y"}, follow_redirects=True)
    assert "Saved the changes to Tia Typo. Sign-in details for 1 person: 1 with a new password." in \
        " ".join(unescape(saved.get_data(as_text=True)).split())
    send_queued()
    [message] = smtp_server.to("tia@example.com")
    assert emailed_password(message)


def test_changing_the_address_to_one_in_use_is_refused(signed_in, make_user):
    make_user(email="taken@example.com")
    user = make_user(email="mine@example.com")
    response = signed_in.post(f"/users/{user.id}", data={
        "first_name": "Test", "last_name": user.last_name, "email": "Taken@Example.com",
        "account_type": "user"})
    assert "already uses this email address" in response.get_data(as_text=True)
    assert fresh(user).email == "mine@example.com"


def test_another_organisations_user_cannot_be_sent_details(signed_in, other_org, make_user):
    stranger = make_user(org_id=other_org.id, email="stranger@other.example")
    assert signed_in.post(f"/users/{stranger.id}/send-details").status_code == 404
    response = signed_in.post("/users/send-details", data={"user_id": stranger.id})
    assert "No users were selected" in signed_in.get(response.headers["Location"]).get_data(as_text=True)


def test_an_admin_who_signed_in_never_shows_as_created(signed_in, admin):
    html = signed_in.get("/users/").get_data(as_text=True)
    row = html.split("admin@acme.example")[1].split("</tr>")[0]
    assert "Signed in" in row and ">Created<" not in row


def test_resend_all_failed_queues_the_failed_messages_matching_the_filter(signed_in, org, admin,
                                                                         smtp_server):
    for address in ("gone1@example.com", "gone2@example.com"):
        smtp_server.handler.reject.add(address)
        create_user(org, admin, first_name="Gone", last_name=address[:5], email=address, send_invite=True)
    assert send_queued().failed == 2
    listing = signed_in.get("/mail/?recipient=gone1").get_data(as_text=True)
    assert "Resend all failed (1)" in listing
    smtp_server.handler.reject.clear()
    response = signed_in.post("/mail/resend-failed", data={"recipient": "gone1", "kind": ""},
                              follow_redirects=True)
    assert "1 failed message is queued to be sent again." in response.get_data(as_text=True)
    statuses = dict(db.session.execute(select(OutboxMessage.to_address, OutboxMessage.status)).all())
    assert statuses == {"gone1@example.com": "queued", "gone2@example.com": "failed"}
    assert send_queued().sent == 1 and [m["To"] for m in smtp_server.messages] == ["gone1@example.com"]


def test_resend_all_failed_is_refused_when_mail_is_kept(signed_in):
    response = signed_in.post("/mail/resend-failed", data={}, follow_redirects=True)
    assert "keeps mail locally" in response.get_data(as_text=True)
