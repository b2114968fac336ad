"""`flask users import`: stage a file like the web flow does, then create the users."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import creating, staging, sync_cli
from webapp.models import AccountType, ImportBatch, Organisation, RowStatus, StagedRow, User

FILE_PROBLEM_EXIT = 2


@click.group("users")
def users() -> None:
    """Manage users from the command line."""


@users.command("import")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
@click.option("--dry-run", is_flag=True, help="Stage and report, but create nobody.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.option("--account-type", type=click.Choice([t.value for t in AccountType]), default=None,
              help="Account type for rows whose file gives none.")
@click.option("--send-invite", is_flag=True, help="Email each created user a welcome with their password.")
@click.option("--as", "as_email", default=None, help="The admin who creates them (default: the first admin).")
@sync_cli.mode_option
@sync_cli.deactivate_option
@sync_cli.create_groups_option
def import_users(path, org_slug, dry_run, as_json, account_type, send_invite, as_email, mode,
                 deactivate_missing, create_groups) -> None:
    """Import PATH (.csv, .tsv, .txt or .xlsx) into the organisation."""
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        _fail(f'No organisation has the slug "{org_slug}".')
    actor = _actor(org, as_email)
    file_path = Path(path)
    if not file_path.is_file():
        _fail(f"{path}: no such file.")
    config = current_app.config
    try:
        batch = staging.stage_upload(org.id, actor.id, file_path.name, file_path.read_bytes(),
                                     max_bytes=config["IMPORT_MAX_BYTES"],
                                     ttl_days=config["IMPORT_BATCH_TTL_DAYS"],
                                     default_account_type=account_type or AccountType.USER.value)
    except staging.StagingError as exc:
        db.session.rollback()
        _fail(f"{path}: {exc}")
    sync_cli.configure(batch, mode, deactivate_missing, create_groups)
    counts = _staged_counts(batch.id)
    if send_invite:
        db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id)
                           .values(send_invite=True))
        db.session.commit()
    result = None
    if not dry_run:
        result = creating.create_users(batch.id, actor.id)
        if result.error:
            _fail(result.error)
    report = _report(db.session.get(ImportBatch, batch.id), counts, result)
    report = sync_cli.extend_report(report, batch.id, actor.id, dry_run)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
    else:
        click.echo(_summary(report, dry_run) + sync_cli.summary_lines(report, dry_run))


def _fail(reason: str) -> None:
    click.echo(reason.replace("\n", " "), err=True)
    sys.exit(FILE_PROBLEM_EXIT)


def _actor(org: Organisation, as_email: str | None) -> User:
    admins = select(User).where(User.org_id == org.id, User.account_type == AccountType.ADMIN.value)
    if as_email:
        actor = db.session.scalar(admins.where(User.email == as_email.strip().lower()))
        if actor is None:
            _fail(f'{as_email} is not an admin of "{org.slug}".')
        return actor
    actor = db.session.scalar(admins.order_by(User.id).limit(1))
    if actor is None:
        _fail(f'"{org.slug}" has no admin to create users as.')
    return actor


def _staged_counts(batch_id: int) -> dict:
    by_status = dict(db.session.execute(
        select(StagedRow.status, db.func.count()).where(StagedRow.batch_id == batch_id).group_by(StagedRow.status)
    ).all())
    return {"duplicates_ignored": by_status.get(RowStatus.DUPLICATE, 0),
            "invalid": by_status.get(RowStatus.INVALID, 0),
            "existing": by_status.get(RowStatus.EXISTING, 0),
            "valid": by_status.get(RowStatus.VALID, 0)}


def _report(batch: ImportBatch, counts: dict, result) -> dict:
    headers = batch.headers or []
    column_map = batch.column_map or {}

    def header(field):
        index = column_map.get(field)
        if index is None and field in ("first_name", "last_name") and column_map.get("full_name") is not None \
                and column_map.get("first_name") is None and column_map.get("last_name") is None:
            index = column_map["full_name"]
        return headers[index] if index is not None and index < len(headers) else None

    rows = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id)
                              .order_by(StagedRow.line, StagedRow.id))
    return {
        "rows_read": batch.rows_read, **counts,
        "created": result.created if result else 0, "failed": result.failed if result else 0,
        "encoding": batch.encoding, "delimiter": batch.delimiter,
        "columns": {field: header(field) for field in ("first_name", "last_name", "email", "account_type")},
        "rows": [{"line": row.line, "first_name": row.first_name, "last_name": row.last_name,
                  "email": row.email, "account_type": row.account_type, "status": row.status,
                  "errors": _errors(row)} for row in rows],
    }


def _errors(row: StagedRow) -> list[str]:
    if row.status == RowStatus.DUPLICATE:
        return [f"Same as line {row.duplicate_of} in every field, so it is ignored."]
    if row.status == RowStatus.FAILED:
        return [row.failure_reason or "Not created."]
    if row.status == RowStatus.EXISTING:
        return ["Already has an account in this organisation."]
    return row.problems


def _summary(report: dict, dry_run: bool) -> str:
    lines = [
        f"Rows read: {report['rows_read']} ({report['valid']} ready, {report['invalid']} with problems, "
        f"{report['existing']} already have an account, {report['duplicates_ignored']} duplicates ignored).",
    ]
    if dry_run:
        lines.append("Dry run: nobody was created.")
    else:
        lines.append(f"Created: {report['created']}. Failed: {report['failed']}.")
    for row in report["rows"]:
        if row["status"] in ("invalid", "failed"):
            lines.append(f"  line {row['line']}: {' '.join(row['errors'])}")
    return "\n".join(lines)


def register(app: Flask) -> None:
    """Add the `users` command group (other features may add commands to it)."""
    app.cli.add_command(users)
