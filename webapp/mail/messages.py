"""One function per kind of message; each renders its templates and queues it in the outbox.

Adding a kind (for example in webapp/enrolments/emails.py) is three small steps:

1. Write templates/email/<kind>.txt and <kind>.html; extend email/_layout.html and use
   `org.name` and `sign_in_url` (render_email supplies `base_url` and `sign_in_url`).
2. Write one function that renders and queues it, in the caller's transaction:

       def series_enrolment(user, org, series):
           text, html = render_email("series_enrolment", user=user, org=org, series=series)
           queue(org_id=org.id, kind="series_enrolment", to_address=user.email,
                 to_user_id=user.id, subject=f"...", text_body=text, html_body=html)

3. If it carries a password, render with `render_with_password(name, password, ...)` and pass
   `carries_password=True, redacted_text_body=r.redacted_text, redacted_html_body=r.redacted_html`
   so the copy kept after sending shows "[password removed after sending]". For many at once,
   build dicts with the same keys and call `queue_rows(rows)` (one INSERT).

The sender, retries, the Mail page and redaction then work for the new kind with no other change.
"""
from __future__ import annotations

import codecs
import gzip
import io
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from webapp.clock import utcnow
from webapp.csvsafe import SafeCsvWriter, safe_rows
from webapp.links import public_base_url
from webapp.mail.outbox import (
    LINK_REMOVED,
    PASSWORD_REMOVED,
    Attachment,
    RenderedEmail,
    queue,
    queue_rows,
    render_email,
    render_with_password,
)
from webapp.models import AccountType, OutboxMessage, Organisation, User

SUMMARY_COLUMNS = ("First Name", "Last Name", "Email Address", "Account Type", "Outcome",
                   "Reason", "Password")
# A summary body lists at most this many people; the CSV attachment always has everyone.
SUMMARY_BODY_LIMIT = 200

# Every outcome a line of an action can have: (CSV label, words in the email body), in the
# order the counts are shown. Declared once; the summary, its CSV and the banner loop over it.
OUTCOMES = {
    "created": ("Created", "created"),
    "failed": ("Failed", "NOT created"),
    "problem": ("Left out: problem", "left out because of a problem"),
    "duplicate": ("Ignored: duplicate", "ignored as a duplicate"),
    "removed": ("Removed", "removed by the admin before Create Users"),
    "skipped": ("Skipped: not a person", "skipped as not a person"),
    "updated": ("Updated", "updated"),
    "unchanged": ("Unchanged", "already up to date"),
    "deactivated": ("Deactivated", "deactivated: not in the full list"),
}
COUNT_WORDS = {
    "created": "Created",
    "failed": "Failed",
    "problem": "Left out with a problem",
    "duplicate": "Ignored as a duplicate",
    "removed": "Removed before Create Users",
    "skipped": "Skipped, not a person",
    "updated": "Updated",
    "unchanged": "Unchanged",
    "deactivated": "Deactivated (not in the file)",
}


def welcome(user: User, org: Organisation, password: str | None = None, *,
            link: str | None = None) -> OutboxMessage:
    """Welcome email to an invited user: their generated password, or a set-password link."""
    if link is not None:
        rendered = render_with_link("welcome", link, user=user, org=org)
        subject = f"Welcome to {org.name}: choose your password"
    else:
        rendered = render_with_password("welcome", password, user=user, org=org)
        subject = f"Welcome to {org.name}: your sign-in details"
    return queue(org_id=org.id, kind="welcome", to_address=user.email, to_user_id=user.id,
                 subject=subject, text_body=rendered.text, html_body=rendered.html,
                 carries_password=True, redacted_text_body=rendered.redacted_text,
                 redacted_html_body=rendered.redacted_html)


def render_with_link(name: str, link: str, *, valid_for: str = "7 days", **context) -> RenderedEmail:
    """Render an email carrying a set-password link, and its kept copy with the link blanked."""
    text, html = render_email(name, password=None, set_password_url=link,
                              link_valid_for=valid_for, **context)
    redacted_text, redacted_html = render_email(name, password=None, set_password_url=LINK_REMOVED,
                                                link_valid_for=valid_for, **context)
    return RenderedEmail(text, html, redacted_text, redacted_html)


