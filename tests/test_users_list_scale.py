"""The Users list built for a million people: folded search, cursor pages, bounded counts,
the "Last email failed" filter, and the search column every insert path fills."""
from __future__ import annotations

import html as html_lib
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from webapp.extensions import db
from webapp.mail.outbox import queue
from webapp.models import OutboxMessage, User
from webapp.searchtext import fold, search_words
from webapp.users import queries


def listed_emails(response) -> list[str]:
    return re.findall(r'</th>\s*<td>([^<]+@[^<]+)</td>', response.get_data(as_text=True))


@pytest.mark.parametrize("typed, words", [
    ("Jane Doe", ["jane", "doe"]),
    ("Doe, Jane", ["doe", "jane"]),
    ("  MÜLLER ", ["muller"]),
    ("Łukasz Øster", ["lukasz", "oster"]),
    ("straße", ["strasse"]),
])
def test_what_is_typed_is_folded_into_words(typed, words):
    assert search_words(typed) == words


@pytest.fixture
def folk(make_user):
    return {
        "jane": make_user(first_name="Jane", last_name="Doe", email="jd@example.com"),
        "muller": make_user(first_name="Jürgen", last_name="Müller", email="jm@example.com"),
        "zoe": make_user(first_name="Zoë", last_name="Saldaña", email="zoe.s@example.com"),
        "john": make_user(first_name="John", last_name="Doemann", email="john@example.com"),
    }


@pytest.mark.parametrize("query, expected", [
    ("Jane Doe", {"jd@example.com"}),
    ("Doe, Jane", {"jd@example.com"}),
    ("doe jane", {"jd@example.com"}),
    ("Muller", {"jm@example.com"}),
    ("müller", {"jm@example.com"}),
    ("JURGEN", {"jm@example.com"}),
    ("zoe saldana", {"zoe.s@example.com"}),
    ("Zoë", {"zoe.s@example.com"}),
    ("doe", {"jd@example.com", "john@example.com"}),
    ("ürg", {"jm@example.com"}),
    ("e.s@ex", {"zoe.s@example.com"}),
    ("Jane Smith", set()),
])
def test_search_ignores_accents_case_order_and_commas(signed_in, folk, query, expected):
    assert set(listed_emails(signed_in.get("/users/", query_string={"q": query}))) == expected


def test_every_insert_path_fills_the_search_column_and_edits_refresh_it(app, org, folk):
    db.session.execute(insert(User), [
        {"org_id": org.id, "first_name": "Ångström", "last_name": "Ødegaard",
         "email": "bulk@example.com"},
    ])
    db.session.commit()
    bulk = db.session.scalar(select(User).where(User.email == "bulk@example.com"))
    assert bulk.search_text == "angstrom odegaard bulk@example.com"

    jane = folk["jane"]
    assert jane.search_text == "jane doe jd@example.com"
    jane.last_name = "Dœ-Smith"
    db.session.commit()
    assert db.session.scalar(select(User.search_text).where(User.id == jane.id)) == \
        "jane doe-smith jd@example.com"


def test_the_import_path_fills_the_search_column(org, admin):
    """Users created by File Import (a bulk insert) are found by a folded search."""
    from webapp.users.services import create_user

    created = create_user(org, admin, first_name="Renée", last_name="Núñez",
                          email="renee@example.com", send_invite=False)
    assert created.user.search_text == fold("Renée Núñez renee@example.com")


def seed(org_id: int, count: int, **fields) -> None:
    start = datetime(2026, 1, 1)
    db.session.execute(insert(User), [
        {"org_id": org_id, "first_name": f"P{n:04d}", "last_name": ("Berg", "Adams", "Cole")[n % 3],
         "email": f"p{n:04d}@example.com", "account_type": ("user", "guest")[n % 2],
         "invite_status": ("created", "invited")[n % 5 == 0],
         "signed_in_at": start + timedelta(hours=n % 7) if n % 4 == 0 else None,
         "created_at": start + timedelta(minutes=n % 13), **fields}
        for n in range(count)])
    db.session.commit()


def walk(client, args: dict) -> tuple[list[str], list[str]]:
    """Follow Next from the first page to the end, then Previous back; emails in page order."""
    response = client.get("/users/", query_string=args)
    forward, pages = [], []
    while True:
        html = response.get_data(as_text=True)
        pages.append(listed_emails(response))
        forward += pages[-1]
        found = re.search(r'<a class="button" href="([^"]+)"[^>]*rel="next"', html)
        if not found:
            break
        response = client.get(html_lib.unescape(found.group(1)))
    backward = []
    while True:
        html = response.get_data(as_text=True)
        found = re.search(r'<a class="button" href="([^"]+)"[^>]*rel="prev"', html)
        if not found:
            break
        response = client.get(html_lib.unescape(found.group(1)))
        backward = listed_emails(response) + backward
    return forward, backward + pages[-1]


