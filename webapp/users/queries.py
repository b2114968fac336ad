"""Users list queries: search, filters, sort and paging, plus resolving a bulk selection.

Built for a million people per organisation: search reads a stored, folded search column
(a trigram index on PostgreSQL), every sort has an index ending in id, pages after the
first few follow a cursor (the last row's sort values) instead of counting past rows, and
the total is counted exactly only up to COUNT_LIMIT.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    DateTime,
    Select,
    bindparam,
    exists,
    func,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import aliased

from webapp.extensions import db
from webapp.models import AccountType, InviteStatus, OutboxMessage, User
from webapp.paging import page_count
from webapp.searchtext import search_words
from webapp.users import extras

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
DEFAULT_SORT = "-created"
# Past this many matches the total is an estimate: counting a million rows costs seconds.
COUNT_LIMIT = 10_000
# Page numbers typed or bookmarked without a cursor skip at most this many rows.
MAX_OFFSET = 10_000

# The sort keys of each column header; each ends in a unique column so pages never overlap.
SORT_COLUMNS = {
    "name": (User.last_name, User.first_name, User.id),
    "email": (User.email,),  # unique within the organisation
    "type": (User.account_type, User.id),
    "status": (User.invite_status, User.id),
    "signed_in": (User.signed_in_at, User.id),
    "created": (User.created_at, User.id),
}

# Query-string names of the filter params, as the list's form and links send them.
FILTER_ARGS = {"q": "q", "account_type": "type", "invite_status": "status",
               "signed_in": "signed_in", "email_status": "email", "batch": "batch"}
EMAIL_STATUSES = ("failed",)


def _positive_int(value, default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number >= 1 else default


@dataclass(frozen=True)
class UserFilters:
    """What the admin asked the Users list for; unknown values fall back to 'no filter'."""

    q: str = ""
    account_type: str = ""
    invite_status: str = ""
    signed_in: str = ""  # "yes", "no" or "" for either
    email_status: str = ""  # "failed": their latest email could not be delivered
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    batch: int | None = None  # show only the users one import batch created
    after: str = ""  # cursor: the page after this row (Next)
    before: str = ""  # cursor: the page before this row (Previous)

    @classmethod
    def from_args(cls, args: Mapping) -> UserFilters:
        """Read filters from request.args or request.form, ignoring values we do not know."""
        account_type = args.get("type", "")
        invite_status = args.get("status", "")
        signed_in = args.get("signed_in", "")
        email_status = args.get("email", "")
        sort = args.get("sort", DEFAULT_SORT)
        per_page = _positive_int(args.get("per_page"), DEFAULT_PER_PAGE)
        batch = args.get("batch")
        return cls(
            q=" ".join((args.get("q") or "").split())[:200],
            account_type=account_type if account_type in {t.value for t in AccountType} else "",
            invite_status=invite_status if invite_status in {s.value for s in InviteStatus} else "",
            signed_in=signed_in if signed_in in ("yes", "no") else "",
            email_status=email_status if email_status in EMAIL_STATUSES else "",
            sort=sort if sort.lstrip("-") in SORT_COLUMNS else DEFAULT_SORT,
            page=_positive_int(args.get("page"), 1),
            per_page=per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE,
            batch=int(batch) if batch and str(batch).isdigit() else None,
            after=str(args.get("after") or "")[:500],
            before=str(args.get("before") or "")[:500],
        )

    def to_args(self, **overrides) -> dict[str, str | int]:
        """Query-string parameters for a link to this view (defaults left out), with overrides."""
        state = replace(self, **overrides) if overrides else self
        args: dict[str, str | int] = {}
        for name, arg in FILTER_ARGS.items():
            value = getattr(state, name)
            if value not in ("", None):
                args[arg] = value
        if state.sort != DEFAULT_SORT:
            args["sort"] = state.sort
        if state.per_page != DEFAULT_PER_PAGE:
            args["per_page"] = state.per_page
        if state.page != 1:
            args["page"] = state.page
        if state.after:
            args["after"] = state.after
        if state.before:
            args["before"] = state.before
        return args

    def page_link(self, page: int, *, after: str = "", before: str = "") -> dict[str, str | int]:
        """Args for a pager link: page `page`, reached from a cursor when one is given."""
        return self.to_args(page=page, after=after, before=before)

    @property
    def is_filtered(self) -> bool:
        """True when any filter narrows the list (sorting and paging do not)."""
        return any(getattr(self, name) not in ("", None) for name in FILTER_ARGS)

    @property
    def sort_key(self) -> str:
        return self.sort.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.sort.startswith("-")

    def sort_link(self, key: str) -> dict[str, str | int]:
        """Args for a column header link: sort by key, flipping direction when already sorted by it."""
        new_sort = ("-" + key) if self.sort == key else key
        return self.to_args(sort=new_sort, page=1, after="", before="")


def batch_banner(org_id: int, batch_id: int | None) -> dict | None:
    """Counts for the banner above one import batch's users."""
    if batch_id is None:
        return None
    return extras.batch_banner(org_id, batch_id)


