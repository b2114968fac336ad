"""The staged table: filters, search, pages, counters, inline edits and bulk actions, set-based."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select, update

from webapp.csvsafe import write_csv
from webapp.extensions import db
from webapp.imports.cleaning import ACCOUNT_TYPE_LABELS, check_values
from webapp.imports.fields import staged_fields
from webapp.imports.problems import outcome_problems, sentences
from webapp.imports.staging import OPEN_STATUSES, refresh_rows, status_expression
from webapp.models import ImportBatch, RowStatus, StagedRow
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
}
BULK_ACTIONS = {
    "set_type": "Set account type",
    "invite_on": "Tick Send Invite & Password",
    "invite_off": "Clear Send Invite & Password",
    "remove": "Remove rows",
}


class TableError(ValueError):
    """A request on the table that cannot be carried out; str(error) says why."""


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
        return sum(n for status, n in self.by_status.items() if statuses is None or status in statuses)


@dataclass
class RowPage(PageNumbers):
    rows: list
    total: int
    page: int
    per_page: int = PER_PAGE


def matching(batch_id: int, filter_name: str = "all", query: str = ""):
    """The where-clauses for a filter and a search over one batch."""
    clauses = [StagedRow.batch_id == batch_id]
    statuses = FILTERS.get(filter_name, FILTERS["all"])[1]
    if statuses:
        clauses.append(StagedRow.status.in_(statuses))
    query = (query or "").strip()
    if query:
        pattern = f"%{query.lower()}%"
        # One LIKE over "first last email" in lower case: a quarter of the work of three
        # ILIKEs on PostgreSQL, and it finds full names ("ada lovelace") too. SQLite's LIKE
        # already ignores ASCII case, so lower() there would only add a pass.
        searchable = StagedRow.first_name + " " + StagedRow.last_name + " " + StagedRow.email
        if db.engine.dialect.name != "sqlite":
            searchable = func.lower(searchable)
        terms = [searchable.like(pattern)]
        if query.isdigit():
            terms.append(StagedRow.line == int(query))
        clauses.append(or_(*terms))
    return clauses


def page_of_rows(batch_id: int, filter_name: str, query: str, page: int,
                 counted: Counters | None = None) -> RowPage:
    """One page of rows in file order, with the number of rows that match.

    Without a search, the status counts already give the total: no second pass over the rows.
    """
    clauses = matching(batch_id, filter_name, query)
    if counted is not None and not (query or "").strip():
        total = counted.rows_with(FILTERS.get(filter_name, FILTERS["all"])[1])
    else:
        total = db.session.scalar(select(func.count()).select_from(StagedRow).where(*clauses)) or 0
    page = clamp_page(page, total, PER_PAGE)
    rows = db.session.scalars(
        select(StagedRow).where(*clauses).order_by(StagedRow.line, StagedRow.id)
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return RowPage(rows=rows, total=total, page=page)


def counters(batch: ImportBatch) -> Counters:
    """How many rows are in each state (one GROUP BY)."""
    by_status = dict(db.session.execute(
        select(StagedRow.status, func.count()).where(StagedRow.batch_id == batch.id)
        .group_by(StagedRow.status)
    ).all())
    present = sum(by_status.values())
    return Counters(
        rows_read=batch.rows_read, duplicates=by_status.get(RowStatus.DUPLICATE, 0),
        ready=by_status.get(RowStatus.VALID, 0), problems=by_status.get(RowStatus.INVALID, 0),
        existing=by_status.get(RowStatus.EXISTING, 0), created=by_status.get(RowStatus.CREATED, 0),
        failed=by_status.get(RowStatus.FAILED, 0), removed=max(0, batch.rows_read - present),
        by_status=by_status,
    )


def get_row(batch: ImportBatch, row_id: int) -> StagedRow | None:
    """A row of this batch, or None."""
    return db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.id == row_id))


def _require_editable(batch: ImportBatch, row: StagedRow | None = None) -> None:
    if not batch.editable:
        raise TableError("This import is no longer being checked, so its rows cannot be changed.")
    if row is not None and row.status not in OPEN_STATUSES:
        raise TableError("This row is a duplicate that is ignored; remove it or leave it.")


def edit_row(batch: ImportBatch, row: StagedRow, values: dict | None = None, *,
             send_invite: bool | None = None, **named) -> StagedRow:
    """Save an inline edit (cell texts by field key), check it again, and recompute conflicts."""
    _require_editable(batch, row)
    raw = {**(values or {}), **named}
    fields = [f for f in staged_fields() if f.key in raw and f.key != "send_invite"]
    checked = check_values(raw, fields=fields)
    if "first_name" not in raw or "last_name" not in raw:  # names left alone keep their value
        checked.problems[:] = [p for p in checked.problems if p["code"] != "names_missing"]
    type_error = next((p for p in checked.problems if p["code"] == "unknown_account_type"), None)
    own = [p for p in checked.problems if p is not type_error]
    old_email = row.email
    for import_field in fields:
        value = checked.values[import_field.key]
        if import_field.key == "account_type":
            if type_error is None:
                row.account_type = value
        elif import_field.column:
            setattr(row, import_field.column, value)
        else:
            row.extra = {**(row.extra or {}), import_field.key: value}
    if "email" in raw:
        row.email_ok = checked.email_ok
    row.errors, row.fields_ok = own, not own
    row.account_type_error = type_error["params"]["value"] if type_error else None
    if send_invite is not None:
        row.send_invite = send_invite
    db.session.flush()
    emails = StagedRow.email.in_({old_email, row.email})
    refresh_rows(batch, emails, emails)
    db.session.commit()
    db.session.refresh(row)
    return row


def set_choice(batch: ImportBatch, row: StagedRow, *, account_type: str | None = None,
               send_invite: bool | None = None) -> StagedRow:
    """Change one row's account type or its Send Invite tick."""
    _require_editable(batch, row)
    values = {}
    if account_type is not None:
        values.update(account_type=_known_type(account_type), account_type_error=None)
    if send_invite is not None:
        values["send_invite"] = send_invite
    db.session.execute(update(StagedRow).where(StagedRow.id == row.id).values(**values))
    db.session.execute(update(StagedRow).where(StagedRow.id == row.id)
                       .values(status=status_expression(batch.org_id)))
    db.session.commit()
    db.session.refresh(row)
    return row