@pytest.mark.parametrize("sort", ["name", "-name", "email", "-email", "type", "-type", "status",
                                  "-status", "signed_in", "-signed_in", "created", "-created"])
def test_next_and_previous_walk_every_sort_without_gaps_or_repeats(signed_in, org, sort):
    seed(org.id, 130)
    expected = [user.email for user in db.session.scalars(
        queries.filtered_users(org.id, queries.UserFilters(sort=sort)))]
    forward, backward = walk(signed_in, {"sort": sort, "per_page": 25})
    assert forward == expected
    assert backward == expected


def test_cursor_pages_keep_filters_and_say_which_page(signed_in, org):
    seed(org.id, 130)
    first = signed_in.get("/users/", query_string={"type": "guest", "per_page": 25})
    html = first.get_data(as_text=True)
    assert "Showing 1–25 of 65 users" in html and "Page 1 of 3" in html
    next_link = html_lib.unescape(re.search(r'href="([^"]+)"[^>]*rel="next"', html).group(1))
    assert "type=guest" in next_link and "after=" in next_link and "page=2" in next_link
    second = signed_in.get(next_link).get_data(as_text=True)
    assert "Showing 26–50 of 65 users" in second and "Page 2 of 3" in second


def test_a_forged_cursor_is_ignored_and_the_page_number_used(signed_in, org):
    seed(org.id, 60)
    for cursor in ("not-a-cursor", "WzksWzFdXQ", "W10", "WzAsWyJ4Il1d"):
        response = signed_in.get("/users/", query_string={"after": cursor, "page": 2})
        assert response.status_code == 200
        assert "Showing 51–61 of 61 users" in response.get_data(as_text=True)


def test_past_the_count_limit_the_total_is_said_to_be_an_estimate(signed_in, org, monkeypatch):
    monkeypatch.setattr(queries, "COUNT_LIMIT", 40)
    seed(org.id, 100)
    if db.engine.dialect.name == "postgresql":
        # The planner's figures as autovacuum would leave them, not those of an earlier test's users.
        db.session.execute(db.text("ANALYZE users"))
        db.session.commit()
    html = signed_in.get("/users/").get_data(as_text=True)
    if db.engine.dialect.name == "postgresql":
        assert re.search(r"of (about 100|more than 40) users", html)
    else:
        assert "of more than 40 users" in html
    assert "counted exactly up to 40" in html
    assert re.search(r"Select every user in the organisation \((about 100|more than 40)\)",
                     " ".join(html.split()))
    assert "Page 1<" in html and "Last</a>" not in html  # no page count without a total
    exact = signed_in.get("/users/", query_string={"type": "admin"}).get_data(as_text=True)
    assert "of 1 user" in exact and "counted exactly" not in exact


def fail_mail(org, user: User, status: str) -> None:
    queue(org_id=org.id, kind="welcome", to_address=user.email, to_user_id=user.id,
          subject="Welcome", text_body="Hi")
    db.session.flush()
    db.session.execute(update(OutboxMessage).where(OutboxMessage.id == db.session.scalar(
        select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(1))).values(status=status))
    db.session.commit()


def test_email_failed_filter_shows_people_whose_latest_email_failed(signed_in, org, folk,
                                                                     other_org, make_user):
    fail_mail(org, folk["jane"], "failed")                      # latest failed: listed
    fail_mail(org, folk["muller"], "failed")
    fail_mail(org, folk["muller"], "sent")                      # a later one went out: not listed
    fail_mail(org, folk["zoe"], "sent")
    fail_mail(org, folk["zoe"], "failed")                       # the later one failed: listed
    stranger = make_user(org_id=other_org.id, email="stranger@example.com")
    fail_mail(other_org, stranger, "failed")                    # another organisation: never

    response = signed_in.get("/users/", query_string={"email": "failed"})
    assert set(listed_emails(response)) == {"jd@example.com", "zoe.s@example.com"}
    html = response.get_data(as_text=True)
    assert '<option value="failed" selected>Last email failed</option>' in html
    both = signed_in.get("/users/", query_string={"email": "failed", "q": "zoe"})
    assert listed_emails(both) == ["zoe.s@example.com"]