def _search_terms(q: str) -> list[ColumnElement[bool]]:
    """Each typed word must appear in the folded "first last email", in any order.

    "Doe, Jane", "jane doe" and "Müller"/"muller" all match, because both sides are folded.
    """
    return [User.search_text.contains(word, autoescape=True) for word in search_words(q)]


def latest_email_failed(org_id: int) -> ColumnElement[bool]:
    """The person's most recent email was given up on (status failed)."""
    later = aliased(OutboxMessage)
    failed_ids = (
        select(OutboxMessage.to_user_id)
        .where(OutboxMessage.org_id == org_id, OutboxMessage.status == "failed",
               OutboxMessage.to_user_id.is_not(None),
               ~exists().where(later.to_user_id == OutboxMessage.to_user_id,
                               later.id > OutboxMessage.id))
    )
    return User.id.in_(failed_ids)


def filter_conditions(org_id: int, filters: UserFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions for the filters, always scoped to the organisation."""
    conditions: list[ColumnElement[bool]] = [User.org_id == org_id]
    conditions += _search_terms(filters.q)
    if filters.account_type:
        conditions.append(User.account_type == filters.account_type)
    if filters.invite_status:
        conditions.append(User.invite_status == filters.invite_status)
    signed_in = User.signed_in_at
    if db.session.get_bind().dialect.name == "sqlite":
        # SQLite would pick the signed-in index for this broad filter and then sort most of
        # the organisation; wrapped, the filter is checked while walking the sort's index.
        signed_in = func.coalesce(User.signed_in_at, None)
    if filters.signed_in == "yes":
        conditions.append(signed_in.is_not(None))
    elif filters.signed_in == "no":
        conditions.append(signed_in.is_(None))
    if filters.email_status == "failed":
        conditions.append(latest_email_failed(org_id))
    if filters.batch is not None:
        conditions.append(User.id.in_(extras.batch_user_ids(org_id, filters.batch)))
    return conditions


@dataclass(frozen=True)
class Segment:
    """A run of rows sorted by `keys`; "Not yet signed in" is its own run, kept last."""

    condition: ColumnElement[bool] | None
    keys: tuple

    def values(self, user: User) -> list:
        return [getattr(user, column.key) for column in self.keys]


def _segments(filters: UserFilters) -> list[Segment]:
    if filters.sort_key == "signed_in":
        # "Not yet" goes last either way: two index-ordered runs instead of one unindexable order.
        return [Segment(User.signed_in_at.is_not(None), (User.signed_in_at, User.id)),
                Segment(User.signed_in_at.is_(None), (User.id,))]
    return [Segment(None, SORT_COLUMNS[filters.sort_key])]


def _ordered(query: Select, segment: Segment, descending: bool) -> Select:
    if segment.condition is not None:
        query = query.where(segment.condition)
    return query.order_by(*[key.desc() if descending else key.asc() for key in segment.keys])


def _beyond(segment: Segment, values: list, descending: bool) -> ColumnElement[bool]:
    """Rows after `values` in the segment's order (before it when `descending`)."""
    bound = tuple_(*[bindparam(None, value, type_=key.type)
                     for key, value in zip(segment.keys, values, strict=True)])
    row = tuple_(*segment.keys)
    return row < bound if descending else row > bound


def filtered_users(org_id: int, filters: UserFilters) -> Select:
    """Users of the organisation matching the filters in list order (for exports and tests)."""
    order = []
    if filters.sort_key == "signed_in":
        order.append(User.signed_in_at.is_(None))
    order += [key.desc() if filters.descending else key.asc()
              for key in SORT_COLUMNS[filters.sort_key]]
    return select(User).where(*filter_conditions(org_id, filters)).order_by(*order)


# A cursor is the sort values of one row, as JSON in URL-safe base64, tagged with its segment.
def encode_cursor(segment_index: int, values: list) -> str:
    plain = [value.isoformat() if isinstance(value, datetime) else value for value in values]
    raw = json.dumps([segment_index, plain], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, segments: list[Segment]) -> tuple[int, list] | None:
    """(segment index, values) of a cursor, or None for one that is not ours or is stale."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        segment_index, plain = json.loads(raw)
        keys = segments[segment_index].keys
        if len(plain) != len(keys):
            return None
        values = [datetime.fromisoformat(value) if isinstance(key.type, DateTime) else value
                  for key, value in zip(keys, plain, strict=True)]
        if any(value is None or not isinstance(value, (str, int, datetime)) for value in values):
            return None
    except (ValueError, TypeError, IndexError, KeyError, json.JSONDecodeError):
        return None
    return segment_index, values


@dataclass(frozen=True)
class Row:
    user: User
    segment: int


def _walk(org_id: int, filters: UserFilters, *, backwards: bool, cursor: tuple[int, list] | None,
          offset: int, wanted: int) -> list[Row]:
    """Up to `wanted` rows from the cursor (or the start/end) in list order or its reverse.

    Each segment is one LIMITed index scan; a later segment is read only when the earlier
    ones run out, so no query reads rows it does not show (bar `offset`, kept small).
    """
    segments = list(enumerate(_segments(filters)))
    if backwards:
        segments.reverse()
    descending = filters.descending != backwards
    base = select(User).where(*filter_conditions(org_id, filters))
    rows: list[Row] = []
    started = cursor is None
    for index, segment in segments:
        if not started:
            if index != cursor[0]:
                continue
            started = True
            query = _ordered(base.where(_beyond(segment, cursor[1], descending)), segment, descending)
        else:
            query = _ordered(base, segment, descending)
        found = list(db.session.scalars(query.offset(offset).limit(wanted - len(rows))))
        rows += [Row(user, index) for user in found]
        if len(rows) >= wanted:
            break
        if offset:
            # The next segment skips what this one did not have room to skip.
            skipped = db.session.scalar(select(func.count()).select_from(
                _ordered(base, segment, descending).with_only_columns(User.id)
                .order_by(None).limit(offset).subquery()))
            offset = max(0, offset - skipped)
    return rows


@dataclass(frozen=True)
class Total:
    """How many users match: exact up to COUNT_LIMIT, else the planner's estimate if it has one."""

    count: int
    exact: bool
    estimated: bool = False

    @property
    def text(self) -> str:
        if self.exact:
            return f"{self.count:,}"
        if self.estimated:
            return f"about {self.count:,}"
        return f"more than {self.count - 1:,}"


def _rounded(number: int) -> int:
    """Two significant figures: an estimate should not look precise."""
    digits = len(str(number))
    return round(number, -(digits - 2)) if digits > 2 else number


def _estimate(query: Select) -> int | None:
    """The PostgreSQL planner's row estimate for a query (None elsewhere)."""
    bind = db.session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    compiled = query.compile(dialect=bind.dialect, compile_kwargs={"literal_binds": True})
    plan = db.session.execute(text(f"EXPLAIN (FORMAT JSON) {compiled}")).scalar()
    return int(plan[0]["Plan"]["Plan Rows"])


def _safe_estimate(query: Select) -> int | None:
    try:
        return _estimate(query)
    except Exception:  # an estimate is a nicety; "more than 10,000" is still true
        db.session.rollback()
        return None


def count_users(org_id: int, filters: UserFilters) -> Total:
    """Exact count of matches up to COUNT_LIMIT; past it, an estimate (never a full count)."""
    matching = select(User.id).where(*filter_conditions(org_id, filters))
    if not (filters.q or filters.email_status or filters.batch is not None):
        # Plain column filters are estimated well from the statistics; far past the limit,
        # the estimate alone is enough and the bounded count's 10,000-row read is saved.
        estimate = _safe_estimate(matching)
        if estimate and estimate > 10 * COUNT_LIMIT:
            return Total(_rounded(estimate), exact=False, estimated=True)
    counted = db.session.scalar(
        select(func.count()).select_from(matching.limit(COUNT_LIMIT + 1).subquery())) or 0
    if counted <= COUNT_LIMIT:
        return Total(counted, exact=True)
    estimate = _safe_estimate(matching)
    if estimate and estimate > COUNT_LIMIT:
        return Total(_rounded(estimate), exact=False, estimated=True)
    return Total(COUNT_LIMIT + 1, exact=False)


@dataclass(frozen=True)
class UserPage:
    """One page of the Users list with what the count line and the pager show."""

    users: list[User]
    total: int  # exact, or the estimate when total_exact is False
    total_exact: bool
    total_text: str  # "1,234", "about 1,000,000" or "more than 10,000"
    page: int
    per_page: int
    has_previous: bool
    has_next: bool
    first_cursor: str = ""  # cursor of the first row shown (for Previous)
    last_cursor: str = ""  # cursor of the last row shown (for Next)

    @property
    def pages(self) -> int | None:
        """Number of pages, when the total is exact."""
        return page_count(self.total, self.per_page) if self.total_exact else None

    @property
    def first(self) -> int:
        """Number of the first row on this page ("Showing 51-100"), 0 when there are none."""
        return (self.page - 1) * self.per_page + 1 if self.users else 0

    @property
    def last(self) -> int:
        return self.first + len(self.users) - 1 if self.users else 0


def _page(rows: list[Row], filters: UserFilters, total: Total, page: int, *,
          has_previous: bool, has_next: bool) -> UserPage:
    segments = _segments(filters)

    def cursor(row: Row) -> str:
        return encode_cursor(row.segment, segments[row.segment].values(row.user))

    return UserPage(
        users=[row.user for row in rows], total=total.count, total_exact=total.exact,
        total_text=total.text, page=page, per_page=filters.per_page,
        has_previous=has_previous, has_next=has_next,
        first_cursor=cursor(rows[0]) if rows else "", last_cursor=cursor(rows[-1]) if rows else "",
    )


def page_of_users(org_id: int, filters: UserFilters) -> UserPage:
    """One bounded count and one or two LIMITed index scans, wherever the page is."""
    total = count_users(org_id, filters)
    per_page = filters.per_page
    segments = _segments(filters)
    if filters.after and (cursor := decode_cursor(filters.after, segments)):
        rows = _walk(org_id, filters, backwards=False, cursor=cursor, offset=0, wanted=per_page + 1)
        if rows:
            return _page(rows[:per_page], filters, total, max(filters.page, 2),
                         has_previous=True, has_next=len(rows) > per_page)
        return _last_page(org_id, filters, total)
    if filters.before and (cursor := decode_cursor(filters.before, segments)):
        rows = _walk(org_id, filters, backwards=True, cursor=cursor, offset=0, wanted=per_page + 1)
        if len(rows) > per_page and filters.page > 1:
            rows = rows[:per_page][::-1]
            return _page(rows, filters, total, filters.page, has_previous=True, has_next=True)
        filters = replace(filters, page=1)  # reached the start: show the first page
    # Without a cursor, a page number may skip at most MAX_OFFSET rows.
    last_page = page_count(total.count, per_page) if total.exact else MAX_OFFSET // per_page + 1
    page = min(filters.page, last_page)
    rows = _walk(org_id, filters, backwards=False, cursor=None, offset=(page - 1) * per_page,
                 wanted=per_page + 1)
    return _page(rows[:per_page], filters, total, page, has_previous=page > 1,
                 has_next=len(rows) > per_page)


def _last_page(org_id: int, filters: UserFilters, total: Total) -> UserPage:
    """The end of the list, read backwards (a Next past the end, after rows were removed)."""
    per_page = filters.per_page
    rows = _walk(org_id, filters, backwards=True, cursor=None, offset=0, wanted=per_page)[::-1]
    page = page_count(total.count, per_page) if total.exact else filters.page
    return _page(rows, filters, total, page, has_previous=page > 1, has_next=False)


def selected_user_ids(org_id: int, form_or_args: Mapping) -> Select:
    """User ids a bulk action applies to: the ticked user_id values, or every user matching the filter.

    `all_matching=1` with the filter params (q, type, status, signed_in, batch) selects across
    all pages; otherwise the repeated `user_id` values, kept to the organisation.
    """
    if str(form_or_args.get("all_matching", "")) == "1":
        filters = UserFilters.from_args(form_or_args)
        return select(User.id).where(*filter_conditions(org_id, filters))
    getlist = getattr(form_or_args, "getlist", None)
    raw_ids = getlist("user_id") if getlist else form_or_args.get("user_id", [])
    if isinstance(raw_ids, (str, int)):
        raw_ids = [raw_ids]
    ids = {int(value) for value in raw_ids if str(value).isdigit()}
    return select(User.id).where(User.org_id == org_id, User.id.in_(ids))


__all__ = [
    "UserFilters", "UserPage", "Total", "filtered_users", "page_of_users", "selected_user_ids",
    "filter_conditions", "batch_banner", "PER_PAGE_CHOICES",
]
