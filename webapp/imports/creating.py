"""Create Users: every ready row of a batch becomes an account, in one transaction, exactly once."""
from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from types import SimpleNamespace

from markupsafe import escape
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from webapp import audit, jobs, signals
from webapp.accounts import tokens
from webapp.clock import utcnow
from webapp.credentials import derived_passwords, fast_hashes
from webapp.extensions import db
from webapp.imports.fields import staged_fields
from webapp.imports.raw_table import chunk_rows
from webapp.imports.values import single_line_plain
from webapp.imports import sync_apply
from webapp.mail import messages
from webapp.imports import choices, outcomes, removal, statistics
from webapp.mail.outbox import LINK_REMOVED, PASSWORD_REMOVED, queue_rows, render_email
from webapp.models import (
    BatchStatus,
    ImportBatch,
    InviteStatus,
    Job,
    Organisation,
    RowStatus,
    StagedRow,
    User,
)
from webapp.searchtext import search_text_for
from webapp.text import single_line
from webapp.accounts.inserting import insert_accounts
from webapp.accounts.membership import sync_all_org_users

log = logging.getLogger(__name__)

ALREADY_HAS_ACCOUNT = "Already has an account in this organisation."
ABANDONED = ("The worker stopped before it finished creating these users. No users were created: "
             "press Create Users to try again.")
WELCOME_SUBJECT = "Welcome to {org}: your sign-in details"
SUMMARY_SOURCE = "File Import"


@dataclass
class CreateResult:
    batch_id: int
    created: int = 0
    failed: int = 0
    duplicates: int = 0
    # Why nothing was done: the batch was already claimed, or the transaction failed.
    refused: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.error is None


