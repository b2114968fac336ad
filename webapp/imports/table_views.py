"""The staged table's changes, as routes of the File Import blueprint: a row shown, opened, saved, chosen,
removed and restored; suggested fixes, find and replace, bulk changes and their Undo."""
from __future__ import annotations


from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from webapp.extensions import db
from webapp.htmx import wants_fragment
from webapp.imports import (bulk_actions, rewriting, table, table_pages, table_undo)
from webapp.imports.fields import text_fields
from webapp.imports.staged import own_field_errors
from webapp.imports.forms import (
    BulkForm,
    ChoiceForm,
    ReplaceForm,
    row_form,
)
from webapp.models import ImportBatch

from webapp.imports.views import batch_or_404, bp, table_fragment, view_state

@bp.get("/<int:batch_id>/rows/<int:row_id>")
def row(batch_id: int, row_id: int):
    """One row, as shown in the table (used to cancel an edit)."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    if not wants_fragment():
        return redirect(url_for("imports.batch", batch_id=batch_id, **view_state()))
    return render_template("imports/partials/_row.html", batch=current, row=staged, state=view_state(),
                           account_types=table.ACCOUNT_TYPE_LABELS, text_fields=text_fields())


def _row_or_404(current: ImportBatch, row_id: int):
    staged = table.get_row(current, row_id)
    if staged is None:
        from flask import abort

        abort(404)
    return staged


@bp.get("/<int:batch_id>/rows/<int:row_id>/edit")
def edit_row(batch_id: int, row_id: int):
    """The row as a small form (HTMX); without JavaScript, the page with that row open."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    if not wants_fragment():
        return redirect(url_for("imports.batch", batch_id=batch_id, edit=row_id, **view_state()))
    return render_template("imports/partials/_row_edit.html", batch=current, row=staged,
                           state=view_state(), row_form=row_form(formdata=None),
                           account_types=table.ACCOUNT_TYPE_LABELS, text_fields=text_fields())


@bp.post("/<int:batch_id>/rows/<int:row_id>")
def save_row(batch_id: int, row_id: int):
    """Save an inline edit; the row is checked again at once, with its problems beside it."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    form = row_form()
    if not form.validate():
        return _invalid_edit(current, staged, form)
    values = {f.key: form[f.key].data or "" for f in text_fields()}
    # "Choose a type" left as it was: the refused value is checked again, so the row keeps its problem.
    values["account_type"] = form.account_type.data or staged.account_type_error or "user"
    try:
        staged = table.edit_row(current, staged, values, send_invite="send_invite" in request.form)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    errors = own_field_errors(staged)  # (a refused account type among them)
    if errors and wants_fragment():
        # Still wrong: keep the row open with the fields in error marked, so the admin goes on fixing.
        return render_template("imports/partials/_row_edit.html", batch=current, row=staged,
                               state=view_state(), counters=table_pages.counters(current),
                               oob_counters=True, account_types=table.ACCOUNT_TYPE_LABELS,
                               suggestions=rewriting.suggestion_count(current), text_fields=text_fields())
    return _row_response(current, staged, saved=True)


def _invalid_edit(current: ImportBatch, staged, form):
    """Refuse an edit past a field's limits: the row stays open with what was typed and why."""
    error = " ".join(message for f in text_fields() for message in form[f.key].errors) or \
        "Check the values and save again."
    if not wants_fragment():
        flash(error, "error")
        return redirect(url_for("imports.batch", batch_id=current.id, edit=staged.id, **view_state()))
    db.session.expunge(staged)  # show what was typed without saving it
    for f in text_fields():
        if f.column:
            setattr(staged, f.column, form[f.key].data or "")
        else:
            staged.extra = {**(staged.extra or {}), f.key: form[f.key].data or ""}
    return render_template("imports/partials/_row_edit.html", batch=current, row=staged, state=view_state(),
                           row_form=form, row_error=error, account_types=table.ACCOUNT_TYPE_LABELS,
                           text_fields=text_fields())


def _row_response(current: ImportBatch, staged, error: str | None = None, saved: bool = False):
    state = view_state()
    if not wants_fragment():
        if error:
            flash(error, "error")
        elif saved:
            flash(f"Line {staged.line} saved.", "success")
        return redirect(url_for("imports.batch", batch_id=current.id, **state))
    return render_template("imports/partials/_row.html", batch=current, row=staged, state=state,
                           counters=table_pages.counters(current), oob_counters=True, row_error=error,
                           suggestions=rewriting.suggestion_count(current), account_types=table.ACCOUNT_TYPE_LABELS,
                           text_fields=text_fields())


@bp.post("/<int:batch_id>/rows/<int:row_id>/choice")
def row_choice(batch_id: int, row_id: int):
    """Change a row's account type or its Send Invite tick on its own."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    form = ChoiceForm()
    # "both" comes from the row's Save button, shown when JavaScript is off.
    field = form.field.data if form.field.data in ("account_type", "send_invite") else "both"
    # "Choose a type" (a refused type) is no choice: the type and its problem stay as they are.
    account_type = None if field == "send_invite" else form.account_type.data or None
    if field == "account_type" and account_type is None:
        return _row_response(current, staged)
    try:
        staged = table.set_choice(current, staged, account_type=account_type,
                                  send_invite=None if field == "account_type" else bool(form.send_invite.data))
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    return _row_response(current, staged, saved=field == "both")


@bp.post("/<int:batch_id>/rows/<int:row_id>/remove")
def remove_row(batch_id: int, row_id: int):
    """Remove one row from the import."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    line = staged.line
    try:
        table.remove_row(current, staged)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    if not wants_fragment():
        flash(f"Line {line} removed. You find it under Show: Removed, where you can restore it.", "success")
        return redirect(url_for("imports.batch", batch_id=batch_id, **view_state()))
    return render_template("imports/partials/_row_removed.html", batch=current, row=staged,
                           state=view_state(), counters=table_pages.counters(current), oob_counters=True,
                           suggestions=rewriting.suggestion_count(current), text_fields=text_fields())


