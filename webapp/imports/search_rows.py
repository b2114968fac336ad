"""Staged rows' search text, kept narrow (StagedSearch): searches and deep pages read it, not the rows."""
from __future__ import annotations

from sqlalchemy import delete, func, insert, or_, select, update

from webapp.extensions import db
from webapp.imports import bound
from webapp.models import StagedRow, StagedSearch


def search_text(row=StagedRow, email=None):
    """SQL for a row's search text (with `email`, SQL too, for its address if given)."""
    return func.lower(row.first_name + " " + row.last_name + " " + (row.email if email is None else email))


def write(batch_id: int) -> None:
    """Write the search text of every staged row of a batch (one INSERT ... SELECT, after staging)."""
    rows = select(StagedRow.batch_id, StagedRow.line, StagedRow.id, search_text()).where(
        StagedRow.batch_id == batch_id).order_by(StagedRow.line, StagedRow.id)
    db.session.execute(insert(StagedSearch).from_select(["batch_id", "line", "row_id", "search"], rows))


def refresh(batch_id: int, *clauses) -> None:
    """Write again the search text of the batch's rows the clauses select whose names or email changed
    (one UPDATE ... FROM)."""
    text = search_text()
    db.session.execute(
        update(StagedSearch)
        .where(StagedSearch.batch_id == batch_id, StagedRow.batch_id == batch_id, StagedSearch.line == StagedRow.line,
               StagedSearch.row_id == StagedRow.id, *clauses, StagedSearch.search != text)
        .values(search=text).execution_options(synchronize_session=False))


def by_text() -> bool:
    """Whether the rows a find can change are best found through the search table's text (SQLite): PostgreSQL
    reads the batch's wide rows in one pass faster than it looks 11,000 of them up by id (78 against 121 ms),
    and refreshes their search text faster by the change's undo token than by the text (133 against 168 ms)."""
    return db.engine.dialect.name != "postgresql"


def by_key() -> bool:
    """Whether rewritten rows write their search text by key from what their UPDATE returned (SQLite): one
    executemany over the narrow table's key, where joining the rows again cost twice as much (11,111 rows: 17
    against 35 ms). PostgreSQL binds such a list slowly and joins it by hash: it joins the rows again."""
    return db.engine.dialect.name != "postgresql"


def written_in_change() -> bool:
    """Whether an UPDATE of staged rows writes their search text in the same statement (with_search: PostgreSQL),
    where a second UPDATE joined the batch's rows again (11,111 rows: ~44 ms)."""
    return db.engine.dialect.name == "postgresql"


def with_search(batch_id: int, change, *columns, back=None):
    """One statement: `change` (an UPDATE of the batch's staged rows), the new search text of every row it changed
    written too, and `columns` of those rows given back (PostgreSQL: UPDATEs in WITH). Run it with run_by_key.
    back: what to give back instead, as a function of the changed rows (a CTE of `columns`)."""
    changed = change.returning(*columns, search_text().label("search")).cte("changed")
    searched = (update(StagedSearch)
                .where(StagedSearch.batch_id == batch_id, StagedSearch.line == changed.c.line,
                       StagedSearch.row_id == changed.c.id, StagedSearch.search != changed.c.search)
                .values(search=changed.c.search).cte("searched"))
    given = back(changed) if back else select(*(column for column in changed.c if column.key != "search"))
    return given.add_cte(searched)


# The planner takes the rows a CTE gives for the whole batch, and joins them to the narrow table by reading all of
# it into a hash (11,111 rows: ~35 ms); looked up by key one by one they cost ~12 ms. Unnesting them from arrays
# to look few cost ~6 ms more than the join itself.
_BY_KEY = "SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"
_AS_BEFORE = "RESET enable_hashjoin; RESET enable_mergejoin; RESET plan_cache_mode"
# psycopg prepares a statement run five times, and after five more PostgreSQL may keep one plan for any values: for
# find and replace of 11,111 names that plan cost ~60 -> ~75 ms from the eleventh run on a connection. Planned for
# its values each time, it costs ~4 ms of planning instead (suggested fixes' statement is better left to choose).
_EACH_TIME = ", set_config('plan_cache_mode', 'force_custom_plan', true)"


