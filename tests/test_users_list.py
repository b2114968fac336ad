"""The Users list: search, filters, sort, paging, HTMX fragments and the plain GET form."""
from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import insert

from webapp.extensions import db
from webapp.models import AccountType, User


@pytest.fixture
def people(org, admin, make_user):
    """A small organisation with one person of each kind the filters tell apart."""
    return {
        "zoe": make_user(first_name="Zoë", last_name="Adams", email="zoe@example.com",
                         invite_status="invited", signed_in_at=datetime(2026, 3, 1),
                         created_at=datetime(2026, 1, 1)),
        "bob": make_user(first_name="Bob", last_name="O'Brien", email="bob.obrien@example.org",
                         account_type=AccountType.GUEST, created_at=datetime(2026, 1, 2)),
        "tina": make_user(first_name="Tina", last_name="Manager", email="tina@example.com",
                          account_type=AccountType.TEAM_MANAGER, created_at=datetime(2026, 1, 3)),
        "per": make_user(first_name="Per", last_name="Cent", email="100%@example.com",
                         created_at=datetime(2026, 1, 4)),
    }


def listed_emails(response) -> list[str]:
    """Emails in the table's rows, top to bottom."""
    html = response.get_data(as_text=True)
    return re.findall(r'</th>\s*<td>([^<]+@[^<]+)</td>', html)


@pytest.mark.parametrize("query, expected", [
    ("zoe@", {"zoe@example.com"}),
    ("ADAMS", {"zoe@example.com"}),
    ("bob o'brien", {"bob.obrien@example.org"}),
    ("example.org", {"bob.obrien@example.org"}),
    ("100%", {"100%@example.com"}),  # a % is searched for, not a wildcard
    ("tina manager", {"tina@example.com"}),
    ("nobody-here", set()),
])
def test_search_matches_names_and_email_ignoring_case(signed_in, people, query, expected):
    response = signed_in.get("/users/", query_string={"q": query})
    assert response.status_code == 200
    assert set(listed_emails(response)) == expected


@pytest.mark.parametrize("args, expected", [
    ({"type": "guest"}, {"bob.obrien@example.org"}),
    ({"type": "team_manager"}, {"tina@example.com"}),
    ({"type": "admin"}, {"admin@acme.example"}),
    ({"status": "invited"}, {"zoe@example.com"}),
    ({"signed_in": "yes"}, {"zoe@example.com", "admin@acme.example"}),  # the admin signed in
    ({"signed_in": "no", "type": "user"}, {"100%@example.com"}),
    ({"type": "not-a-type"}, {"zoe@example.com", "bob.obrien@example.org", "tina@example.com",
                              "100%@example.com", "admin@acme.example"}),
])
def test_each_filter_narrows_the_list(signed_in, people, args, expected):
    assert set(listed_emails(signed_in.get("/users/", query_string=args))) == expected


@pytest.mark.parametrize("sort, first_emails", [
    ("name", ["zoe@example.com", "admin@acme.example", "100%@example.com", "tina@example.com"]),
    ("-name", ["bob.obrien@example.org", "tina@example.com", "100%@example.com"]),
    ("email", ["100%@example.com", "admin@acme.example", "bob.obrien@example.org"]),
    ("type", ["admin@acme.example", "bob.obrien@example.org", "tina@example.com"]),
    ("signed_in", ["zoe@example.com", "admin@acme.example"]),
    ("-signed_in", ["admin@acme.example", "zoe@example.com"]),  # "Not yet" last either way
    ("created", ["zoe@example.com", "bob.obrien@example.org", "tina@example.com"]),
])
def test_sort_orders_rows(signed_in, people, sort, first_emails):
    emails = listed_emails(signed_in.get("/users/", query_string={"sort": sort}))
    assert emails[:len(first_emails)] == first_emails


def test_default_sort_shows_newest_first(signed_in, people):
    emails = listed_emails(signed_in.get("/users/"))
    assert emails[0] == "admin@acme.example"  # made last, at set-up in the test
    assert emails[1:] == ["100%@example.com", "tina@example.com", "bob.obrien@example.org",
                          "zoe@example.com"]


def seed_users(org_id: int, count: int) -> None:
    """Bulk insert many users, as an import would."""
    db.session.execute(insert(User), [
        {"org_id": org_id, "first_name": f"Person{n:05d}", "last_name": "Bulk",
         "email": f"person{n:05d}@example.com", "account_type": "user", "invite_status": "created",
         "password_is_generated": True, "is_active_account": True,
         "created_at": datetime(2026, 2, 1), "updated_at": datetime(2026, 2, 1)}
        for n in range(count)])
    db.session.commit()


