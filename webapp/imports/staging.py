"""Staging: read an uploaded file into an import batch of rows, set-based, ready to check and edit."""
from __future__ import annotations

import logging
import os
from bisect import bisect_right
from contextlib import nullcontext
from datetime import timedelta
from functools import partial

from sqlalchemy import case, delete, func, or_, select, update
from sqlalchemy.orm import aliased

from webapp import bulk, bulk_stream, collection, jobs
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import columns as column_mapping
from webapp.imports import choices, reading, removal, search_rows, uploads
from webapp.imports.cleaning import Cleaner
from webapp.imports.fields import check_batch
from webapp.imports.suggestions import suggestion_for
from webapp.models import BatchStatus, ImportBatch, ImportMapping, RowStatus, StagedRow, User

log = logging.getLogger(__name__)

# Rows an admin can still change; duplicates are ignored and created/failed rows are history.
OPEN_STATUSES = (RowStatus.VALID, RowStatus.INVALID, RowStatus.EXISTING)
_SKIPPED_TEXT_MAX = 200
UNEXPECTED = ("The file could not be read because of an unexpected error ({error}). Upload it again; "
              "if it keeps happening, save it as CSV and try that.")


class StagingError(ValueError):
    """The file cannot be staged; str(error) says why and what to do, in one sentence or two."""


def size_problem(size: int, max_bytes: int) -> str | None:
    """The sentence to show when a file is over the size limit, else None."""
    if size <= max_bytes:
        return None
    return (f"The file is {_megabytes(size)}, larger than the {_megabytes(max_bytes)} limit. "
            "Split it into smaller files and import them one after another.")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _read_table(data, filename: str, **options):
    """reading.read_table with the options the admin chose (blank ones left to detection)."""
    kwargs = {key: value for key, value in options.items() if value is not None and value != ""}
    return reading.read_table(data, filename, **kwargs)


def read_file(data: bytes | uploads.Upload, filename: str, *, encoding: str | None = None,
              delimiter: str | None = None, mapping: dict | None = None, sheet: str | None = None,
              header_line: int | None = None, progress=None, streamed: bool = False):
    """Read and map a file: (RawTable, ColumnMap), or raise StagingError with a clear reason.

    The table reads the file again for its rows: use it while `data` is still there. `streamed`: the rows are
    staged next and nobody needs their count first, so a long text file is read once (reading.read_table).
    """
    try:
        table = _read_table(data, filename, encoding=encoding or None, delimiter=delimiter or None,
                            sheet=sheet, header_line=header_line, progress=progress, streamed=streamed)
    except reading.UnreadableFile as exc:
        raise StagingError(str(exc)) from None
    if mapping is not None:
        return table, chosen_map(table.headers, mapping)
    try:
        column_map = column_mapping.map_columns(table.headers, table.head)
    except column_mapping.NoEmailColumn as exc:
        raise StagingError(str(exc)) from None
    if table.headerless:
        column_map.doubts.insert(0, "the file has no header row")
    return table, column_map


def chosen_map(headers: list[str], mapping: dict):
    """A ColumnMap from the admin's choices of header index per field (None for "not imported")."""
    column_map = column_mapping.mapping_from_choices(headers, mapping)
    if column_map.email is None:
        raise StagingError("Choose the column that holds the email addresses; it cannot be \u201cnot imported\u201d.")
    return column_map


def read_info(table, column_map, *, remembered: bool = False) -> dict:
    """What a person should know about how the file was read (see ImportBatch.read_info)."""
    skipped = [{"line": item.line, "text": item.text[:_SKIPPED_TEXT_MAX], "reason": item.reason}
               for item in table.skipped]
    return {
        "sheet": table.sheet, "sheet_names": list(table.sheet_names), "header_line": table.header_line,
        "headerless": table.headerless, "skipped": skipped, "encoding_guessed": table.encoding_guessed,
        "doubts": list(column_map.doubts), "remembered": remembered,
    }


def _stored_name(filename: str, longest: int = 255) -> str:
    """The file's name as the batch keeps it: shortened before its extension, which every later read goes by."""
    if len(filename) <= longest:
        return filename or "upload"
    stem, extension = os.path.splitext(filename)
    extension = extension[:16]
    return stem[:longest - len(extension)] + extension


def new_batch(org_id: int, admin_id: int | None, filename: str, data: bytes | uploads.Upload | None,
              ttl_days: int) -> ImportBatch:
    """Add an empty batch keeping the uploaded file (unless None) to the session; the caller commits."""
    batch = ImportBatch(org_id=org_id, admin_id=admin_id, filename=_stored_name(filename),
                        status=BatchStatus.STAGING, expires_at=utcnow() + timedelta(days=ttl_days))
    db.session.add(batch)
    db.session.flush()
    if data is not None:
        uploads.store(batch.id, uploads.as_upload(data))
    return batch


