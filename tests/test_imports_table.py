"""The staged table: inline edits, conflicts, removal, filters, search, pages, bulk actions, counters."""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import choices, removal, staging
from webapp.models import StagedRow
from webapp.imports.staged import staged_sentences

DATA = Path(__file__).parent / "data"
HX = {"HX-Request": "true"}


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


def rows(batch_id):
    """The batch's rows by line, with the account type, Send Invite and status each shows (see
    imports/choices.py and imports/removal.py)."""
    db.session.expire_all()
    found = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch_id)).all()
    return {row.line: row for row in removal.show(batch_id, choices.show(batch_id, found))}


def kept(batch_id):
    """Rows not removed, by line."""
    return {line: row for line, row in rows(batch_id).items() if row.status != "removed"}


def row_id(batch_id, line):
    return rows(batch_id)[line].id


def edit(client, batch, line, **fields):
    current = rows(batch.id)[line]
    data = {"first_name": current.first_name, "last_name": current.last_name, "email": current.email,
            "account_type": current.account_type, **fields}
    return client.post(f"/users/import/{batch.id}/rows/{current.id}", data=data, headers=HX)


def test_fixing_a_bad_email_inline_makes_the_row_ready_and_updates_counters(signed_in, batch):
    response = edit(signed_in, batch, 5, email="Bad.Row@Example.com")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "bad.row@example.com" in html and "Ready" in html
    assert 'id="import-counters" aria-label="Row counts" hx-swap-oob="true"' in html
    assert '<span class="n">4</span> <span class="l">ready' in html
    assert rows(batch.id)[5].status == "valid"


def test_a_failed_edit_keeps_the_admins_text_with_the_error_beside_it(signed_in, batch):
    html = edit(signed_in, batch, 3, email="grace at example").get_data(as_text=True)
    assert "grace at example" in html
    assert "Not a valid email address" in html
    assert rows(batch.id)[3].status == "invalid"
    assert rows(batch.id)[3].email == "grace at example"


def test_editing_the_earlier_row_away_clears_the_later_rows_conflict(signed_in, batch):
    assert rows(batch.id)[7].conflict_with == 6
    edit(signed_in, batch, 6, email="alan.turing@example.com")
    assert rows(batch.id)[7].status == "valid"
    assert rows(batch.id)[7].conflict_with is None


def test_editing_a_row_onto_anothers_email_creates_a_conflict(signed_in, batch):
    edit(signed_in, batch, 3, email="ada@example.com")
    after = rows(batch.id)
    assert after[3].status == "invalid"
    assert staged_sentences(after[3]) == ["Same email as line 2, with different details."]
    assert after[2].status == "valid"


def test_editing_a_row_onto_an_existing_account_flags_it(signed_in, batch):
    edit(signed_in, batch, 3, email="admin@acme.example")
    assert rows(batch.id)[3].status == "existing"


def test_removing_the_earlier_row_frees_the_later_one(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 6)}/remove", headers=HX)
    assert response.status_code == 200
    assert "removed" in response.get_data(as_text=True)
    after = rows(batch.id)
    assert after[6].status == "removed" and after[7].status == "valid"


def test_remove_works_without_javascript(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 3)}/remove")
    assert response.status_code == 302
    assert 3 not in kept(batch.id)
    assert "Line 3 removed." in signed_in.get(response.headers["Location"]).get_data(as_text=True)


def test_changing_the_account_type_clears_an_unknown_type(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 10)}/choice",
                              data={"field": "account_type", "account_type": "guest"}, headers=HX)
    assert response.status_code == 200
    assert rows(batch.id)[10].status == "valid"
    assert rows(batch.id)[10].account_type == "guest"


def test_ticking_send_invite_on_one_row(signed_in, batch):
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/choice",
                   data={"field": "send_invite", "send_invite": "y"}, headers=HX)
    assert rows(batch.id)[2].send_invite is True
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/choice",
                   data={"field": "send_invite"}, headers=HX)
    assert rows(batch.id)[2].send_invite is False