def test_paging_shows_counts_and_moves_between_pages(signed_in, org):
    seed_users(org.id, 120)
    first = signed_in.get("/users/", query_string={"sort": "email"}).get_data(as_text=True)
    assert "Showing 1–50 of 121 users" in first
    assert "Page 1 of 3" in first
    assert "sort=email&amp;page=2" in first or "page=2&amp;sort=email" in first
    last = signed_in.get("/users/", query_string={"sort": "email", "page": 3})
    assert "Showing 101–121 of 121 users" in last.get_data(as_text=True)
    assert len(listed_emails(last)) == 21
    beyond = signed_in.get("/users/", query_string={"sort": "email", "page": 99})
    assert "Showing 101–121 of 121 users" in beyond.get_data(as_text=True)
    bigger = signed_in.get("/users/", query_string={"per_page": 100})
    assert "Showing 1–100 of 121 users" in bigger.get_data(as_text=True)


def test_pages_do_not_overlap_even_when_sort_values_tie(signed_in, org):
    seed_users(org.id, 60)  # identical created_at: the id tie-breaker keeps pages stable
    seen = []
    for page in (1, 2):
        seen += listed_emails(signed_in.get("/users/", query_string={"sort": "created", "page": page}))
    assert len(seen) == len(set(seen)) == 61


def test_counts_use_thousands_separators(signed_in, org):
    seed_users(org.id, 1200)
    assert "of 1,201 users" in signed_in.get("/users/").get_data(as_text=True)


def test_htmx_request_gets_the_results_fragment_only(signed_in, people):
    full = signed_in.get("/users/", query_string={"q": "zoe"}).get_data(as_text=True)
    fragment = signed_in.get("/users/", query_string={"q": "zoe"},
                             headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" in full and 'id="user-filters"' in full
    assert "<html" not in fragment and 'id="user-filters"' not in fragment
    assert "zoe@example.com" in fragment and "tina@example.com" not in fragment
    restored = signed_in.get("/users/", headers={"HX-Request": "true",
                                                 "HX-History-Restore-Request": "true"})
    assert "<html" in restored.get_data(as_text=True)


def test_page_works_without_javascript(signed_in, people):
    html = signed_in.get("/users/").get_data(as_text=True)
    form = re.search(r'<form id="user-filters"[^>]*>', html).group(0)
    assert 'method="get"' in form and 'action="/users/"' in form
    assert '<button type="submit">Search</button>' in html
    # Column headers and pager are real links, and the HTMX attributes come from url_for.
    assert re.search(r'<a href="/users/\?sort=name"', html)
    assert 'hx-get="/users/"' in html


def test_empty_search_explains_and_offers_to_clear(signed_in, people):
    html = signed_in.get("/users/", query_string={"q": "qqqq"}).get_data(as_text=True)
    assert "No users match “qqqq”" in html
    assert 'href="/users/">clear the search and filters</a>' in html


def test_first_run_invites_to_create_users(signed_in):
    html = signed_in.get("/users/").get_data(as_text=True)
    assert "Only you so far." in html
    assert 'href="/users/new"' in html
    assert "Create User" in html


def test_row_shows_the_users_columns(signed_in, people):
    html = signed_in.get("/users/", query_string={"q": "zoe"}).get_data(as_text=True)
    row = re.search(r"<tr>.*?zoe@example.com.*?</tr>", html, re.S).group(0)
    assert f'/users/{people["zoe"].id}"' in row
    for text in ("Adams, Zoë", "User", "Invited", "1 Mar 2026", "1 Jan 2026"):
        assert text in row
    bob = re.search(r"<tr>.*?bob.obrien@example.org.*?</tr>",
                    signed_in.get("/users/", query_string={"q": "bob"}).get_data(as_text=True),
                    re.S).group(0)
    assert "Guest" in bob and "Created" in bob and "Not yet" in bob


def test_list_offers_file_import_and_enrolment(signed_in, people):
    html = signed_in.get("/users/").get_data(as_text=True)
    assert "File Import" in html and "Enrol in series" in html


def test_enrol_selected_users_carries_the_selection_but_not_the_csrf_token(signed_in, people, admin):
    from webapp.enrolments.services import create_series

    create_series(admin.org_id, admin, name="Fire Safety", description="")
    chosen = [str(people["zoe"].id), str(people["bob"].id)]
    response = signed_in.post("/users/bulk", data={"action": "enrol", "user_id": chosen})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/enrolments/new?")
    assert all(f"user_id={user_id}" in location for user_id in chosen)
    assert "csrf" not in location
    page = signed_in.get(location).get_data(as_text=True)
    assert "2 users selected" in page


def test_enrol_everyone_matching_the_filter_carries_the_filter(signed_in, people):
    response = signed_in.post("/users/bulk", data={"action": "enrol", "all_matching": "1", "type": "guest"})
    location = response.headers["Location"]
    assert "all_matching=1" in location and "type=guest" in location and "user_id" not in location


def test_list_shows_only_the_admins_organisation(signed_in, people, other_org, make_user):
    make_user(org_id=other_org.id, email="stranger@example.com")
    html = signed_in.get("/users/", query_string={"q": "example"}).get_data(as_text=True)
    assert "stranger@example.com" not in html
    assert "boss@other.example" not in signed_in.get("/users/").get_data(as_text=True)
