"""The mode on upload and on the staged table, the changes and leavers previews, and Undo, in the console."""
from __future__ import annotations

from io import BytesIO

from sqlalchemy import select

from tests.test_imports_sync import by_email, stage
from webapp.extensions import db
from webapp.imports import creating
from webapp.models import ImportBatch, ImportUndo, StagedRow


def upload(client, text, **extra):
    return client.post("/users/import/", data={"file": (BytesIO(text.encode()), "people.csv"), **extra},
                       content_type="multipart/form-data")


def latest_batch():
    return db.session.scalar(select(ImportBatch).order_by(ImportBatch.id.desc()))


def test_upload_page_offers_the_modes_with_add_new_people_by_default(signed_in):
    page = signed_in.get("/users/import/").get_data(as_text=True)
    assert '<option selected value="add">Add new people</option>' in page
    assert "Add and update" in page and "Update only" in page
    assert "Deactivate people who are not in this file" in page and "Create missing groups" in page


def test_the_chosen_mode_is_kept_on_the_batch_and_the_changes_show_old_and_new(signed_in, org, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    response = upload(signed_in, "First Name,Last Name,Email\nAnn,New,ann@example.com\n",
                      mode="add_update", deactivate_missing="y")
    assert response.status_code == 302
    batch = latest_batch()
    assert (batch.mode, batch.deactivate_missing) == ("add_update", True)
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Mode: Add and update, deactivating people not in the file" in page
    assert f'hx-get="/users/import/{batch.id}/changes"' in page
    fragment = signed_in.get(f"/users/import/{batch.id}/changes", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<strong>1</strong> person will be updated" in fragment
    assert '<del class="old">Old</del>' in fragment and '<ins class="new">New</ins>' in fragment
    assert "<html" not in fragment


def test_the_mode_form_changes_the_mode_and_needs_csrf(signed_in, client, org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    refused = signed_in.post(f"/users/import/{batch.id}/mode", data={"mode": "update"}, with_csrf=False)
    assert refused.status_code == 400
    response = signed_in.post(f"/users/import/{batch.id}/mode", data={"mode": "update", "create_missing_groups": "y"})
    assert response.status_code == 302
    db.session.refresh(batch)
    assert (batch.mode, batch.create_missing_groups, batch.deactivate_missing) == ("update", True, False)
    bad = signed_in.post(f"/users/import/{batch.id}/mode", data={"mode": "everything"}, follow_redirects=True)
    assert "Choose Add new people, Add and update, or Update only." in bad.get_data(as_text=True)
    db.session.refresh(batch)
    assert batch.mode == "update"


def test_unchanged_and_blocked_rows_have_their_own_filters(signed_in, org, admin, make_user):
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    batch = stage(org, admin, "First Name,Last Name,Email\nCy,Same,cy@example.com\nDee,D,dee@example.com\n", mode="update")
    unchanged = signed_in.get(f"/users/import/{batch.id}/changes?show=unchanged").get_data(as_text=True)
    assert "cy@example.com" in unchanged and "dee@example.com" not in unchanged
    blocked = signed_in.get(f"/users/import/{batch.id}/changes?show=blocked").get_data(as_text=True)
    assert "dee@example.com" in blocked and "Update only changes people who already have" in blocked


def test_leavers_are_listed_by_name_before_anything_happens(signed_in, org, admin, make_user):
    make_user(email="gone@example.com", first_name="Gina", last_name="Gone")
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n", deactivate_missing=True)
    page = signed_in.get(f"/users/import/{batch.id}/leavers").get_data(as_text=True)
    assert "Gina Gone" in page and "gone@example.com" in page
    assert "admin@acme.example" not in page  # never the acting admin
    assert by_email(org, "gone@example.com").is_active_account


def test_a_row_removed_from_the_staged_table_makes_that_person_a_leaver(signed_in, org, admin, make_user):
    make_user(email="kim@example.com", first_name="Kim", last_name="Kept")
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nKim,kim@example.com\n",
                  deactivate_missing=True)
    assert "kim@example.com" not in signed_in.get(f"/users/import/{batch.id}/leavers").get_data(as_text=True)
    kim = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 3))
    signed_in.post(f"/users/import/{batch.id}/rows/{kim.id}/remove")
    page = signed_in.get(f"/users/import/{batch.id}/leavers").get_data(as_text=True)
    assert "Kim Kept" in page and "kim@example.com" in page
    assert creating.create_users(batch.id, admin.id).ok
    assert not by_email(org, "kim@example.com").is_active_account


