"""Insert many accounts at once, skipping anyone who got an account meanwhile (no database error)."""
from __future__ import annotations

from sqlalchemy import Column, MetaData, Table, bindparam, text
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
    names = list(rows[0])
    return insert_accounts({}, names, [[row[name] for name in names] for row in rows])


def insert_accounts(shared: dict, names: list[str], rows: list[list]) -> set[str]:
    """Insert accounts valued per row in `rows` (User attributes `names`, in order), `shared` the same for all.

    Returns the emails inserted; the others already had an account. Column defaults that run in Python
    (search_text, ...) are computed here, as an INSERT would.
    """
    if not rows:
        return set()
    users = User.__table__
    by_key = {attr.key: attr.columns[0].name for attr in User.__mapper__.column_attrs}
    columns = [by_key[name] for name in names]
    same = {by_key[key]: value for key, value in shared.items()}
    given = set(columns) | set(same)
    for column in users.c:
        if column.name in given or column.default is None or column.primary_key:
            continue
        if column.default.is_scalar:
            same[column.name] = column.default.arg
        else:  # a default computed from the row (search_text): one more value per row
            _fill_default(column, columns, same, rows)
            columns.append(column.name)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return _copy_then_insert(columns, same, rows)
    if dialect == "sqlite":
        return _executemany(columns, same, rows)
    statement = (_INSERTS[dialect](User).on_conflict_do_nothing(index_elements=["org_id", "email"])
                 .returning(User.email))
    return set(db.session.scalars(statement, [dict(zip(columns, row)) | same for row in rows]))


def _fill_default(column, columns: list[str], same: dict, rows: list[list]) -> None:
    """Append a Python column default's value to each row, computed from the row as an INSERT would."""
    context = _Parameters(dict(same))
    for row in rows:
        context.row.update(zip(columns, row))
        row.append(column.default.arg(context))


def _executemany(columns: list[str], same: dict, rows: list[list]) -> set[str]:
    """SQLite: one executemany of plain tuples, ON CONFLICT (org_id, email) DO NOTHING; no ORM, no RETURNING.

    SQLite has one writer: a person another admin created before this transaction's first write is already
    marked as taken, so a conflict here is rare; only then are the inserted addresses looked up.
    """
    users = User.__table__
    connection = db.session.connection()
    # The shared values are bound once; the per-row ones through their column's processor, when it has one.
    shared = [_processor(users.c[name], connection)(value) for name, value in same.items()]
    processors = [(index, process) for index, process in
                  ((index, users.c[name].type._cached_bind_processor(connection.dialect))
                   for index, name in enumerate(columns)) if process is not None]
    names = columns + list(same)
    before = connection.execute(text("SELECT max(id) FROM users")).scalar() or 0
    cursor = connection.connection.dbapi_connection.cursor()
    cursor.executemany(
        f"INSERT INTO users ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        "ON CONFLICT (org_id, email) DO NOTHING",
        (_processed(row, processors) + shared for row in rows))
    email_at = columns.index("email")
    if cursor.rowcount == len(rows):
        return {row[email_at] for row in rows}
    wanted = {row[email_at] for row in rows}
    return {email for email in connection.execute(
        text("SELECT email FROM users WHERE id > :before"), {"before": before}).scalars() if email in wanted}


def _processor(column, connection):
    return column.type._cached_bind_processor(connection.dialect) or (lambda value: value)


def _processed(row: list, processors: list) -> list:
    """The DB-API value of each column that needs one, as SQLAlchemy would bind it."""
    for index, process in processors:
        row[index] = process(row[index])
    return row


def _copy_then_insert(columns: list[str], same: dict, rows: list[list]) -> set[str]:
    """PostgreSQL: COPY the per-row values into a temporary table, then one INSERT ... SELECT ... ON CONFLICT.

    A multi-row INSERT of 10,000 accounts spent most of its time in the driver adapting parameters; the
    values every account shares go in once, as parameters of the INSERT.
    """
    users = User.__table__
    connection = db.session.connection()
    quoted = ", ".join(f'"{name}"' for name in columns)
    connection.execute(text(f"DROP TABLE IF EXISTS pg_temp.{_STAGE}"))
    connection.execute(text(f"CREATE TEMPORARY TABLE {_STAGE} ON COMMIT DROP AS "
                            f"SELECT {quoted} FROM users WITH NO DATA"))
    bulk.insert_values(Table(_STAGE, MetaData(), *(Column(name, users.c[name].type) for name in columns)),
                       columns, rows)
    # Each shared value as a typed parameter: same_0, same_1, ...
    params = [bindparam(f"same_{n}", value, type_=users.c[name].type) for n, (name, value) in enumerate(same.items())]
    selected = [quoted] + [f"CAST(:{param.key} AS {users.c[name].type.compile(connection.dialect)})"
                           for param, name in zip(params, same)]
    inserted = ", ".join([quoted] + [f'"{name}"' for name in same])
    statement = text(
        f"INSERT INTO users ({inserted}) "
        f"SELECT {', '.join(selected)} FROM {_STAGE} ON CONFLICT (org_id, email) DO NOTHING RETURNING email"
    ).bindparams(*params)
    return set(connection.execute(statement).scalars())


class _Parameters:
    """Stands in for the execution context a Python column default reads its row from."""

    def __init__(self, row: dict):
        self.row = row

    def get_current_parameters(self) -> dict:
        return self.row
