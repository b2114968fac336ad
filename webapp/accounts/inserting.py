"""Insert many accounts at once, skipping anyone who got an account meanwhile (no database error)."""
from __future__ import annotations

from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.dialects import postgresql, sqlite

from webapp import bulk
from webapp.extensions import db
from webapp.models import User

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
_STAGE = "new_users"  # PostgreSQL: the temporary table a chunk of accounts is copied into first


def insert_new_users(rows: list[dict]) -> set[str]:
    """Insert the accounts (dicts keyed by User attribute); return the emails inserted (the others exist)."""
    if not rows:
        return set()
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copy_then_insert(rows)
    # ON CONFLICT on the (org_id, email) unique constraint: a person another admin or import
    # created a moment ago is skipped, waiting for that transaction rather than failing ours.
    statement = (_INSERTS[dialect](User).on_conflict_do_nothing(index_elements=["org_id", "email"])
                 .returning(User.email))
    return set(db.session.scalars(statement, rows))


def _copy_then_insert(rows: list[dict]) -> set[str]:
    """PostgreSQL: COPY the accounts into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.

    A multi-row INSERT of 10,000 accounts spent most of its time in the driver adapting parameters.
    """
    users = User.__table__
    by_key = {attr.key: attr.columns[0].name for attr in User.__mapper__.column_attrs}
    values = [{by_key[key]: value for key, value in row.items()} for row in rows]
    # Column defaults that run in Python (search_text, ...) are computed here, as an INSERT would.
    missing = [c for c in users.c if c.name not in values[0] and c.default is not None and not c.primary_key]
    for row in values:
        context = _Parameters(row)
        for column in missing:
            row[column.name] = column.default.arg if column.default.is_scalar else column.default.arg(context)
    names = list(values[0])
    columns = ", ".join(f'"{name}"' for name in names)
    connection = db.session.connection()
    connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "
                            f"SELECT {columns} FROM users WITH NO DATA"))
    bulk.insert_rows(Table(_STAGE, MetaData(), *(Column(name, users.c[name].type) for name in names)), values)
    return set(connection.execute(text(
        f"INSERT INTO users ({columns}) SELECT {columns} FROM {_STAGE} "
        "ON CONFLICT (org_id, email) DO NOTHING RETURNING email")).scalars())


class _Parameters:
    """Stands in for the execution context a Python column default reads its row from."""

    def __init__(self, row: dict):
        self.row = row

    def get_current_parameters(self) -> dict:
        return self.row
