"""Users list queries: search, filters, sort and paging, plus resolving a bulk selection."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, Select, func, select

from webapp.extensions import db
from webapp.models import AccountType, InviteStatus, User
from webapp.paging import PageNumbers, clamp_page

PER_PAGE_CHOICES = (25, 50, 100, 200)
DEFAULT_PER_PAGE = 50
DEFAULT_SORT = "-created"

SORT_COLUMNS = {
    "name": (User.last_name, User.first_name),
    "email": (User.email,),
    "type": (User.account_type,),
    "status": (User.invite_status,),
    "signed_in": (User.signed_in_at,),
    "created": (User.created_at,),
}

# Query-string names of the filter params, as the list's form and links send them.
FILTER_ARGS = {"q": "q", "account_type": "type", "invite_status": "status",
               "signed_in": "signed_in", "batch": "batch"}


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
    sort: str = DEFAULT_SORT
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    batch: int | None = None  # show only the users one import batch created

    @classmethod
    def from_args(cls, args: Mapping) -> UserFilters:
        """Read filters from request.args or request.form, ignoring values we do not know."""
        account_type = args.get("type", "")
        invite_status = args.get("status", "")
        signed_in = args.get("signed_in", "")
        sort = args.get("sort", DEFAULT_SORT)
        per_page = _positive_int(args.get("per_page"), DEFAULT_PER_PAGE)
        batch = args.get("batch")
        return cls(
            q=" ".join((args.get("q") or "").split())[:200],
            account_type=account_type if account_type in {t.value for t in AccountType} else "",
            invite_status=invite_status if invite_status in {s.value for s in InviteStatus} else "",
            signed_in=signed_in if signed_in in ("yes", "no") else "",
            sort=sort if sort.lstrip("-") in SORT_COLUMNS else DEFAULT_SORT,
            page=_positive_int(args.get("page"), 1),
            per_page=per_page if per_page in PER_PAGE_CHOICES else DEFAULT_PER_PAGE,
            batch=int(batch) if batch and str(batch).isdigit() else None,
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
        return args

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
        return self.to_args(sort=new_sort, page=1)


def batch_banner(org_id: int, batch_id: int | None) -> dict | None:
    """Counts for the banner above one import batch's users."""
    if batch_id is None:
        return None
    from webapp.imports.queries import batch_banner as import_batch_banner

    return import_batch_banner(org_id, batch_id)


def _search_terms(q: str) -> list[ColumnElement[bool]]:
    """Each word must appear in the first name, last name or email, ignoring case."""
    # One lower-cased "first last email" per row: a third of the work of three ILIKEs.
    searchable = func.lower(User.first_name + " " + User.last_name + " " + User.email)
    return [searchable.contains(word.lower(), autoescape=True) for word in q.split()]


def filter_conditions(org_id: int, filters: UserFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions for the filters, always scoped to the organisation."""
    conditions: list[ColumnElement[bool]] = [User.org_id == org_id]
    conditions += _search_terms(filters.q)
    if filters.account_type:
        conditions.append(User.account_type == filters.account_type)
    if filters.invite_status:
        conditions.append(User.invite_status == filters.invite_status)
    if filters.signed_in == "yes":
        conditions.append(User.signed_in_at.is_not(None))
    elif filters.signed_in == "no":
        conditions.append(User.signed_in_at.is_(None))
    if filters.batch is not None:
        from webapp.imports.queries import user_ids_for_batch  # imports builds on users

        conditions.append(User.id.in_(user_ids_for_batch(org_id, filters.batch)))
    return conditions


def _order_by(filters: UserFilters) -> list:
    columns = SORT_COLUMNS[filters.sort_key]
    order = []
    if filters.sort_key == "signed_in":
        # "Not yet" goes last either way, the same on SQLite and PostgreSQL.
        order.append(User.signed_in_at.is_(None))
    order += [column.desc() if filters.descending else column.asc() for column in columns]
    order.append(User.id.desc() if filters.descending else User.id.asc())
    return order


def filtered_users(org_id: int, filters: UserFilters) -> Select:
    """Users of the organisation matching the filters, sorted with a stable tie-breaker on id."""
    return select(User).where(*filter_conditions(org_id, filters)).order_by(*_order_by(filters))


@dataclass(frozen=True)
class UserPage(PageNumbers):
    """One page of the Users list with the numbers the pager shows."""

    users: list[User]
    total: int
    page: int
    per_page: int


def page_of_users(org_id: int, filters: UserFilters) -> UserPage:
    """One COUNT and one page query; a page past the end shows the last page."""
    total = db.session.scalar(
        select(func.count()).select_from(User).where(*filter_conditions(org_id, filters))
    ) or 0
    page = clamp_page(filters.page, total, filters.per_page)
    users = db.session.scalars(
        filtered_users(org_id, filters).limit(filters.per_page)
        .offset((page - 1) * filters.per_page)
    ).all()
    return UserPage(users=list(users), total=total, page=page, per_page=filters.per_page)


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
    "UserFilters", "UserPage", "filtered_users", "page_of_users", "selected_user_ids",
    "filter_conditions", "batch_banner", "PER_PAGE_CHOICES",
]
