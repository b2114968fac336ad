"""Staged table v2: removed rows and their restore, undo of bulk changes, suggested email fixes,
find and replace, and the per-row Save that works without JavaScript."""
from __future__ import annotations

import re
import pytest

from tests.test_imports_table import DATA, HX, row_id, rows
from webapp.extensions import db
from webapp.imports import staging
from webapp.imports.suggestions import suggest_email, suggestion_for


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


def bulk(client, batch, **data):
    return client.post(f"/users/import/{batch.id}/bulk", headers=HX,
                       data={"account_type": "user", "filter": "all", "q": "", **data}).get_data(as_text=True)


def counter(html, label):
    """The count shown before a counter's label; `label` is a pattern, so "duplicates? ignored" reads 1 and 2."""
    found = re.search(r'<span class="n">([\d,]+)</span> <span class="l">(?:' + label + ")", html)
    return int(found.group(1).replace(",", "")) if found else 0


def undo_url(html):
    return re.search(r'hx-post="(/users/import/\d+/undo/\d+)"', html).group(1)


def test_removed_rows_go_to_the_removed_filter_and_come_back_one_by_one(signed_in, batch):
    line_6 = row_id(batch.id, 6)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_6}/remove", headers=HX).get_data(as_text=True)
    assert "Line 6 (alan@example.com) removed." in html and counter(html, "removed") == 1
    everything = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    assert 'id="row-%d"' % line_6 not in everything
    removed = signed_in.get(f"/users/import/{batch.id}?filter=removed", headers=HX).get_data(as_text=True)
    assert re.findall(r'<td class="num">(\d+)</td>', removed) == ["6"] and "Restore" in removed
    assert rows(batch.id)[7].status == "valid"  # line 7 no longer conflicts with line 6

    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_6}/restore", headers=HX).get_data(as_text=True)
    after = rows(batch.id)
    assert after[6].status == "valid" and after[7].status == "invalid" and after[7].conflict_with == 6
    assert counter(html, "removed") == 0


def test_removed_rows_are_never_created(signed_in, batch):
    signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 2)}/remove", headers=HX)
    page = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert "2 users will be created." in page  # lines 3 and 6 only


def test_bulk_restore_brings_back_every_removed_row_and_the_counters_add_up(signed_in, batch):
    html = bulk(signed_in, batch, action="remove", scope="all_matching")
    assert "9 rows removed." in html and counter(html, "removed") == 9 and counter(html, "ready") == 0
    html = bulk(signed_in, batch, action="restore", scope="all_matching", filter="removed")
    assert "9 rows restored." in html
    assert counter(html, "ready") == 3 and counter(html, "problems") == 4 and counter(html, "removed") == 0
    assert "1</span> <span class=\"l\">duplicate ignored<" in html
    assert "1</span> <span class=\"l\">already has an account<" in html
    assert rows(batch.id)[4].status == "duplicate"


@pytest.mark.parametrize("action,extra,check", [
    ("set_type", {"account_type": "guest"}, lambda r: (r[2].account_type, r[10].account_type, r[10].status)),
    ("invite_on", {}, lambda r: (r[2].send_invite, r[3].send_invite)),
    ("remove", {}, lambda r: tuple(row.status for row in r.values())),
])
def test_undo_puts_every_touched_row_back(signed_in, batch, action, extra, check):
    before = check(rows(batch.id))
    html = bulk(signed_in, batch, action=action, scope="all_matching", **extra)
    assert check(rows(batch.id)) != before
    assert "Undo" in html
    html = signed_in.post(undo_url(html), headers=HX, data={"filter": "all"}).get_data(as_text=True)
    assert "Undone:" in html
    assert check(rows(batch.id)) == before


def test_only_the_latest_change_can_be_undone(signed_in, batch):
    first = bulk(signed_in, batch, action="invite_on", scope="all_matching")
    bulk(signed_in, batch, action="set_type", scope="all_matching", account_type="guest")
    html = signed_in.post(undo_url(first), headers=HX).get_data(as_text=True)
    assert "That change can no longer be undone" in html
    assert rows(batch.id)[2].send_invite is True


def test_undo_without_javascript_is_offered_on_the_page_after_the_redirect(signed_in, batch):
    response = signed_in.post(f"/users/import/{batch.id}/bulk", data={
        "action": "invite_on", "scope": "all_matching", "account_type": "user", "filter": "all"})
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    url = re.search(r'action="(/users/import/\d+/undo/\d+)"', page).group(1)
    assert signed_in.post(url, data={"filter": "all"}).status_code == 302
    assert not any(row.send_invite for row in rows(batch.id).values())


