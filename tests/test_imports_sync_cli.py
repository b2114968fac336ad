"""`flask users import --mode ... --deactivate-missing` and `flask users undo-import BATCH_ID`."""
from __future__ import annotations

import json

from sqlalchemy import select

from tests.test_imports_sync import by_email
from webapp.extensions import db
from webapp.models import ImportBatch, User


def run(runner, tmp_path, text, *args):
    path = tmp_path / "people.csv"
    path.write_text(text)
    return runner.invoke(args=["users", "import", str(path), "--org", "acme", *args])


def test_add_update_json_reports_batch_counts_and_changes(runner, tmp_path, org, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    make_user(email="gone@example.com")
    result = run(runner, tmp_path, "First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n"
                 "Dee,D,dee@example.com\n", "--mode", "add-update", "--deactivate-missing", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["unchanged"], report["deactivated"]) == (1, 1, 1, 1)
    assert db.session.get(ImportBatch, report["batch_id"]).mode == "add_update"
    changes = {row["email"]: row["changes"] for row in report["rows"]}
    assert changes["ann@example.com"] == {"last_name": ["Old", "New"]}
    assert changes["cy@example.com"] == {}
    assert by_email(org, "ann@example.com").last_name == "New"
    assert not by_email(org, "gone@example.com").is_active_account


def test_dry_run_reports_what_would_change_and_changes_nothing(runner, tmp_path, org, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    result = run(runner, tmp_path, "First Name,Last Name,Email\nAnn,New,ann@example.com\n",
                 "--mode", "update", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Would update: 1. Unchanged: 0. Would deactivate: 0." in result.stdout
    assert "line 2: Last name: Old → New" in result.stdout
    assert by_email(org, "ann@example.com").last_name == "Old"


def test_undo_import_prints_what_was_undone_then_refuses_a_second_time(runner, tmp_path, org):
    result = run(runner, tmp_path, "First Name,Email\nAnn,ann@example.com\nBob,bob@example.com\n", "--json")
    batch_id = json.loads(result.stdout)["batch_id"]
    undone = runner.invoke(args=["users", "undo-import", str(batch_id)])
    assert undone.exit_code == 0, undone.output
    assert "2 accounts removed, 0 fields put back, 0 group memberships and 0 enrolments removed, " \
           "0 people reactivated, 0 unsent emails cancelled." in undone.stdout
    assert db.session.scalar(select(User).where(User.email == "ann@example.com")) is None
    again = runner.invoke(args=["users", "undo-import", str(batch_id)])
    assert again.exit_code == 2
    assert "already undone" in again.stderr and len(again.stderr.strip().splitlines()) == 1


def test_undo_import_of_an_unknown_batch_says_so(runner, org):
    result = runner.invoke(args=["users", "undo-import", "999"])
    assert result.exit_code == 2 and "No import has the id 999." in result.stderr


def test_update_only_fails_unknown_people_and_guest_promotions_with_their_reasons(runner, tmp_path, org, make_user):
    from webapp.models import AccountType

    make_user(email="guest@example.com", account_type=AccountType.GUEST)
    result = run(runner, tmp_path, "First Name,Email,Account Type\nGia,guest@example.com,Admin\n"
                 "New,new@example.com,User\n", "--mode", "update", "--json")
    report = json.loads(result.stdout)
    errors = {row["email"]: row["errors"] for row in report["rows"]}
    assert errors["guest@example.com"] == ["A Guest cannot become an Admin or a Team Manager."]
    assert "No account with this email address." in errors["new@example.com"][0]
    assert (report["created"], report["updated"]) == (0, 0)
    assert by_email(org, "new@example.com") is None
    assert by_email(org, "guest@example.com").account_type == AccountType.GUEST.value


def test_group_series_and_status_columns_from_the_command_line(runner, tmp_path, org, admin, make_user):
    from webapp.enrolments.services import create_series
    from webapp.models import Group, GroupMember

    create_series(org.id, admin, name="Safety", description="")
    make_user(email="left@example.com")
    text = ("First Name,Email,Group,Series,Status\nAnn,ann@example.com,Night shift,Safety,active\n"
            "Lou,left@example.com,,,left\nBo,bo@example.com,,Nowhere,\n")
    refused = json.loads(run(runner, tmp_path, text, "--mode", "add-update", "--dry-run", "--json").stdout)
    errors = {row["email"]: row["errors"] for row in refused["rows"]}
    assert errors["ann@example.com"] == ["No group called “Night shift” (Group column). Tick Create missing "
                                         "groups, or correct the name."]
    assert errors["bo@example.com"] == ["No series called “Nowhere” (Series column). Create it under Series "
                                        "first, or correct the name."]
    report = json.loads(run(runner, tmp_path, text, "--mode", "add-update", "--create-groups", "--json").stdout)
    assert (report["created"], report["updated"]) == (1, 1)
    assert report["columns"]["groups"] == "Group" and report["columns"]["account_status"] == "Status"
    night = db.session.scalar(select(Group).where(Group.org_id == org.id, Group.name == "Night shift"))
    assert db.session.get(GroupMember, (night.id, by_email(org, "ann@example.com").id)) is not None
    assert not by_email(org, "left@example.com").is_active_account
    assert by_email(org, "bo@example.com") is None


def test_undo_import_of_one_person_says_so_in_the_singular(runner, tmp_path, org):
    result = run(runner, tmp_path, "First Name,Email\nAnn,ann@example.com\n", "--json")
    undone = runner.invoke(args=["users", "undo-import", str(json.loads(result.stdout)["batch_id"])])
    assert "1 account removed, 0 fields put back" in undone.stdout