def stage_rows(batch: ImportBatch, table, column_map, *, default_account_type: str = "user",
               remembered: bool = False, progress=None) -> None:
    """Replace the batch's rows with the cleaned rows of `table`, a chunk at a time; set-based flags.

    `progress(rows_done, rows_total)` is called after each chunk is saved.
    """
    cleaner = Cleaner(column_map, default_account_type=default_account_type,
                      links=getattr(table, "mail_links", None))
    db.session.execute(delete(StagedRow).where(StagedRow.batch_id == batch.id))
    search_rows.forget(batch.id)
    choices.forget(batch.id)  # a type or Send Invite set for every row went with the rows
    removal.put(batch.id, None)  # and so did a removal of every row
    removal.forget(batch.id)  # and rows removed apart
    staged = StagedRow.__table__
    done = 0
    hidden = HiddenLines(getattr(table, "hidden_lines", ()))
    # Progress is saved through the session as each chunk is: then a chunk is one insert, else one stream.
    writing = nullcontext(partial(bulk.insert_values, staged, _ROW_COLUMNS)) if progress is not None \
        else bulk_stream.inserting(staged, _ROW_COLUMNS)
    try:
        with collection.paused(), writing as write:
            for chunk in table.chunks():
                cleaned = cleaner.clean(chunk)
                hidden.count(cleaned)
                write(_row_values(batch.id, cleaned))
                done += len(cleaned)
                if progress is not None:
                    progress(done, max(table.row_count, done))
    except reading.UnreadableFile as exc:
        raise StagingError(str(exc)) from None
    if not db.session().discards_writes:  # a dry run's rows are reported, never searched
        search_rows.write(batch.id)
    mark_existing(batch)
    describe_reading(batch, table, column_map, remembered=remembered, hidden=hidden.found())
    check_batch(batch)
    batch.rows_read = done
    batch.status, batch.last_error = BatchStatus.STAGED, ""


class HiddenLines:
    """Which staged rows a workbook hid (by hand or by a filter): counted as the rows are staged, a few named."""

    NAMED = 10

    def __init__(self, ranges):
        self.ranges, self.starts = list(ranges), [first for first, _ in ranges]
        self.total, self.lines = 0, []

    def count(self, rows) -> None:
        if not self.ranges:
            return
        for row in rows:
            at = bisect_right(self.starts, row.line) - 1
            if at >= 0 and row.line <= self.ranges[at][1]:
                self.total += 1
                if len(self.lines) < self.NAMED:
                    self.lines.append(row.line)

    def found(self) -> dict | None:
        """{"count", "lines"} for How we read the file, or None when no staged row was hidden."""
        return {"count": self.total, "lines": self.lines} if self.total else None


def describe_reading(batch: ImportBatch, table, column_map, *, remembered: bool = False,
                     hidden: dict | None = None) -> None:
    """Record on the batch how its file was read and mapped (`hidden`: HiddenLines.found, once staged)."""
    batch.encoding, batch.encoding_detected = table.encoding, table.encoding_detected
    batch.delimiter, batch.delimiter_detected = table.delimiter, table.delimiter_detected
    batch.headers = [str(h)[:_SKIPPED_TEXT_MAX] for h in table.headers]
    batch.column_map = column_map.as_json()
    batch.read_info = read_info(table, column_map, remembered=remembered)
    if hidden:
        batch.read_info["hidden"] = hidden


_ROW_COLUMNS = ["batch_id", "line", "first_name", "last_name", "email", "account_type", "send_invite", "status",
                "errors", "fields_ok", "email_ok", "account_type_error", "duplicate_of", "conflict_with", "extra",
                "suggested_email"]


def _row_values(batch_id: int, cleaned) -> list[tuple]:
    """Rows for the bulk insert, in _ROW_COLUMNS order: a row's own problems, its refused type and its conflict apart."""
    rows = []
    json_text = bulk.json_text
    for row in cleaned:
        errors, fields_ok, type_error = "[]", True, None  # most rows: no problem to sort out or encode
        if row.problems:
            own = []
            for item in row.problems:
                code = item["code"]
                if code == "same_email":
                    continue
                if code == "unknown_account_type":
                    type_error = item["params"].get("value", "")
                else:
                    own.append(item)
            errors, fields_ok = json_text(own), not own
        rows.append((batch_id, row.line, row.first_name, row.last_name, row.email, row.account_type,
                     row.send_invite, row.status, errors, fields_ok, row.email_ok, type_error,
                     row.duplicate_of, row.conflict_with, json_text(row.extra),
                     suggestion_for(row.email, row.email_ok)))
    return rows


