"""File Import pages: template, upload, the staged table with its edits, and Create Users."""
from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from webapp import jobs
from webapp.access import console_blueprint, get_in_org_or_404, org_id
from webapp.csvsafe import write_csv
from webapp.extensions import db
from webapp.imports import creating, staging, table
from webapp.imports.reading import ENCODING_CHOICES
from webapp.imports.forms import (
    FILTER_CHOICES,
    BulkForm,
    ChoiceForm,
    ReplaceForm,
    RowForm,
    SettingsForm,
    UploadForm,
)
from webapp.models import BatchStatus, ImportBatch, Job

bp = console_blueprint("imports", __name__, url_prefix="/users/import")

TEMPLATE_HEADER = ["First Name", "Last Name", "Email Address"]


def _view_state() -> dict:
    """The table's filter, search and page, from the query string or the posted form."""
    page = request.values.get("page", "1")
    filter_name = request.values.get("filter", "all")
    return {"filter": filter_name if filter_name in table.FILTERS else "all",
            "q": request.values.get("q", "").strip()[:200],
            "page": int(page) if page.isdigit() else 1}


def _selecting_page() -> bool:
    """Without JavaScript, "Select all on this page" is a link that ticks the page's boxes."""
    return request.args.get("select") == "page"


def _batch_or_404(batch_id: int) -> ImportBatch:
    return creating.release_if_abandoned(get_in_org_or_404(ImportBatch, batch_id))


def _recent_batches():
    return db.session.scalars(
        select(ImportBatch).where(ImportBatch.org_id == org_id())
        .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc()).limit(10)
    ).all()