@bp.post("/<int:batch_id>/rows/<int:row_id>/restore")
def restore_row(batch_id: int, row_id: int):
    """Bring a removed row back into the import."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    try:
        table.restore_row(current, staged)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    if not wants_fragment():
        flash(f"Line {staged.line} restored.", "success")
        return redirect(url_for("imports.batch", batch_id=batch_id, **view_state()))
    return _row_response(current, staged)


@bp.post("/<int:batch_id>/rows/<int:row_id>/suggestion")
def apply_suggestion(batch_id: int, row_id: int):
    """Take the suggested fix of one row's email."""
    current = batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    try:
        rewriting.apply_suggestions(current, staged.id)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    db.session.refresh(staged)
    return _row_response(current, staged, saved=True)


@bp.post("/<int:batch_id>/suggestions")
def apply_suggestions(batch_id: int):
    """Take every suggested email fix of the import at once."""
    current = batch_or_404(batch_id)
    return _table_change(current, lambda: _plural(rewriting.apply_suggestions(current), "email") + " fixed.")


@bp.post("/<int:batch_id>/replace")
def find_replace(batch_id: int):
    """Replace text within one column of the selected rows, the page, or every matching row."""
    current = batch_or_404(batch_id)
    form = ReplaceForm()
    state = view_state()

    def replace() -> str:
        if not form.validate_on_submit():
            raise table.TableError("Choose a column, type the text to find, and choose which rows.")
        clauses = table.bulk_scope(current, form.scope.data, _chosen_rows(), state["filter"], state["q"],
                                   state["page"])
        touched = rewriting.find_replace(current, form.column.data, form.find.data, form.replacement.data or "",
                                     clauses)
        if not touched:  # said as what to do, with no Undo of nothing
            raise table.TableError(
                f"Nothing was replaced: no {rewriting.REPLACEABLE[form.column.data].lower()} in the rows chosen under "
                f"\u201cIn\u201d holds \u201c{form.find.data}\u201d. Letter case must match; check the column and "
                "the rows, then replace again.")
        return f"Replaced in {_plural(touched, 'row')}."
    return _table_change(current, replace, replace_form=form)


@bp.post("/<int:batch_id>/undo/<int:undo_id>")
def undo(batch_id: int, undo_id: int):
    """Put the rows of the latest bulk change back as they were."""
    current = batch_or_404(batch_id)
    return _table_change(current, lambda: f"Undone: {_plural(table_undo.undo(current, undo_id), 'row')} as before.",
                         undoable=False)


def _table_change(current: ImportBatch, change, undoable: bool = True, **forms):
    """Run a change on many rows; show the table with a notice (and its Undo), or the error."""
    state = view_state()
    message = error = undo_record = None
    try:
        message = change()
        if undoable:
            undo_record = table_undo.name_undo(current, message)
    except table.TableError as exc:
        db.session.rollback()
        error = str(exc)
    if not wants_fragment():
        db.session.commit()
        flash(error or message, "error" if error else "success")
        return redirect(url_for("imports.batch", batch_id=current.id,
                                undo=undo_record.id if undo_record else None, **state))
    page = table_fragment(current, state, message=message, error=error, undo=undo_record, **forms)
    db.session.commit()  # the Undo's label, once the table is drawn: a commit before had it read the batch again
    return page


def _chosen_rows() -> list[int]:
    return [int(v) for v in request.form.getlist("row") if v.isdigit()]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


@bp.post("/<int:batch_id>/bulk")
def bulk(batch_id: int):
    """Apply a bulk action to the selected rows, the page, or every matching row."""
    current = batch_or_404(batch_id)
    form = BulkForm()
    state = view_state()

    def apply() -> str:
        if not form.validate_on_submit():
            raise table.TableError("Choose a bulk action and which rows it applies to.")
        clauses = table.bulk_scope(current, form.scope.data, _chosen_rows(), state["filter"], state["q"],
                                   state["page"])
        registered = bulk_actions.run(current, form.action.data, clauses)
        if registered is not None:
            return registered
        # Every row in play, or for a restore every removed row: no search, and the filter of those rows.
        every_filter = "removed" if form.action.data == "restore" else "all"
        every_row = form.scope.data == "all_matching" and state["filter"] == every_filter and not state["q"]
        touched = table.bulk_action(current, form.action.data, clauses, account_type=form.account_type.data,
                                    every_row=every_row)
        if not touched:  # said as what to check, with no Undo of nothing
            raise table.TableError(NOTHING_CHANGED)
        return _bulk_message(form, touched)
    return _table_change(current, apply, bulk_form=form)


NOTHING_CHANGED = ("Nothing changed: the rows chosen under \u201cApply to\u201d already show this, or are rows it leaves "
                   "alone (ignored duplicates, removed rows). Choose other rows or another action.")


def _bulk_message(form: BulkForm, touched: int) -> str:
    rows = _plural(touched, "row")
    if form.action.data == "set_type":
        return f"Account type set to {table.ACCOUNT_TYPE_LABELS[form.account_type.data]} for {rows}."
    if form.action.data == "invite_on":
        return f"Send Invite & Password ticked for {rows}."
    if form.action.data == "invite_off":
        return f"Send Invite & Password cleared for {rows}."
    if form.action.data == "restore":
        return f"{rows[0].upper()}{rows[1:]} restored."
    return f"{rows[0].upper()}{rows[1:]} removed."
