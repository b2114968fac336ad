"""Bulk inserts of plain row dicts: COPY on PostgreSQL, one executemany of a Core insert elsewhere."""
from __future__ import annotations

import json

from sqlalchemy import JSON, Table, insert

from webapp.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert `rows` (dicts keyed by column name, all with the same keys) into `table` in the session's transaction."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), rows)
        return
    names = list(rows[0])
    # COPY takes JSON columns as JSON text (None as JSON null, as SQLAlchemy writes it); psycopg adapts the rest.
    as_json = [name for name in names if isinstance(table.c[name].type, JSON)]
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            if as_json:
                row = {**row, **{name: json.dumps(row[name]) for name in as_json}}  # None as JSON null, like SQLAlchemy
            copy.write_row([row[name] for name in names])