def test_undo_from_the_batch_page(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,bob@example.com\n")
    creating.create_users(batch.id, admin.id)
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Undo this import…" in page
    confirm = signed_in.get(f"/users/import/{batch.id}/undo").get_data(as_text=True)
    assert "remove the 2 accounts it created" in confirm
    done = signed_in.post(f"/users/import/{batch.id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "2 accounts removed" in done and "Everything the import did was undone." in done
    assert db.session.get(ImportUndo, batch.id) is not None
    again = signed_in.post(f"/users/import/{batch.id}/undo", follow_redirects=True).get_data(as_text=True)
    assert "already undone" in again
    banner = signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True)
    assert "This import was later undone." in banner


def test_another_organisations_import_is_not_found(signed_in, other_org, make_user):
    boss = make_user(org_id=other_org.id, email="someone@other.example")
    batch = stage(other_org, boss, "First Name,Email\nAnn,ann@example.com\n")
    for path in ("changes", "leavers", "undo"):
        assert signed_in.get(f"/users/import/{batch.id}/{path}").status_code == 404
    assert signed_in.post(f"/users/import/{batch.id}/undo").status_code == 404
    assert signed_in.post(f"/users/import/{batch.id}/mode", data={"mode": "update"}).status_code == 404


def test_the_users_banner_reports_updates_unchanged_and_deactivations(signed_in, org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    make_user(email="gone@example.com")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n"
                  "Dee,D,dee@example.com\n", mode="add_update", deactivate_missing=True)
    creating.create_users(batch.id, admin.id)
    page = signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True)
    text = " ".join(page.split())
    assert "3 lines read. 1 user created; 1 updated; 1 unchanged (already up to date)." in text
    assert "1 person not in the file was deactivated." in text


def test_a_plain_add_import_does_not_load_a_changes_preview(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Mode: Add new people" in page and f"/users/import/{batch.id}/changes" not in page


def test_row_badges_follow_the_mode_before_and_after_create_users(signed_in, org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n",
                  mode="add_update")
    before = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert "Matches an account" in before and "Already has an account</span>" not in before
    creating.create_users(batch.id, admin.id)
    after = signed_in.get(f"/users/import/{batch.id}?filter=all").get_data(as_text=True)
    assert ">Updated</span>" in after and ">Unchanged</span>" in after and ">Failed</span>" not in after


def test_group_series_and_status_columns_show_only_when_the_file_has_them(signed_in, org, admin):
    plain = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    page = signed_in.get(f"/users/import/{plain.id}").get_data(as_text=True)
    assert ">Group</th>" not in page and ">Series</th>" not in page and ">Active</th>" not in page
    full = stage(org, admin, "First Name,Email,Group,Status\nAnn,ann@example.com,Nowhere,left\n")
    page = signed_in.get(f"/users/import/{full.id}").get_data(as_text=True)
    # The file's Status is headed "Active" in the table, beside the row's own "Status and problems".
    assert ">Group</th>" in page and ">Active</th>" in page and ">Status</th>" not in page and ">Series</th>" not in page
    # The unknown group's cell is marked as the one holding the row's problem.
    assert 'cell-problem" title="Nowhere"><span class="clamp">Nowhere</span><span class="visually-hidden">, problem</span></td>' in page
    assert 'title="inactive"><span class="clamp">inactive</span></td>' in page
    assert "No group called “Nowhere” (Group column)" in page


def test_ticking_create_missing_groups_on_the_staged_table_clears_the_problem(signed_in, org, admin):
    batch = stage(org, admin, "First Name,Email,Group\nAnn,ann@example.com,Nowhere\n")
    assert "No group called" in signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    signed_in.post(f"/users/import/{batch.id}/mode", data={"mode": "add", "create_missing_groups": "y"})
    assert "No group called" not in signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert creating.create_users(batch.id, admin.id).created == 1
