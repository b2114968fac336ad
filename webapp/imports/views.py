"""File Import pages: template, upload, reading settings and column matching, the staged table's page, progress, the
problems CSV and Create Users (its rows' and bulk changes' routes: table_views.py)."""
from __future__ import annotations

from flask import (
    Response,
    current_app,
    flash,
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
from webapp.htmx import fragment_or_page, stop_polling
from webapp.imports import (creating, matching, outcomes, queries, rewriting, staged, staging, sync_forms,
                            table, table_pages, table_undo, uploads)
from webapp.imports.encodings import encoding_label
from webapp.imports.fields import import_fields, staged_fields, text_fields
from webapp.imports.forms import (
    FILTER_CHOICES,
    BulkForm,
    MatchForm,
    ReplaceForm,
    SettingsForm,
    UploadForm,
    initial_columns,
    row_form,
)
from webapp.imports.sync_views import plan_counts
from webapp.models import BatchStatus, ImportBatch, Job
from webapp.users import extras as users_extras

bp = console_blueprint("imports", __name__, url_prefix="/users/import")
staged.register(bp)
bp.add_app_template_filter(encoding_label, "encoding_name")  # one name for an encoding on every page
bp.add_app_template_global(outcomes.left_out, "rows_left_out")  # offer Download problems only with some
# The Users list filters by a batch ("?batch=") and shows its banner through users' extension point.
users_extras.provide_import_batches(queries.user_ids_for_batch, queries.batch_banner)

TEMPLATE_HEADER = ["First Name", "Last Name", "Email Address"]


def view_state() -> dict:
    """The table's filter, search and page, from the query string or the posted form."""
    page = request.values.get("page", "1")
    filter_name = request.values.get("filter", "all")
    return {"filter": filter_name if filter_name in table_pages.FILTERS else "all",
            "q": request.values.get("q", "").strip()[:200],
            "page": int(page) if page.isdigit() else 1}


def _selecting_page() -> bool:
    """Without JavaScript, "Select all on this page" is a link that ticks the page's boxes."""
    return request.args.get("select") == "page"


def batch_or_404(batch_id: int) -> ImportBatch:
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
    try:
        # Read from the request's spooled file a block at a time, never as one bytes object.
        with uploads.received(upload_file.stream, config["IMPORT_MAX_BYTES"]) as data:
            batch = staging.stage_upload(
                org_id(), current_user.id, upload_file.filename or "upload", data,
                max_bytes=config["IMPORT_MAX_BYTES"], ttl_days=config["IMPORT_BATCH_TTL_DAYS"],
                background_rows=config["IMPORT_BACKGROUND_ROWS"],
            )
    except staging.StagingError as exc:
        db.session.rollback()
        return _render_index(form, error=str(exc), status=422)
    except Exception as exc:  # never a 500 for a file: say so and keep nothing
        db.session.rollback()
        current_app.logger.exception("Staging an upload failed")
        return _render_index(form, error=staging.UNEXPECTED.format(error=type(exc).__name__), status=422)
    sync_forms.apply_upload_options(batch, form)  # upload mode and full-list options
    if matching.needs_matching(batch):
        return redirect(url_for("imports.match", batch_id=batch.id))
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
    current = batch_or_404(batch_id)
    state = view_state()
    if current.status == BatchStatus.STAGING:
        return _render_batch(current, state)
    return fragment_or_page(lambda: table_fragment(current, state), lambda: _render_batch(current, state))


def _render_batch(current: ImportBatch, state: dict, settings_form: SettingsForm | None = None,
                  settings_error: str | None = None, status: int = 200):
    if settings_form is None:
        mapped = {k: "" if v is None else str(v) for k, v in (current.column_map or {}).items()}
        settings_form = SettingsForm.build(current.headers or [], formdata=None, encoding=current.encoding,
                                           delimiter=current.delimiter or ",", **mapped)
    job = db.session.get(Job, current.job_id) if current.job_id else None
    edit_id = request.args.get("edit", type=int)
    # After a change made without JavaScript, the page offers its Undo (the flash says what it was).
    latest = table_undo.latest_undo(current)
    undo = latest if latest and latest.id == request.args.get("undo", type=int) else None
    return render_template(
        "imports/batch.html", job=job, settings_form=settings_form, settings_error=settings_error,
        delimiter_names=_DELIMITER_NAMES,
        field_columns=_field_columns(current), info=current.read_info or {},
        **_table_context(current, state, edit_id=edit_id, undo=undo),
    ), status


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}


def _field_columns(current: ImportBatch) -> list[tuple[str, str | None]]:
    """(field label, header it is read from or None) for every registered field read or worth naming as absent."""
    headers = current.headers or []
    column_map = current.column_map or {}

    def header(key):
        index = column_map.get(key)
        return (headers[index] or f"Column {index + 1}") if isinstance(index, int) and index < len(headers) else None

    found = [(f, header(f.key)) for f in import_fields()]
    return [(f.label, read_from) for f, read_from in found if read_from is not None or f.listed_when_absent]


