"""Create User: defaults, errors beside their fields, duplicates, Create Another, the welcome email."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AuditEvent, Group, GroupMember, OutboxMessage, User

FORM = {"first_name": "Nina", "last_name": "Newcomer", "email": "Nina.Newcomer@Example.com",
        "account_type": "user"}


def user_by_email(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def outbox_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == address)))


def test_form_defaults_to_user_with_both_ticks_cleared(signed_in):
    html = signed_in.get("/users/new").get_data(as_text=True)
    assert re.search(r'<option selected value="user">User</option>', html)
    assert re.search(r'<input id="send_invite" name="send_invite" type="checkbox" value="y">', html)
    assert re.search(r'<input id="create_another" name="create_another" type="checkbox" value="y">', html)
    assert "Send Invite &amp; Password: email the welcome with sign-in details now (any account type)" in html
    assert "a User or Guest gets sign-in details with their first series enrolment" in html
    assert "an Admin or Team Manager gets them when you press Send sign-in details" in html


def test_create_user_without_invite_lists_them_and_sends_nothing(signed_in, admin):
    response = signed_in.post("/users/new", data=FORM)
    assert response.status_code == 302 and response.location.endswith("/users/")
    user = user_by_email("nina.newcomer@example.com")
    assert (user.first_name, user.last_name, user.account_type, user.invite_status) == \
        ("Nina", "Newcomer", "user", "created")
    assert user.created_by_id == admin.id and user.password_is_generated
    assert outbox_to("nina.newcomer@example.com") == []
    listing = signed_in.get("/users/").get_data(as_text=True)
    assert "Created Nina Newcomer (nina.newcomer@example.com) as User." in listing
    assert "No email was sent" in listing
    assert "nina.newcomer@example.com</td>" in listing  # newest first: on the first page
    all_org_users = db.session.scalar(select(Group).where(Group.is_builtin.is_(True),
                                                          Group.org_id == user.org_id))
    assert db.session.get(GroupMember, (all_org_users.id, user.id)) is not None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.create", AuditEvent.target_id == user.id)) == 1


def test_invite_queues_a_welcome_email_whose_password_signs_in(signed_in, client):
    response = signed_in.post("/users/new", data={**FORM, "send_invite": "y"})
    assert response.status_code == 302
    user = user_by_email("nina.newcomer@example.com")
    assert user.invite_status == "invited"
    [message] = outbox_to("nina.newcomer@example.com")
    assert message.kind == "welcome" and message.carries_password
    password = re.search(r"Password:\s+(\S+)", message.text_body).group(1)
    assert password not in (user.password_hash or "")  # never stored in plain text

    client.post("/logout")
    signed = client.post("/login", data={"email": "nina.newcomer@example.com", "password": password})
    assert signed.status_code == 302
    assert "/choose-password" in signed.location or "password" in signed.location


@pytest.mark.parametrize("changes, field, message", [
    ({"email": "not-an-email"}, "email", "email"),
    ({"email": ""}, "email", "Enter the person's email address."),
    ({"first_name": ""}, "first_name", "Enter the person's first name."),
    ({"last_name": "   "}, "last_name", "Enter the person's last name."),
])
def test_errors_show_beside_their_field_and_keep_what_was_typed(signed_in, changes, field, message):
    data = {**FORM, **changes}
    response = signed_in.post("/users/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(rf'<p class="error" id="{field}-error">([^<]+)</p>', html)
    assert error and message.lower() in unescape(error.group(1)).lower()
    for name, value in data.items():
        if name != "account_type" and value.strip():
            assert f'value="{value}"'.lower() in html.lower()  # emails come back lower-cased
    assert db.session.scalar(select(func.count()).select_from(User)) == 1  # only the admin


@pytest.mark.parametrize("email", ["nina@example.com", "NINA@EXAMPLE.COM", "  Nina@example.com "])
def test_duplicate_email_is_refused_whatever_the_case(signed_in, make_user, email):
    make_user(email="nina@example.com")
    html = signed_in.post("/users/new", data={**FORM, "email": email}).get_data(as_text=True)
    assert re.search(r'<p class="error" id="email-error">An account with this email address '
                     r'already exists in your organisation.</p>', html)
    assert 'value="Nina"' in html and 'value="Newcomer"' in html


def test_same_email_in_another_organisation_is_fine(signed_in, other_org, make_user):
    make_user(org_id=other_org.id, email="nina.newcomer@example.com")
    assert signed_in.post("/users/new", data=FORM).status_code == 302


def test_double_submit_creates_once_and_says_why_the_second_failed(signed_in):
    first = signed_in.post("/users/new", data={**FORM, "send_invite": "y"})
    second = signed_in.post("/users/new", data={**FORM, "send_invite": "y"})
    assert first.status_code == 302
    assert "already exists in your organisation" in second.get_data(as_text=True)
    assert len(outbox_to("nina.newcomer@example.com")) == 1
    assert db.session.scalar(select(func.count()).select_from(User).where(
        User.email == "nina.newcomer@example.com")) == 1


def test_create_another_returns_a_fresh_form_with_a_confirmation(signed_in):
    response = signed_in.post("/users/new", data={**FORM, "create_another": "y"},
                              follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.request.path == "/users/new"
    assert "Created Nina Newcomer (nina.newcomer@example.com) as User." in html
    assert 'value="Nina"' not in html and 'value="nina.newcomer@example.com"' not in html
    assert re.search(r'<input checked id="create_another"', html)


@pytest.mark.parametrize("account_type, in_all_org_users", [
    ("user", True), ("guest", False), ("admin", True), ("team_manager", True)])
def test_each_account_type_can_be_created(signed_in, account_type, in_all_org_users):
    signed_in.post("/users/new", data={**FORM, "account_type": account_type})
    user = user_by_email("nina.newcomer@example.com")
    assert user.account_type == account_type
    builtin = db.session.scalar(select(Group).where(Group.is_builtin.is_(True)))
    assert (db.session.get(GroupMember, (builtin.id, user.id)) is not None) is in_all_org_users


def test_post_without_csrf_token_is_refused(signed_in):
    response = signed_in.post("/users/new", data=FORM, with_csrf=False)
    assert response.status_code == 400
    assert user_by_email("nina.newcomer@example.com") is None