def password_reset(user: User, org: Organisation, link: str, valid_for: str) -> OutboxMessage:
    """The forgot-password email: a single-use link to choose a new password."""
    text, html = render_email("password_reset", user=user, org=org, reset_url=link,
                              valid_for=valid_for)
    redacted_text, redacted_html = render_email("password_reset", user=user, org=org,
                                                reset_url=LINK_REMOVED, valid_for=valid_for)
    return queue(org_id=org.id, kind="password_reset", to_address=user.email, to_user_id=user.id,
                 subject=f"Choose a new password for {org.name}", text_body=text, html_body=html,
                 carries_password=True, redacted_text_body=redacted_text,
                 redacted_html_body=redacted_html)


@dataclass(frozen=True)
class DetailsFor:
    """One person's sign-in details email: a new password, a link, or how to sign in."""

    user: User
    password: str | None = None
    link: str | None = None
    earlier_sent_at: datetime | None = None


def sign_in_details(org: Organisation, people: Sequence[DetailsFor]) -> None:
    """Queue a sign-in details email to each person (one INSERT); the caller commits."""
    forgot_url = public_base_url() + "/forgot-password"
    rows = []
    for person in people:
        context = dict(user=person.user, org=org, earlier_sent_at=person.earlier_sent_at,
                       forgot_url=forgot_url)
        redacted = {}
        if person.password:
            rendered = render_with_password("sign_in_details", person.password, **context)
            subject = f"Your sign-in details for {org.name}"
        elif person.link:
            rendered = render_with_link("sign_in_details", person.link, **context)
            subject = f"Choose your password for {org.name}"
        else:
            text, html = render_email("sign_in_details", password=None, **context)
            rendered = RenderedEmail(text, html)
            subject = f"How to sign in to {org.name}"
        if rendered.redacted_text is not None:
            redacted = {"redacted_text_body": rendered.redacted_text,
                        "redacted_html_body": rendered.redacted_html}
        rows.append({"org_id": org.id, "kind": "sign_in_details", "to_address": person.user.email,
                     "to_user_id": person.user.id, "subject": subject, "text_body": rendered.text,
                     "html_body": rendered.html, "carries_password": bool(redacted), **redacted})
    queue_rows(rows)


class SummaryLine(NamedTuple):
    """One line in a created-users summary, whatever shape the caller's outcome had."""

    first_name: str
    last_name: str
    email: str
    account_type: str  # the label: User, Guest, Admin, Team Manager
    outcome: str  # a key of OUTCOMES
    reason: str
    password: str
    line: int | None = None

    @property
    def created(self) -> bool:
        return self.outcome == "created"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    @property
    def label(self) -> str:
        return OUTCOMES.get(self.outcome, OUTCOMES["failed"])[0]

    @property
    def words(self) -> str:
        return OUTCOMES.get(self.outcome, OUTCOMES["failed"])[1]


_TYPE_LABELS = {account_type.value: account_type.label for account_type in AccountType}
_TYPED_OUTCOMES = frozenset({"created", "failed"})  # the lines whose account type the summary shows


def summary_line(first_name, last_name, email, account_type, outcome, reason="", password="",
                 line=None) -> SummaryLine:
    """A line of the summary from an outcome's values, shown as the summary shows them."""
    code = outcome if outcome in OUTCOMES else "failed"
    created = code == "created"
    return SummaryLine(
        first_name or "", last_name or "", email or "",
        (_TYPE_LABELS.get(account_type) or str(account_type or "")) if code in _TYPED_OUTCOMES else "",
        code, "" if created else (reason or ("Not created." if code == "failed" else "")),
        (password or "") if created else "", line)


