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
        return _copy_then_insert(_with_defaults(rows))
    if dialect == "sqlite":
        return _executemany(_with_defaults(rows))
    statement = (_INSERTS[dialect](User).on_conflict_do_nothing(index_elements=["org_id", "email"])
                 .returning(User.email))
    return set(db.session.scalars(statement, rows))


def _with_defaults(rows: list[dict]) -> list[dict]:
    """Rows keyed by column name, with the column defaults that run in Python (search_text, ...) filled in."""
    users = User.__table__
    by_key = {attr.key: attr.columns[0].name for attr in User.__mapper__.column_attrs}
    values = [{by_key[key]: value for key, value in row.items()} for row in rows]
    # Computed here, as an INSERT would.
    missing = [c for c in users.c if c.name not in values[0] and c.default is not None and not c.primary_key]
    for row in values:
        context = _Parameters(row)
        for column in missing:
            row[column.name] = column.default.arg if column.default.is_scalar else column.default.arg(context)
    return values


def _executemany(values: list[dict]) -> set[str]:
    """SQLite: one executemany of plain tuples, ON CONFLICT (org_id, email) DO NOTHING; no ORM, no RETURNING.

    SQLite has one writer: a person another admin created before this transaction's first write is already
    marked as taken, so a conflict here is rare; only then are the inserted addresses looked up.
    """
    users = User.__table__
    connection = db.session.connection()
    names = list(values[0])
    processors = [(index, users.c[name].type._cached_bind_processor(connection.dialect))
                  for index, name in enumerate(names)]
    processors = [(index, process, {}) for index, process in processors if process is not None]
    before = connection.execute(text("SELECT max(id) FROM users")).scalar() or 0
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.executemany(
        f"INSERT INTO users ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        "ON CONFLICT (org_id, email) DO NOTHING",
        (_processed([row[name] for name in names], processors) for row in values))
    if cursor.rowcount == len(values):
        return {row["email"] for row in values}
    wanted = {row["email"] for row in values}
    return {email for email in connection.execute(
        text("SELECT email FROM users WHERE id > :before"), {"before": before}).scalars() if email in wanted}


def _processed(row: list, processors: list) -> list:
    """The DB-API value of each column, as SQLAlchemy would bind it (a datetime's text is made once)."""
    for index, process, made in processors:
        value = row[index]
        try:
            row[index] = made[value]
        except KeyError:
            row[index] = made[value] = process(value)
        except TypeError:  # not hashable (a JSON value)
            row[index] = process(value)
    return row


def _copy_then_insert(values: list[dict]) -> set[str]:
    """PostgreSQL: COPY the accounts into a temporary table, then one INSERT ... SELECT ... ON CONFLICT DO NOTHING.

    A multi-row INSERT of 10,000 accounts spent most of its time in the driver adapting parameters.
    """
    users = User.__table__
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
