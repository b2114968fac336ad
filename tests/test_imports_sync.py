"""Upload modes, Group/Series/Status columns and leavers: what Create Users does to existing people."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from webapp.enrolments.services import create_series, set_archived
from webapp.extensions import db
from webapp.imports import creating, leavers, staging, sync
from webapp.imports.staged import staged_sentences
from webapp.models import (
    AccountType,
    AuditEvent,
    Enrolment,
    Group,
    GroupMember,
    ImportBatch,
    OutboxMessage,
    StagedChange,
    StagedRow,
    User,
)


def stage(org, admin, text: str, *, mode="add", deactivate_missing=False, create_groups=False,
          name="people.csv") -> ImportBatch:
    batch = staging.stage_upload(org.id, admin.id, name, text.encode(), max_bytes=10**6, ttl_days=7)
    sync.configure(batch, mode=mode, deactivate_missing=deactivate_missing,
                   create_missing_groups=create_groups)
    db.session.commit()
    return batch


def run(batch, admin):
    result = creating.create_users(batch.id, admin.id)
    assert result.ok, result.error or result.refused
    return result


def row(batch_id, line) -> StagedRow:
    return db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch_id, StagedRow.line == line))


def by_email(org, email) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.org_id == org.id, User.email == email))


def test_add_mode_still_fails_existing_people_and_changes_nobody(org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ANN@example.com\nBob,B,bob@example.com\n")
    result = run(batch, admin)
    assert (result.created, result.failed) == (1, 1)
    assert by_email(org, "ann@example.com").last_name == "Old"
    assert row(batch.id, 2).failure_reason == creating.ALREADY_HAS_ACCOUNT


def test_plan_shows_old_and_new_and_unchanged_rows_before_anything_happens(org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,CY@Example.com\n"
                  "Dee,D,dee@example.com\n", mode="add_update")
    counts = sync.plan(batch, admin.id)
    db.session.commit()
    assert (counts.update, counts.unchanged, counts.create) == (1, 1, 0)
    change = db.session.scalar(select(StagedChange).where(StagedChange.action == "update"))
    assert change.changes == {"last_name": ["Old", "New"]}
    assert sync.describe(change.changes) == "Last name: Old → New"
    assert by_email(org, "ann@example.com").last_name == "Old"  # nothing applied yet


def test_add_and_update_updates_creates_and_reports_unchanged(org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    make_user(email="cy@example.com", first_name="Cy", last_name="Same")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ann@example.com\nCy,Same,cy@example.com\n"
                  "Dee,D,dee@example.com\n", mode="add_update")
    result = run(batch, admin)
    assert (result.created, result.failed) == (1, 0)
    assert by_email(org, "ann@example.com").last_name == "New"
    assert by_email(org, "dee@example.com") is not None
    assert [row(batch.id, n).status for n in (2, 3, 4)] == ["updated", "unchanged", "created"]
    assert sync.sync_counts(db.session.get(ImportBatch, batch.id)) == {
        "updated": 1, "unchanged": 1, "deactivated": 0}
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    csv_text = summary.attachments[0].content.decode("utf-8-sig")
    assert "Last name: Old → New" in csv_text and "No change." in csv_text
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "users.import_synced"))[
        "updated"] == 1


def test_update_only_never_creates_and_says_why(org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    batch = stage(org, admin, "First Name,Last Name,Email\nAnn,New,ann@example.com\nDee,D,dee@example.com\n",
                  mode="update")
    result = run(batch, admin)
    assert (result.created, result.failed) == (0, 1)
    assert by_email(org, "dee@example.com") is None
    assert row(batch.id, 3).failure_reason == sync.NO_ACCOUNT
    assert by_email(org, "ann@example.com").last_name == "New"


@pytest.mark.parametrize("old_type, new_type, allowed", [
    ("guest", "admin", False),
    ("guest", "team_manager", False),
    ("guest", "user", True),
    ("user", "admin", True),
    ("admin", "user", True),
    ("team_manager", "guest", True),
])
def test_account_type_changes_follow_the_guest_rule(org, admin, make_user, old_type, new_type, allowed):
    make_user(email="p@example.com", account_type=AccountType(old_type))
    batch = stage(org, admin, f"First Name,Last Name,Email,Account Type\nP,Q,p@example.com,{new_type}\n",
                  mode="add_update")
    run(batch, admin)
    person = by_email(org, "p@example.com")
    assert person.account_type == (new_type if allowed else old_type)
    if not allowed:
        assert row(batch.id, 2).failure_reason == sync.GUEST_PROMOTION
    all_org = db.session.scalar(select(Group.id).where(Group.org_id == org.id, Group.is_builtin.is_(True)))
    member = db.session.get(GroupMember, (all_org, person.id)) is not None
    assert member == (person.account_type != "guest")


def test_the_last_active_admin_cannot_be_demoted_or_deactivated(org, admin, make_user):
    # The import runs as a second admin who is inactive: the first admin is the last active one.
    other = make_user(email="boss@example.com", account_type=AccountType.ADMIN)
    other.is_active_account = False
    db.session.commit()
    batch = stage(org, other, "First Name,Email,Account Type,Status\nAda,admin@acme.example,user,active\n", mode="update")
    run(batch, other)
    assert by_email(org, "admin@acme.example").account_type == "admin"
    assert row(batch.id, 2).failure_reason == sync.LAST_ADMIN


def test_an_admin_cannot_deactivate_themself(org, admin, make_user):
    make_user(email="boss@example.com", account_type=AccountType.ADMIN)
    batch = stage(org, admin, "First Name,Email,Status\nAda,admin@acme.example,inactive\n", mode="update")
    run(batch, admin)
    assert by_email(org, "admin@acme.example").is_active_account
    assert row(batch.id, 2).failure_reason == sync.SELF_CHANGE


def test_group_column_adds_people_to_groups_and_unknown_groups_are_row_problems(org, admin, make_user):
    db.session.add(Group(org_id=org.id, name="Sales"))
    db.session.commit()
    batch = stage(org, admin, "First Name,Email,Groups\nAnn,ann@example.com,sales; Nowhere\nBob,bob@example.com,Sales\n")
    assert row(batch.id, 2).status == "invalid"  # a problem on the staged table, before anything happens
    result = run(batch, admin)
    assert result.created == 1 and by_email(org, "ann@example.com") is None
    assert "No group called “Nowhere”" in staged_sentences(row(batch.id, 2))[0]
    sales = db.session.scalar(select(Group).where(Group.name == "Sales"))
    assert db.session.get(GroupMember, (sales.id, by_email(org, "bob@example.com").id)) is not None


def test_create_missing_groups_makes_them(org, admin):
    batch = stage(org, admin, "First Name,Email,Groupe\nAnn,ann@example.com,Night shift;Sales\n"
                  "Bob,bob@example.com,night SHIFT\n", create_groups=True)
    run(batch, admin)
    names = set(db.session.scalars(select(Group.name).where(Group.org_id == org.id, Group.is_builtin.is_(False))))
    assert names == {"Night shift", "Sales"}
    night = db.session.scalar(select(Group).where(Group.name == "Night shift"))
    assert db.session.scalar(select(func.count()).select_from(GroupMember)
                             .where(GroupMember.group_id == night.id)) == 2


def test_series_column_enrols_with_the_enrolment_email_rules(org, admin):
    series = create_series(org.id, admin, name="Safety", description="")
    archived = create_series(org.id, admin, name="Old course", description="")
    set_archived(archived, admin, True)
    batch = stage(org, admin, "First Name,Email,Series\nAnn,ann@example.com,safety\nBob,bob@example.com,Safety\n"
                  "Cy,cy@example.com,Old course\nDi,di@example.com,Unknown\n")
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 2)
                       .values(send_invite=True))
    db.session.commit()
    result = run(batch, admin)
    assert result.created == 2 and [row(batch.id, n).status for n in (4, 5)] == ["invalid", "invalid"]
    assert "archived" in staged_sentences(row(batch.id, 4))[0]
    assert "No series called “Unknown”" in staged_sentences(row(batch.id, 5))[0]
    enrolled = set(db.session.scalars(select(Enrolment.user_id).where(Enrolment.series_id == series.id)))
    assert enrolled == {by_email(org, "ann@example.com").id, by_email(org, "bob@example.com").id}
    # Ann (Send Invite ticked: welcome with password already) gets the plain enrolment email;
    # Bob (tick cleared) has his details sent to the admin, not to him.
    kinds = {(m.kind, m.to_address) for m in db.session.scalars(select(OutboxMessage))}
    assert ("series_enrolment", "ann@example.com") in kinds
    assert ("enrolment_admin_summary", "admin@acme.example") in kinds
    assert not any(to == "bob@example.com" for _, to in kinds)


@pytest.mark.parametrize("word, active", [
    ("active", True), ("Inactive", False), ("yes", True), ("no", False), ("enabled", True),
    ("disabled", False), ("actif", True), ("inactif", False), ("aktiv", True), ("inaktiv", False),
    ("suspended", False), ("left", False),
])
def test_status_column_deactivates_and_reactivates(org, admin, make_user, word, active):
    person = make_user(email="p@example.com")
    person.is_active_account = not active
    db.session.commit()
    batch = stage(org, admin, f"First Name,Email,Status\nTest,p@example.com,{word}\n", mode="update")
    run(batch, admin)
    assert by_email(org, "p@example.com").is_active_account is active
    assert row(batch.id, 2).status == "updated"


def test_an_unknown_status_word_is_a_row_problem(org, admin, make_user):
    make_user(email="p@example.com")
    batch = stage(org, admin, "First Name,Email,Status\nTest,p@example.com,maybe\n", mode="update")
    assert staged_sentences(row(batch.id, 2)) == ["Status “maybe” is not one we know: use active or inactive."]
    run(batch, admin)
    assert row(batch.id, 2).status == "invalid" and by_email(org, "p@example.com").is_active_account


def test_leavers_are_previewed_then_deactivated_never_the_actor_and_their_mail_cancelled(org, admin, make_user):
    make_user(email="stay@example.com")
    gone = make_user(email="gone@example.com", last_name="Gone")
    waiting = OutboxMessage(org_id=org.id, kind="welcome", to_address=gone.email, to_user_id=gone.id,
                            subject="Hi", text_body="x", message_id="<m1@x>", status="queued")
    db.session.add(waiting)
    db.session.commit()
    batch = stage(org, admin, "First Name,Email\nStay,stay@example.com\n", deactivate_missing=True)
    assert leavers.count(batch, admin.id) == 1
    preview = leavers.page(batch, admin.id)
    assert [p.email for p in preview.people] == ["gone@example.com"]
    assert by_email(org, "gone@example.com").is_active_account  # nothing yet
    run(batch, admin)
    assert not by_email(org, "gone@example.com").is_active_account
    assert by_email(org, "stay@example.com").is_active_account
    assert by_email(org, "admin@acme.example").is_active_account
    db.session.refresh(waiting)
    assert waiting.status == "cancelled"
    assert sync.sync_counts(db.session.get(ImportBatch, batch.id))["deactivated"] == 1


def test_plan_is_set_based(org, admin, make_user):
    """The number of statements does not grow with the rows (no query per row)."""
    from sqlalchemy import event

    def statements(count):
        lines = "".join(f"P{i},Q,p{count}-{i}@example.com\n" for i in range(count))
        batch = stage(org, admin, "First Name,Last Name,Email\n" + lines, mode="add_update")
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            run(batch, admin)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements(5) == statements(60)



def test_rows_removed_from_the_staged_table_count_as_not_in_the_file(org, admin, make_user):
    from webapp.imports import table

    make_user(email="kim@example.com", last_name="Kept")
    batch = stage(org, admin, "First Name,Email\nKim,kim@example.com\nLee,lee@example.com\n",
                  deactivate_missing=True)
    assert leavers.count(batch, admin.id) == 0
    table.remove_row(batch, row(batch.id, 2))
    assert [p.email for p in leavers.page(batch, admin.id).people] == ["kim@example.com"]
    table.restore_row(batch, row(batch.id, 2))
    assert leavers.count(batch, admin.id) == 0


@pytest.mark.parametrize("cell, groups_made, members", [
    # Moodle's participants export lists a person's groups with commas.
    ("Group A, Group B", {"Group A", "Group B"}, {"Group A", "Group B"}),
    # A group whose own name has a comma stays one group.
    ("Smith, Jones", {"Smith, Jones"}, {"Smith, Jones"}),
])
def test_a_comma_list_of_groups_is_read_as_groups_unless_one_group_has_that_name(org, admin, cell, groups_made,
                                                                                  members):
    for name in groups_made:
        db.session.add(Group(org_id=org.id, name=name))
    db.session.commit()
    batch = stage(org, admin, f'First Name,Email,Groups\nAnn,ann@example.com,"{cell}"\n')
    assert row(batch.id, 2).status == "valid"  # no "No group called ..." problem
    run(batch, admin)
    ann = by_email(org, "ann@example.com")
    joined = set(db.session.scalars(select(Group.name).join(GroupMember, GroupMember.group_id == Group.id)
                                    .where(GroupMember.user_id == ann.id, Group.is_builtin.is_(False))))
    assert joined == members


def test_a_comma_list_of_unknown_groups_names_each_missing_group_or_creates_each(org, admin):
    db.session.add(Group(org_id=org.id, name="Group A"))
    db.session.commit()
    batch = stage(org, admin, 'First Name,Email,Groups\nAnn,ann@example.com,"Group A, Night shift"\n')
    assert staged_sentences(row(batch.id, 2)) == ["No group called “Night shift” (Group column). Tick Create missing "
                                                  "groups, or correct the name."]
    batch = stage(org, admin, 'First Name,Email,Groups\nBob,bob@example.com,"Group A, Night shift"\n',
                  create_groups=True)
    run(batch, admin)
    names = set(db.session.scalars(select(Group.name).where(Group.org_id == org.id, Group.is_builtin.is_(False))))
    assert names == {"Group A", "Night shift"}
