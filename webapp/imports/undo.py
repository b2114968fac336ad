"""Undo an import: remove the accounts it created (never signed in), reverse its updates, links and deactivations.

One transaction with a fixed number of statements, audited, and summarised by email to the admin.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError

from webapp import audit
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import leavers, statistics
from webapp.mail.outbox import queue, render_email
from webapp.models import (
    BatchStatus,
    EffectKind,
    Enrolment,
    Group,
    GroupMember,
    ImportBatch,
    ImportEffect,
    ImportUndo,
    Organisation,
    User,
)
from webapp.accounts.membership import sync_all_org_users

# The report keeps (and the email and page list) at most this many people who could not be undone.
LIST_LIMIT = 200
FIELDS = ("first_name", "last_name", "account_type")
FIELD_LABELS = {"first_name": "first name", "last_name": "last name", "account_type": "account type"}
SIGNED_IN = "Signed in since the import, so the account stays."


class UndoRefused(ValueError):
    """The import cannot be undone now; str(error) says why."""


@dataclass
class UndoReport:
    batch_id: int
    removed: int = 0
    kept: int = 0
    fields_restored: int = 0
    memberships_removed: int = 0
    groups_removed: int = 0
    enrolments_removed: int = 0
    reactivated: int = 0
    deactivated: int = 0
    mail_cancelled: int = 0
    not_undone_count: int = 0
    # [{"email", "name", "reason"}], the first LIST_LIMIT
    not_undone: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def undo_deadline(batch: ImportBatch) -> datetime | None:
    """Until when the batch can be undone (None when it has not finished)."""
    if batch.finished_at is None:
        return None
    return batch.finished_at + timedelta(days=current_app.config["IMPORT_UNDO_DAYS"])


def refusal(batch: ImportBatch) -> str | None:
    """Why this batch cannot be undone now, or None when it can."""
    if batch.status != BatchStatus.DONE:
        return "Only a finished import can be undone: nothing has been created or changed yet."
    done = db.session.get(ImportUndo, batch.id)
    if done is not None:
        return f"This import was already undone on {done.undone_at:%d %b %Y at %H:%M} UTC."
    deadline = undo_deadline(batch)
    if deadline is not None and utcnow() > deadline:
        days = current_app.config["IMPORT_UNDO_DAYS"]
        return (f"An import can be undone for {days} days after it finished; this one finished on "
                f"{batch.finished_at:%d %b %Y}. Change the people one by one instead.")
    return None


def undone(batch: ImportBatch) -> ImportUndo | None:
    """The record of this batch's undo, if it was undone."""
    return db.session.get(ImportUndo, batch.id)


def undo_import(batch_id: int, actor_id: int | None) -> UndoReport:
    """Undo everything the batch did that can still be undone; raise UndoRefused when it cannot start."""
    batch = db.session.get(ImportBatch, batch_id)
    reason = refusal(batch)
    if reason:
        raise UndoRefused(reason)
    # Claim first: a second undo of the same batch fails on the primary key and changes nothing.
    db.session.add(ImportUndo(batch_id=batch.id, actor_id=actor_id, undone_at=utcnow(), report={}))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise UndoRefused("This import is already being undone.") from None
    report = UndoReport(batch_id=batch.id)
    try:
        _remove_created(batch, report)
        _restore_fields(batch, report)
        _remove_links(batch, report)
        _reverse_activations(batch, report)
    except IntegrityError as exc:
        # Something else now points at a person the import created: undo nothing, say so.
        db.session.rollback()
        raise UndoRefused("Nothing was undone: some of the people this import created are now "
                          f"referred to elsewhere ({type(exc.orig).__name__}). Remove them one by one "
                          "instead.") from None
    report.not_undone_count = len(report.not_undone)
    report.not_undone = report.not_undone[:LIST_LIMIT]
    db.session.execute(update(ImportUndo).where(ImportUndo.batch_id == batch.id)
                       .values(report=report.as_dict()))
    audit.record_import_undone(batch, actor_id)  # each person still here: their page says so
    audit.record(batch.org_id, actor_id, "users.import_undone", target_type="import_batch",
                 target_id=batch.id, **{k: v for k, v in report.as_dict().items() if k != "not_undone"})
    actor = db.session.get(User, actor_id) if actor_id else None
    if actor is not None:
        undone_email(db.session.get(Organisation, batch.org_id), actor, batch, report)
    db.session.commit()
    statistics.refresh_after(report.removed + report.fields_restored + report.memberships_removed
                             + report.enrolments_removed + report.reactivated + report.deactivated)
    return report


def _effects(batch: ImportBatch, kind: str):
    return select(ImportEffect.user_id).where(ImportEffect.batch_id == batch.id, ImportEffect.kind == kind)


def _person(row) -> dict:
    return {"email": row.email, "name": " ".join(p for p in (row.first_name, row.last_name) if p)}


