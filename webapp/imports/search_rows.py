"""Staged rows' search text, kept narrow (StagedSearch): searches and deep pages read it, not the rows."""
from __future__ import annotations

from sqlalchemy import any_, delete, func, insert, or_, select, update

from webapp.extensions import db
from webapp.models import StagedRow, StagedSearch


def search_text(row=StagedRow):
    """SQL for a row's search text."""
    return func.lower(row.first_name + " " + row.last_name + " " + row.email)


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
    ids = select(StagedSearch.row_id).where(StagedSearch.batch_id == batch_id, found(query))
    if db.engine.dialect.name == "postgresql":
        # As an array, PostgreSQL fetches the found rows by primary key; as IN (subquery), it reads
        # every row of the batch to hash-join them (twice the time of a bulk change over 11,111 rows).
        return StagedRow.id == any_(func.array(ids.scalar_subquery()))
    return StagedRow.id.in_(ids)
