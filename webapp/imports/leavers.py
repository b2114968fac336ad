"""Leavers: in a full-list import, the active people of the organisation who are not in the file."""
from __future__ import annotations

from sqlalchemy import Select, and_, func, insert, literal, select, update

from webapp.extensions import db
from webapp.imports import removal
from webapp.models import (
    AccountType,
    EffectKind,
    ImportBatch,
    ImportEffect,
    OutboxMessage,
    RowStatus,
    StagedRow,
    User,
)
from webapp.paging import PageNumbers, clamp_page

PER_PAGE = 50
# Mail still waiting to go out; a leaver's is cancelled.
WAITING_MAIL = ("queued", "kept")
CANCELLED = "cancelled"


class LeaverPage(PageNumbers):
    def __init__(self, people: list, total: int, page: int, per_page: int = PER_PAGE):
        self.people, self.total, self.page, self.per_page = people, total, page, per_page


def _in_file(batch: ImportBatch) -> Select:
    """The file's addresses; a row the admin removed from the staged table no longer counts as in it."""
    removal.settle(batch.id)  # the rows' own statuses are read
    return select(StagedRow.email).where(StagedRow.batch_id == batch.id, StagedRow.status != RowStatus.REMOVED)


def leaver_ids(batch: ImportBatch, actor_id: int | None) -> Select:
    """A SELECT of the ids to deactivate: active, not in the file, never the actor nor the last active admin."""
    return select(User.id).where(*_conditions(batch, actor_id))


def _conditions(batch: ImportBatch, actor_id: int | None) -> list:
    conditions = [User.org_id == batch.org_id, User.is_active_account.is_(True),
                  User.email.not_in(_in_file(batch))]
    if actor_id is not None:
        conditions.append(User.id != actor_id)
    admins_staying = db.session.scalar(
        select(func.count()).select_from(User).where(
            User.org_id == batch.org_id, User.is_active_account.is_(True),
            User.account_type == AccountType.ADMIN.value,
            ~and_(*conditions))
    ) or 0
    if not admins_staying:
        # Every active admin would go: keep them all rather than leave nobody to sign in.
        conditions.append(User.account_type != AccountType.ADMIN.value)
    return conditions


def count(batch: ImportBatch, actor_id: int | None) -> int:
    """How many people the import would deactivate."""
    ids = leaver_ids(batch, actor_id).subquery()
    return db.session.scalar(select(func.count()).select_from(ids)) or 0


def page(batch: ImportBatch, actor_id: int | None, page_number: int = 1) -> LeaverPage:
    """One page of the people the import would deactivate, by name."""
    total = count(batch, actor_id)
    page_number = clamp_page(page_number, total, PER_PAGE)
    people = db.session.execute(
        select(User.id, User.first_name, User.last_name, User.email, User.account_type)
        .where(User.id.in_(leaver_ids(batch, actor_id)))
        .order_by(User.last_name, User.first_name, User.email)
        .limit(PER_PAGE).offset((page_number - 1) * PER_PAGE)
    ).all()
    return LeaverPage(people, total, page_number)


def deactivate(batch: ImportBatch, actor_id: int | None) -> int:
    """Deactivate the leavers, recording each for undo, and cancel their waiting mail (four statements)."""
    db.session.execute(insert(ImportEffect).from_select(
        ["batch_id", "kind", "user_id"],
        select(literal(batch.id), literal(EffectKind.DEACTIVATED), User.id)
        .where(*_conditions(batch, actor_id))
    ))
    deactivated = select(ImportEffect.user_id).where(ImportEffect.batch_id == batch.id,
                                                     ImportEffect.kind == EffectKind.DEACTIVATED)
    done = db.session.execute(
        update(User).where(User.id.in_(deactivated), User.is_active_account.is_(True))
        .values(is_active_account=False).execution_options(synchronize_session=False)
    ).rowcount
    cancel_waiting_mail(deactivated)
    return done


def cancel_waiting_mail(user_ids: Select) -> int:
    """Mark the mail not yet sent to these people as cancelled, so the sender never sends it."""
    return db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.to_user_id.in_(user_ids), OutboxMessage.status.in_(WAITING_MAIL))
        .values(status=CANCELLED, next_attempt_at=None,
                last_error="Cancelled: the person was deactivated or removed by an import.")
        .execution_options(synchronize_session=False)
    ).rowcount