def _remove_created(batch: ImportBatch, report: UndoReport) -> None:
    created = _effects(batch, EffectKind.CREATED)
    scope = (User.org_id == batch.org_id, User.id.in_(created))
    kept = db.session.execute(
        select(User.email, User.first_name, User.last_name)
        .where(*scope, User.signed_in_at.is_not(None)).order_by(User.email)).all()
    report.kept = len(kept)
    report.not_undone += [{**_person(row), "reason": SIGNED_IN} for row in kept]
    removable = select(User.id).where(*scope, User.signed_in_at.is_(None))
    report.mail_cancelled = leavers.cancel_waiting_mail(removable)
    db.session.execute(delete(GroupMember).where(GroupMember.user_id.in_(removable))
                       .execution_options(synchronize_session=False))
    db.session.execute(delete(Enrolment).where(Enrolment.user_id.in_(removable))
                       .execution_options(synchronize_session=False))
    report.removed = db.session.execute(
        delete(User).where(*scope, User.signed_in_at.is_(None))
        .execution_options(synchronize_session=False)).rowcount


def _restore_fields(batch: ImportBatch, report: UndoReport) -> None:
    """Each field goes back to its old value unless it changed since (one UPDATE per field)."""
    retyped = []
    for name in FIELDS:
        column = getattr(User, name)
        mine = and_(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.FIELD,
                    ImportEffect.field == name, ImportEffect.user_id == User.id)
        changed = db.session.execute(
            select(User.email, User.first_name, User.last_name, column.label("now"))
            .join(ImportEffect, mine).where(User.org_id == batch.org_id, ImportEffect.new_value != column)
            .order_by(User.email)).all()
        report.not_undone += [
            {**_person(row), "reason": f"Its {FIELD_LABELS[name]} changed since the import "
                                       f"(now “{row.now}”), so it stays."} for row in changed]
        same = select(ImportEffect.id).where(mine, ImportEffect.new_value == column).exists()
        if name == "account_type":
            retyped = list(db.session.scalars(select(User.id).where(User.org_id == batch.org_id, same)))
        old = select(ImportEffect.old_value).where(mine).limit(1).scalar_subquery()
        report.fields_restored += db.session.execute(
            update(User).where(User.org_id == batch.org_id, same).values({name: old, "updated_at": utcnow()})
            .execution_options(synchronize_session=False)).rowcount
    if retyped:
        sync_all_org_users(batch.org_id, retyped)


def _remove_links(batch: ImportBatch, report: UndoReport) -> None:
    membership = exists().where(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.MEMBERSHIP,
                                ImportEffect.user_id == GroupMember.user_id,
                                ImportEffect.group_id == GroupMember.group_id)
    report.memberships_removed = db.session.execute(
        delete(GroupMember).where(membership).execution_options(synchronize_session=False)).rowcount
    made = select(ImportEffect.group_id).where(ImportEffect.batch_id == batch.id,
                                               ImportEffect.kind == EffectKind.GROUP)
    report.groups_removed = db.session.execute(
        delete(Group).where(Group.org_id == batch.org_id, Group.id.in_(made), Group.is_builtin.is_(False),
                            ~exists().where(GroupMember.group_id == Group.id))
        .execution_options(synchronize_session=False)).rowcount
    enrolment = exists().where(ImportEffect.batch_id == batch.id, ImportEffect.kind == EffectKind.ENROLMENT,
                               ImportEffect.user_id == Enrolment.user_id,
                               ImportEffect.series_id == Enrolment.series_id)
    report.enrolments_removed = db.session.execute(
        delete(Enrolment).where(Enrolment.org_id == batch.org_id, enrolment)
        .execution_options(synchronize_session=False)).rowcount


def _reverse_activations(batch: ImportBatch, report: UndoReport) -> None:
    for kind, now_active, back_to in ((EffectKind.DEACTIVATED, False, True),
                                      (EffectKind.REACTIVATED, True, False)):
        changed = db.session.execute(
            update(User).where(User.org_id == batch.org_id, User.id.in_(_effects(batch, kind)),
                               User.is_active_account.is_(now_active))
            .values(is_active_account=back_to, updated_at=utcnow())
            .execution_options(synchronize_session=False)).rowcount
        if back_to:
            report.reactivated = changed
        else:
            report.deactivated = changed


def undone_email(org: Organisation, actor: User, batch: ImportBatch, report: UndoReport):
    """Summary to the admin who undid an import: what was undone and what could not be."""
    text, html = render_email("import_undone", org=org, actor=actor, batch=batch, report=report)
    return queue(org_id=org.id, kind="import_undone", to_address=actor.email, to_user_id=actor.id,
                 subject=f"Import of {batch.filename} undone", text_body=text, html_body=html)


def count_effects(batch: ImportBatch) -> dict:
    """{kind: count} of what the batch did (for the Undo confirmation)."""
    return dict(db.session.execute(
        select(ImportEffect.kind, func.count()).where(ImportEffect.batch_id == batch.id)
        .group_by(ImportEffect.kind)).all())
