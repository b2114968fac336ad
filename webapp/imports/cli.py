"""`flask users import`: stage a file like the web flow does, then create the users."""
from __future__ import annotations

import json
import logging
import operator
import sys
from contextlib import nullcontext
from functools import partial
from json.encoder import encode_basestring
from pathlib import Path
from types import SimpleNamespace

import click
from flask import Flask, current_app
from sqlalchemy import Boolean, Integer, String, inspect, select

from webapp import collection
from webapp.formatting import plural
from webapp.extensions import db
from webapp.imports import creating, staging, sync, sync_cli, uploads
from webapp.imports.columns import ColumnMap
from webapp.imports.encodings import encoding_label
from webapp.imports.fields import staged_fields
from webapp.imports.problems import outcome_problems, sentences
from webapp.imports.staged import hidden_lines_named
from webapp.models import (
    AccountType,
    ImportBatch,
    Organisation,
    RowStatus,
    StagedRow,
    User,
)

log = logging.getLogger(__name__)
FILE_PROBLEM_EXIT = 2


@click.group("users")
def users() -> None:
    """Manage users from the command line."""


@users.command("import")
@click.argument("path")  # checked by the command itself, so every refusal is one line
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
    """Import PATH (.csv, .tsv, .txt, or a workbook: .xlsx, .xlsm, .xlsb, .ods, .xls, Excel 2003 XML)."""
    collection.skip_last_collection(db.engine)
    try:
        # No cycle collection while the command runs: its rows hold no cycles (a 100,000-row import leaves ~3,000
        # objects for the collector), and each collection walked every live row again (0.4 s in all).
        with collection.paused():
            _import(path, org_slug, dry_run, account_type, send_invite, as_email,
                    (mode, deactivate_missing, create_groups), lambda report: _print(report, as_json, dry_run))
    except _Refused as refused:
        db.session.rollback()
        _fail(str(refused))
    except Exception as exc:  # the contract: exit 2 with one line, never a traceback
        db.session.rollback()
        log.exception("users import failed for %s", path)
        _fail(f"{path}: the import stopped because of an unexpected error ({type(exc).__name__}). "
              "Nothing was created.")


def _print(report: dict, as_json: bool, dry_run: bool) -> None:
    """Write the report, its rows streamed a page at a time (a million rows never sit in memory at once)."""
    if not as_json:
        click.echo(_summary(report, dry_run) + sync_cli.summary_lines(report, dry_run))
        return
    head = json.dumps({key: value for key, value in report.items() if key != "rows"}, ensure_ascii=False)
    out = sys.stdout
    out.write(head[:-1] + ', "rows": [')
    separator = ""
    rows = report["rows"]
    pages = rows.pages(as_json=True) if isinstance(rows, _Rows) else [json.dumps(rows, ensure_ascii=False)[1:-1]]
    for page in pages:
        if page:  # a page's rows as JSON text, joined as json.dumps joins a list's items
            out.write(separator + page)
            separator = ", "
    out.write("]}\n")
    out.flush()


class _Refused(Exception):
    """The import cannot go on; str(error) is the one line to print."""


def _import(path, org_slug, dry_run, account_type, send_invite, as_email, sync_options, emit) -> None:
    """Stage (and unless a dry run, create) the file's users, then emit(report) while its rows are still there."""
    if not inspect(db.engine).has_table(Organisation.__tablename__):
        raise _Refused("The database has no tables yet. Run `flask --app webapp db upgrade` first, with the same "
                       "SQLALCHEMY_DATABASE_URI.")
    org = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        raise _Refused(f'No organisation has the slug "{org_slug}".')
    actor = _actor(org, as_email)
    file_path = Path(path)
    if not file_path.is_file():
        if file_path.is_dir():
            raise _Refused(f"{path}: a folder, not a file. Name the file to import.")
        raise _Refused(f"{path}: not a regular file (a device or a pipe)." if file_path.exists()
                       else f"{path}: no such file.")
    config = current_app.config
    problem = staging.size_problem(file_path.stat().st_size, config["IMPORT_MAX_BYTES"])
    if problem:
        raise _Refused(f"{path}: {problem}")
    try:
        data = uploads.Upload(file_path)  # read from disk a block at a time, never whole
        data.head(1)
    except OSError as exc:
        raise _Refused(f"{path}: the file cannot be opened ({exc.strerror or exc}).") from None
    # A dry run's writes (the batch, its rows, its plan) all go in one rollback once the report is out.
    with db.session().rolled_back() if dry_run else nullcontext():
        try:
            batch = staging.stage_upload(org.id, actor.id, file_path.name, data,
                                         max_bytes=config["IMPORT_MAX_BYTES"],
                                         ttl_days=config["IMPORT_BATCH_TTL_DAYS"],
                                         default_account_type=account_type or AccountType.USER.value,
                                         keep_file=not dry_run)
        except staging.StagingError as exc:
            raise _Refused(f"{path}: {exc}") from None
        _configure_and_report(batch, actor.id, dry_run, send_invite, sync_options, emit)


