"""Groups: All Org Users is built in and rule-driven; custom groups, owners, members and isolation."""
from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.models import AccountType, AuditEvent, Group, GroupMember, User
from webapp.users import groups as group_services
from webapp.users.queries import selected_user_ids


@pytest.fixture
def builtin(org, admin):
    return db.session.scalar(select(Group).where(Group.org_id == org.id, Group.is_builtin.is_(True)))


@pytest.fixture
def sales(org, admin):
    return group_services.create_group(org.id, admin, "Sales")


def member_ids(group: Group) -> set[int]:
    db.session.expire_all()
    return set(db.session.scalars(select(GroupMember.user_id).where(GroupMember.group_id == group.id)))


def page(client, url) -> str:
    return unescape(client.get(url).get_data(as_text=True))


def test_groups_page_lists_builtin_first_with_counts(signed_in, builtin, sales, make_user):
    make_user()
    make_user(account_type=AccountType.GUEST)
    html = page(signed_in, "/users/groups")
    rows = re.findall(r'<th scope="row"><a href="/users/groups/\d+">([^<]+)</a>\s*(.*?)</th>\s*'
                      r'<td class="num">([\d,]+)</td>', html, re.S)
    assert [(name, "Built-in" in badge, count) for name, badge, count in rows] == [
        ("All Org Users", True, "2"), ("Sales", False, "0")]  # the admin and the user, not the guest


def test_create_group_then_land_on_its_page(signed_in):
    response = signed_in.post("/users/groups", data={"name": "  New   starters "})
    group = db.session.scalar(select(Group).where(Group.name == "New starters"))
    assert response.status_code == 302 and response.location.endswith(f"/users/groups/{group.id}")
    html = page(signed_in, response.location)
    assert "Created the group New starters." in html and "No members yet." in html


@pytest.mark.parametrize("name, error", [
    ("", "Give the group a name."),
    ("sales", "A group called “sales” already exists. Choose another name."),
    ("all org users", "“All Org Users” is the built-in group's name. Choose another name."),
])
def test_bad_group_names_are_explained_beside_the_field(signed_in, sales, name, error):
    html = unescape(signed_in.post("/users/groups", data={"name": name}).get_data(as_text=True))
    assert re.search(r'<p class="error" id="name-error">' + re.escape(error), html)
    assert db.session.scalar(select(func.count()).select_from(Group)) == 2


def test_rename_and_delete_a_custom_group(signed_in, sales, make_user, admin):
    user = make_user()
    group_services.add_members(sales, admin, select(User.id).where(User.id == user.id))
    signed_in.post(f"/users/groups/{sales.id}/rename", data={"name": "Sales EMEA"})
    assert db.session.get(Group, sales.id).name == "Sales EMEA"
    confirm = page(signed_in, f"/users/groups/{sales.id}/delete")
    assert "Delete the group Sales EMEA?" in confirm and "1 member will be deleted" in confirm
    assert db.session.get(Group, sales.id) is not None  # asking changes nothing
    done = signed_in.post(f"/users/groups/{sales.id}/delete", follow_redirects=True)
    assert "Deleted the group Sales EMEA." in unescape(done.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Group, sales.id) is None
    assert db.session.get(User, user.id) is not None  # the member's account stays


def test_builtin_group_cannot_be_renamed_deleted_or_edited(signed_in, builtin, admin):
    html = page(signed_in, f"/users/groups/{builtin.id}")
    assert "Built-in" in html and "cannot be renamed or deleted" in html
    assert "Rename" not in html and "Delete group" not in html and "Remove<" not in html
    signed_in.post(f"/users/groups/{builtin.id}/rename", data={"name": "Everyone"})
    signed_in.post(f"/users/groups/{builtin.id}/delete")
    signed_in.post(f"/users/groups/{builtin.id}/members/{admin.id}/remove")
    db.session.expire_all()
    assert db.session.get(Group, builtin.id).name == "All Org Users"
    assert admin.id in member_ids(builtin)
    with pytest.raises(group_services.GroupError):
        group_services.add_members(builtin, admin, select(User.id))


