"""Undo an import: created accounts removed, updates, links and deactivations reversed, the rest listed."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.test_imports_sync import by_email, run, stage
from webapp.clock import utcnow
from webapp.enrolments.services import create_series
from webapp.extensions import db
from webapp.imports import undo
from webapp.models import (
    AuditEvent,
    Enrolment,
    Group,
    GroupMember,
    ImportBatch,
    OutboxMessage,
    StagedRow,
    User,
)


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_undo_removes_created_people_who_never_signed_in_and_cancels_their_mail(org, admin):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,bob@example.com\nCy,cy@example.com\n")
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id).values(send_invite=True))
    db.session.commit()
    run(batch, admin)
    bob = by_email(org, "bob@example.com")
    bob.signed_in_at = utcnow()
    db.session.commit()
    report = undo.undo_import(batch.id, admin.id)
    assert (report.removed, report.kept) == (2, 1)
    assert by_email(org, "ann@example.com") is None and by_email(org, "cy@example.com") is None
    assert by_email(org, "bob@example.com") is not None
    assert report.not_undone == [{"email": "bob@example.com", "name": "Bob", "reason": undo.SIGNED_IN}]
    welcomes = {m.to_address: m.status for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "welcome"))}
    assert welcomes["ann@example.com"] == "cancelled" and welcomes["bob@example.com"] in ("queued", "kept")
    assert count(AuditEvent, AuditEvent.action == "users.import_undone") == 1


def test_undo_puts_fields_back_unless_changed_since_and_reverses_links_and_deactivations(org, admin, make_user):
    make_user(email="ann@example.com", first_name="Ann", last_name="Old")
    cy = make_user(email="cy@example.com", first_name="Cy", last_name="Before")
    make_user(email="gone@example.com")
    db.session.add(Group(org_id=org.id, name="Sales"))
    db.session.commit()
    series = create_series(org.id, admin, name="Safety", description="")
    batch = stage(org, admin, "First Name,Last Name,Email,Group,Series\nAnn,New,ann@example.com,Sales;Night,Safety\n"
                  "Cy,After,cy@example.com,,\n", mode="add_update", deactivate_missing=True, create_groups=True)
    run(batch, admin)
    assert not by_email(org, "gone@example.com").is_active_account
    assert count(Enrolment, Enrolment.series_id == series.id) == 1
    cy = by_email(org, "cy@example.com")
    cy.last_name = "Edited by hand"
    db.session.commit()

    report = undo.undo_import(batch.id, admin.id)

    assert by_email(org, "ann@example.com").last_name == "Old"
    assert by_email(org, "cy@example.com").last_name == "Edited by hand"
    assert report.not_undone[0]["email"] == "cy@example.com"
    assert "last name changed since the import (now “Edited by hand”)" in report.not_undone[0]["reason"]
    assert by_email(org, "gone@example.com").is_active_account
    assert count(Enrolment, Enrolment.series_id == series.id) == 0
    assert count(Group, Group.name == "Night") == 0  # the import made it; it is empty again
    sales = db.session.scalar(select(Group).where(Group.name == "Sales"))
    assert count(GroupMember, GroupMember.group_id == sales.id) == 0
    assert (report.fields_restored, report.reactivated, report.memberships_removed,
            report.enrolments_removed, report.groups_removed) == (1, 1, 2, 1, 1)
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "import_undone"))
    assert mail.to_address == admin.email
    assert "could not be undone" in mail.text_body and "cy@example.com" in mail.text_body


def test_status_changes_are_reversed(org, admin, make_user):
    person = make_user(email="p@example.com", first_name="P")
    person.is_active_account = False
    db.session.commit()
    batch = stage(org, admin, "First Name,Email,Status\nP,p@example.com,active\n", mode="update")
    run(batch, admin)
    assert by_email(org, "p@example.com").is_active_account
    undo.undo_import(batch.id, admin.id)
    assert not by_email(org, "p@example.com").is_active_account


@pytest.mark.parametrize("situation, message", [
    ("staged", "Only a finished import can be undone"),
    ("twice", "already undone"),
    ("too_old", "can be undone for 7 days"),
])
def test_undo_is_refused_with_a_reason(org, admin, situation, message):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\n")
    if situation != "staged":
        run(batch, admin)
    if situation == "twice":
        undo.undo_import(batch.id, admin.id)
    if situation == "too_old":
        db.session.execute(db.update(ImportBatch).where(ImportBatch.id == batch.id)
                           .values(finished_at=utcnow() - timedelta(days=8)))
        db.session.commit()
    with pytest.raises(undo.UndoRefused, match=message):
        undo.undo_import(batch.id, admin.id)


def test_undo_is_one_transaction_and_set_based(org, admin):
    """The statement count does not grow with the number of people."""
    from sqlalchemy import event

    def statements(n):
        lines = "".join(f"P{i},p{n}-{i}@example.com\n" for i in range(n))
        batch = stage(org, admin, "First Name,Email\n" + lines, name=f"f{n}.csv")
        run(batch, admin)
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            report = undo.undo_import(batch.id, admin.id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert report.removed == n
        return len(seen)

    assert statements(3) == statements(70)
    assert count(User, User.email.like("p%")) == 0


def test_undo_that_cannot_finish_undoes_nothing_and_says_why(org, admin, make_user):
    batch = stage(org, admin, "First Name,Email\nAnn,ann@example.com\nBob,bob@example.com\n")
    run(batch, admin)
    # Someone else's account now records Ann as its creator: she cannot simply be removed.
    make_user(email="later@example.com", created_by_id=by_email(org, "ann@example.com").id)
    with pytest.raises(undo.UndoRefused, match="Nothing was undone"):
        undo.undo_import(batch.id, admin.id)
    assert by_email(org, "bob@example.com") is not None
    assert undo.undone(db.session.get(ImportBatch, batch.id)) is None