@pytest.mark.parametrize("typed,meant", [
    ("jane at gmail.com", "jane@gmail.com"),
    ("jane AT example.org", "jane@example.org"),
    ("jane doe@example.org", "janedoe@example.org"),
    ("jane@example.org.", "jane@example.org"),
    ("jane@@example.org", "jane@example.org"),
    ("jane@gmial.com", "jane@gmail.com"),
    ("jane@hotmial.com", "jane@hotmail.com"),
    ("jane@outlok.com", "jane@outlook.com"),
    ("jane@yaho.com", "jane@yahoo.com"),
    ("Jane@Gmail.co", "jane@gmail.com"),
    ("jane@example..org", "jane@example.org"),
    ("jane@example,org", "jane@example.org"),
    ("jane.@example.org", "jane@example.org"),
    ("<jane@example.org>", "jane@example.org"),
    ('"jane@example.org"', "jane@example.org"),
    ("jane@example.con", "jane@example.com"),
    ("jane@school.ogr", "jane@school.org"),
    ("jane@hotmial.co.uk", "jane@hotmail.co.uk"),
    ("jane@example.co", None),  # Colombia, and a real ending: left alone
    ("jane@example.cm", None),
    ("jane@example.org", None),
    ("not-an-email", None),
    ("jane at example", None),
])
def test_suggested_fixes_for_likely_mistakes(typed, meant):
    assert suggest_email(typed) == meant


@pytest.mark.parametrize("valid, meant", [
    ("jane@example.con", "jane@example.com"),  # valid as written, but no domain ends in .con
    ("jane@hotmial.co.uk", "jane@hotmail.co.uk"),
    ("jane@example.co", None),
    ("jane@example.com", None),
])
def test_a_valid_address_gets_a_suggestion_only_at_a_known_misspelling(valid, meant):
    assert suggestion_for(valid, True) == meant


@pytest.fixture
def typo_batch(org, admin):
    text = ("First Name,Last Name,Email Address\r\nJane,Doe,jane at gmail.com\r\nJohn,Roe,john@hotmial.com\r\n"
            "Kim,Poe,kim@example.org\r\nLee,Moe,lee@@example.org\r\n")
    return staging.stage_upload(org.id, admin.id, "typos.csv", text.encode(), max_bytes=10**6, ttl_days=7)


def test_a_suggested_fix_is_offered_on_the_row_and_applied_in_one_click(signed_in, typo_batch):
    page = signed_in.get(f"/users/import/{typo_batch.id}").get_data(as_text=True)
    assert "Did you mean <strong>jane@gmail.com</strong>?" in page
    assert "Apply all 3 suggested fixes" in page
    html = signed_in.post(f"/users/import/{typo_batch.id}/rows/{row_id(typo_batch.id, 2)}/suggestion",
                          headers=HX).get_data(as_text=True)
    assert "jane@gmail.com" in html and "Ready" in html
    after = rows(typo_batch.id)
    assert (after[2].email, after[2].status, after[2].suggested_email) == ("jane@gmail.com", "valid", None)
    assert "Apply all 2 suggested fixes" in html  # the bar is redrawn beside the row
    html = signed_in.post(f"/users/import/{typo_batch.id}/rows/{row_id(typo_batch.id, 3)}/suggestion",
                          headers=HX).get_data(as_text=True)
    assert "Apply the suggested fix<" in html and "Apply all" not in html  # one left: not "all 1"


def test_apply_all_suggested_fixes_and_undo_them(signed_in, typo_batch):
    html = signed_in.post(f"/users/import/{typo_batch.id}/suggestions", headers=HX).get_data(as_text=True)
    assert "3 emails fixed." in html and "Apply all" not in html
    after = rows(typo_batch.id)
    assert [after[n].email for n in (2, 3, 4, 5)] == ["jane@gmail.com", "john@hotmail.com", "kim@example.org",
                                                       "lee@example.org"]
    assert all(row.status == "valid" for row in after.values())
    signed_in.post(undo_url(html), headers=HX)
    assert rows(typo_batch.id)[2].email == "jane at gmail.com" and rows(typo_batch.id)[2].status == "invalid"


def test_find_and_replace_within_a_column_over_all_matching_rows(signed_in, typo_batch):
    html = signed_in.post(f"/users/import/{typo_batch.id}/replace", headers=HX, data={
        "column": "email", "find": "example.org", "replacement": "example.com", "scope": "all_matching",
        "filter": "all"}).get_data(as_text=True)
    assert "Replaced in 2 rows." in html
    after = rows(typo_batch.id)
    assert after[4].email == "kim@example.com" and after[5].email == "lee@@example.com"
    assert after[5].suggested_email == "lee@example.com"  # checked again after the replace
    assert after[2].email == "jane at gmail.com"