def test_bulk_add_from_the_users_list_skips_existing_members(signed_in, sales, make_user, admin):
    guest = make_user(account_type=AccountType.GUEST, email="guest@example.com")
    user = make_user(email="member@example.com")
    group_services.add_members(sales, admin, select(User.id).where(User.id == user.id))
    response = signed_in.post("/users/bulk", data={
        "action": "add", "group_id": sales.id, "user_id": [guest.id, user.id], "q": "example.com"})
    assert response.status_code == 302 and "q=example.com" in response.location
    assert member_ids(sales) == {guest.id, user.id}  # Guests may be in custom groups
    html = page(signed_in, response.location)
    assert "Added 1 user to Sales. 1 user already in it stayed as they were." in html


def test_bulk_add_every_user_matching_the_filter_across_pages(signed_in, sales, make_user):
    for n in range(60):
        make_user(email=f"team{n}@example.org")
    make_user(email="outsider@example.com")
    signed_in.post("/users/bulk", data={"action": "add", "group_id": sales.id,
                                        "all_matching": "1", "q": "example.org"})
    assert len(member_ids(sales)) == 60
    html = page(signed_in, f"/users/groups/{sales.id}")
    assert '<span class="badge" id="member-count">60</span>' in html
    assert "Page 1 of 2" in html


def test_bulk_remove_from_group(signed_in, sales, make_user, admin):
    users = [make_user() for _ in range(3)]
    group_services.add_members(sales, admin, select(User.id).where(User.id.in_([u.id for u in users])))
    signed_in.post("/users/bulk", data={"action": "remove", "group_id": sales.id,
                                        "user_id": [users[0].id, users[1].id]})
    assert member_ids(sales) == {users[2].id}


@pytest.mark.parametrize("data, message", [
    ({"action": "add", "user_id": "1"}, "Choose a group first"),
    ({"action": "add", "group_id": "GROUP"}, "No users were selected."),
])
def test_bulk_actions_explain_what_is_missing(signed_in, sales, data, message):
    data = {k: (sales.id if v == "GROUP" else v) for k, v in data.items()}
    html = page(signed_in, signed_in.post("/users/bulk", data=data).location)
    assert message in html
    assert member_ids(sales) == set()


def test_remove_member_button_with_and_without_htmx(signed_in, sales, make_user, admin):
    first, second = make_user(), make_user()
    group_services.add_members(sales, admin, select(User.id).where(User.id.in_([first.id, second.id])))
    plain = signed_in.post(f"/users/groups/{sales.id}/members/{first.id}/remove", follow_redirects=True)
    assert f"Removed {first.full_name} from Sales." in unescape(plain.get_data(as_text=True))
    fragment = signed_in.post(f"/users/groups/{sales.id}/members/{second.id}/remove",
                              headers={"HX-Request": "true"}).get_data(as_text=True)
    assert 'id="member-count" hx-swap-oob="true">0<' in fragment and "<html" not in fragment
    assert member_ids(sales) == set()


def test_owner_must_be_a_team_manager_of_the_org(signed_in, sales, make_user, other_org):
    manager = make_user(account_type=AccountType.TEAM_MANAGER, first_name="Tia", last_name="Lead")
    plain_user = make_user()
    outsider = make_user(org_id=other_org.id, account_type=AccountType.TEAM_MANAGER)
    html = page(signed_in, f"/users/groups/{sales.id}")
    owner_select = re.search(r'<select[^>]*id="owner_id".*?</select>', html, re.S).group(0)
    assert "Tia Lead" in owner_select and plain_user.email not in owner_select
    assert outsider.email not in owner_select
    for bad in (plain_user.id, outsider.id):
        response = signed_in.post(f"/users/groups/{sales.id}/owner", data={"owner_id": bad})
        assert "Only a Team Manager of your organisation can own a group." in response.get_data(as_text=True)
    assert db.session.get(Group, sales.id).owner_id is None
    signed_in.post(f"/users/groups/{sales.id}/owner", data={"owner_id": manager.id})
    db.session.expire_all()
    assert db.session.get(Group, sales.id).owner_id == manager.id
    with pytest.raises(group_services.GroupError):
        group_services.set_owner(db.session.get(Group, sales.id), manager, plain_user.id)