def mark_existing(batch: ImportBatch) -> None:
    """Flag ready rows whose email already has an account in the organisation (one UPDATE)."""
    org_emails = select(User.email).where(User.org_id == batch.org_id)
    # IN (subquery), not = ANY(ARRAY(subquery)): an array built by a subquery is not hashed, so each ready
    # row walked every address of the organisation (100,000 x 100,000: staging took 138 s instead of 3 s).
    has_account = StagedRow.email.in_(org_emails)
    db.session.execute(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.VALID, has_account)
        .values(status=RowStatus.EXISTING)
        .execution_options(synchronize_session=False)
    )


def refresh_rows(batch: ImportBatch, conflict_scope, status_scope) -> None:
    """Recompute conflicts, then statuses, for the rows each where-clause selects (two UPDATEs)."""
    open_rows = (StagedRow.batch_id == batch.id, StagedRow.status.in_(OPEN_STATUSES))
    db.session.execute(
        update(StagedRow).where(*open_rows, conflict_scope)
        .values(conflict_with=conflict_expression())
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(StagedRow).where(*open_rows, status_scope)
        .values(status=status_expression(batch.org_id))
        .execution_options(synchronize_session=False)
    )


def conflict_expression(besides=None):
    """SQL for an open row's conflict: the earliest line before it in play with the same valid email.
    besides: a SELECT of the ids of rows out of play whatever their own status (removed apart, removal.py)."""
    other = aliased(StagedRow)
    earliest = (
        select(func.min(other.line))
        .where(other.batch_id == StagedRow.batch_id, other.email == StagedRow.email,
               other.email_ok.is_(True), other.status.not_in((RowStatus.DUPLICATE, RowStatus.REMOVED)),
               other.line < StagedRow.line, *([] if besides is None else [other.id.not_in(besides)]))
        .scalar_subquery()
    )
    return case((StagedRow.email_ok.is_(True), earliest), else_=None)


def status_expression(org_id: int, *, type_error_cleared: bool = False):
    """SQL for a row's status from its own problems, its conflicts and the org's accounts."""
    problems = [StagedRow.fields_ok.is_(False), StagedRow.conflict_with.is_not(None)]
    if not type_error_cleared:
        problems.append(StagedRow.account_type_error.is_not(None))
    has_problem = or_(*problems)
    if db.engine.dialect.name == "postgresql":
        # As EXISTS, PostgreSQL plans both a hash of the organisation's addresses and a look-up per row, and picks
        # by the rows the statement reaches: an inline edit in an organisation of 100,000 people hashed them all
        # (IN always hashes: ~20 ms, twice per edit), where staging 100,000 rows still hashes them once.
        has_account = select(User.id).where(User.org_id == org_id, User.email == StagedRow.email).exists()
    else:  # SQLite makes IN's list once per statement, where EXISTS would look every staged row up
        has_account = StagedRow.email.in_(select(User.email).where(User.org_id == org_id))
    return case(
        (has_problem, RowStatus.INVALID),
        (has_account, RowStatus.EXISTING),
        else_=RowStatus.VALID,
    )


def remembered_mapping(org_id: int, headers: list[str]) -> dict | None:
    """The mapping this organisation confirmed for these headers before, if any."""
    return db.session.scalar(select(ImportMapping.mapping).where(
        ImportMapping.org_id == org_id, ImportMapping.headers_key == column_mapping.headers_key(headers)))


def remember_mapping(org_id: int, headers: list[str], mapping: dict) -> None:
    """Keep the mapping the admin confirmed for these headers, to offer it next time (caller commits)."""
    key = column_mapping.headers_key(headers)
    saved = db.session.scalar(select(ImportMapping).where(ImportMapping.org_id == org_id,
                                                          ImportMapping.headers_key == key))
    if saved is None:
        db.session.add(ImportMapping(org_id=org_id, headers_key=key, mapping=dict(mapping)))
    else:
        saved.mapping = dict(mapping)


