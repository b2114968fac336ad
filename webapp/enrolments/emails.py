"""Enrolment emails: one function per kind, queued through the outbox in the caller's transaction."""
from __future__ import annotations

from datetime import date

from webapp.csvsafe import write_csv
from webapp.enrolments.notifications import Notice, NoticeKind
from webapp.mail.outbox import LINK_REMOVED, PASSWORD_REMOVED, Attachment, queue, queue_rows, render_email, render_with_password
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
        links = _set_password_links(org, passwords)
        admin_summary(org, series, actor, learners, links or passwords, due_date=due_date,
                      as_links=bool(links))
        return 1
    links = _set_password_links(org, passwords)
    rows = [learner_email_row(org, series, row, notices[row.id].kind, passwords.get(row.id),
                              due_date=due_date, link=links.get(row.id)) for row in learners]
    queue_rows(rows)
    return len(learners)


def _set_password_links(org: Organisation, passwords: dict[int, str]) -> dict[int, str]:
    """In place of new passwords, single-use links, for organisations that email no passwords."""
    if not org.sends_password_links or not passwords:
        return {}
    from webapp.accounts import tokens

    made = tokens.issue_many(org.id, list(passwords), tokens.WELCOME)
    return {user_id: tokens.link_for(token) for user_id, token in made.items()}


def learner_email_row(org: Organisation, series: Series, learner, kind: NoticeKind,
                      password: str | None, *, due_date: date | None, link: str | None = None) -> dict:
    """An outbox row for one learner: the created-user welcome or the series enrolment email."""
    template = ("series_enrolment_created_user" if kind is NoticeKind.CREATED_USER_ENROLMENT
                else "series_enrolment")
    context = dict(org=org, series=series, learner=learner, due_date=due_date,
                   has_own_access=learner.signed_in_at is not None or not learner.password_is_generated)
    redacted = {}
    if link:
        from webapp.mail.messages import render_with_link

        rendered = render_with_link(template, link, **context)
        text, html = rendered.text, rendered.html
        redacted = {"redacted_text_body": rendered.redacted_text,
                    "redacted_html_body": rendered.redacted_html}
    elif password:
        rendered = render_with_password(template, password, **context)
        text, html = rendered.text, rendered.html
        redacted = {"redacted_text_body": rendered.redacted_text,
                    "redacted_html_body": rendered.redacted_html}
    else:
        text, html = render_email(template, password=None, **context)
    if kind is NoticeKind.CREATED_USER_ENROLMENT:
        subject = f"Welcome to {org.name}: you are enrolled in {series.name}"
    elif password:
        subject = f"You are enrolled in {series.name}: your new sign-in details"
    else:
        subject = f"You are enrolled in {series.name}"
    return {"org_id": org.id, "kind": kind.value, "to_address": learner.email,
            "to_user_id": learner.id, "subject": subject, "text_body": text,
            "html_body": html, "carries_password": password is not None, **redacted}


def admin_summary(org: Organisation, series: Series, actor: User, learners: list,
                  passwords: dict[int, str], *, due_date: date | None, as_links: bool = False) -> None:
    """One email to the acting admin with every enrolment's details, new passwords included.

    With as_links, `passwords` holds single-use set-password links instead (link-mode organisations).
    """
    blanked = LINK_REMOVED if as_links else PASSWORD_REMOVED
    def entries(blank: bool) -> list[dict]:
        return [{"name": " ".join(p for p in (row.first_name, row.last_name) if p) or row.email,
                 "email": row.email,
                 "password": blanked if blank and row.id in passwords else passwords.get(row.id)}
                for row in learners[:SUMMARY_BODY_LIMIT]]

    def body(blank: bool) -> tuple[str, str]:
        return render_email("enrolment_admin_summary", org=org, series=series, admin=actor,
                            entries=entries(blank), total=len(learners),
                            password_count=len(passwords), due_date=due_date, as_links=as_links)

    def csv_file(blank: bool) -> bytes:
        return write_csv(
            ["First name", "Last name", "Email", "Series", "Due date",
             "Set-password link" if as_links else "New password"],
            ([row.first_name, row.last_name, row.email, series.name,
              due_date.isoformat() if due_date else "",
              (blanked if blank else passwords[row.id]) if row.id in passwords else ""]
             for row in learners))

    text, html = body(blank=False)
    redacted_text, redacted_html = body(blank=True) if passwords else (None, None)
    queue(org_id=org.id, kind=NoticeKind.ADMIN_SUMMARY.value, to_address=actor.email,
          to_user_id=actor.id, subject=f"Enrolment in {series.name}: details for {len(learners)} "
          f"learner{'s' if len(learners) != 1 else ''} to pass on",
          text_body=text, html_body=html, carries_password=bool(passwords),
          redacted_text_body=redacted_text, redacted_html_body=redacted_html,
          attachments=(Attachment("enrolments.csv", "text/csv", csv_file(blank=False),
                                  csv_file(blank=True) if passwords else None),))
