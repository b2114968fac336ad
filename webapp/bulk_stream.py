"""Rows inserted as they are made: one COPY kept open on PostgreSQL, so the server stores while Python works."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial

from sqlalchemy import Table

from webapp import bulk
from webapp.extensions import db


@contextmanager
def inserting(table: Table, names: list[str]) -> Iterator[Callable]:
    """A function taking rows (sequences of DB-API values in `names` order) to insert, in the session's transaction.

    On PostgreSQL every call writes into one COPY, open until the block ends: the server indexes rows already
    sent while the caller makes the next ones, instead of each batch waiting for the last. Nothing else may use
    the session's connection inside the block. Elsewhere each call is one bulk.insert_values.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        yield partial(bulk.insert_values, table, names)
        return
    columns = ", ".join(f'"{name}"' for name in names)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        write_row = copy.write_row

        def write(rows) -> None:
            for row in rows:
                write_row(row)
        yield write
