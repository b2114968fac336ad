"""Staging: read an uploaded file into an import batch of rows, set-based, ready to check and edit."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from sqlalchemy import case, delete, func, insert, or_, select, update
from sqlalchemy.orm import aliased

from webapp import jobs
from webapp.clock import utcnow
from webapp.extensions import db
from webapp.imports import columns as column_mapping
from webapp.imports import reading
from webapp.imports.cleaning import clean_rows
from webapp.imports.suggestions import suggestion_for
from webapp.models import BatchStatus, ImportBatch, ImportUpload, RowStatus, StagedRow, User

MAPPED_FIELDS = ("first_name", "last_name", "email", "account_type")
# Rows an admin can still change; duplicates are ignored and created/failed rows are history.
OPEN_STATUSES = (RowStatus.VALID, RowStatus.INVALID, RowStatus.EXISTING)
_EMAIL_ERROR_STARTS = ("Email address is missing", "Not a valid email")
_CONFLICT_START = "Same email as line"
_TYPE_ERROR_START = "Account type"


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


def read_file(data: bytes, filename: str, *, encoding: str | None = None, delimiter: str | None = None,
              mapping: dict | None = None):
    """Read and map a file: (RawTable, ColumnMap), or raise StagingError with a clear reason."""
    try:
        table = reading.read_table(data, filename, encoding=encoding or None, delimiter=delimiter or None)
    except reading.UnreadableFile as exc:
        raise StagingError(str(exc)) from None
    if mapping is not None:
        return table, _chosen_map(table.headers, mapping)
    try:
        return table, column_mapping.map_columns(table.headers)
    except column_mapping.NoEmailColumn as exc:
        raise StagingError(str(exc)) from None


def _chosen_map(headers: list[str], mapping: dict):
    """A ColumnMap from the admin's choices of header index per field (None for "(none)")."""
    chosen = {}
    for field in MAPPED_FIELDS:
        index = mapping.get(field)
        chosen[field] = index if index is not None and 0 <= index < len(headers) else None
    if chosen["email"] is None:
        raise StagingError("Choose the column that holds the email addresses; it cannot be (none).")
    full_name = mapping.get("full_name")
    if chosen["first_name"] is None and chosen["last_name"] is None and full_name is not None:
        chosen["full_name"] = full_name
    return column_mapping.ColumnMap(**chosen)


def new_batch(org_id: int, admin_id: int | None, filename: str, data: bytes, ttl_days: int) -> ImportBatch:
    """Add an empty batch holding the uploaded bytes to the session; the caller commits."""
    batch = ImportBatch(org_id=org_id, admin_id=admin_id, filename=filename[:255] or "upload",
                        status=BatchStatus.STAGING, expires_at=utcnow() + timedelta(days=ttl_days))
    batch.upload = ImportUpload(data=data)
    db.session.add(batch)
    db.session.flush()
    return batch


def stage_rows(batch: ImportBatch, table, column_map, *, default_account_type: str = "user") -> None:
    """Replace the batch's rows with the cleaned rows of `table`: one bulk insert, set-based flags."""
    cleaned = clean_rows(table, column_map, default_account_type=default_account_type)
    db.session.execute(delete(StagedRow).where(StagedRow.batch_id == batch.id))
    db.session.execute(insert(StagedRow), _row_dicts(batch.id, cleaned))
    mark_existing(batch)
    batch.encoding, batch.encoding_detected = table.encoding, table.encoding_detected
    batch.delimiter, batch.delimiter_detected = table.delimiter, table.delimiter_detected
    batch.headers = list(table.headers)
    batch.column_map = {key: value for key, value in asdict(column_map).items() if key != "fallbacks"}
    batch.rows_read = len(cleaned)
    batch.status, batch.last_error = BatchStatus.STAGED, ""


def _row_dicts(batch_id: int, cleaned) -> list[dict]:
    """Plain dicts for the bulk insert, with conflicts found in one pass over the rows."""
    first_line_for_email: dict[str, int] = {}
    rows = []
    for row in cleaned:
        errors = [e for e in row.errors if not e.startswith((_CONFLICT_START, _TYPE_ERROR_START))]
        type_error = next((e for e in row.errors if e.startswith(_TYPE_ERROR_START)), None)
        email_ok = bool(row.email) and not any(e.startswith(_EMAIL_ERROR_STARTS) for e in errors)
        conflict_with = None
        if row.status != RowStatus.DUPLICATE and email_ok:
            owner = first_line_for_email.setdefault(row.email, row.line)
            conflict_with = owner if owner != row.line else None
        if row.status == RowStatus.DUPLICATE:
            status = RowStatus.DUPLICATE
        elif errors or type_error or conflict_with:
            status = RowStatus.INVALID
        else:
            status = RowStatus.VALID
        rows.append({
            "batch_id": batch_id, "line": row.line, "first_name": row.first_name,
            "last_name": row.last_name, "email": row.email, "account_type": row.account_type,
            "send_invite": False, "status": status, "errors": errors, "fields_ok": not errors,
            "email_ok": email_ok, "account_type_error": type_error, "duplicate_of": row.duplicate_of,
            "conflict_with": conflict_with, "suggested_email": suggestion_for(row.email, email_ok),
        })
    return rows