def run_by_key(statement, *, rows: bool = True, planned_each_time: bool = False) -> list[tuple]:
    """Run a statement of with_search with its joins made by key (PostgreSQL, for this statement only): the rows it
    gives as the driver's plain tuples (`rows`=False: none read); `planned_each_time`: for the values it is given."""
    db.session.flush()
    connection = db.session.connection()
    # (Not put back if the statement fails: the transaction is then rolled back, and the setting with it.)
    connection.exec_driver_sql(_BY_KEY + (_EACH_TIME if planned_each_time else "")).close()
    result = connection.execute(statement)
    # (read from the cursor itself: a result SQLAlchemy had read ahead would have its cursor closed)
    found = result.cursor.fetchall() if rows else []
    result.close()
    connection.exec_driver_sql(_AS_BEFORE).close()
    return found


def write_texts(batch_id: int, texts) -> None:
    """Write the search texts given as (line, row id, text) where they differ (one executemany, by key)."""
    if not texts:
        return
    mark = "?" if db.engine.dialect.paramstyle == "qmark" else "%s"
    # Said as the driver's own SQL: SQLAlchemy builds the parameters of a statement row by row (11,111: ~20 ms).
    db.session.connection().exec_driver_sql(
        f"UPDATE staged_search SET search = {mark} WHERE batch_id = {mark} AND line = {mark} AND row_id = {mark} "
        f"AND search != {mark}", [(text, batch_id, line, row_id, text) for line, row_id, text in sorted(texts)])


def holds(part: str):
    """The where-clause on StagedSearch rows whose search text holds `part` (any case)."""
    return contains(StagedSearch.search, func.lower(part))


def refresh_keys(batch_id: int, keys) -> None:
    """Write again the search text of the batch's rows given as (line, row id), where it changed."""
    keys = sorted(set(keys))
    now = _text_now(batch_id)
    # By line alone: SQLite looks (line, id) pairs up by reading the batch's rows, and lines and ids as two
    # lists by every line with every id. Another row on one of these lines is only written if its text is out
    # of date, which is then right too. The lines are bound as one value (bound.py): one statement.
    lines = sorted({line for line, _ in keys})
    if lines:
        db.session.execute(
            update(StagedSearch)
            .where(StagedSearch.batch_id == batch_id, bound.ids_in(StagedSearch.line, lines), StagedSearch.search != now)
            .values(search=now).execution_options(synchronize_session=False))


def _text_now(batch_id: int):
    """SQL for the search text a StagedSearch row's staged row has now (looked up by id)."""
    return (select(search_text()).where(StagedRow.batch_id == batch_id, StagedRow.id == StagedSearch.row_id)
            .scalar_subquery())


def contains(text, part):
    """SQL: whether `text` holds `part`, case and all (instr on SQLite, strpos on PostgreSQL)."""
    position = func.strpos if db.engine.dialect.name == "postgresql" else func.instr
    return position(text, part) > 0


def holding(batch_id: int, part: str):
    """The where-clause on StagedRow for the batch's rows whose search text holds `part` (any case):
    a superset of the rows whose names or email hold it, found in the narrow table."""
    return bound.found_by_key(StagedRow.id, select(StagedSearch.row_id).where(StagedSearch.batch_id == batch_id,
                                                                             holds(part)))


def forget(*batch_ids: int) -> None:
    """Drop the search text of these batches (their rows are gone or staged afresh)."""
    db.session.execute(delete(StagedSearch).where(StagedSearch.batch_id.in_(batch_ids)))


def found(query: str):
    """The where-clause a search puts on StagedSearch rows: the text holds what was typed (any case),
    or the query is the row's line number."""
    query = (query or "").strip()
    terms = [StagedSearch.search.like(f"%{query.lower()}%")]
    if query.isdigit():
        terms.append(StagedSearch.line == int(query))
    return or_(*terms)


def finds(batch_id: int, query: str):
    """The where-clause on StagedRow for the batch's rows a search finds."""
    return bound.found_by_key(StagedRow.id, select(StagedSearch.row_id).where(StagedSearch.batch_id == batch_id,
                                                                             found(query)))