def remove_row(batch: ImportBatch, row: StagedRow) -> None:
    """Remove one row; rows that conflicted with it are checked again."""
    _require_editable(batch)
    email = row.email
    db.session.execute(delete(StagedRow).where(StagedRow.id == row.id))
    same_email = StagedRow.email == email
    refresh_rows(batch, same_email, same_email)
    db.session.commit()


def _known_type(value: str) -> str:
    if value not in ACCOUNT_TYPE_LABELS:
        raise TableError("Choose an account type from the list.")
    return value


def bulk_scope(batch: ImportBatch, scope: str, row_ids: list[int], filter_name: str, query: str,
               page: int):
    """Where-clauses for the rows a bulk action applies to: chosen, this page, or all matching."""
    if scope == "all_matching":
        return matching(batch.id, filter_name, query)
    if scope == "page":
        row_ids = [row.id for row in page_of_rows(batch.id, filter_name, query, page).rows]
    if not row_ids:
        raise TableError("Select at least one row first, or choose all rows on this page or all matching rows.")
    return [StagedRow.batch_id == batch.id, StagedRow.id.in_(row_ids)]


def bulk_action(batch: ImportBatch, action: str, clauses, *, account_type: str | None = None) -> int:
    """Apply a bulk action to the rows the clauses select; returns how many rows it touched."""
    _require_editable(batch)
    open_clauses = [*clauses, StagedRow.status.in_(OPEN_STATUSES)]
    if action == "set_type":
        chosen = _known_type(account_type or "")
        # Only rows whose type was refused need their status worked out again; the rest just
        # take the new type, which keeps the statement over 100,000 rows a plain write.
        touched = _update(
            [*open_clauses, StagedRow.account_type_error.is_not(None)],
            {"account_type": chosen, "account_type_error": None,
             "status": status_expression(batch.org_id, type_error_cleared=True)})
        touched += _update(
            [*open_clauses, StagedRow.account_type_error.is_(None), StagedRow.account_type != chosen],
            {"account_type": chosen})
    elif action in ("invite_on", "invite_off"):
        wanted = action == "invite_on"
        touched = _update([*open_clauses, StagedRow.send_invite.is_not(wanted)], {"send_invite": wanted})
    elif action == "remove":
        touched = db.session.execute(delete(StagedRow).where(*clauses)
                                     .execution_options(synchronize_session=False)).rowcount
        # Only rows that conflicted with another row can change when rows go away.
        refresh_rows(batch, StagedRow.conflict_with.is_not(None), StagedRow.status == RowStatus.INVALID)
    else:
        raise TableError("Choose a bulk action from the list.")
    db.session.commit()
    return touched


def _update(clauses, values) -> int:
    return db.session.execute(
        update(StagedRow).where(*clauses).values(**values).execution_options(synchronize_session=False)
    ).rowcount


def row_problem_items(row) -> list[dict]:
    """Why a row will not be created, as data."""
    return outcome_problems(row)


def row_reason(row) -> str:
    """Why a row will not be created, in one sentence or more."""
    return " ".join(sentences(row_problem_items(row)))


def problems_csv(batch: ImportBatch) -> bytes:
    """A CSV of every row that will not be (or was not) created, with a Reason column."""
    rows = db.session.scalars(
        select(StagedRow).where(
            StagedRow.batch_id == batch.id,
            StagedRow.status.in_((RowStatus.INVALID, RowStatus.EXISTING, RowStatus.DUPLICATE,
                                  RowStatus.FAILED)),
        ).order_by(StagedRow.line, StagedRow.id)
    )
    fields = [f for f in staged_fields() if f.in_problems_csv]

    def shown(row, import_field):
        value = row.value(import_field.key)
        if import_field.key == "account_type":
            return ACCOUNT_TYPE_LABELS.get(value, value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        return value

    return write_csv(
        ["Line", *(f.label for f in fields), "Reason"],
        ([row.line, *(shown(row, f) for f in fields), row_reason(row)] for row in rows),
    )