def stage_upload(org_id: int, admin_id: int | None, filename: str, data: bytes | uploads.Upload, *,
                 max_bytes: int, ttl_days: int, background_rows: int | None = None,
                 default_account_type: str = "user", keep_file: bool = True) -> ImportBatch:
    """Check, read and stage an upload as a new batch; big files go to a background job.

    Raises StagingError, and stores nothing, when the file is too large or cannot be read. `keep_file=False`
    (a dry run) stages without storing the file, so the batch cannot be read again.
    """
    data = uploads.as_upload(data)
    problem = size_problem(data.size, max_bytes)
    if problem:
        raise StagingError(problem)
    table, column_map = read_file(data, filename, streamed=background_rows is None)
    remembered = remembered_mapping(org_id, table.headers)
    mapping = None
    if remembered and remembered.get("email") is not None and \
            all(i is None or (isinstance(i, int) and 0 <= i < len(table.headers)) for i in remembered.values()):
        mapping = remembered
        column_map = chosen_map(table.headers, mapping)
    background = background_rows is not None and table.row_count > background_rows
    batch = new_batch(org_id, admin_id, filename, data if keep_file or background else None, ttl_days)
    describe_reading(batch, table, column_map, remembered=mapping is not None)
    if background:
        db.session.commit()
        job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=org_id,
                          batch_id=batch.id, mapping=mapping, default_account_type=default_account_type)
        _remember_job(batch.id, job.id)
        return db.session.get(ImportBatch, batch.id)
    stage_rows(batch, table, column_map, default_account_type=default_account_type,
               remembered=mapping is not None)
    db.session.commit()
    return batch


def restage(batch: ImportBatch, *, encoding: str | None = None, delimiter: str | None = None,
            mapping: dict | None = None, sheet: str | None = None, header_line: int | None = None,
            background_rows: int | None = None) -> None:
    """Read the kept file again with the admin's choices; replace the rows.

    Raises StagingError and keeps the current rows when the file cannot be read that way.
    """
    options = {"encoding": encoding, "delimiter": delimiter, "sheet": sheet, "header_line": header_line}
    with uploads.kept(batch.id) as upload:
        table, column_map = read_file(upload, batch.filename, mapping=mapping, streamed=background_rows is None,
                                      **options)
        if background_rows is not None and table.row_count > background_rows:
            batch.status = BatchStatus.STAGING
            db.session.commit()
            job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=batch.org_id,
                              batch_id=batch.id, mapping=mapping, **options)
            _remember_job(batch.id, job.id)
            return
        stage_rows(batch, table, column_map)
    db.session.commit()


def _remember_job(batch_id: int, job_id: int) -> None:
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(job_id=job_id))
    db.session.commit()


def stage_batch_job(batch_id: int, job_id: int | None = None, encoding: str | None = None,
                    delimiter: str | None = None, mapping: dict | None = None, sheet: str | None = None,
                    header_line: int | None = None, default_account_type: str = "user") -> dict:
    """Background job: read the batch's file and stage its rows; on any failure, say why on the batch."""
    try:
        batch = db.session.get(ImportBatch, batch_id)
        if job_id is not None:
            jobs.progress(job_id, 0, None, "Reading the rows")
        with uploads.kept(batch_id) as upload:
            table, column_map = read_file(upload, batch.filename, encoding=encoding, delimiter=delimiter,
                                          mapping=mapping, sheet=sheet, header_line=header_line,
                                          progress=_reading_progress(job_id))
            progress = None
            if job_id is not None:
                jobs.progress(job_id, 0, table.row_count, "Checking and saving the rows")
                batch = db.session.get(ImportBatch, batch_id)

                def progress(done, total):
                    # Each chunk's rows are committed with its progress, so the page shows them moving.
                    jobs.progress(job_id, done, total)
            stage_rows(batch, table, column_map, default_account_type=default_account_type,
                       remembered=mapping is not None, progress=progress)
        db.session.commit()
    except Exception as exc:  # a batch must never stay "staging": the admin sees why and uploads again
        db.session.rollback()
        if isinstance(exc, StagingError):
            reason = str(exc)
        else:
            log.exception("Staging failed for import batch %s", batch_id)
            reason = UNEXPECTED.format(error=type(exc).__name__)
        db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id)
                           .values(status=BatchStatus.FAILED, last_error=reason[:1000]))
        db.session.commit()
        return {"batch_id": batch_id, "error": reason}
    return {"batch_id": batch_id, "rows_read": batch.rows_read}


def _reading_progress(job_id: int | None):
    """While the file is first read: the rows read so far, of those a workbook declares or a text file's size
    suggests, on the job."""
    if job_id is None:
        return None

    def progress(rows: int, declared: int | None) -> None:
        jobs.progress(job_id, rows, max(declared or 0, rows) or None, "Reading the rows")
    return progress


def expire_old_batches(org_id: int) -> int:
    """Delete the organisation's batches past their expiry date (not those being created)."""
    expired = select(ImportBatch.id).where(
        ImportBatch.org_id == org_id, ImportBatch.expires_at < utcnow(),
        ImportBatch.status != BatchStatus.CREATING,
    )
    ids = list(db.session.scalars(expired))
    if not ids:
        return 0
    db.session.execute(delete(StagedRow).where(StagedRow.batch_id.in_(ids)))
    search_rows.forget(*ids)
    removal.forget(*ids)
    uploads.forget(ids)
    db.session.execute(delete(ImportBatch).where(ImportBatch.id.in_(ids))
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return len(ids)