def mark_existing(batch: ImportBatch) -> None:
    """Flag ready rows whose email already has an account in the organisation (one UPDATE)."""
    org_emails = select(User.email).where(User.org_id == batch.org_id)
    db.session.execute(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.VALID,
               StagedRow.email.in_(org_emails))
        .values(status=RowStatus.EXISTING)
        .execution_options(synchronize_session=False)
    )


def refresh_rows(batch: ImportBatch, conflict_scope, status_scope) -> None:
    """Recompute conflicts, then statuses, for the rows each where-clause selects (two UPDATEs)."""
    other = aliased(StagedRow)
    earliest = (
        select(func.min(other.line))
        .where(other.batch_id == StagedRow.batch_id, other.email == StagedRow.email,
               other.email_ok.is_(True), other.status.not_in((RowStatus.DUPLICATE, RowStatus.REMOVED)),
               other.line < StagedRow.line)
        .scalar_subquery()
    )
    open_rows = (StagedRow.batch_id == batch.id, StagedRow.status.in_(OPEN_STATUSES))
    db.session.execute(
        update(StagedRow).where(*open_rows, conflict_scope)
        .values(conflict_with=case((StagedRow.email_ok.is_(True), earliest), else_=None))
        .execution_options(synchronize_session=False)
    )
    db.session.execute(
        update(StagedRow).where(*open_rows, status_scope)
        .values(status=status_expression(batch.org_id))
        .execution_options(synchronize_session=False)
    )


def status_expression(org_id: int, *, type_error_cleared: bool = False):
    """SQL for a row's status from its own problems, its conflicts and the org's accounts."""
    problems = [StagedRow.fields_ok.is_(False), StagedRow.conflict_with.is_not(None)]
    if not type_error_cleared:
        problems.append(StagedRow.account_type_error.is_not(None))
    has_problem = or_(*problems)
    org_emails = select(User.email).where(User.org_id == org_id)
    return case(
        (has_problem, RowStatus.INVALID),
        (StagedRow.email.in_(org_emails), RowStatus.EXISTING),
        else_=RowStatus.VALID,
    )


def stage_upload(org_id: int, admin_id: int | None, filename: str, data: bytes, *, max_bytes: int,
                 ttl_days: int, background_rows: int | None = None,
                 default_account_type: str = "user") -> ImportBatch:
    """Check, read and stage an upload as a new batch; big files go to a background job.

    Raises StagingError, and stores nothing, when the file is too large or cannot be read.
    """
    problem = size_problem(len(data), max_bytes)
    if problem:
        raise StagingError(problem)
    table, column_map = read_file(data, filename)
    batch = new_batch(org_id, admin_id, filename, data, ttl_days)
    if background_rows is not None and len(table.rows) > background_rows:
        db.session.commit()
        job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=org_id,
                          batch_id=batch.id)
        _remember_job(batch.id, job.id)
        return db.session.get(ImportBatch, batch.id)
    stage_rows(batch, table, column_map, default_account_type=default_account_type)
    db.session.commit()
    return batch


def restage(batch: ImportBatch, *, encoding: str | None, delimiter: str | None, mapping: dict | None,
            background_rows: int | None = None) -> None:
    """Read the kept file again with the admin's encoding, delimiter and mapping; replace the rows.

    Raises StagingError and keeps the current rows when the file cannot be read that way.
    """
    table, column_map = read_file(batch.upload.data, batch.filename, encoding=encoding,
                                  delimiter=delimiter, mapping=mapping)
    if background_rows is not None and len(table.rows) > background_rows:
        batch.status = BatchStatus.STAGING
        db.session.commit()
        job = jobs.submit("import_staging", "webapp.imports.staging.stage_batch_job", org_id=batch.org_id,
                          batch_id=batch.id, encoding=encoding, delimiter=delimiter, mapping=mapping)
        _remember_job(batch.id, job.id)
        return
    stage_rows(batch, table, column_map)
    db.session.commit()


def _remember_job(batch_id: int, job_id: int) -> None:
    db.session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(job_id=job_id))
    db.session.commit()


def stage_batch_job(batch_id: int, job_id: int | None = None, encoding: str | None = None,
                    delimiter: str | None = None, mapping: dict | None = None) -> dict:
    """Background job: read the batch's file and stage its rows; on failure, say why on the batch."""
    batch = db.session.get(ImportBatch, batch_id)
    if job_id is not None:
        jobs.progress(job_id, 0, 3, "Reading the file")
    try:
        table, column_map = read_file(batch.upload.data, batch.filename, encoding=encoding,
                                      delimiter=delimiter, mapping=mapping)
        if job_id is not None:
            jobs.progress(job_id, 1, 3, "Checking and saving the rows")
            batch = db.session.get(ImportBatch, batch_id)
        stage_rows(batch, table, column_map)
        db.session.commit()
    except StagingError as exc:
        db.session.rollback()
        batch = db.session.get(ImportBatch, batch_id)
        batch.status, batch.last_error = BatchStatus.FAILED, str(exc)
        db.session.commit()
        return {"batch_id": batch_id, "error": str(exc)}
    return {"batch_id": batch_id, "rows_read": batch.rows_read}


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
    db.session.execute(delete(ImportUpload).where(ImportUpload.batch_id.in_(ids)))
    db.session.execute(delete(ImportBatch).where(ImportBatch.id.in_(ids))
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return len(ids)