def _configure_and_report(batch: ImportBatch, actor_id: int, dry_run, send_invite, sync_options, emit) -> None:
    """Apply the command's options to the staged batch, create its users unless a dry run, then emit(report)."""
    batch_id = batch.id
    sync_cli.configure(batch, *sync_options)  # upload mode and full-list options
    counts = _staged_counts(batch_id)
    if send_invite:
        db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch_id)
                           .values(send_invite=True))
        db.session.commit()
    result = None
    if not dry_run:
        result = creating.create_users(batch_id, actor_id)
        if result.error:
            raise _Refused(result.error)
    batch = db.session.get(ImportBatch, batch_id)
    report = _report(batch, counts, result)
    if sync.in_use(batch):
        report["rows"] = list(report["rows"])  # the sync report adds each row's changes
    report = sync_cli.extend_report(report, batch_id, actor_id, dry_run)
    if dry_run:
        report["batch_id"] = None
    emit(report)


def _fail(reason: str) -> None:
    click.echo(" ".join(reason.split()), err=True)
    sys.exit(FILE_PROBLEM_EXIT)


def _actor(org: Organisation, as_email: str | None) -> User:
    admins = select(User).where(User.org_id == org.id, User.account_type == AccountType.ADMIN.value)
    if as_email:
        actor = db.session.scalar(admins.where(User.email == as_email.strip().lower()))
        if actor is None:
            raise _Refused(f'{as_email} is not an admin of "{org.slug}".')
        return actor
    actor = db.session.scalar(admins.order_by(User.id).limit(1))
    if actor is None:
        raise _Refused(f'"{org.slug}" has no admin to create users as.')
    return actor


def _staged_counts(batch_id: int) -> dict:
    by_status = dict(db.session.execute(
        select(StagedRow.status, db.func.count()).where(StagedRow.batch_id == batch_id).group_by(StagedRow.status)
    ).all())
    return {"duplicates_ignored": by_status.get(RowStatus.DUPLICATE, 0),
            "invalid": by_status.get(RowStatus.INVALID, 0),
            "existing": by_status.get(RowStatus.EXISTING, 0),
            "valid": by_status.get(RowStatus.VALID, 0)}


_ROW_COLUMNS = (StagedRow.line, StagedRow.first_name, StagedRow.last_name, StagedRow.email,
                StagedRow.account_type, StagedRow.send_invite, StagedRow.extra, StagedRow.status,
                StagedRow.errors, StagedRow.account_type_error, StagedRow.conflict_with,
                StagedRow.duplicate_of, StagedRow.failure_reason)


class _Rows:
    """A report's rows, read from SQL a page at a time each time they are iterated; no ORM object per row."""

    PAGE = 5000

    def __init__(self, batch_id: int, fields):
        self.batch_id = batch_id
        self.fields = fields

    def __iter__(self):
        for page in self.pages():
            yield from page

    def pages(self, as_json: bool = False):
        """Lists of report rows in file order, read through a plain DB-API cursor; JSON decoded only when not empty.

        as_json: each page as the JSON text of its rows instead (json.dumps's own, without the list's brackets).
        """
        fields = [(f.key, f.column) for f in self.fields]
        columns = [column for _, column in fields if column]
        # line, the fields' own columns and status first: a row's report starts as those values, in that order.
        names = ["line", *columns, "status"]
        names += [c.name for c in _ROW_COLUMNS if c.name not in names]
        at = {name: index for index, name in enumerate(names)}
        head = ["line", *(key for key, column in fields if column), "status"]
        plan = [(key, at[column] if column else None) for key, column in fields]
        mixed = any(column is None for _, column in fields)  # values from extra sit between the columns
        # The DB-API gives SQLite booleans as 0 and 1; the report says true and false.
        flags = [key for key, column in fields if column and isinstance(StagedRow.__table__.c[column].type, Boolean)]
        status_at, errors_at, extra_at = at["status"], at["errors"], at["extra"]
        conflict_at, type_error_at = at["conflict_with"], at["account_type_error"]
        # batch_id is our own integer: written into the statement, no parameter style to choose per driver.
        # JSON as text on both databases: most rows' is "[]" or null, and needs no decoding.
        selected = [f"CAST({name} AS TEXT)" if name in ("errors", "extra") else name for name in names]
        statement = (f"SELECT {', '.join(selected)} FROM {StagedRow.__tablename__} "
                     f"WHERE batch_id = {int(self.batch_id)} ORDER BY line, id")
        connection = db.session.connection().connection.dbapi_connection
        # PostgreSQL: a server-side cursor, so a million rows arrive a page at a time.
        cursor = (connection.cursor(name=f"report_{self.batch_id}")
                  if db.session.get_bind().dialect.name == "postgresql" else connection.cursor())
        try:
            cursor.execute(statement)
            # A plain row's JSON straight from its values, one encoder per column: building a dict per row and
            # encoding its keys again each time was most of a large report's cost.
            plain_json = None if mixed or not as_json else "{%s, \"errors\": []}" % ", ".join(
                f"{json.dumps(key)}: %s" for key in head)
            encoders = [_json_encoder(StagedRow.__table__.c[name]) for name in names[:len(head)]]
            dumps, call = json.dumps, operator.call
            while chunk := cursor.fetchmany(self.PAGE):
                page = []
                for row in chunk:
                    # Most rows are ready or created with nothing to say: no problem lookups for them.
                    plain = row[status_at] in _PLAIN_STATUSES and row[errors_at] in _NO_JSON \
                        and row[conflict_at] is None and row[type_error_at] is None
                    if plain and plain_json is not None:
                        page.append(plain_json % tuple(map(call, encoders, row)))
                        continue
                    if mixed:
                        extra = _json(row[extra_at]) or {}
                        made = {"line": row[0]}
                        for key, index in plan:
                            made[key] = extra.get(key, "") if index is None else row[index]
                        made["status"] = row[status_at]
                    else:
                        made = dict(zip(head, row))
                    for key in flags:
                        if made[key] is not None:
                            made[key] = bool(made[key])
                    if plain:
                        made["errors"] = []
                    else:
                        stored = dict(zip(names, row))
                        stored["errors"] = _json(row[errors_at]) or []
                        made["errors"] = _errors(SimpleNamespace(**stored))
                    page.append(dumps(made, ensure_ascii=False) if as_json else made)
                yield ", ".join(page) if as_json else page
        finally:
            cursor.close()


