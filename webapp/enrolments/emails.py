"""Enrolment emails: one function per kind, queued through the outbox in the caller's transaction."""
from __future__ import annotations

from datetime import date

from webapp.csvsafe import write_csv
from webapp.enrolments.notifications import Notice, NoticeKind
from webapp.mail.outbox import Attachment, queue, queue_rows, render_email
from webapp.models import Organisation, Series, User

# The summary lists this many learners in its body; every learner is in the CSV attachment.
SUMMARY_BODY_LIMIT = 100


def queue_enrolment_emails(org: Organisation, series: Series, actor: User, learners: list,
                           notices: dict[int, Notice], passwords: dict[int, str], *,
                           due_date: date | None, send_invite: bool) -> int:
    """Queue each learner's email, or the admin's one summary; return how many were queued."""
    if not learners:
        return 0
    if not send_invite:
        admin_summary(org, series, actor, learners, passwords, due_date=due_date)
        return 1
    queue_rows([learner_email_row(org, series, row, notices[row.id].kind, passwords.get(row.id),
                                  due_date=due_date) for row in learners])
    return len(learners)


def learner_email_row(org: Organisation, series: Series, learner, kind: NoticeKind,
                      password: str | None, *, due_date: date | None) -> dict:
    """An outbox row for one learner: the created-user welcome or the series enrolment email."""
    template = ("series_enrolment_created_user" if kind is NoticeKind.CREATED_USER_ENROLMENT
                else "series_enrolment")
    text, html = render_email(template, org=org, series=series, learner=learner,
                              password=password, due_date=due_date,
                              has_own_access=learner.signed_in_at is not None
                              or not learner.password_is_generated)
    if kind is NoticeKind.CREATED_USER_ENROLMENT:
        subject = f"Welcome to {org.name}: you are enrolled in {series.name}"
    elif password:
        subject = f"You are enrolled in {series.name}: your new sign-in details"
    else:
        subject = f"You are enrolled in {series.name}"
    return {"org_id": org.id, "kind": kind.value, "to_address": learner.email,
            "to_user_id": learner.id, "subject": subject, "text_body": text,
            "html_body": html, "carries_password": password is not None}


def admin_summary(org: Organisation, series: Series, actor: User, learners: list,
                  passwords: dict[int, str], *, due_date: date | None) -> None:
    """One email to the acting admin with every enrolment's details, new passwords included."""
    entries = [{"name": " ".join(p for p in (row.first_name, row.last_name) if p) or row.email,
                "email": row.email, "password": passwords.get(row.id)} for row in learners]
    text, html = render_email("enrolment_admin_summary", org=org, series=series, admin=actor,
                              entries=entries[:SUMMARY_BODY_LIMIT], total=len(entries),
                              password_count=len(passwords), due_date=due_date)
    csv_bytes = write_csv(
        ["First name", "Last name", "Email", "Series", "Due date", "New password"],
        ([row.first_name, row.last_name, row.email, series.name,
          due_date.isoformat() if due_date else "", passwords.get(row.id, "")] for row in learners),
    )
    queue(org_id=org.id, kind=NoticeKind.ADMIN_SUMMARY.value, to_address=actor.email,
          to_user_id=actor.id, subject=f"Enrolment in {series.name}: details for {len(entries)} "
          f"learner{'s' if len(entries) != 1 else ''} to pass on",
          text_body=text, html_body=html, carries_password=bool(passwords),
          attachments=(Attachment("enrolments.csv", "text/csv", csv_bytes),))
