"""Reading the staged table: which rows a filter and a search match, one page of them in file order, and the
counters, without reading a wide row but the 50 shown."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, func, or_, select, true

from webapp.extensions import db
from webapp.imports import bound, choices, removal, row_counts, search_rows
from webapp.imports.row_changes import Chosen, any_row
from webapp.models import ImportBatch, RowStatus, StagedRemoval, StagedRow, StagedSearch
from webapp.paging import PageNumbers, clamp_page

PER_PAGE = 50

FILTERS = {
    "all": ("All rows", None),
    "problems": ("Problems", (RowStatus.INVALID,)),
    "ready": ("Ready", (RowStatus.VALID,)),
    "existing": ("Already has an account", (RowStatus.EXISTING,)),
    "duplicates": ("Duplicates ignored", (RowStatus.DUPLICATE,)),
    "created": ("Created", (RowStatus.CREATED,)),
    "failed": ("Failed", (RowStatus.FAILED,)),
    "removed": ("Removed", (RowStatus.REMOVED,)),
}


@dataclass
class Counters:
    rows_read: int
    duplicates: int
    ready: int
    problems: int
    existing: int
    created: int
    failed: int
    removed: int
    by_status: dict

    def rows_with(self, statuses) -> int:
        """How many rows have one of these statuses (all rows for None)."""
        return sum(n for status, n in self.by_status.items()
                   if (status in statuses if statuses else status != RowStatus.REMOVED))


@dataclass
class RowPage(PageNumbers):
    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE


class Matching(list):
    """Where-clauses for a filter and a search over one batch, with the filter and the search."""

    def __init__(self, clauses, *, batch_id: int, filter_name: str, query: str):
        super().__init__(clauses)
        self.batch_id, self.filter_name, self.query = batch_id, filter_name, query


def matching(batch_id: int, filter_name: str = "all", query: str = "") -> Matching:
    """The where-clauses for a filter and a search over one batch."""
    clauses = [StagedRow.batch_id == batch_id, _in_filter(batch_id, filter_name)]
    if (query or "").strip() and filter_name == "removed" and db.engine.dialect.name == "postgresql" \
            and any_row(StagedRow.batch_id == batch_id, StagedRow.status == RowStatus.REMOVED):
        clauses.append(_found_ids(batch_id, query))  # (rows removed apart are found apart: apart_chosen)
    elif (query or "").strip():  # found in the narrow search table (search_rows.py), not the wide rows
        clauses.append(search_rows.finds(batch_id, query))
    return Matching(clauses, batch_id=batch_id, filter_name=filter_name, query=query)


def apart_chosen(batch_id: int, clauses):
    """The where-clause on StagedRemoval for the rows removed apart that the clauses select, read from the
    narrow tables alone where it can be (a restore of 11,111 rows: no wide row read)."""
    if isinstance(clauses, Chosen):
        return StagedRemoval.row_id.in_(clauses.ids)
    if isinstance(clauses, Matching):
        if RowStatus.REMOVED not in (FILTERS.get(clauses.filter_name, FILTERS["all"])[1] or ()):
            return false()
        if not (clauses.query or "").strip():
            return true()
        return StagedRemoval.row_id.in_(select(StagedSearch.row_id).where(StagedSearch.batch_id == batch_id,
                                                                          search_rows.found(clauses.query)))
    return StagedRemoval.row_id.in_(select(StagedRow.id).where(*clauses))


def _found_ids(batch_id: int, query: str):
    """The where-clause on StagedRow for the rows a search finds, given as the found ids themselves: removed
    rows are read through the status index (PostgreSQL may think there are none, its statistics older than
    the removal), and each is then tested against the ids, which PostgreSQL hashes when they are a value
    but walks one by one when they come from a subquery (a restore over 11,111 rows: 420 -> 8 ms)."""
    ids = list(db.session.scalars(select(StagedSearch.row_id).where(StagedSearch.batch_id == batch_id,
                                                                    search_rows.found(query))))
    return bound.ids_in(StagedRow.id, ids)


def _in_filter(batch_id: int, filter_name: str):
    statuses = FILTERS.get(filter_name, FILTERS["all"])[1]
    # "All rows" leaves removed rows out: they have a filter of their own.
    return removal.status_in(batch_id, statuses) if statuses else removal.not_removed(batch_id)


def page_of_rows(batch_id: int, filter_name: str, query: str, page: int,
                 counted: Counters | None = None) -> RowPage:
    """One page of rows in file order, with the number of rows that match.

    Without a search, the status counts give the total. A search, or a page deep in a filter holding
    most rows, reads the narrow search table in file order: rows of the other statuses are left out by
    id, so no wide row is read but the 50 shown.
    """
    by_status = counted.by_status if counted is not None else row_counts.by_status(batch_id)
    statuses = FILTERS.get(filter_name, FILTERS["all"])[1]
    wanted = {s for s in by_status if (s in statuses if statuses else s != RowStatus.REMOVED)}
    others = set(by_status) - wanted
    searching = bool((query or "").strip())
    small = sum(by_status[s] for s in wanted) <= sum(by_status[s] for s in others)
    # Rows removed apart (removal.py) are in no index of the wide rows: a filter showing them reads the narrow tables.
    apart = RowStatus.REMOVED in wanted and removal.any_apart(batch_id)
    if not searching and not apart and (small or (page - 1) * PER_PAGE < _NEAR_START):
        # A small filter, or a page near the start: the rows' own indexes give them in order.
        total = sum(by_status[s] for s in wanted)
        page = clamp_page(page, total, PER_PAGE)
        return RowPage(rows=_rows_page(matching(batch_id, filter_name), page), total=total, page=page)
    # The search first: SQLite tests the terms in this order, and a row the search leaves out then
    # costs no look-up among the ids of the other statuses (11,000 removed rows: 28 -> 15 ms).
    where = [StagedSearch.batch_id == batch_id, *([search_rows.found(query)] if searching else []),
             *_search_filter(batch_id, by_status, wanted, others)]
    if searching:
        page, ids, total = _search_page(where, max(1, page))
    else:
        total = sum(by_status[s] for s in wanted)
        page = clamp_page(page, total, PER_PAGE)
        ids = _page_ids(where, page, total)
    loaded = {row.id: row for row in db.session.scalars(select(StagedRow).where(StagedRow.id.in_(ids)))}
    rows = [loaded[i] for i in ids if i in loaded]
    return RowPage(rows=as_shown(batch_id, rows), total=total, page=page)


_FILE_ORDER = (StagedSearch.line, StagedSearch.row_id)
_NEAR_START = 1_000  # rows stepped over through the wide rows' index before a page is found in the narrow table
_HASHED_IDS = 20_000  # ids PostgreSQL hashes well within its default work_mem (4 MB)


def _search_filter(batch_id: int, by_status: dict, wanted: set, others: set) -> list:
    """Keep the search table's rows of the wanted statuses: by the ids of the smaller side, found
    through the status index (for "All rows", the few removed ones are left out)."""
    if not others:
        return []
    keep = sum(by_status[s] for s in wanted) <= sum(by_status[s] for s in others)
    # (Rows removed apart are a SELECT of their own: removal.ids_in.)
    sides = removal.ids_in(batch_id, sorted(wanted if keep else others))
    if keep:
        return [or_(*(StagedSearch.row_id.in_(side) for side in sides))]
    if db.engine.dialect.name == "postgresql" and sum(by_status[s] for s in others) > _HASHED_IDS:
        # NOT IN is one hashed list, but past work_mem PostgreSQL would check it row by row;
        # NOT EXISTS is an anti-join the planner sizes.
        return [~side.where(side.selected_columns[0] == StagedSearch.row_id).exists() for side in sides]
    return [StagedSearch.row_id.not_in(side) for side in sides]


def _search_page(where, page: int) -> tuple[int, list[int], int]:
    """(page, its ids, how many rows match) of a search. The page is read first: it stops at its last
    row, and when it is not full it also tells how many match, so only a full page costs a count."""
    start = (page - 1) * PER_PAGE
    ids = list(db.session.scalars(select(StagedSearch.row_id).where(*where).order_by(*_FILE_ORDER)
                                  .offset(start).limit(PER_PAGE)))
    if ids and len(ids) < PER_PAGE or page == 1 and not ids:
        return page, ids, start + len(ids)
    total = db.session.scalar(select(func.count()).select_from(StagedSearch).where(*where)) or 0
    if not ids:  # past the end: the last page
        page = clamp_page(page, total, PER_PAGE)
        ids = _page_ids(where, page, total)
    return page, ids, total


def _page_ids(where, page: int, total: int) -> list[int]:
    """The ids of one page of the search table's rows, in file order. A page past the middle is read
    from the end: the database then steps over at most half the rows, not all but 50."""
    start, end = (page - 1) * PER_PAGE, min(page * PER_PAGE, total)
    if end <= start:
        return []
    if start <= total - end:
        found = select(StagedSearch.row_id).where(*where).order_by(*_FILE_ORDER).offset(start).limit(end - start)
        return list(db.session.scalars(found))
    found = (select(StagedSearch.row_id).where(*where).order_by(*(c.desc() for c in _FILE_ORDER))
             .offset(total - end).limit(end - start))
    return list(reversed(db.session.scalars(found).all()))


def _rows_page(clauses, page: int) -> list:
    found = db.session.scalars(select(StagedRow).where(*clauses).order_by(StagedRow.line, StagedRow.id)
                               .limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return as_shown(found[0].batch_id, found) if found else found


def as_shown(batch_id: int, rows) -> list:
    """The rows with the values they show: a choice or a removal made for every row, or their own."""
    return removal.show(batch_id, choices.show(batch_id, rows)) if rows else rows


def counters(batch: ImportBatch) -> Counters:
    """How many rows are in each state (kept in the batch; one GROUP BY when out of date)."""
    by_status = row_counts.by_status(batch.id)
    present = sum(by_status.values())
    return Counters(
        rows_read=batch.rows_read, duplicates=by_status.get(RowStatus.DUPLICATE, 0),
        ready=by_status.get(RowStatus.VALID, 0), problems=by_status.get(RowStatus.INVALID, 0),
        existing=by_status.get(RowStatus.EXISTING, 0), created=by_status.get(RowStatus.CREATED, 0),
        failed=by_status.get(RowStatus.FAILED, 0),
        removed=by_status.get(RowStatus.REMOVED, 0) + max(0, batch.rows_read - present),
        by_status=by_status,
    )




def welcome_emails(batch: ImportBatch) -> int:
    """How many rows ready to create have Send Invite & Password ticked: each gets a welcome email on Create Users."""
    return db.session.scalar(select(func.count()).select_from(StagedRow).where(
        StagedRow.batch_id == batch.id, removal.status_in(batch.id, (RowStatus.VALID,)),
        choices.send_invite(batch.id).is_(True))) or 0