_PLAIN_STATUSES = frozenset({"valid", "created"})
# A flag as JSON: the DB-API gives SQLite's booleans as 0 and 1, equal to False and True as dictionary keys.
_JSON_FLAG = {True: "true", False: "false", None: "null"}.__getitem__


def _json_encoder(column):
    """A function writing the column's values as json.dumps(ensure_ascii=False) would."""
    if isinstance(column.type, Boolean):
        return _JSON_FLAG
    if not column.nullable and isinstance(column.type, String):
        return encode_basestring
    if not column.nullable and isinstance(column.type, Integer):
        return int.__repr__
    return partial(json.dumps, ensure_ascii=False)
_NO_JSON = frozenset({None, "null", "[]"})


def _json(stored: str | None):
    """A JSON column's value from its text: the empty ones most rows hold without decoding them."""
    if not isinstance(stored, str):  # psycopg decodes json columns itself
        return stored or None
    if stored in ("null", "[]", "{}"):
        return None
    return json.loads(stored)


def _report(batch: ImportBatch, counts: dict, result) -> dict:
    headers = batch.headers or []
    column_map = ColumnMap(dict(batch.column_map or {}))
    named = column_map.header_names(headers)
    info = batch.read_info or {}
    fields = [f for f in staged_fields() if f.shown_for(batch)]
    return {
        "rows_read": batch.rows_read, **counts,
        "created": result.created if result else 0, "failed": result.failed if result else 0,
        # "encoding" stays the codec scripts already read; "encoding_name" is the name the web page shows.
        "encoding": batch.encoding, "encoding_name": encoding_label(batch.encoding),
        "encoding_guessed": bool(info.get("encoding_guessed")), "delimiter": batch.delimiter,
        "columns": {f.key: named.get(f.key) for f in fields if f.key != "send_invite"
                    or named.get(f.key) is not None},
        "rows": _Rows(batch.id, fields),
        "skipped": [{"line": s.get("line"), "text": s.get("text", ""), "reason": s.get("reason", "")}
                    for s in info.get("skipped", [])],
        "sheet": info.get("sheet"), "header_line": info.get("header_line"), "batch_id": batch.id,
        "hidden": info.get("hidden"),  # {"count", "lines" (the first few)}: rows the spreadsheet hid, staged too
    }


def _errors(row) -> list[str]:
    return sentences(outcome_problems(row))


def _summary(report: dict, dry_run: bool) -> str:
    lines = [
        f"Rows read: {report['rows_read']} ({report['valid']} ready, {report['invalid']} with problems, "
        f"{report['existing']} {plural(report['existing'], 'already has an account', 'already have an account')}, "
        f"{report['duplicates_ignored']} "
        f"{plural(report['duplicates_ignored'], 'duplicate ignored', 'duplicates ignored')}).",
    ]
    if report.get("hidden"):
        lines.append(_hidden_line(report["hidden"], dry_run))
    if dry_run:
        lines.append("Dry run: nobody was created.")
    else:
        lines.append(f"Created: {report['created']}. Failed: {report['failed']}.")
    for row in report["rows"]:
        if row["status"] in ("invalid", "failed"):
            lines.append(f"  line {row['line']}: {' '.join(row['errors'])}")
    return "\n".join(lines)


def _hidden_line(hidden: dict, dry_run: bool) -> str:
    """The rows the spreadsheet hid, as the staged page names them."""
    count = hidden["count"]
    they, them = ("it", "it") if count == 1 else ("they", "them")
    text = (f"{count:,} {plural(count, 'row was', 'rows were')} hidden in the spreadsheet, by hand or by a filter "
            f"({hidden_lines_named(hidden)}): {they} {plural(count, 'was', 'were')} read like every other row")
    if dry_run:
        return f"{text}, so delete {them} from the file before importing it if {they} should not be imported."
    return text + "."


def register(app: Flask) -> None:
    """Add the `users` command group (other features may add commands to it)."""
    app.cli.add_command(users)