def claim_batch(batch_id: int) -> bool:
    """Move a batch from staged to creating; False when another request got there first."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is not None:
        release_if_abandoned(batch)
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch_id, ImportBatch.status == BatchStatus.STAGED)
        .values(status=BatchStatus.CREATING, last_error="")
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return claimed == 1


def release_if_abandoned(batch: ImportBatch) -> ImportBatch:
    """Give a batch back as staged when the process creating its users died mid-way.

    Its one transaction never committed, so nobody from it exists. A job still waiting for a
    worker, or running and reporting progress, is left alone.
    """
    if batch.status != BatchStatus.CREATING or not _abandoned(batch):
        return batch
    db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == BatchStatus.CREATING)
        .values(status=BatchStatus.STAGED, last_error=ABANDONED)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(batch)
    return batch


def _abandoned(batch: ImportBatch) -> bool:
    job = db.session.get(Job, batch.job_id) if batch.job_id else None
    if job is not None and job.kind == "import_create":
        return jobs.fail_if_stale(job).status == "failed"
    # Created inside a web request (claiming stamped updated_at): no request runs this long.
    return (utcnow() - batch.updated_at).total_seconds() > jobs.STALE_AFTER_SECONDS


def refusal(batch: ImportBatch) -> str:
    """Why Create Users cannot start for this batch now."""
    if batch.status == BatchStatus.CREATING:
        return "These users are already being created. Wait for it to finish."
    if batch.status == BatchStatus.DONE:
        return "These users have already been created."
    return "This file is still being read. Wait for it to finish."


def create_users(batch_id: int, actor_id: int | None, job_id: int | None = None, *,
                 claimed: bool = False) -> CreateResult:
    """Create an account for every ready row; report per person; never create anyone twice."""
    if not claimed and not claim_batch(batch_id):
        batch = db.session.get(ImportBatch, batch_id)
        return CreateResult(batch_id=batch_id, refused=refusal(batch))
    try:
        return _create_claimed(batch_id, actor_id, job_id)
    except Exception as exc:  # nobody is created; the admin sees why and can try again
        db.session.rollback()
        reason = _failure_reason(batch_id, exc)
        # Only a batch still marked "creating" goes back: if another run finished it meanwhile
        # (after this one was wrongly taken for dead), "done" must stand.
        db.session.execute(update(ImportBatch)
                           .where(ImportBatch.id == batch_id, ImportBatch.status == BatchStatus.CREATING)
                           .values(status=BatchStatus.STAGED, last_error=reason))
        db.session.commit()
        return CreateResult(batch_id=batch_id, error=reason)


def _failure_reason(batch_id: int, exc: Exception) -> str:
    """Log the failure and say it to the admin, never quoting a database error."""
    if isinstance(exc, SQLAlchemyError):
        # The type only: a database error's text can carry the statement and its parameters,
        # which include password hashes.
        log.error("Create Users failed for import batch %s: %s", batch_id, type(exc).__name__)
        return ("No users were created because the database refused the change. Nothing was "
                "changed: press Create Users to try again.")
    log.error("Create Users failed for import batch %s: %s: %s", batch_id, type(exc).__name__,
              str(exc)[:300])
    return (f"No users were created: {exc}"[:1000] if str(exc)
            else "No users were created because of an unexpected error.")


def create_users_job(batch_id: int, actor_id: int | None, job_id: int | None = None) -> dict:
    """Background job around create_users for a batch the view has already claimed."""
    result = create_users(batch_id, actor_id, job_id, claimed=True)
    return {"batch_id": batch_id, "created": result.created, "failed": result.failed,
            "error": result.error}


def _create_claimed(batch_id: int, actor_id: int | None, job_id: int | None) -> CreateResult:
    batch = db.session.get(ImportBatch, batch_id)
    org = db.session.get(Organisation, batch.org_id)
    removal.settle(batch_id)  # a removal of every row, and a type or Send Invite set for every row,
    choices.settle(batch_id)  # written into the rows read below
    blocked = sync_apply.before_create(batch, actor_id)  # upload modes and extra columns (imports/sync.py)
    if job_id is not None:
        ready_count = db.session.scalar(select(func.count()).where(
            StagedRow.batch_id == batch_id, StagedRow.status == RowStatus.VALID))
        jobs.progress(job_id, ready_count, ready_count, "Saving the accounts")
    # Passwords are drawn from this key and each row's id, made again for the mail and the summary:
    # none is kept, whatever the number of people. The key lives only in this call.
    key = os.urandom(32)

    _mark_taken(batch)
    inserted = _insert_accounts(batch, actor_id, key, blocked)
    # Before matching staged rows to their new accounts: planned on the old size, each match scans the org.
    analysed = statistics.refresh_after(inserted, ("users",), commit=False)
    _mark_created(batch)
    sync_all_org_users(batch.org_id, None)
    # Update modes, Group/Series/Status columns and leavers; records what undo needs.
    sync_outcomes = sync_apply.after_create(batch, actor_id)
    audit.record_import_people(batch, actor_id)  # each person's page names the import
    _queue_welcomes(batch, org, key)

    counts = outcomes.count_lines(batch)
    _send_summary(batch, org, actor_id, key, sync_outcomes, counts.removed_unlisted)
    created, failed = counts["created"], counts["failed"]
    duplicates = counts["duplicate"]
    audit.record(batch.org_id, actor_id, "users.imported", target_type="import_batch",
                 target_id=batch_id, filename=batch.filename, created=created, failed=failed,
                 duplicates=duplicates)
    batch.status, batch.finished_at, batch.last_error = BatchStatus.DONE, utcnow(), ""
    batch.created_count, batch.failed_count = created, failed
    linked = StagedRow.batch_id == batch_id, StagedRow.user_id.is_not(None)
    # Receivers get every id (a list, as signals.py says); with none connected, a million ids are never read.
    listened = signals.users_created.receivers or signals.import_finished.receivers
    signals.import_done(batch, actor_id, list(db.session.scalars(select(StagedRow.user_id).where(*linked)))
                        if listened else [])
    db.session.commit()
    # The people it created or matched, and those it deactivated; users again only when not analysed above
    # (that ANALYZE counted this transaction's rows and is committed with them).
    matched = created + counts["updated"] + counts["unchanged"]
    statistics.refresh_after(matched + sum(o["outcome"] == "deactivated" for o in sync_outcomes or ()),
                             tuple(t for t in statistics.IMPORT_TABLES if not (analysed and t == "users")))
    return CreateResult(batch_id=batch_id, created=created, failed=failed, duplicates=duplicates)


def _chunks(query, chunk: int):
    """The rows of `query` (on StagedRow, in file order) a chunk at a time, each chunk its own short SELECT."""
    after = None
    while True:
        page = query
        if after is not None:  # keyset: the next rows after the last one read, along the batch's line index
            page = page.where(StagedRow.line >= after.line,
                              or_(StagedRow.line > after.line, StagedRow.id > after.id))
        # A Core result, not ORM rows: a million rows are read.
        rows = db.session.connection().execute(page.order_by(StagedRow.line, StagedRow.id).limit(chunk)).all()
        if not rows:
            return
        yield rows
        after = rows[-1]


def _insert_accounts(batch: ImportBatch, actor_id: int | None, key: bytes, blocked: set[int]) -> int:
    """Insert an account for each ready row, a chunk at a time in this one transaction; returns how many."""
    user_fields = [f for f in staged_fields() if f.user_attribute]
    chunk = chunk_rows()
    # Extra values are read (and their JSON decoded) only when a registered field sends one to the account.
    extra = [StagedRow.extra] if any(f.column is None for f in user_fields) else []
    ready = select(StagedRow.id, StagedRow.line, StagedRow.first_name, StagedRow.last_name, StagedRow.email,
                   StagedRow.account_type, StagedRow.send_invite, *extra).where(
        StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.VALID)
    now = utcnow()
    shared = {"org_id": batch.org_id, "password_is_generated": True, "password_set_at": now,
              "is_active_account": True, "created_by_id": actor_id, "created_at": now, "updated_at": now}
    names = [f.user_attribute for f in user_fields] + ["invite_status", "password_hash", "search_text"]
    email_at = names.index("email")
    first_at, last_at = names.index("first_name"), names.index("last_name")
    invite_status = {True: InviteStatus.INVITED.value, False: InviteStatus.CREATED.value}
    values_of = None
    count = 0
    for rows in _chunks(ready, chunk):
        if blocked:
            rows = [row for row in rows if row.id not in blocked]
        if rows and values_of is None:
            values_of = _values_maker(rows[0]._fields, user_fields)
        hashes = fast_hashes(derived_passwords(key, [row.id for row in rows]))
        new_users = []
        for row, password_hash in zip(rows, hashes):
            values = values_of(row)
            # search_text given, not left to its column default: computed from the values, without a context per row.
            new_users.append(values + [invite_status[bool(row.send_invite)], password_hash,
                                       search_text_for(values[first_at], values[last_at], values[email_at])])
        inserted = insert_accounts(shared, names, new_users)
        count += len(inserted)
        if len(inserted) < len(new_users):  # another admin or import created some of them meanwhile
            _mark_failed_taken(batch, {values[email_at] for values in new_users} - inserted)
    return count


def _queue_welcomes(batch: ImportBatch, org: Organisation, key: bytes) -> None:
    """Welcome emails for the created people who asked for one, a chunk at a time, passwords made again."""
    renderer = WelcomeRenderer(org)
    invited = (select(StagedRow.id, StagedRow.line, StagedRow.first_name, StagedRow.last_name,
                      StagedRow.email, StagedRow.user_id)
               .where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.CREATED,
                      StagedRow.send_invite, StagedRow.user_id.is_not(None)))
    for rows in _chunks(invited, chunk_rows()):
        people = list(zip(rows, derived_passwords(key, [row.id for row in rows])))
        ids_by_email = {row.email: row.user_id for row in rows}
        queue_rows(renderer.rows(people, ids_by_email, _welcome_links(org, people, ids_by_email)))


def _welcome_links(org: Organisation, welcome_rows: list[tuple], ids_by_email: dict[str, int]) -> dict[int, str]:
    """Set-password links for the welcome emails, when the organisation sends links, not passwords."""
    if not org.sends_password_links:
        return {}
    user_ids = [ids_by_email[row.email] for row, _ in welcome_rows if row.email in ids_by_email]
    made = tokens.issue_many(org.id, user_ids, tokens.WELCOME)
    return {user_id: tokens.link_for(token) for user_id, token in made.items()}


def _send_summary(batch: ImportBatch, org: Organisation, actor_id: int | None, key: bytes,
                  sync_outcomes: list[dict], removed_unlisted: int) -> None:
    """The completion summary to the admin: every line of the file with its outcome, streamed into its CSV."""
    actor = db.session.get(User, actor_id) if actor_id else None
    if actor is None:
        return
    # Updated and unchanged lines say what changed; leavers are listed after the file's lines.
    changes = {o["email"]: o["reason"] for o in sync_outcomes if o["outcome"] in ("updated", "unchanged")}

    # With set-password links the summary has no password column: none is made.
    passwords = None if org.sends_password_links else (lambda row_ids: derived_passwords(key, row_ids))

    def lines():
        for line in outcomes.line_outcomes(batch, passwords):
            if line.outcome in ("updated", "unchanged"):
                line = line._replace(reason=changes.get(line.email, line.reason))
            yield line
        yield from (o for o in sync_outcomes if o["outcome"] == "deactivated")

    messages.created_users_summary(org, actor, lines(), source=SUMMARY_SOURCE,
                                   filename=batch.filename, removed_unlisted=removed_unlisted)


def _values_maker(columns: Sequence[str], user_fields):
    """A function giving a staged row's User attribute values (as _user_values does), most rows without a call per field.

    A row whose values are all short printable ASCII, none with a run of spaces or a space at either end, is
    already what single_line and the length bounds would make of it; any other row takes _user_values.
    """
    if len(user_fields) < 2 or any(f.column is None for f in user_fields):  # itemgetter gives a tuple from two
        return partial(_user_values, user_fields=user_fields)
    pick = itemgetter(*(columns.index(f.column) for f in user_fields))
    shortest = min((f.max_length for f in user_fields if f.max_length), default=None)

    def values_of(row) -> list:
        values = pick(row)
        try:
            # Checked as one text: with "|" between the values, a space at either end of one is a space beside "|".
            joined = "|".join(values)
        except TypeError:  # a value that is not text (None)
            return _user_values(row, user_fields)
        if (single_line_plain(joined) and "| " not in joined and " |" not in joined
                and (shortest is None or len(joined) <= shortest)):
            return list(values)
        return _user_values(row, user_fields)

    return values_of


def _user_values(row, user_fields) -> list:
    """The User attributes a staged row gives, field by field from the registry, bounded to their length."""
    made = []
    for import_field in user_fields:
        value = getattr(row, import_field.column) if import_field.column else \
            (row.extra or {}).get(import_field.key)
        if isinstance(value, str):
            # single_line: a last guard, names reach email subjects and headers.
            value = single_line(value)
            if import_field.max_length:
                value = value[:import_field.max_length]
        made.append(value)
    return made


def _mark_taken(batch: ImportBatch) -> None:
    """Before inserting: ready rows whose email got an account meanwhile, and existing rows, fail."""
    org_emails = select(User.email).where(User.org_id == batch.org_id)
    db.session.execute(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, or_(
            StagedRow.status == RowStatus.EXISTING,
            and_(StagedRow.status == RowStatus.VALID, StagedRow.email.in_(org_emails))))
        .values(status=RowStatus.FAILED, failure_reason=ALREADY_HAS_ACCOUNT)
        .execution_options(synchronize_session=False)
    )


def _mark_failed_taken(batch: ImportBatch, emails: set[str]) -> None:
    """Ready rows whose person got an account while we were inserting fail, one by one."""
    db.session.execute(
        update(StagedRow)
        .where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.VALID,
               StagedRow.email.in_(sorted(emails)))
        .values(status=RowStatus.FAILED, failure_reason=ALREADY_HAS_ACCOUNT)
        .execution_options(synchronize_session=False)
    )


def _mark_created(batch: ImportBatch) -> None:
    """After inserting: the remaining ready rows are created and linked to their new user."""
    new_user_id = (
        select(User.id).where(User.org_id == batch.org_id, User.email == StagedRow.email).scalar_subquery()
    )
    db.session.execute(
        update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.status == RowStatus.VALID)
        .values(status=RowStatus.CREATED, user_id=new_user_id)
        .execution_options(synchronize_session=False)
    )


class WelcomeRenderer:
    """Welcome emails for many users: the templates render once per shape, then fill in per row.

    Rendering Jinja per person is too slow for 100,000 people; the person's values go in by
    plain replacement of unique markers (HTML-escaped in the HTML body).
    """

    MARKERS = {"first_name": "QQFIRSTQQ", "last_name": "QQLASTQQ", "email": "QQEMAILQQ",
               "password": "QQPASSWORDQQ", "link": "QQLINKQQ"}

    def __init__(self, org: Organisation):
        self.org = org
        self.subject = WELCOME_SUBJECT.format(org=org.name)
        self.links = org.sends_password_links
        if self.links:
            self.subject = f"Welcome to {org.name}: choose your password"
        self._shapes: dict[tuple[bool, bool], tuple[str, str, str, str]] = {}

    def _shape(self, has_first: bool, has_last: bool) -> tuple[str, str, str, str]:
        key = (has_first, has_last)
        if key not in self._shapes:
            first = self.MARKERS["first_name"] if has_first else ""
            last = self.MARKERS["last_name"] if has_last else ""
            user = SimpleNamespace(first_name=first, last_name=last, email=self.MARKERS["email"],
                                   full_name=" ".join(p for p in (first, last) if p) or self.MARKERS["email"])
            if self.links:
                text, html = render_email("welcome", user=user, org=self.org, password=None,
                                          set_password_url=self.MARKERS["link"], link_valid_for="7 days")
                secret, removed = self.MARKERS["link"], LINK_REMOVED
            else:
                text, html = render_email("welcome", user=user, org=self.org, password=self.MARKERS["password"])
                secret, removed = self.MARKERS["password"], PASSWORD_REMOVED
            self._shapes[key] = (text, html, text.replace(secret, removed),
                                 html.replace(secret, str(escape(removed))))
        return self._shapes[key]

    def _fill(self, template: str, values: dict, html: bool) -> str:
        for name, marker in self.MARKERS.items():
            if marker in template:
                value = values.get(name, "")
                template = template.replace(marker, str(escape(value)) if html else value)
        return template

    def rows(self, people: list[tuple], ids_by_email: dict[str, int],
             links: dict[int, str] | None = None) -> list[dict]:
        """Outbox rows (for queue_rows) for (row, password) pairs; links by user id in link mode."""
        made = []
        for row, password in people:
            text, html, redacted_text, redacted_html = self._shape(bool(row.first_name), bool(row.last_name))
            values = {"first_name": row.first_name, "last_name": row.last_name, "email": row.email,
                      "password": password, "link": (links or {}).get(ids_by_email.get(row.email), "")}
            made.append({
                "org_id": self.org.id, "kind": "welcome", "to_address": row.email,
                "to_user_id": ids_by_email.get(row.email), "subject": self.subject,
                "text_body": self._fill(text, values, False), "html_body": self._fill(html, values, True),
                "redacted_text_body": self._fill(redacted_text, values, False),
                "redacted_html_body": self._fill(redacted_html, values, True),
                "carries_password": True,
            })
        return made