def test_owner_sees_the_group_read_only_and_loses_it_when_no_longer_team_manager(
        client, signed_in, sales, make_user, admin, login_as):
    manager = make_user(account_type=AccountType.TEAM_MANAGER, email="tia@example.com")
    member = make_user(first_name="Mo", last_name="Member")
    group_services.add_members(sales, admin, select(User.id).where(User.id == member.id))
    signed_in.post(f"/users/groups/{sales.id}/owner", data={"owner_id": manager.id})
    client.post("/logout")
    login_as(manager)
    team = page(client, "/team")
    assert "Sales" in team and "Mo Member" in team
    client.post("/logout")
    login_as(admin)
    client.post(f"/users/{manager.id}", data={"first_name": manager.first_name,
                                              "last_name": manager.last_name, "account_type": "user"})
    db.session.expire_all()
    assert db.session.get(Group, sales.id).owner_id is None


def test_group_changes_are_audited_once_per_action(signed_in, sales, make_user):
    for _ in range(5):
        make_user()
    signed_in.post("/users/bulk", data={"action": "add", "group_id": sales.id, "all_matching": "1"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "group.members_add")).all()
    assert len(events) == 1 and events[0].detail["added"] == 6


def test_selection_never_reaches_another_organisation(org, other_org, admin, make_user, sales):
    stranger = make_user(org_id=other_org.id)
    mine = make_user()
    from werkzeug.datastructures import MultiDict
    chosen = selected_user_ids(org.id, MultiDict([("user_id", stranger.id), ("user_id", mine.id)]))
    group_services.add_members(sales, admin, chosen)
    assert member_ids(sales) == {mine.id}


def test_another_organisations_groups_are_not_found(signed_in, other_org, make_user):
    other_admin = db.session.scalar(select(User).where(User.org_id == other_org.id))
    theirs = group_services.create_group(other_org.id, other_admin, "Secret")
    for method, url in [("get", f"/users/groups/{theirs.id}"),
                        ("post", f"/users/groups/{theirs.id}/rename"),
                        ("post", f"/users/groups/{theirs.id}/delete"),
                        ("get", f"/users/groups/{theirs.id}/delete"),
                        ("post", f"/users/groups/{theirs.id}/owner"),
                        ("post", f"/users/groups/{theirs.id}/members/{other_admin.id}/remove")]:
        assert getattr(signed_in, method)(url, data={"name": "Mine"}).status_code == 404, url
    response = signed_in.post("/users/bulk", data={"action": "add", "group_id": theirs.id,
                                                   "all_matching": "1"})
    assert response.status_code == 404
    assert member_ids(theirs) == set() and db.session.get(Group, theirs.id).name == "Secret"
    assert "Secret" not in page(signed_in, "/users/groups")


def test_group_posts_without_csrf_token_are_refused(signed_in, sales):
    assert signed_in.post("/users/groups", data={"name": "X"}, with_csrf=False).status_code == 400
    assert signed_in.post(f"/users/groups/{sales.id}/delete", with_csrf=False).status_code == 400
    assert signed_in.post("/users/bulk", with_csrf=False,
                          data={"action": "add", "group_id": sales.id, "all_matching": "1"}).status_code == 400
    assert db.session.get(Group, sales.id) is not None and member_ids(sales) == set()


def test_team_manager_sees_each_owned_group_even_when_empty(org, admin, sales, make_user):
    manager = make_user(account_type=AccountType.TEAM_MANAGER, email="tia@example.com")
    empty = group_services.create_group(org.id, admin, "Apprentices")
    members = [make_user(first_name="Mo", last_name=name) for name in ("Zed", "Abel")]
    group_services.add_members(sales, admin, select(User.id).where(User.id.in_([m.id for m in members])))
    for group in (sales, empty):
        group_services.set_owner(group, admin, manager.id)
    group_services.create_group(org.id, admin, "Not theirs")
    owned = group_services.owned_groups(manager)
    assert [(g.name, [m.last_name for m in ms]) for g, ms in owned] == [
        ("Apprentices", []), ("Sales", ["Abel", "Zed"])]