def _summary_line(outcome) -> SummaryLine:
    if type(outcome) is SummaryLine:
        return outcome
    if isinstance(outcome, dict):
        return summary_line(*map(outcome.get, SummaryLine._fields))
    return summary_line(*(getattr(outcome, field, None) for field in SummaryLine._fields))


# Summary lines written to the CSV files at a time: one writerows call each, not one call per line.
_CSV_PAGE = 2000
_LABELS = {code: words[0] for code, words in OUTCOMES.items()}
# Stands in the password cell of a page's rows while it is written (a control character: no cell of a CSV
# line needs quoting for it, and a generated password never holds it).
_MARK = "\x1e"


class _SummaryCsv:
    """The summary CSV written gzip-compressed as lines come, with its copy for after sending (passwords blanked)."""

    def __init__(self, with_lines: bool, with_passwords: bool):
        self.with_lines, self.with_passwords = with_lines, with_passwords
        header = (("Line",) if with_lines else ()) + SUMMARY_COLUMNS[:-1] + (
            ("Password",) if with_passwords else ())
        self.files = [_GzipCsv(header) for _ in range(2 if with_passwords else 1)]
        self.pending: list[SummaryLine] = []

    def add(self, line: SummaryLine) -> None:
        self.pending.append(line)
        if len(self.pending) >= _CSV_PAGE:
            self._write_pending()

    def _write_pending(self) -> None:
        lines, self.pending = self.pending, []
        labels = _LABELS
        # The copy kept after sending differs in its last cell only: the page is written once with a mark
        # there, then the mark becomes each password in one copy and the removal note in the other.
        cells = safe_rows([((str(line.line) if line.line is not None else "",) if self.with_lines else ())
                           + (line.first_name, line.last_name, line.email, line.account_type,
                              labels[line.outcome], line.reason)
                           + ((_MARK if line.password else "",) if self.with_passwords else ()) for line in lines])
        sent = self.files[0]
        if not self.with_passwords:
            sent.writer.safe_rows(cells)
            sent.flush()
            return
        kept = self.files[1]
        for file in self.files:
            file.flush()  # each one's header, before the first page
        sent.writer.safe_rows(cells)
        page = sent.take()
        passwords = [line.password for line in lines if line.password]
        parts = page.split(_MARK)
        if len(parts) != len(passwords) + 1:  # a person's own values held the mark: the page cell by cell
            given = iter(passwords)
            for row in cells:
                row[-1] = next(given) if row[-1] else ""
            sent.writer.safe_rows(cells)
            sent.flush()
            for row in cells:
                row[-1] = PASSWORD_REMOVED if row[-1] else ""
            kept.writer.safe_rows(cells)
            kept.flush()
            return
        sent.compress("".join(itertools.chain.from_iterable(zip(parts, passwords + [""]))))
        kept.compress(page.replace(_MARK, PASSWORD_REMOVED))

    def add_removed(self, count: int) -> None:
        self._write_pending()
        cells = ("", "", "", "", "", "Removed", _removed_sentence(count)) + (("",) if self.with_passwords else ())
        for file in self.files:
            file.writer.row(cells)

    def finish(self) -> tuple[bytes, bytes | None]:
        """The compressed file, and its blanked copy (None without passwords)."""
        self._write_pending()
        made = [file.finish() for file in self.files]
        return made[0], made[1] if len(made) > 1 else None


class _GzipCsv:
    """CSV text (UTF-8 with BOM) written through gzip into memory, a page of rows at a time."""

    def __init__(self, header: Sequence[str]):
        self.buffer = io.BytesIO()
        # Level 1: a million people's CSV compresses several times faster than at 6, and about a fifth larger.
        self.gzip = gzip.GzipFile(fileobj=self.buffer, mode="wb", compresslevel=1, mtime=0)
        self.gzip.write(codecs.BOM_UTF8)
        self.text = io.StringIO()
        self.writer = SafeCsvWriter(self.text, header)

    def flush(self) -> None:
        """Compress what the writer wrote since the last flush."""
        self.compress(self.take())

    def take(self) -> str:
        """What the writer wrote since the last flush, taken out (not compressed)."""
        written = self.text.getvalue()
        self.text.seek(0)
        self.text.truncate()
        return written

    def compress(self, written: str) -> None:
        self.gzip.write(written.encode("utf-8"))

    def finish(self) -> bytes:
        self.flush()
        self.gzip.close()  # ends the gzip stream; the buffer stays open
        return self.buffer.getvalue()


