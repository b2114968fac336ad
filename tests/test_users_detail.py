"""A user's page: details, edits, the Guest rule, deactivation, All Org Users, isolation and access."""
from __future__ import annotations

import re
from datetime import datetime
from html import unescape

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import creating, staging, sync, undo
from webapp.models import AccountType, Group, GroupMember, ImportBatch, User
from webapp.users import services


def in_all_org_users(user: User) -> bool:
    builtin = db.session.scalar(select(Group).where(Group.org_id == user.org_id,
                                                    Group.is_builtin.is_(True)))
    return db.session.get(GroupMember, (builtin.id, user.id)) is not None


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def edit(client, user, **changes):
    data = {"first_name": user.first_name, "last_name": user.last_name,
            "account_type": user.account_type, **changes}
    return client.post(f"/users/{user.id}", data=data)


def test_page_shows_details_groups_and_history(signed_in, admin, make_user):
    user = make_user(first_name="Gail", last_name="Ghent", email="gail@example.com",
                     created_by_id=admin.id)
    edit(signed_in, user, last_name="Gent")
    html = unescape(signed_in.get(f"/users/{user.id}").get_data(as_text=True))
    for text in ("Gail Gent", "gail@example.com", "Not yet", "Ada Admin", "All Org Users",
                 "Changed last name from “Ghent” to “Gent”", "Recent history"):
        assert text in html


def test_edit_names_and_type(signed_in, make_user):
    user = make_user(first_name="Gail", last_name="Ghent")
    response = edit(signed_in, user, first_name="Gayle", account_type="team_manager")
    assert response.status_code == 302
    user = fresh(user)
    assert (user.first_name, user.account_type) == ("Gayle", "team_manager")
    assert "Saved the changes to Gayle Ghent." in signed_in.get(response.location).get_data(as_text=True)


def test_guest_form_offers_only_user_and_guest(signed_in, make_user):
    guest = make_user(account_type=AccountType.GUEST)
    html = signed_in.get(f"/users/{guest.id}").get_data(as_text=True)
    select_html = re.search(r'<select[^>]*id="account_type".*?</select>', html, re.S).group(0)
    assert re.findall(r">([^<]+)</option>", select_html) == ["User", "Guest"]


@pytest.mark.parametrize("target", ["admin", "team_manager"])
def test_guest_can_never_become_admin_or_team_manager(signed_in, admin, make_user, target):
    guest = make_user(account_type=AccountType.GUEST, first_name="Gus")
    html = edit(signed_in, guest, account_type=target, first_name="Changed").get_data(as_text=True)
    assert re.search(r'<p class="error" id="account_type-error">A Guest can never be made an Admin '
                     r'or a Team Manager.</p>', html)
    assert 'value="Changed"' in html  # what was typed is kept
    assert fresh(guest).account_type == "guest" and fresh(guest).first_name == "Gus"
    with pytest.raises(services.TypeNotAllowed):  # the service refuses too, whatever the form
        services.update_user(fresh(guest), admin, first_name="Gus", last_name="G",
                             account_type=AccountType(target))
    assert fresh(guest).account_type == "guest"


def test_admin_cannot_remove_their_own_admin_access(signed_in, admin):
    html = unescape(edit(signed_in, admin, account_type="user").get_data(as_text=True))
    assert "You cannot take away your own Admin access." in html
    assert fresh(admin).account_type == "admin"


@pytest.mark.parametrize("start, end, member_after", [
    (AccountType.USER, AccountType.GUEST, False),
    (AccountType.GUEST, AccountType.USER, True),
    (AccountType.TEAM_MANAGER, AccountType.GUEST, False),
    (AccountType.ADMIN, AccountType.TEAM_MANAGER, True),
])
def test_all_org_users_membership_follows_type_changes(signed_in, make_user, start, end, member_after):
    user = make_user(account_type=start)
    assert in_all_org_users(user) is start.in_all_org_users
    assert edit(signed_in, user, account_type=end.value).status_code == 302
    assert in_all_org_users(fresh(user)) is member_after


def test_deactivate_asks_first_then_stops_sign_in_and_reactivate_restores_it(signed_in, client, make_user):
    user = make_user(email="leaver@example.com")
    confirm = signed_in.get(f"/users/{user.id}/deactivate").get_data(as_text=True)
    assert "will no longer be able to sign in" in confirm
    assert fresh(user).is_active_account  # a GET changes nothing
    done = signed_in.post(f"/users/{user.id}/deactivate", follow_redirects=True).get_data(as_text=True)
    assert "can no longer sign in" in done and "Deactivated" in done
    assert not fresh(user).is_active_account

    client.post("/logout")
    refused = client.post("/login", data={"email": "leaver@example.com", "password": "a-long-test-password-42"})
    assert refused.status_code == 401  # the sign-in page again with an error, no session
    assert client.get("/learning").status_code == 302

    from tests.conftest import TEST_PASSWORD
    client.post("/login", data={"email": "admin@acme.example", "password": TEST_PASSWORD})
    client.post(f"/users/{user.id}/reactivate")
    assert fresh(user).is_active_account
    client.post("/logout")
    assert client.post("/login", data={"email": "leaver@example.com",
                                       "password": TEST_PASSWORD}).status_code == 302


