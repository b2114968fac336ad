"""Command-line side of keeping the directory in step: the import's --mode options and `users undo-import`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from sqlalchemy import select

from webapp.extensions import db
from webapp.formatting import plural
from webapp.imports import sync, undo
from webapp.models import AccountType, ImportBatch, StagedChange, SyncAction, User

FILE_PROBLEM_EXIT = 2
# The command line spells modes with dashes.
CLI_MODES = {"add": "add", "add-update": "add_update", "update": "update"}

mode_option = click.option("--mode", type=click.Choice(list(CLI_MODES)), default="add", show_default=True,
                           help="add: new people only; add-update: also update existing people; "
                                "update: only update existing people.")
deactivate_option = click.option("--deactivate-missing", is_flag=True,
                                 help="Full list: deactivate active people who are not in the file.")
create_groups_option = click.option("--create-groups", is_flag=True,
                                    help="Create the groups named in a Group column that do not exist yet.")


def configure(batch: ImportBatch, mode: str, deactivate_missing: bool, create_groups: bool) -> None:
    """Store the command's mode and options on the freshly staged batch."""
    sync.configure(batch, mode=CLI_MODES[mode], deactivate_missing=deactivate_missing,
                   create_missing_groups=create_groups)
    db.session.commit()


def extend_report(report: dict, batch_id: int, actor_id: int | None, dry_run: bool) -> dict:
    """Add batch_id, and for update and full-list imports the updated/unchanged/deactivated counts and changes."""
    batch = db.session.get(ImportBatch, batch_id)
    report["batch_id"] = batch.id
    if not sync.in_use(batch):
        return report
    if dry_run:
        planned = sync.plan(batch, actor_id)
        db.session.commit()
        counts = {"updated": planned.update, "unchanged": planned.unchanged, "deactivated": planned.leavers}
    else:
        counts = sync.sync_counts(batch)
    report.update(counts)
    changes = dict(db.session.execute(
        select(StagedChange.line, StagedChange.changes).where(
            StagedChange.batch_id == batch.id, StagedChange.action == SyncAction.UPDATE)).all())
    for row in report.get("rows", []):
        row["changes"] = {name: value for name, value in changes.get(row["line"], {}).items()
                          if name != "new_groups"}
    return report


def summary_lines(report: dict, dry_run: bool) -> str:
    """Extra lines for the text summary of an update or full-list import."""
    if "updated" not in report:
        return ""
    verb = "Would update" if dry_run else "Updated"
    lines = [f"{verb}: {report['updated']}. Unchanged: {report['unchanged']}. "
             f"{'Would deactivate' if dry_run else 'Deactivated'}: {report['deactivated']}."]
    for row in report.get("rows", []):
        if row.get("changes"):
            lines.append(f"  line {row['line']}: {sync.describe(row['changes'])}")
    return "\n" + "\n".join(lines)


def _fail(reason: str) -> None:
    click.echo(reason.replace("\n", " "), err=True)
    sys.exit(FILE_PROBLEM_EXIT)


@click.command("undo-import")
@click.argument("batch_id", type=int)
@click.option("--as", "as_email", default=None, help="The admin who undoes it (default: who imported it).")
def undo_import(batch_id: int, as_email: str | None) -> None:
    """Undo import BATCH_ID: remove the people it created, reverse its changes."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        _fail(f"No import has the id {batch_id}.")
    admins = select(User).where(User.org_id == batch.org_id, User.account_type == AccountType.ADMIN.value)
    if as_email:
        actor = db.session.scalar(admins.where(User.email == as_email.strip().lower()))
        if actor is None:
            _fail(f"{as_email} is not an admin of the organisation this import belongs to.")
    else:
        actor = (db.session.get(User, batch.admin_id) if batch.admin_id else None) or \
            db.session.scalar(admins.order_by(User.id).limit(1))
    try:
        report = undo.undo_import(batch.id, actor.id if actor else None)
    except undo.UndoRefused as exc:
        _fail(str(exc))
    click.echo(f"Undid import {batch.id} ({batch.filename}): "
               f"{report.removed} {plural(report.removed, 'account', 'accounts')} removed, "
               f"{report.fields_restored} {plural(report.fields_restored, 'field', 'fields')} put back, "
               f"{report.memberships_removed} group "
               f"{plural(report.memberships_removed, 'membership', 'memberships')} and {report.enrolments_removed} "
               f"{plural(report.enrolments_removed, 'enrolment', 'enrolments')} removed, "
               f"{report.reactivated} {plural(report.reactivated, 'person', 'people')} reactivated, "
               f"{report.mail_cancelled} unsent {plural(report.mail_cancelled, 'email', 'emails')} cancelled.")
    if report.not_undone_count:
        click.echo(f"Could not undo {report.not_undone_count}:")
        for item in report.not_undone:
            click.echo(f"  {item['email']}: {item['reason']}")


def register(app: Flask) -> None:
    """Add `undo-import` to the `users` command group."""
    from webapp.imports.cli import users

    users.add_command(undo_import)



