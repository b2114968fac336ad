"""Account type and Send Invite of staged rows: set for every row at once (kept in the batch) or per row.

Writing a choice into all 100,000 rows costs more than a request may take (150 ms and up on PostgreSQL),
so the batch keeps a value set for every row, with a generation number: it holds for each row whose
own value is older (row *_gen below the batch's all_*_gen). Readers take the value a row shows from
account_type()/send_invite() in SQL, or show() for rows already loaded.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, literal, select, update
from sqlalchemy.orm.attributes import set_committed_value

from webapp.extensions import db
from webapp.models import BulkUndo, ImportBatch, StagedRow

# column -> (the row's own gen column, the batch's value column, the batch's gen column)
COLUMNS = {
    "account_type": (StagedRow.type_gen, ImportBatch.all_account_type, ImportBatch.all_type_gen),
    "send_invite": (StagedRow.invite_gen, ImportBatch.all_send_invite, ImportBatch.all_invite_gen),
}

# updated_at left as it was: it stamps the batch's kept row counts (row_counts.py), which a choice never changes.
_SAME_TIME = {"updated_at": ImportBatch.updated_at}


@dataclass(frozen=True)
class Kept:
    """A batch's generation counter and its values set for every row (gen 0: never set)."""

    gen: int
    values: dict  # column -> (value, gen)

    def value(self, column: str):
        """SQL for the value rows show in `column`."""
        own = getattr(StagedRow, column)
        value, gen = self.values[column]
        if not gen:
            return own
        return case((COLUMNS[column][0] < gen, literal(value, own.type)), else_=own)


def kept(batch_id: int) -> Kept:
    """The batch's values set for every row, read now."""
    found = db.session.execute(select(ImportBatch.choice_gen, ImportBatch.all_account_type, ImportBatch.all_type_gen,
                                      ImportBatch.all_send_invite, ImportBatch.all_invite_gen)
                               .where(ImportBatch.id == batch_id)).one()
    return Kept(found[0], {"account_type": (found[1], found[2]), "send_invite": (found[3], found[4])})


def account_type(batch_id: int):
    """SQL for the account type each row of the batch will be created with (labelled account_type)."""
    return kept(batch_id).value("account_type").label("account_type")


def send_invite(batch_id: int):
    """SQL for each row's Send Invite & Password tick (labelled send_invite)."""
    return kept(batch_id).value("send_invite").label("send_invite")


def show(batch_id: int, rows):
    """Give loaded rows the values they show, without marking them changed; returns the rows."""
    now = kept(batch_id)
    for column, (value, gen) in now.values.items():
        gen_key = COLUMNS[column][0].key
        for row in rows:
            if gen and getattr(row, gen_key) < gen:
                set_committed_value(row, column, value)
    return rows


def set_all(batch_id: int, column: str, value) -> dict:
    """Keep `value` for every row in the batch (rows set later win); returns what it replaced, for an undo."""
    now = kept(batch_id)
    gen = now.gen + 1
    _, value_column, gen_column = COLUMNS[column]
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values({"choice_gen": gen, value_column.key: value, gen_column.key: gen, **_SAME_TIME})
                       .execution_options(synchronize_session=False))
    previous, previous_gen = now.values[column]
    return {"column": column, "value": previous, "gen": previous_gen}


def put_back(batch_id: int, replaced: dict) -> None:
    """Undo set_all: the batch's value and generation before it."""
    _, value_column, gen_column = COLUMNS[replaced["column"]]
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values({value_column.key: replaced["value"], gen_column.key: replaced["gen"], **_SAME_TIME})
                       .execution_options(synchronize_session=False))


def forget(batch_id: int) -> None:
    """Drop the values set for every row, and their undo (the rows are staged afresh)."""
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                       .values(all_account_type=None, all_type_gen=0, all_send_invite=None, all_invite_gen=0)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(BulkUndo).where(BulkUndo.batch_id == batch_id).values(undone=True)
                       .execution_options(synchronize_session=False))


def settle(batch_id: int, columns=tuple(COLUMNS)) -> None:
    """Write the values set for every row into the rows they hold for (before a change that writes
    those columns without generations, such as a registered bulk action)."""
    now = kept(batch_id)
    for column in columns:
        value, gen = now.values.get(column, (None, 0))
        if gen:
            gen_column = COLUMNS[column][0]
            db.session.execute(update(StagedRow).where(StagedRow.batch_id == batch_id, gen_column < gen)
                               .values({column: value, gen_column.key: now.gen})
                               .execution_options(synchronize_session=False))