def _table_context(current: ImportBatch, state: dict, edit_id: int | None = None,
                   message: str | None = None, error: str | None = None, undo=None) -> dict:
    counters = table_pages.counters(current)
    rows = table_pages.page_of_rows(current.id, state["filter"], state["q"], state["page"], counters)
    state = {**state, "page": rows.page}
    return {"batch": current, "rows": rows, "state": state, "counters": counters,
            "bulk_form": BulkForm(formdata=None, **state), "filters": FILTER_CHOICES,
            "replace_form": ReplaceForm(formdata=None, **state),
            "edit_id": edit_id, "row_form": row_form(formdata=None), "message": message,
            "error": error, "undo": undo, "account_types": table.ACCOUNT_TYPE_LABELS,
            "suggestions": rewriting.suggestion_count(current) if current.editable else 0,
            "select_page": _selecting_page(), "text_fields": text_fields()}


def table_fragment(current: ImportBatch, state: dict, replace_form: ReplaceForm | None = None,
                    bulk_form: BulkForm | None = None, **extra):
    context = _table_context(current, state, **extra)
    # After a change the bar that made it keeps what the admin chose (and Find and replace stays open).
    if replace_form is not None:
        context.update(replace_form=replace_form, replace_open=True)
    if bulk_form is not None:
        context.update(bulk_form=bulk_form)
    return render_template("imports/partials/_table.html", oob_counters=True, **context)