def test_find_and_replace_over_the_selection_only_and_names_are_checked_again(signed_in, typo_batch):
    signed_in.post(f"/users/import/{typo_batch.id}/replace", headers=HX, data={
        "column": "first_name", "find": "J", "replacement": "", "scope": "selected",
        "row": [row_id(typo_batch.id, 2)]})
    after = rows(typo_batch.id)
    assert after[2].first_name == "ane" and after[3].first_name == "John"


def test_find_and_replace_needs_text_to_find(signed_in, typo_batch):
    html = signed_in.post(f"/users/import/{typo_batch.id}/replace", headers=HX, data={
        "column": "email", "find": "", "scope": "all_matching"}).get_data(as_text=True)
    assert "type the text to find" in html


def test_a_rows_choices_are_saved_together_without_javascript(signed_in, batch):
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "<noscript><button type=\"submit\" class=\"small\">Save" in page
    response = signed_in.post(f"/users/import/{batch.id}/rows/{row_id(batch.id, 3)}/choice",
                              data={"field": "both", "account_type": "guest", "send_invite": "y"})
    assert response.status_code == 302
    assert (rows(batch.id)[3].account_type, rows(batch.id)[3].send_invite) == ("guest", True)


def test_select_all_falls_back_to_a_link_without_javascript(signed_in, batch):
    page = signed_in.get(f"/users/import/{batch.id}?select=page").get_data(as_text=True)
    assert page.count('form="bulk-form" aria-label="Select line') == 9
    assert page.count(" checked>") >= 9
    assert "Select all rows on this page</a>" in page


def test_a_still_wrong_edit_stays_open_with_the_field_marked(signed_in, batch):
    current = rows(batch.id)[5]
    html = signed_in.post(f"/users/import/{batch.id}/rows/{current.id}", headers=HX, data={
        "first_name": "Bad", "last_name": "Row", "email": "still wrong", "account_type": "user"}).get_data(as_text=True)
    assert 'class="editing"' in html
    assert f'aria-invalid="true" aria-describedby="edit-{current.id}-email-error"' in html
    assert "Error: Not a valid email address" in html


@pytest.mark.parametrize("status,refreshes", [("staging", True), ("creating", True), ("staged", False)])
def test_the_progress_page_refreshes_itself_without_javascript(signed_in, batch, status, refreshes):
    batch.status = status
    db.session.commit()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    head = page.split("</head>")[0]
    assert ('<noscript><meta http-equiv="refresh" content="2"></noscript>' in head) is refreshes


@pytest.mark.parametrize("value,shown", [(0, "0"), (999, "999"), (1000, "1,000"), (100000, "100,000"),
                                         (1234567, "1,234,567"), (None, "0"), (2.5, "2.5"), (3.0, "3")])
def test_number_filter_writes_thousands_separators(value, shown):
    from webapp.formatting import number

    assert number(value) == shown


def test_counts_on_the_staged_table_have_thousands_separators(signed_in, org, admin):
    lines = ["First Name,Last Name,Email Address"] + [f"P{i},Person,p{i}@example.com" for i in range(1200)]
    big = staging.stage_upload(org.id, admin.id, "big.csv", "\r\n".join(lines).encode(), max_bytes=10**7,
                               ttl_days=7)
    page = signed_in.get(f"/users/import/{big.id}?page=24").get_data(as_text=True)
    assert '<span class="n">1,200</span> <span class="l">rows read' in page
    assert "Showing 1,151–1,200 of 1,200 rows" in page
    confirm = signed_in.get(f"/users/import/{big.id}/create").get_data(as_text=True)
    assert "1,200 users will be created." in confirm


def test_a_removed_row_spans_every_registry_column_and_its_reason_is_a_typed_problem(signed_in, app, batch):
    from webapp.imports.fields import ImportField, register_field
    from webapp.imports.problems import outcome_problems

    register_field(ImportField("employee_id", "Employee ID", synonyms=(("Employee ID",),), max_length=20), app=app)
    page = signed_in.get(f"/users/import/{batch.id}", headers=HX).get_data(as_text=True)
    columns = len(re.findall(r'<th scope="col"', page.split("<thead>")[1].split("</thead>")[0]))
    assert ">Employee ID</th>" in page
    line_6 = row_id(batch.id, 6)
    html = signed_in.post(f"/users/import/{batch.id}/rows/{line_6}/remove", headers=HX).get_data(as_text=True)
    assert f'<td colspan="{columns}">' in html
    assert outcome_problems(rows(batch.id)[6]) == [{"field": "", "code": "removed", "params": {}}]
    csv_text = signed_in.get(f"/users/import/{batch.id}/problems.csv").data.decode("utf-8-sig")
    assert "Removed by you from this import." in csv_text and "Employee ID" in csv_text.splitlines()[0]