def _render_index(form: UploadForm, error: str | None = None, status: int = 200):
    return render_template("imports/index.html", form=form, error=error, batches=_recent_batches(),
                           max_mb=current_app.config["IMPORT_MAX_BYTES"] // (1024 * 1024)), status


@bp.get("/")
def index():
    """Download the template, upload a file, or go back to a recent import."""
    staging.expire_old_batches(org_id())
    return _render_index(UploadForm())


@bp.get("/template.csv")
def template_csv():
    """The CSV template: just the header row, UTF-8 with BOM."""
    return Response(write_csv(TEMPLATE_HEADER, []), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="user-import-template.csv"'})


@bp.post("/")
def upload():
    """Read and stage an uploaded file, then show its rows."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_index(form, status=400)
    upload_file = form.file.data
    config = current_app.config
    data = upload_file.read(config["IMPORT_MAX_BYTES"] + 1)
    try:
        batch = staging.stage_upload(
            org_id(), current_user.id, upload_file.filename or "upload", data,
            max_bytes=config["IMPORT_MAX_BYTES"], ttl_days=config["IMPORT_BATCH_TTL_DAYS"],
            background_rows=config["IMPORT_BACKGROUND_ROWS"],
        )
    except staging.StagingError as exc:
        db.session.rollback()
        return _render_index(form, error=str(exc), status=422)
    return redirect(url_for("imports.batch", batch_id=batch.id))


@bp.errorhandler(413)
def too_large(error):
    """Past MAX_CONTENT_LENGTH: stay on the upload page and say so."""
    limit = current_app.config["IMPORT_MAX_BYTES"]
    message = staging.size_problem(request.content_length or limit + 1, limit) or \
        "The file is larger than the upload limit. Split it into smaller files."
    return _render_index(UploadForm(formdata=None), error=message, status=413)


@bp.get("/<int:batch_id>")
def batch(batch_id: int):
    """The staged table of one import (HTMX: the table fragment alone)."""
    current = _batch_or_404(batch_id)
    state = _view_state()
    if request.htmx and current.status != BatchStatus.STAGING:
        return _table_fragment(current, state)
    return _render_batch(current, state)


def _render_batch(current: ImportBatch, state: dict, settings_form: SettingsForm | None = None,
                  settings_error: str | None = None, status: int = 200):
    if settings_form is None:
        settings_form = SettingsForm(formdata=None, encoding=current.encoding,
                                     delimiter=current.delimiter or ",",
                                     **{k: "" if v is None else str(v)
                                        for k, v in (current.column_map or {}).items()
                                        if k in SettingsForm.MAPPED})
    settings_form.set_headers(current.headers or [])
    job = db.session.get(Job, current.job_id) if current.job_id else None
    edit_id = request.args.get("edit", type=int)
    # After a change made without JavaScript, the page offers its Undo (the flash says what it was).
    latest = table.latest_undo(current)
    undo = latest if latest and latest.id == request.args.get("undo", type=int) else None
    return render_template(
        "imports/batch.html", job=job, settings_form=settings_form, settings_error=settings_error,
        encoding_labels=dict(ENCODING_CHOICES),
        **_table_context(current, state, edit_id=edit_id, undo=undo),
    ), status


def _table_context(current: ImportBatch, state: dict, edit_id: int | None = None,
                   message: str | None = None, error: str | None = None, undo=None) -> dict:
    counters = table.counters(current)
    rows = table.page_of_rows(current.id, state["filter"], state["q"], state["page"], counters)
    state = {**state, "page": rows.page}
    return {"batch": current, "rows": rows, "state": state, "counters": counters,
            "bulk_form": BulkForm(formdata=None, **state), "filters": FILTER_CHOICES,
            "replace_form": ReplaceForm(formdata=None, **state),
            "edit_id": edit_id, "row_form": RowForm(formdata=None), "message": message,
            "error": error, "undo": undo, "account_types": table.ACCOUNT_TYPE_LABELS,
            "suggestions": table.suggestion_count(current) if current.editable else 0,
            "select_page": _selecting_page()}


def _table_fragment(current: ImportBatch, state: dict, **extra):
    return render_template("imports/partials/_table.html", oob_counters=True,
                           **_table_context(current, state, **extra))


@bp.post("/<int:batch_id>/settings")
def settings(batch_id: int):
    """Read the kept file again with another encoding, delimiter or column mapping."""
    current = _batch_or_404(batch_id)
    form = SettingsForm()
    form.set_headers(current.headers or [])
    if not current.editable or not form.validate_on_submit():
        return _render_batch(current, _view_state(), form, "Choose values from the lists.", 400)
    is_text = current.delimiter is not None  # workbooks have no encoding or delimiter to choose
    reading_changed = is_text and (form.encoding.data != current.encoding
                                   or form.delimiter.data != current.delimiter)
    mapping = None if reading_changed else {**form.mapping(),
                                            "full_name": (current.column_map or {}).get("full_name")}
    encoding = form.encoding.data if is_text else None
    delimiter = form.delimiter.data if is_text else None
    try:
        staging.restage(current, encoding=encoding, delimiter=delimiter, mapping=mapping,
                        background_rows=current_app.config["IMPORT_BACKGROUND_ROWS"])
    except staging.StagingError as exc:
        db.session.rollback()
        return _render_batch(current, _view_state(), form, str(exc), 422)
    flash("The file was read again with your settings.", "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.get("/<int:batch_id>/progress")
def progress(batch_id: int):
    """The progress bar of the batch's job; when it is over, HTMX goes to the next page."""
    current = _batch_or_404(batch_id)
    job = db.session.get(Job, current.job_id) if current.job_id else None
    busy = current.status in (BatchStatus.STAGING, BatchStatus.CREATING)
    if busy and not (job and job.finished):
        return render_template("imports/partials/_progress.html", batch=current, job=job)
    response = make_response(render_template("imports/partials/_progress.html", batch=current, job=job,
                                             finished=True), 286)
    response.headers["HX-Redirect"] = _after_job_url(current)
    return response


def _after_job_url(current: ImportBatch) -> str:
    if current.status == BatchStatus.DONE:
        return url_for("users.index", batch=current.id)
    return url_for("imports.batch", batch_id=current.id)


@bp.get("/<int:batch_id>/rows/<int:row_id>")
def row(batch_id: int, row_id: int):
    """One row, as shown in the table (used to cancel an edit)."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    if not request.htmx:
        return redirect(url_for("imports.batch", batch_id=batch_id, **_view_state()))
    return render_template("imports/partials/_row.html", batch=current, row=staged, state=_view_state(),
                           account_types=table.ACCOUNT_TYPE_LABELS)


def _row_or_404(current: ImportBatch, row_id: int):
    staged = table.get_row(current, row_id)
    if staged is None:
        from flask import abort

        abort(404)
    return staged


@bp.get("/<int:batch_id>/rows/<int:row_id>/edit")
def edit_row(batch_id: int, row_id: int):
    """The row as a small form (HTMX); without JavaScript, the page with that row open."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    if not request.htmx:
        return redirect(url_for("imports.batch", batch_id=batch_id, edit=row_id, **_view_state()))
    return render_template("imports/partials/_row_edit.html", batch=current, row=staged,
                           state=_view_state(), row_form=RowForm(formdata=None),
                           account_types=table.ACCOUNT_TYPE_LABELS)


@bp.post("/<int:batch_id>/rows/<int:row_id>")
def save_row(batch_id: int, row_id: int):
    """Save an inline edit; the row is checked again at once, with its problems beside it."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    form = RowForm()
    form.validate()
    try:
        staged = table.edit_row(current, staged, first_name=form.first_name.data or "",
                                last_name=form.last_name.data or "", email=form.email.data or "",
                                account_type=form.account_type.data or "user",
                                send_invite="send_invite" in request.form)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    errors = table.field_errors(staged)
    if errors and request.htmx:
        # Still wrong: keep the row open with the fields in error marked, so the admin goes on fixing.
        return render_template("imports/partials/_row_edit.html", batch=current, row=staged,
                               state=_view_state(), field_errors=errors, counters=table.counters(current),
                               oob_counters=True, account_types=table.ACCOUNT_TYPE_LABELS)
    return _row_response(current, staged, saved=True)


def _row_response(current: ImportBatch, staged, error: str | None = None, saved: bool = False):
    state = _view_state()
    if not request.htmx:
        if error:
            flash(error, "error")
        elif saved:
            flash(f"Line {staged.line} saved.", "success")
        return redirect(url_for("imports.batch", batch_id=current.id, **state))
    return render_template("imports/partials/_row.html", batch=current, row=staged, state=state,
                           counters=table.counters(current), oob_counters=True, row_error=error,
                           suggestions=table.suggestion_count(current), account_types=table.ACCOUNT_TYPE_LABELS)


@bp.post("/<int:batch_id>/rows/<int:row_id>/choice")
def row_choice(batch_id: int, row_id: int):
    """Change a row's account type or its Send Invite tick on its own."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    form = ChoiceForm()
    # "both" comes from the row's Save button, shown when JavaScript is off.
    field = form.field.data if form.field.data in ("account_type", "send_invite") else "both"
    try:
        staged = table.set_choice(
            current, staged,
            account_type=None if field == "send_invite" else form.account_type.data or "",
            send_invite=None if field == "account_type" else bool(form.send_invite.data))
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    return _row_response(current, staged, saved=field == "both")


@bp.post("/<int:batch_id>/rows/<int:row_id>/remove")
def remove_row(batch_id: int, row_id: int):
    """Remove one row from the import."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    line = staged.line
    try:
        table.remove_row(current, staged)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    if not request.htmx:
        flash(f"Line {line} removed. You find it under Show: Removed, where you can restore it.", "success")
        return redirect(url_for("imports.batch", batch_id=batch_id, **_view_state()))
    return render_template("imports/partials/_row_removed.html", batch=current, row=staged,
                           state=_view_state(), counters=table.counters(current), oob_counters=True,
                           suggestions=table.suggestion_count(current))


@bp.post("/<int:batch_id>/rows/<int:row_id>/restore")
def restore_row(batch_id: int, row_id: int):
    """Bring a removed row back into the import."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    try:
        table.restore_row(current, staged)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    if not request.htmx:
        flash(f"Line {staged.line} restored.", "success")
        return redirect(url_for("imports.batch", batch_id=batch_id, **_view_state()))
    return _row_response(current, staged)


@bp.post("/<int:batch_id>/rows/<int:row_id>/suggestion")
def apply_suggestion(batch_id: int, row_id: int):
    """Take the suggested fix of one row's email."""
    current = _batch_or_404(batch_id)
    staged = _row_or_404(current, row_id)
    try:
        table.apply_suggestions(current, staged.id)
    except table.TableError as exc:
        return _row_response(current, staged, error=str(exc))
    db.session.refresh(staged)
    return _row_response(current, staged, saved=True)


@bp.post("/<int:batch_id>/suggestions")
def apply_suggestions(batch_id: int):
    """Take every suggested email fix of the import at once."""
    current = _batch_or_404(batch_id)
    return _table_change(current, lambda: _plural(table.apply_suggestions(current), "email") + " fixed.")


@bp.post("/<int:batch_id>/replace")
def find_replace(batch_id: int):
    """Replace text within one column of the selected rows, the page, or every matching row."""
    current = _batch_or_404(batch_id)
    form = ReplaceForm()
    state = _view_state()

    def replace() -> str:
        if not form.validate_on_submit():
            raise table.TableError("Choose a column, type the text to find, and choose which rows.")
        clauses = table.bulk_scope(current, form.scope.data, _chosen_rows(), state["filter"], state["q"],
                                   state["page"])
        touched = table.find_replace(current, form.column.data, form.find.data, form.replacement.data or "",
                                     clauses)
        return f"Replaced in {_plural(touched, 'row')}."
    return _table_change(current, replace)


@bp.post("/<int:batch_id>/undo/<int:undo_id>")
def undo(batch_id: int, undo_id: int):
    """Put the rows of the latest bulk change back as they were."""
    current = _batch_or_404(batch_id)
    return _table_change(current, lambda: f"Undone: {_plural(table.undo(current, undo_id), 'row')} as before.",
                         undoable=False)


def _table_change(current: ImportBatch, change, undoable: bool = True):
    """Run a change on many rows; show the table with a notice (and its Undo), or the error."""
    state = _view_state()
    message = error = undo_record = None
    try:
        message = change()
        if undoable:
            undo_record = table.name_undo(current, message)
    except table.TableError as exc:
        db.session.rollback()
        error = str(exc)
    if not request.htmx:
        flash(error or message, "error" if error else "success")
        return redirect(url_for("imports.batch", batch_id=current.id,
                                undo=undo_record.id if undo_record else None, **state))
    return _table_fragment(current, state, message=message, error=error, undo=undo_record)


def _chosen_rows() -> list[int]:
    return [int(v) for v in request.form.getlist("row") if v.isdigit()]


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' if count != 1 else ''}"


@bp.post("/<int:batch_id>/bulk")
def bulk(batch_id: int):
    """Apply a bulk action to the selected rows, the page, or every matching row."""
    current = _batch_or_404(batch_id)
    form = BulkForm()
    state = _view_state()

    def apply() -> str:
        if not form.validate_on_submit():
            raise table.TableError("Choose a bulk action and which rows it applies to.")
        clauses = table.bulk_scope(current, form.scope.data, _chosen_rows(), state["filter"], state["q"],
                                   state["page"])
        touched = table.bulk_action(current, form.action.data, clauses, account_type=form.account_type.data)
        return _bulk_message(form, touched)
    return _table_change(current, apply)


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


@bp.get("/<int:batch_id>/problems.csv")
def problems(batch_id: int):
    """Download every row that will not be created, with the reason."""
    current = _batch_or_404(batch_id)
    filename = f"import-{current.id}-problems.csv"
    return Response(table.problems_csv(current), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:batch_id>/create")
def confirm_create(batch_id: int):
    """Say how many accounts will be made and how many rows are left out, before doing it."""
    current = _batch_or_404(batch_id)
    if not current.editable:
        flash(creating.refusal(current), "warning")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    return render_template("imports/confirm.html", batch=current, counters=table.counters(current))


@bp.post("/<int:batch_id>/create")
def create(batch_id: int):
    """Create the accounts (in the background for big batches), exactly once."""
    current = _batch_or_404(batch_id)
    if not creating.claim_batch(current.id):
        db.session.refresh(current)
        flash(creating.refusal(current), "warning")
        return redirect(_after_job_url(current) if current.status == BatchStatus.DONE
                        else url_for("imports.batch", batch_id=batch_id))
    ready = table.counters(current).ready
    if ready > current_app.config["IMPORT_BACKGROUND_ROWS"]:
        job = jobs.submit("import_create", "webapp.imports.creating.create_users_job", org_id=org_id(),
                          batch_id=current.id, actor_id=current_user.id)
        db.session.execute(db.update(ImportBatch).where(ImportBatch.id == current.id).values(job_id=job.id))
        db.session.commit()
        return redirect(url_for("imports.batch", batch_id=batch_id))
    result = creating.create_users(current.id, current_user.id, claimed=True)
    if result.error:
        flash(result.error, "error")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    return redirect(url_for("users.index", batch=current.id))
