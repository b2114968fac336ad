"""Bulk inserts of plain row dicts: COPY on PostgreSQL, the DB-API's executemany on SQLite; never an ORM object."""
from __future__ import annotations

import json

from sqlalchemy import JSON, Table, insert

from webapp.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name not in ("sqlite", "postgresql"):
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    # JSON columns go as JSON text (None as JSON null, as SQLAlchemy writes it); the driver adapts the rest.
    json_at = [index for index, name in enumerate(names) if isinstance(table.c[name].type, JSON)]
    insert_values(table, names, (_values(row, names, json_at) for row in rows))


def insert_values(table: Table, names: list[str], values) -> None:
    """SQLite or PostgreSQL: insert rows given as sequences of DB-API values in `names` order, JSON as its text."""
    connection = db.session.connection()
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    if connection.dialect.name == "sqlite":
        # Plain tuples to the DB-API: SQLAlchemy's per-row parameter processing was most of the cost.
        statement = f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})'
        cursor.executemany(statement, values)
        return
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


# Most rows have no problems and no extra values: their JSON is known without encoding it again.
_EMPTY_JSON = {type(None): "null", list: "[]", dict: "{}"}


def json_text(value) -> str:
    """A JSON column's text for a value, as SQLAlchemy would write it (None as JSON null)."""
    return _EMPTY_JSON[type(value)] if not value and type(value) in _EMPTY_JSON else json.dumps(value)


def _values(row: dict, names: list[str], json_at: list[int]) -> list:
    values = [row[name] for name in names]
    for index in json_at:
        values[index] = json_text(values[index])
    return values
