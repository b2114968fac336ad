"""Pages for keeping the directory in step: the mode form, planned changes, leavers, and Undo."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.access import console_blueprint, get_in_org_or_404
from webapp.extensions import db
from webapp.htmx import partial_or_page
from webapp.imports import leavers, outcomes, sync, table_pages, undo
from webapp.imports.sync_forms import MODE_HINTS, ModeForm
from webapp.models import AccountType, BatchStatus, ImportBatch, StagedChange, StagedRow, SyncAction
from webapp.paging import PageNumbers, clamp_page

bp = console_blueprint("imports_sync", __name__, url_prefix="/users/import")

PER_PAGE = 50
CHANGE_FILTERS = {
    "update": ("Will be updated", (SyncAction.UPDATE,)),
    "unchanged": ("Unchanged", (SyncAction.UNCHANGED,)),
    "blocked": ("Cannot be applied", (SyncAction.BLOCKED,)),
    "create": ("New people with groups, series or status", (SyncAction.CREATE,)),
}
# What an empty tab says instead of its rows.
EMPTY_TABS = {
    "update": "Nobody will be updated: no one who already has an account differs from the file.",
    "unchanged": "Nobody is left unchanged.",
    "blocked": "Every row can be applied.",
    "create": "No new person has a group, series or status to add.",
}
# Which tab the changes open on: the first of these with rows (what the admin most needs to see first).
OPENING_ORDER = ("update", "blocked", "create", "unchanged")


class ChangePage(PageNumbers):
    def __init__(self, rows, total, page, per_page=PER_PAGE):
        self.rows, self.total, self.page, self.per_page = rows, total, page, per_page


def _page_arg() -> int:
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() else 1


@bp.post("/<int:batch_id>/mode")
def save_mode(batch_id: int):
    """Change a staged import's mode and full-list options."""
    batch = get_in_org_or_404(ImportBatch, batch_id)
    form = ModeForm()
    if not batch.editable:
        flash("This import has already been applied; its mode can no longer change.", "warning")
    elif not form.validate_on_submit():
        flash("Choose Add new people, Add and update, or Update only.", "error")
    else:
        sync.configure(batch, mode=form.mode.data, deactivate_missing=form.deactivate_missing.data,
                       create_missing_groups=form.create_missing_groups.data)
        db.session.commit()
        flash(f"Mode set to {sync.MODES[batch.mode]}.", "success")
    return redirect(url_for("imports.batch", batch_id=batch.id) + "#sync-panel")


@bp.get("/<int:batch_id>/changes")
def changes(batch_id: int):
    """What applying the import will change, person by person (HTMX: the fragment alone)."""
    batch = get_in_org_or_404(ImportBatch, batch_id)
    if batch.status == BatchStatus.STAGING:
        abort(404)
    counts = plan_counts(batch) if batch.editable else None
    tabs = changes_tabs(batch)
    shown = request.args.get("show")
    if shown not in tabs:
        shown = opening_tab(tabs, (counts or outcomes.planned(batch, 0)).tab_counts())
    clauses = (StagedChange.batch_id == batch.id, StagedChange.action.in_(CHANGE_FILTERS[shown][1]))
    total = db.session.scalar(select(func.count()).select_from(StagedChange).where(*clauses)) or 0
    page = clamp_page(_page_arg(), total, PER_PAGE)
    rows = db.session.execute(
        select(StagedChange.line, StagedChange.action, StagedChange.changes, StagedChange.reason,
               StagedRow.first_name, StagedRow.last_name, StagedRow.email)
        .join(StagedRow, StagedRow.id == StagedChange.row_id).where(*clauses)
        .order_by(StagedChange.line).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    context = dict(batch=batch, counts=counts, tab_counts=counts.tab_counts() if counts else None, shown=shown,
                   filters=CHANGE_FILTERS, tabs=tabs, empty=EMPTY_TABS[shown],
                   page=ChangePage(rows, total, page), describe=sync.describe, modes=sync.MODES)
    return partial_or_page("imports/sync/changes.html", "imports/sync/_changes.html", **context)


def plan_counts(batch: ImportBatch) -> outcomes.Planned:
    """Plan the editable batch afresh (rows may have changed since), then count what Create Users will do."""
    counts = sync.plan(batch, current_user.id)
    db.session.commit()
    return outcomes.planned(batch, table_pages.counters(batch).ready, counts.leavers)


def changes_tabs(batch: ImportBatch) -> list[str]:
    """The changes tabs worth showing: Add new people changes nobody who has an account."""
    return [key for key in CHANGE_FILTERS if not (batch.mode == "add" and key in ("update", "unchanged"))]


def opening_tab(tabs: list[str], tab_counts: dict[str, int]) -> str:
    """The tab to open on: the most useful one that has rows; when none has any, the first."""
    return next((key for key in OPENING_ORDER if key in tabs and tab_counts.get(key)), tabs[0])


@bp.get("/<int:batch_id>/leavers")
def leaver_list(batch_id: int):
    """Who a full-list import would deactivate, a page at a time, before anything happens."""
    batch = get_in_org_or_404(ImportBatch, batch_id)
    people = leavers.page(batch, current_user.id, _page_arg())
    return partial_or_page("imports/sync/leavers.html", "imports/sync/_leavers.html", batch=batch, people=people)


@bp.get("/<int:batch_id>/undo")
def confirm_undo(batch_id: int):
    """What undoing the import will do, and until when it can be undone."""
    batch = get_in_org_or_404(ImportBatch, batch_id)
    record = undo.undone(batch)
    return render_template("imports/sync/undo.html", batch=batch, refusal=undo.refusal(batch),
                           record=record, effects=undo.count_effects(batch),
                           deadline=undo.undo_deadline(batch))


@bp.post("/<int:batch_id>/undo")
def do_undo(batch_id: int):
    """Undo the import in one transaction, then show what was and was not undone."""
    batch = get_in_org_or_404(ImportBatch, batch_id)
    try:
        undo.undo_import(batch.id, current_user.id)
    except undo.UndoRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("imports_sync.confirm_undo", batch_id=batch.id))
    flash(f"The import of {batch.filename} was undone.", "success")
    return redirect(url_for("imports_sync.confirm_undo", batch_id=batch.id))


@bp.app_context_processor
def sync_helpers():
    """Names the sync partials need when another page includes them."""
    return {"sync_modes": sync.MODES, "sync_mode_hints": MODE_HINTS, "sync_mode_form": _mode_form,
            "sync_change_parts": sync.change_parts, "sync_in_use": sync.in_use,
            "sync_type_label": lambda value: AccountType(value).label, "import_undone": undo.undone}


def _mode_form(batch: ImportBatch) -> ModeForm:
    return ModeForm(formdata=None, mode=batch.mode, deactivate_missing=batch.deactivate_missing,
                    create_missing_groups=batch.create_missing_groups)



