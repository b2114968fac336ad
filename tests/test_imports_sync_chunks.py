"""An update import applied a chunk of planned changes at a time: the same people, groups, enrolments and
statuses as in one go, each new group made once, and an undo that reverses it all."""
from __future__ import annotations

import csv
import io

from sqlalchemy import func, select

from webapp.enrolments.services import create_series
from webapp.extensions import db
from webapp.imports import creating, outcomes, staging, sync, undo
from webapp.models import Enrolment, Group, GroupMember, OutboxMessage, User

FILE = """First Name,Last Name,Email,Groups,Series,Status
P0,New,p0@example.com,Night shift,Safety,active
P1,New,p1@example.com,night SHIFT,,inactive
P2,Old,p2@example.com,Sales,Safety,
P3,New,p3@example.com,Night Shift;Sales,,
N4,New,n4@example.com,Sales,Safety,
N5,New,n5@example.com,Night shift,,
"""


def person(org, email) -> User:
    return db.session.scalar(select(User).where(User.org_id == org.id, User.email == email))


def members(group_name) -> set[str]:
    return set(db.session.scalars(select(User.email).join(GroupMember, GroupMember.user_id == User.id)
                                  .join(Group, Group.id == GroupMember.group_id).where(Group.name == group_name)))


def test_an_update_import_applied_two_changes_at_a_time_does_everything_once_and_undoes(app, org, admin,
                                                                                       make_user, monkeypatch):
    app.config["IMPORT_CHUNK_ROWS"] = 2
    monkeypatch.setattr(outcomes, "PAGE_ROWS", 2)  # the summary says what changed a page of lines at a time
    for n in range(4):
        make_user(email=f"p{n}@example.com", first_name=f"P{n}", last_name="Old")
    person(org, "p0@example.com").is_active_account = False
    safety = create_series(org.id, admin, name="Safety", description="")
    db.session.commit()
    batch = staging.stage_upload(org.id, admin.id, "people.csv", FILE.encode(), max_bytes=10**6, ttl_days=7)
    sync.configure(batch, mode="add_update", deactivate_missing=False, create_missing_groups=True)
    db.session.commit()

    result = creating.create_users(batch.id, admin.id)

    assert result.ok and result.created == 2, result.error
    db.session.expire_all()
    made = db.session.scalars(select(Group.name).where(Group.org_id == org.id, Group.is_builtin.is_(False)))
    assert sorted(made) == ["Night shift", "Sales"]  # named in three chunks, made once each
    assert members("Night shift") == {"p0@example.com", "p1@example.com", "p3@example.com", "n5@example.com"}
    assert members("Sales") == {"p2@example.com", "p3@example.com", "n4@example.com"}
    enrolled = set(db.session.scalars(select(User.email).join(Enrolment, Enrolment.user_id == User.id)
                                      .where(Enrolment.series_id == safety.id)))
    assert enrolled == {"p0@example.com", "p2@example.com", "n4@example.com"}
    assert [person(org, f"p{n}@example.com").last_name for n in range(4)] == ["New", "New", "Old", "New"]
    assert person(org, "p0@example.com").is_active_account and not person(org, "p1@example.com").is_active_account
    summary = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "created_users_summary"))
    said = [(row["Email Address"], row["Outcome"], row["Reason"])
            for row in csv.DictReader(io.StringIO(summary.attachments[0].content.decode("utf-8-sig")))]
    assert said[:3] == [
        ("p0@example.com", "Updated",
         "Last name: Old \u2192 New; Status: Inactive \u2192 Active; Groups: + Night shift; Series: + Safety"),
        ("p1@example.com", "Updated",
         "Last name: Old \u2192 New; Status: Active \u2192 Inactive; Groups: + night SHIFT"),
        ("p2@example.com", "Updated", "Groups: + Sales; Series: + Safety"),
    ]
    assert said[-1] == ("p1@example.com", "Deactivated", "Deactivated by this import.")

    undo.undo_import(batch.id, admin.id)

    db.session.expire_all()
    assert [person(org, f"p{n}@example.com").last_name for n in range(4)] == ["Old"] * 4
    assert not person(org, "p0@example.com").is_active_account and person(org, "p1@example.com").is_active_account
    assert person(org, "n4@example.com") is None and person(org, "n5@example.com") is None
    assert db.session.scalar(select(func.count()).select_from(GroupMember)
                             .join(Group, Group.id == GroupMember.group_id).where(Group.is_builtin.is_(False))) == 0