@bp.post("/<int:batch_id>/settings")
def settings(batch_id: int):
    """Read the kept file again with another encoding, delimiter or column mapping."""
    current = batch_or_404(batch_id)
    form = SettingsForm.build(current.headers or [])
    if not current.editable or not form.validate_on_submit():
        return _render_batch(current, view_state(), form, "Choose values from the lists.", 400)
    is_text = current.delimiter is not None  # workbooks have no encoding or delimiter to choose
    encoding = form.encoding.data if is_text else None
    delimiter = form.delimiter.data if is_text else None
    try:
        _reread(current, form.mapping(), encoding=encoding, delimiter=delimiter)
    except staging.StagingError as exc:
        db.session.rollback()
        return _render_batch(current, view_state(), form, str(exc), 422)
    flash("The file was read again with your settings.", "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


def _reread(current: ImportBatch, mapping: dict, **options) -> None:
    """Restage with new reading options; the admin's mapping is kept only while the headers are unchanged."""
    if _reading_changes(current, options):
        with uploads.kept(current.id) as upload:
            table, _ = staging.read_file(upload, current.filename, **options)
        if list(table.headers) != list(current.headers or []):
            # Other columns now: match them afresh, or as this organisation confirmed before.
            mapping = staging.remembered_mapping(current.org_id, table.headers)
    staging.restage(current, mapping=mapping, background_rows=current_app.config["IMPORT_BACKGROUND_ROWS"],
                    **options)
    if mapping is not None:
        staging.remember_mapping(current.org_id, current.headers or [], mapping)
        db.session.commit()


def _reading_changes(current: ImportBatch, options: dict) -> bool:
    info = current.read_info or {}
    return any(value not in (None, "") and value != {"encoding": current.encoding,
                                                      "delimiter": current.delimiter}.get(key, info.get(key))
               for key, value in options.items())


def _match_options(current: ImportBatch, form: MatchForm | None = None) -> dict:
    """The reading options to use: the form's when posted, else those the batch was read with."""
    info = current.read_info or {}
    is_text = current.delimiter is not None
    options = {"encoding": current.encoding if is_text else None, "delimiter": current.delimiter,
               "sheet": info.get("sheet"), "header_line": None}
    if form is not None:
        if is_text:
            options["encoding"], options["delimiter"] = form.encoding.data or None, form.delimiter.data or None
        if len(info.get("sheet_names") or []) > 1:
            options["sheet"] = form.sheet.data or None
        if form.header_line.data:
            options["header_line"] = form.header_line.data
    return options


@bp.get("/<int:batch_id>/match")
def match(batch_id: int):
    """Every column of the file, its samples and the field it feeds, with a preview of the first rows."""
    current = batch_or_404(batch_id)
    if not current.editable:
        return redirect(url_for("imports.batch", batch_id=batch_id))
    info = current.read_info or {}
    form = MatchForm.build(current.headers or [], formdata=None, encoding=current.encoding,
                           delimiter=current.delimiter or ",", sheet=info.get("sheet") or "",
                           header_line=info.get("header_line"),
                           **initial_columns(current.column_map, len(current.headers or [])))
    return _render_match(current, form, _match_options(current), current.column_map or {})


def _render_match(current: ImportBatch, form: MatchForm, options: dict, mapping: dict | None,
                  error: str | None = None, status: int = 200):
    info = current.read_info or {}
    table = column_map = None
    # The columns are shown even when the chosen mapping cannot be used (no email column chosen).
    with uploads.kept(current.id) as upload:  # the page shows the table's first rows only: read here
        for attempt in (mapping, current.column_map or None):
            try:
                table, column_map = staging.read_file(upload, current.filename, mapping=attempt, **options)
                break
            except staging.StagingError as exc:
                error = error or str(exc)
    form.sheet.choices = [(name, name) for name in info.get("sheet_names") or []]
    return render_template(
        "imports/match.html", batch=current, form=form, error=error, info=info,
        columns=matching.file_columns(table) if table else [],
        preview=matching.preview(table, column_map) if table else [],
        staged=staged_fields(), doubts=info.get("doubts") or [],
        can_choose_sheet=len(info.get("sheet_names") or []) > 1,
        can_choose_header=True,
        delimiter_names=_DELIMITER_NAMES,
    ), status


@bp.post("/<int:batch_id>/match")
def confirm_match(batch_id: int):
    """Preview the chosen matching, or stage the rows with it and remember it for these headers."""
    current = batch_or_404(batch_id)
    if not current.editable:
        return redirect(url_for("imports.batch", batch_id=batch_id))
    form = MatchForm.build(current.headers or [])
    form.sheet.choices = [(n, n) for n in (current.read_info or {}).get("sheet_names") or []]
    if not form.validate_on_submit():
        return _render_match(current, form, _match_options(current), current.column_map,
                             "Check the choices below.", 400)
    options = _match_options(current, form)
    try:
        mapping = form.mapping()
    except ValueError as exc:
        return _render_match(current, form, options, None, str(exc), 422)
    if _reading_changes(current, options):
        # Other reading options may give other columns: show them before staging anything.
        try:
            with uploads.kept(current.id) as upload:
                table, _ = staging.read_file(upload, current.filename, **options)
            same_columns = list(table.headers) == list(current.headers or [])
            staging.restage(current, mapping=mapping if same_columns else None, **options)
        except staging.StagingError as exc:
            db.session.rollback()
            return _render_match(current, form, _match_options(current), current.column_map, str(exc), 422)
        flash("The file was read again. Check the columns, then press Continue.", "success")
        return redirect(url_for("imports.match", batch_id=batch_id))
    if "preview" in request.form:
        return _render_match(current, form, options, mapping)
    try:
        staging.restage(current, mapping=mapping, background_rows=current_app.config["IMPORT_BACKGROUND_ROWS"],
                        **options)
    except staging.StagingError as exc:
        db.session.rollback()
        return _render_match(current, form, options, None, str(exc), 422)
    staging.remember_mapping(current.org_id, current.headers or [], mapping)
    db.session.commit()
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.get("/<int:batch_id>/progress")
def progress(batch_id: int):
    """The progress bar of the batch's job; when it is over, HTMX goes to the next page."""
    current = batch_or_404(batch_id)
    job = db.session.get(Job, current.job_id) if current.job_id else None
    busy = current.status in (BatchStatus.STAGING, BatchStatus.CREATING)
    if busy and not (job and job.finished):
        return render_template("imports/partials/_progress.html", batch=current, job=job)
    return stop_polling(render_template("imports/partials/_progress.html", batch=current, job=job, finished=True),
                        redirect_to=_after_job_url(current))


def _after_job_url(current: ImportBatch) -> str:
    if current.status == BatchStatus.DONE:
        return url_for("users.index", batch=current.id)
    if current.status == BatchStatus.STAGED and current.created_count == 0 and matching.needs_matching(current):
        return url_for("imports.match", batch_id=current.id)
    return url_for("imports.batch", batch_id=current.id)


@bp.get("/<int:batch_id>/problems.csv")
def problems(batch_id: int):
    """Download every row that will not be created, with the reason; with none, say so instead of an empty file."""
    current = batch_or_404(batch_id)
    if not outcomes.left_out(table_pages.counters(current).by_status):
        flash(f"No row of {current.filename} has a problem, so there is nothing to download.", "info")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    filename = f"import-{current.id}-problems.csv"
    return Response(table.problems_csv(current), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/<int:batch_id>/create")
def confirm_create(batch_id: int):
    """Say how many accounts will be made, updated and deactivated, and which rows are left out, before doing it."""
    current = batch_or_404(batch_id)
    if not current.editable:
        flash(creating.refusal(current), "warning")
        return redirect(url_for("imports.batch", batch_id=batch_id))
    planned = plan_counts(current)  # the same counts as the changes panel, from a fresh plan
    return render_template("imports/confirm.html", batch=current, counters=table_pages.counters(current), planned=planned,
                           welcome_emails=table_pages.welcome_emails(current))


@bp.post("/<int:batch_id>/create")
def create(batch_id: int):
    """Create the accounts (in the background for big batches), exactly once."""
    current = batch_or_404(batch_id)
    if not creating.claim_batch(current.id):
        db.session.refresh(current)
        flash(creating.refusal(current), "warning")
        return redirect(_after_job_url(current) if current.status == BatchStatus.DONE
                        else url_for("imports.batch", batch_id=batch_id))
    ready = table_pages.counters(current).ready
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