@pytest.mark.parametrize("filter_name,lines", [
    ("all", [2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("problems", [5, 7, 8, 10]),
    ("ready", [2, 3, 6]),
    ("existing", [9]),
    ("duplicates", [4]),
])
def test_filters_show_the_rows_in_that_state(signed_in, batch, filter_name, lines):
    html = signed_in.get(f"/users/import/{batch.id}?filter={filter_name}", headers=HX).get_data(as_text=True)
    shown = [int(line) for line in _lines(html)]
    assert shown == lines


def _lines(html):
    import re

    return re.findall(r'<td class="num">(\d+)</td>', html)


@pytest.mark.parametrize("query,lines", [("hopper", [3]), ("EXAMPLE.COM", [2, 3, 4, 6, 7, 8, 10]), ("9", [9]),
                                         ("Grace Hopper", [3]), ("nobody-here", []), ("ada", [2, 4]),
                                         ("hopper grace@", [3]), ("LOVELACE", [2, 4])])
def test_search_matches_names_emails_and_line_numbers(signed_in, batch, query, lines):
    html = signed_in.get(f"/users/import/{batch.id}?q={query}", headers=HX).get_data(as_text=True)
    assert [int(line) for line in _lines(html)] == lines


def test_htmx_gets_the_table_fragment_and_plain_requests_the_page(signed_in, batch):
    fragment = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "<html" not in fragment and 'id="staged-table"' in fragment
    assert "<html" in page and "How we read the file" in page


@pytest.fixture
def big_batch(org, admin):
    lines = ["First Name,Last Name,Email Address"] + [f"P{i},Person,p{i}@example.com" for i in range(120)]
    return staging.stage_upload(org.id, admin.id, "big.csv", "\r\n".join(lines).encode(), max_bytes=10**6,
                                ttl_days=7)


def test_pages_of_fifty(signed_in, big_batch):
    first = signed_in.get(f"/users/import/{big_batch.id}", headers=HX).get_data(as_text=True)
    third = signed_in.get(f"/users/import/{big_batch.id}?page=3", headers=HX).get_data(as_text=True)
    assert len(_lines(first)) == 50 and "Page 1 of 3" in first
    assert [int(x) for x in _lines(third)] == list(range(102, 122))
    assert "Showing 101–120 of 120 rows" in third


@pytest.mark.parametrize("page,shown", [(1, "Showing 1–50 of 120 rows"), (3, "Showing 101–120 of 120 rows"),
                                        (9, "Showing 101–120 of 120 rows")])
def test_a_search_counts_its_matches_on_every_page_and_past_the_end_shows_the_last(signed_in, big_batch,
                                                                                   page, shown):
    html = signed_in.get(f"/users/import/{big_batch.id}?q=PERSON&page={page}", headers=HX).get_data(as_text=True)
    assert shown in html


@pytest.mark.parametrize("method,path,data", [("get", "", None), ("get", "?page=2", None),
                                              ("post", "/bulk", {"action": "invite_on", "scope": "all_matching",
                                                                 "account_type": "user", "filter": "all"})])
def test_the_table_fragment_carries_the_counters_and_the_fixes_bar_once(signed_in, big_batch, method, path, data):
    html = getattr(signed_in, method)(f"/users/import/{big_batch.id}{path}", headers=HX, data=data).get_data(as_text=True)
    assert html.count('id="import-counters"') == 1 and html.count('id="suggestions-bar"') == 1


@pytest.mark.parametrize("query", ["Grace Hopper", "hopper grace@", "@example.com"])
def test_a_rows_links_keep_the_search_filter_and_page(signed_in, batch, query):
    import html as markup
    from urllib.parse import parse_qs, urlsplit

    page = signed_in.get(f"/users/import/{batch.id}", query_string={"q": query, "filter": "all"}, headers=HX)
    links = re.findall(r'(?:action|hx-post|hx-get|href)="([^"]*/rows/\d+/(?:edit|remove)[^"]*)"',
                       page.get_data(as_text=True))
    assert links
    for link in links:
        assert parse_qs(urlsplit(markup.unescape(link)).query, keep_blank_values=True) == {
            "filter": ["all"], "q": [query], "page": ["1"]}


def test_bulk_set_type_on_selected_rows(signed_in, batch):
    ids = [row_id(batch.id, 2), row_id(batch.id, 3)]
    response = signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX, data={
        "action": "set_type", "account_type": "team_manager", "scope": "selected", "row": ids})
    html = response.get_data(as_text=True)
    assert "Account type set to Team Manager for 2 rows." in html
    after = rows(batch.id)
    assert (after[2].account_type, after[3].account_type, after[6].account_type) == ("team_manager", "team_manager", "user")


def test_bulk_action_on_all_matching_rows_across_pages(signed_in, big_batch):
    signed_in.post(f"/users/import/{big_batch.id}/bulk", data={
        "action": "invite_on", "scope": "all_matching", "account_type": "user", "filter": "ready", "q": ""})
    assert all(row.send_invite for row in rows(big_batch.id).values())
    signed_in.post(f"/users/import/{big_batch.id}/bulk", data={
        "action": "invite_off", "scope": "all_matching", "account_type": "user", "filter": "all", "q": "P1"})
    after = rows(big_batch.id)
    assert not after[3].send_invite  # P1
    assert after[4].send_invite  # P2 did not match "P1"


def test_bulk_action_on_this_page_only(signed_in, big_batch):
    signed_in.post(f"/users/import/{big_batch.id}/bulk", data={
        "action": "set_type", "account_type": "guest", "scope": "page", "filter": "all", "q": "", "page": "2"})
    after = rows(big_batch.id)
    guests = sorted(line for line, row in after.items() if row.account_type == "guest")
    assert guests == list(range(52, 102))


def test_bulk_remove_and_counters(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX, data={
        "action": "remove", "scope": "all_matching", "account_type": "user", "filter": "problems"})
    html = response.get_data(as_text=True)
    assert "4 rows removed." in html
    assert '<span class="n">4</span> <span class="l">removed' in html
    assert sorted(kept(batch.id)) == [2, 3, 4, 6, 9]


def test_bulk_without_a_selection_says_what_to_do(signed_in, batch):
    html = signed_in.post(f"/users/import/{batch.id}/bulk", headers=HX, data={
        "action": "remove", "scope": "selected", "account_type": "user"}).get_data(as_text=True)
    assert "Select at least one row first" in html
    assert len(kept(batch.id)) == 9


def test_problems_csv_has_reasons_and_is_formula_safe(signed_in, org, admin):
    formula = staging.stage_upload(org.id, admin.id, "import_formula.csv",
                                   (DATA / "import_formula.csv").read_bytes(), max_bytes=10**6, ttl_days=7)
    response = signed_in.get(f"/users/import/{formula.id}/problems.csv")
    text = response.data.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["Line", "First Name", "Last Name", "Email Address", "Account Type", "Reason"]
    assert table[1][1].startswith("'=")
    assert "Not a valid email address" in table[1][5]


def test_problems_csv_lists_every_row_left_out(signed_in, batch):
    table = list(csv.reader(io.StringIO(signed_in.get(f"/users/import/{batch.id}/problems.csv").data.decode("utf-8-sig"))))
    reasons = {int(r[0]): r[5] for r in table[1:]}
    assert sorted(reasons) == [4, 5, 7, 8, 9, 10]
    assert reasons[4] == "Same as line 2 in every field, so it is ignored."
    assert reasons[9] == "Already has an account in this organisation."
    assert reasons[8] == "First name and last name are both missing."


def test_edit_without_javascript_opens_the_row_on_the_page(signed_in, batch):
    response = signed_in.get(f"/users/import/{batch.id}/rows/{row_id(batch.id, 5)}/edit")
    assert response.status_code == 302
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="not-an-email"' in page and "Save" in page
    saved = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 5)}",
                           data={"first_name": "Bad", "last_name": "Row", "email": "bad@example.com",
                                 "account_type": "user"})
    assert saved.status_code == 302
    assert rows(batch.id)[5].status == "valid"


def test_edits_of_another_organisations_rows_are_not_found(signed_in, other_org):
    theirs = staging.stage_upload(other_org.id, None, "import_mixed.csv",
                                  (DATA / "import_mixed.csv").read_bytes(), max_bytes=10**6, ttl_days=7)
    target = row_id(theirs.id, 5)
    assert signed_in.post(f"/users/import/{theirs.id}/rows/{target}", data={"email": "x@example.com"},
                          headers=HX).status_code == 404
    assert signed_in.post(f"/users/import/{theirs.id}/rows/{target}/remove", headers=HX).status_code == 404
    assert rows(theirs.id)[5].email == "not-an-email"


def test_htmx_posts_without_csrf_are_refused(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 3)}/remove", headers=HX,
                              with_csrf=False)
    assert response.status_code == 400
    assert 3 in kept(batch.id)
