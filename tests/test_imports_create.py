"""Create Users: ready rows become accounts once, problems are left out, emails and the banner follow."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.credentials import check_password
from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.imports.queries import batch_banner, user_ids_for_batch
from webapp.models import AuditEvent, Group, GroupMember, ImportBatch, OutboxMessage, StagedRow, User

DATA = Path(__file__).parent / "data"


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


def tick(batch_id, line):
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch_id, StagedRow.line == line)
                       .values(send_invite=True))
    db.session.commit()


def users_by_email(org):
    return {u.email: u for u in db.session.scalars(select(User).where(User.org_id == org.id))}


def test_confirm_page_says_how_many_will_be_created_and_left_out(signed_in, batch):
    page = signed_in.get(f"/users/import/{batch.id}/create").get_data(as_text=True)
    assert "3 users will be created." in page
    assert "4 rows with problems will be left out." in page
    assert "1 person already has an account" in page
    assert "1 duplicate row" in page


def test_create_users_makes_the_ready_rows_and_lands_on_the_users_list(signed_in, org, batch):
    tick(batch.id, 2)
    response = signed_in.post(f"/users/import/{batch.id}/create")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/users/?batch={batch.id}"
    users = users_by_email(org)
    assert {"ada@example.com", "grace@example.com", "alan@example.com"} <= set(users)
    assert "not-an-email" not in users and "margaret@example.com" not in users
    ada = users["ada@example.com"]
    assert ada.account_type == "admin" and ada.invite_status == "invited" and ada.password_is_generated
    assert users["grace@example.com"].invite_status == "created"
    all_org_users = db.session.scalar(select(Group).where(Group.org_id == org.id, Group.is_builtin.is_(True)))
    members = set(db.session.scalars(select(GroupMember.user_id).where(GroupMember.group_id == all_org_users.id)))
    assert {users[e].id for e in ("ada@example.com", "grace@example.com", "alan@example.com")} <= members
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "users.imported")) == 1


def test_welcome_email_only_for_ticked_rows_carrying_a_password_that_works(signed_in, org, batch):
    tick(batch.id, 2)
    signed_in.post(f"/users/import/{batch.id}/create")
    welcomes = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "welcome")).all()
    assert [m.to_address for m in welcomes] == ["ada@example.com"]
    body = welcomes[0].text_body
    password = body.split("Password: ")[1].split()[0]
    ada = users_by_email(org)["ada@example.com"]
    assert check_password(ada.password_hash, password)
    assert "Hello Ada" in body and welcomes[0].to_user_id == ada.id
    assert password not in (welcomes[0].redacted_text_body or "")


def test_bulk_welcome_matches_the_one_by_one_welcome_email(app, org):
    from types import SimpleNamespace

    from webapp.mail.outbox import render_with_password

    person = SimpleNamespace(first_name="Zoë", last_name="<O'Brien>", email="zoe@example.com", line=2)
    bulk = creating.WelcomeRenderer(org).rows([(person, "abcde-fghjk")], {"zoe@example.com": 7})[0]
    user = User(first_name="Zoë", last_name="<O'Brien>", email="zoe@example.com")
    single = render_with_password("welcome", "abcde-fghjk", user=user, org=org)
    assert (bulk["text_body"], bulk["html_body"]) == (single.text, single.html)
    assert (bulk["redacted_text_body"], bulk["redacted_html_body"]) == (single.redacted_text, single.redacted_html)
    nameless = SimpleNamespace(first_name="", last_name="", email="x@example.com", line=3)
    assert "Hello x@example.com" in creating.WelcomeRenderer(org).rows([(nameless, "p")], {})[0]["text_body"]


def test_summary_to_the_admin_with_csv_for_two_or_more(signed_in, admin, batch):
    signed_in.post(f"/users/import/{batch.id}/create")
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    assert summary.to_address == admin.email
    rows = list(csv.DictReader(io.StringIO(summary.attachments[0].content.decode("utf-8-sig"))))
    by_email = {r["Email Address"]: r for r in rows}
    assert by_email["grace@example.com"]["Outcome"] == "Created" and by_email["grace@example.com"]["Password"]
    assert by_email["admin@acme.example"]["Outcome"] == "Failed"
    assert "already has an account" in by_email["admin@acme.example"]["Reason"].lower()


def test_no_summary_when_only_one_person_was_in_the_action(signed_in, org, admin):
    one = staging.stage_upload(org.id, admin.id, "one.csv", b"Email,First Name\r\nsolo@example.com,Solo\r\n",
                               max_bytes=10**6, ttl_days=7)
    signed_in.post(f"/users/import/{one.id}/create")
    assert "solo@example.com" in users_by_email(org)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "created_users_summary")) == 0


def test_double_submit_creates_nobody_twice(signed_in, org, batch):
    first = signed_in.post(f"/users/import/{batch.id}/create")
    second = signed_in.post(f"/users/import/{batch.id}/create")
    assert first.status_code == second.status_code == 302
    count = db.session.scalar(select(func.count()).select_from(User).where(User.org_id == org.id))
    assert count == 4  # the admin and three new users
    assert "already been created" in signed_in.get(second.headers["Location"]).get_data(as_text=True)
    assert creating.create_users(batch.id, None).refused == "These users have already been created."


def test_an_account_made_meanwhile_fails_that_person_and_the_others_are_created(signed_in, org, batch,
                                                                               make_user):
    make_user(email="grace@example.com", first_name="Grace")
    result = creating.create_users(batch.id, None)
    assert (result.created, result.failed) == (2, 2)
    rows = {r.line: r for r in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}
    assert rows[3].status == "failed" and "already has an account" in rows[3].failure_reason.lower()
    assert rows[2].status == "created" and rows[2].user_id is not None


def test_an_account_made_after_the_check_is_skipped_by_the_insert_and_the_others_are_created(
        signed_in, org, batch, make_user, monkeypatch):
    real_mark_taken = creating._mark_taken

    def mark_taken_then_another_admin_adds_grace(batch):
        real_mark_taken(batch)  # grace has no account yet: her row is still ready
        make_user(email="grace@example.com", first_name="Grace")

    monkeypatch.setattr(creating, "_mark_taken", mark_taken_then_another_admin_adds_grace)
    result = creating.create_users(batch.id, None)
    assert (result.created, result.failed) == (2, 2)
    rows = {r.line: r for r in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}
    assert rows[3].status == "failed" and "already has an account" in rows[3].failure_reason.lower()
    assert rows[2].status == "created" and rows[2].user_id is not None
    grace = users_by_email(org)["grace@example.com"]
    assert grace.first_name == "Grace" and rows[3].user_id is None  # her own account, untouched


def test_a_failed_transaction_creates_nobody_and_says_why(signed_in, org, batch, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(creating, "sync_all_org_users", broken)
    response = signed_in.post(f"/users/import/{batch.id}/create")
    assert response.headers["Location"] == f"/users/import/{batch.id}"
    assert set(users_by_email(org)) == {"admin@acme.example"}
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "staged"
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "No users were created" in page and "the database went away" in page


def test_banner_queries_for_the_users_list(signed_in, org, other_org, batch):
    signed_in.post(f"/users/import/{batch.id}/create")
    banner = batch_banner(org.id, batch.id)
    assert (banner["created"], banner["failed"], banner["duplicates"]) == (3, 1, 1)
    assert banner["filename"] == "import_mixed.csv" and banner["total"] == sum(c for _, c in banner["outcomes"])
    assert batch_banner(other_org.id, batch.id) is None
    ids = set(db.session.scalars(user_ids_for_batch(org.id, batch.id)))
    assert ids == {u.id for e, u in users_by_email(org).items() if e != "admin@acme.example"}
    page = signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True)
    assert "Import of import_mixed.csv finished" in page and "3 users created" in page and "ignored" in page
    assert "grace@example.com" in page and "admin@acme.example" not in page.split("</header>")[1]
    assert "Select all 3 users matching this filter" in " ".join(page.split())
    assert f'<input type="hidden" name="batch" value="{batch.id}">' in page  # kept by search and bulk actions


def test_large_batches_are_created_by_a_background_job(app, signed_in, org, batch):
    app.config["IMPORT_BACKGROUND_ROWS"] = 1
    response = signed_in.post(f"/users/import/{batch.id}/create")
    assert response.headers["Location"] == f"/users/import/{batch.id}"
    assert len(users_by_email(org)) == 4
    progress = signed_in.get(f"/users/import/{batch.id}/progress", headers={"HX-Request": "true"})
    assert progress.status_code == 286
    assert progress.headers["HX-Redirect"] == f"/users/?batch={batch.id}"
