"""Many values bound as one: a PostgreSQL array, or a JSON list SQLite reads with json_each.

Lists of placeholders cost a statement per 500 values (every database's limit of bound values), and psycopg
parses a statement of 500 placeholders anew each time (~4 ms)."""
from __future__ import annotations

import json

from sqlalchemy import Integer, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

from webapp.extensions import db


def listed(values, type_):
    """A SELECT of one column: these values (of SQL type `type_`), for `column.in_(...)`."""
    values = list(values)
    if db.engine.dialect.name == "postgresql":
        return select(func.unnest(bindparam(None, values, type_=ARRAY(type_))))
    return select(func.json_each(bindparam(None, json.dumps(values))).table_valued("value").c.value)


def ids_in(column, ids):
    """A where-clause: `column` is one of these ids. PostgreSQL hashes an array given as a value (it walks one
    built by a subquery row by row); SQLite reads the JSON list once."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(ids), type_=ARRAY(Integer)))
    return column.in_(listed(ids, Integer))


def found_by_key(column, ids):
    """A where-clause: the primary key `column` is one of the ids a one-column SELECT gives, each row fetched by key.
    As IN (subquery), PostgreSQL read every row of the batch to hash-join them (twice the time of a bulk change over
    11,111 rows), where it fetches the ids of an array by key; SQLite, joined (in an UPDATE, UPDATE ... FROM), looks
    them up by key, where IN (subquery) read the whole batch through its status index (3 times slower)."""
    if db.engine.dialect.name == "postgresql":
        return column == any_(func.array(ids.scalar_subquery()))
    found = ids.subquery()
    return column == list(found.c)[0]