def test_admin_cannot_deactivate_themselves(signed_in, admin):
    signed_in.post(f"/users/{admin.id}/deactivate")
    assert fresh(admin).is_active_account


def test_another_organisations_user_is_not_found(signed_in, other_org, make_user):
    stranger = make_user(org_id=other_org.id, email="stranger@example.com")
    assert signed_in.get(f"/users/{stranger.id}").status_code == 404
    assert edit(signed_in, stranger, first_name="Hacked").status_code == 404
    assert signed_in.post(f"/users/{stranger.id}/deactivate").status_code == 404
    assert fresh(stranger).first_name != "Hacked" and fresh(stranger).is_active_account


@pytest.mark.parametrize("account_type", [AccountType.USER, AccountType.GUEST, AccountType.TEAM_MANAGER])
@pytest.mark.parametrize("path", ["/users/", "/users/new", "/users/groups", "/users/1"])
def test_non_admins_get_403_in_the_console(client, make_user, login_as, account_type, path):
    login_as(make_user(account_type=account_type))
    assert client.get(path).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, org):
    response = client.get("/users/")
    assert response.status_code == 302 and "/login" in response.location


def test_edit_without_csrf_token_is_refused(signed_in, make_user):
    user = make_user(first_name="Kept")
    response = signed_in.post(f"/users/{user.id}", with_csrf=False,
                              data={"first_name": "Lost", "last_name": "X", "account_type": "user"})
    assert response.status_code == 400
    assert fresh(user).first_name == "Kept"


def _import(org, admin, text: str, mode: str, name: str, deactivate_missing: bool = False):
    batch = staging.stage_upload(org.id, admin.id, name, text.encode(), max_bytes=10**6, ttl_days=7)
    sync.configure(batch, mode=mode, deactivate_missing=deactivate_missing, create_missing_groups=False)
    db.session.commit()
    assert creating.create_users(batch.id, admin.id).ok
    return batch


@pytest.mark.parametrize("mode, text, deactivate_missing, sentence", [
    ("add", "First Name,Last Name,Email\nNew,Person,new@example.com\n", False, "Account created"),
    ("update", "First Name,Last Name,Email,Account Type\nGayle,Ghent,gail@example.com,Team Manager\n", False,
     "Changed first name from “Gail” to “Gayle”; account type from “User” to “Team Manager”"),
    ("update", "First Name,Email,Status\nGail,gail@example.com,inactive\n", False, "Deactivated"),
    ("add", "First Name,Email\nStay,stay@example.com\n", True, "Deactivated"),
])
def test_a_person_an_import_created_or_changed_names_that_import_on_their_page(
        signed_in, org, admin, make_user, mode, text, deactivate_missing, sentence):
    make_user(first_name="Gail", last_name="Ghent", email="gail@example.com")
    batch = _import(org, admin, text, mode, "autumn intake.csv", deactivate_missing)
    person = db.session.scalar(select(User).where(User.org_id == org.id, User.email.in_(
        ["new@example.com"] if mode == "add" and not deactivate_missing else ["gail@example.com"])))
    html = unescape(signed_in.get(f"/users/{person.id}").get_data(as_text=True))
    history = re.search(r'id="history-heading".*?</section>', html, re.S).group(0)
    assert "Nothing recorded yet" not in history
    said = " ".join(re.sub(r"<[^>]+>", " ", history).split())
    assert f"{sentence} by the import of autumn intake.csv Ada Admin" in said
    assert f'href="/users/import/{batch.id}"' in history


def test_an_import_s_name_stays_on_the_page_after_its_batch_has_gone(signed_in, org, admin):
    batch_id = _import(org, admin, "First Name,Email\nNew,new@example.com\n", "add", "spring.csv").id
    person = db.session.scalar(select(User).where(User.email == "new@example.com"))
    db.session.get(ImportBatch, batch_id).expires_at = datetime(2000, 1, 1)
    db.session.commit()
    assert staging.expire_old_batches(org.id) == 1
    html = unescape(signed_in.get(f"/users/{person.id}").get_data(as_text=True))
    assert "Account created by the import of “spring.csv”" in " ".join(html.split())
    assert f'href="/users/import/{batch_id}"' not in html


def test_undoing_an_import_says_so_on_the_page_of_each_person_it_had_changed(signed_in, org, admin, make_user):
    person = make_user(first_name="Gail", last_name="Ghent", email="gail@example.com")
    batch = _import(org, admin, "First Name,Last Name,Email\nGayle,Ghent,gail@example.com\n", "update", "fix.csv")
    undo.undo_import(batch.id, admin.id)
    html = unescape(signed_in.get(f"/users/{person.id}").get_data(as_text=True))
    said = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "Changes reversed, where they could be, by the undo of the import of fix.csv Ada Admin" in said
    assert "Changed first name from “Gail” to “Gayle” by the import of fix.csv Ada Admin" in said
    assert fresh(person).first_name == "Gail"
