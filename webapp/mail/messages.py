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

from collections.abc import Sequence
from dataclasses import dataclass

from webapp.clock import utcnow
from webapp.csvsafe import write_csv
from webapp.mail.outbox import (
    PASSWORD_REMOVED,
    Attachment,
    queue,
    render_email,
    render_with_password,
)
from webapp.models import AccountType, OutboxMessage, Organisation, User

SUMMARY_COLUMNS = ("First Name", "Last Name", "Email Address", "Account Type", "Outcome",
                   "Reason", "Password")
# A summary body lists at most this many people; the CSV attachment always has everyone.
SUMMARY_BODY_LIMIT = 200


def welcome(user: User, org: Organisation, password: str) -> OutboxMessage:
    """Welcome email to an invited user, carrying their generated password."""
    rendered = render_with_password("welcome", password, user=user, org=org)
    return queue(org_id=org.id, kind="welcome", to_address=user.email, to_user_id=user.id,
                 subject=f"Welcome to {org.name}: your sign-in details",
                 text_body=rendered.text, html_body=rendered.html, carries_password=True,
                 redacted_text_body=rendered.redacted_text,
                 redacted_html_body=rendered.redacted_html)


@dataclass(frozen=True)
class SummaryLine:
    """One person in a created-users summary, whatever shape the caller's outcome had."""

    first_name: str
    last_name: str
    email: str
    account_type: str  # the label: User, Guest, Admin, Team Manager
    created: bool
    reason: str
    password: str

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def _read(outcome, field: str):
    if isinstance(outcome, dict):
        return outcome.get(field)
    return getattr(outcome, field, None)


def _account_type_label(value) -> str:
    try:
        return AccountType(value).label
    except ValueError:
        return str(value or "")


def _summary_line(outcome) -> SummaryLine:
    created = _read(outcome, "outcome") == "created"
    return SummaryLine(
        first_name=_read(outcome, "first_name") or "", last_name=_read(outcome, "last_name") or "",
        email=_read(outcome, "email") or "",
        account_type=_account_type_label(_read(outcome, "account_type")), created=created,
        reason="" if created else (_read(outcome, "reason") or "Not created."),
        password=(_read(outcome, "password") or "") if created else "",
    )


def _summary_csv(lines: Sequence[SummaryLine], *, redact: bool) -> bytes:
    return write_csv(SUMMARY_COLUMNS, (
        (line.first_name, line.last_name, line.email, line.account_type,
         "Created" if line.created else "Failed", line.reason,
         (PASSWORD_REMOVED if redact and line.password else line.password))
        for line in lines
    ))


def created_users_summary(org: Organisation, actor: User | None, outcomes: Sequence, *,
                          source: str) -> OutboxMessage | None:
    """Summary to the acting admin of an action that made two or more users, with a CSV."""
    if actor is None or len(outcomes) < 2:
        return None
    lines = [_summary_line(outcome) for outcome in outcomes]
    created = sum(1 for line in lines if line.created)
    failed = len(lines) - created
    # Failures first: they are what the admin has to act on.
    shown = [line for line in lines if not line.created][:SUMMARY_BODY_LIMIT]
    shown += [line for line in lines if line.created][:SUMMARY_BODY_LIMIT - len(shown)]
    filename = f"created-users-{utcnow():%Y-%m-%d-%H%M}.csv"
    text, html = render_email(
        "created_users_summary", org=org, actor=actor, source=source, lines=shown,
        total=len(lines), created=created, failed=failed, filename=filename,
    )
    attachment = Attachment(filename=filename, content_type="text/csv",
                            data=_summary_csv(lines, redact=False),
                            redacted_data=_summary_csv(lines, redact=True))
    return queue(org_id=org.id, kind="created_users_summary", to_address=actor.email,
                 to_user_id=actor.id, subject=_summary_subject(source, created, failed),
                 text_body=text, html_body=html, carries_password=True,
                 attachments=(attachment,), redacted_text_body=text, redacted_html_body=html)


def _summary_subject(source: str, created: int, failed: int) -> str:
    made = f"{created} user{'s' if created != 1 else ''} created"
    return f"{source}: {made}, {failed} failed" if failed else f"{source}: {made}"