def _removed_sentence(count: int) -> str:
    return (f"{count:,} line{'s were' if count != 1 else ' was'} removed by the admin before Create "
            f"Users; which ones was not recorded.")


def created_users_summary(org: Organisation, actor: User | None, outcomes: Iterable, *,
                          source: str, filename: str | None = None,
                          removed_unlisted: int = 0) -> OutboxMessage | None:
    """Summary to the acting admin of an action about two or more people, with a CSV.

    Each outcome is a dict or object with first_name, last_name, email, account_type,
    outcome (a key of OUTCOMES), reason, password and, for a file, its line number (a file's
    numbered lines first). `outcomes` is read once, as it comes: a million people go straight
    into the gzip-compressed CSV, and only the lines the body lists are kept.
    """
    if actor is None:
        return None
    lines = map(_summary_line, outcomes)
    first = next(lines, None)
    with_lines = bool(removed_unlisted) or (first is not None and first.line is not None)
    with_passwords = not org.sends_password_links
    csv_file = _SummaryCsv(with_lines, with_passwords)
    counts = dict.fromkeys(OUTCOMES, 0)
    listed = 0
    # Lines not created first: they are what the admin has to act on.
    not_created, created = [], []
    for line in itertools.chain((first,) if first else (), lines):
        listed += 1
        counts[line.outcome] += 1
        shown = created if line.created else not_created
        if len(shown) < SUMMARY_BODY_LIMIT:
            shown.append(line)
        csv_file.add(line)
    if listed + removed_unlisted < 2:
        return None
    counts["removed"] += removed_unlisted
    if removed_unlisted:
        csv_file.add_removed(removed_unlisted)
    # People deactivated as leavers are not lines of the file: listed, but not counted as lines read.
    total = listed - counts["deactivated"] + removed_unlisted
    shown = (not_created + created)[:SUMMARY_BODY_LIMIT]
    file_name = f"created-users-{utcnow():%Y-%m-%d-%H%M}.csv"
    text, html = render_email(
        "created_users_summary", org=org, actor=actor, source=source, lines=shown,
        total=total, listed=listed, created=counts["created"], failed=counts["failed"],
        counts=[(COUNT_WORDS[key], counts[key]) for key in OUTCOMES
                if counts[key] or key in ("created", "failed")],
        imported_file=filename, removed_unlisted=removed_unlisted,
        removed_sentence=_removed_sentence(removed_unlisted), filename=file_name,
        with_passwords=with_passwords,
    )
    data, redacted_data = csv_file.finish()
    attachment = Attachment(filename=file_name, content_type="text/csv", data=data,
                            redacted_data=redacted_data, compressed=True)
    return queue(org_id=org.id, kind="created_users_summary", to_address=actor.email,
                 to_user_id=actor.id,
                 subject=_summary_subject(source, filename, counts, total),
                 text_body=text, html_body=html, carries_password=with_passwords,
                 attachments=(attachment,), redacted_text_body=text if with_passwords else None,
                 redacted_html_body=html if with_passwords else None)


def _summary_subject(source: str, filename: str | None, counts: dict[str, int], total: int) -> str:
    created, failed = counts["created"], counts["failed"]
    made = f"{created} user{'s' if created != 1 else ''} created"
    if filename is None:
        return f"{source}: {made}, {failed} failed" if failed else f"{source}: {made}"
    others = total - created - failed
    subject = f"{source} of {filename}: {made}"
    if failed:
        subject += f", {failed} failed"
    if others:
        subject += f", {others} other line{'s' if others != 1 else ''} not created"
    return subject
