"""Deliver queued outbox messages over SMTP with Flask-Mail: claim, send, retry, redact.

`send_queued()` is a plain function: the in-process background thread, `flask mail send`
and any task queue run the same code. Claiming makes two senders never take the same
message; a message left in "sending" by a dead process is taken again (at-least-once, with
a stable Message-ID so a receiver can recognise a duplicate).

Throughput: one SMTP connection for the whole run, batches of MAIL_SEND_BATCH claimed at a
time, and each batch's outcome written back in a few set-based statements and one commit
(so a crash mid-batch may send up to a batch again: at-least-once, as above). A server that
cannot be reached at all pauses delivery without using up attempts (see outage.py).
"""
from __future__ import annotations

import os
import smtplib
import socket
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formatdate

import flask_mail
from flask import current_app
from markupsafe import escape as escape_html
from sqlalchemy import (
    ColumnElement,
    LargeBinary,
    and_,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import selectinload

from webapp import signals
from webapp.clock import utcnow
from webapp.extensions import db, mail
from webapp.mail import outage
from webapp.mail.outbox import PASSWORD_REMOVED, keeps_mail_only
from webapp.models import DeliveryAttempt, OutboxAttachment, OutboxMessage
from webapp.text import single_line

INTERRUPTED = ("The sender stopped while sending this message (for example the server "
               "restarted), so it is being sent again.")


@dataclass
class SendReport:
    """What one drain of the outbox did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    reclaimed: int = 0
    kept_only: bool = False
    paused: bool = False  # waiting out an outage: the server was not probed this time
    unreachable: str = ""  # why the server could not be reached (nothing was sent)
    waiting: int = 0  # claimed messages put back, attempts unchanged, when it went away

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def describe(self) -> str:
        if self.kept_only:
            return "MAIL_SERVER is not set: mail is kept on the Mail page and not sent."
        if self.paused:
            return "The mail server could not be reached a moment ago: waiting before trying it again."
        text = f"Sent {self.sent}, will retry {self.retrying}, failed {self.failed}."
        if self.reclaimed:
            text += f" Took back {self.reclaimed} left unfinished by a stopped sender."
        if self.unreachable:
            text += (f" {self.unreachable} The mail stays queued with its attempts unchanged and "
                     "goes out once the server answers.")
        return text


class DeliveryError(Exception):
    """A message could not be delivered; `permanent` says whether trying again can help."""

    def __init__(self, detail: str, *, permanent: bool, connection_lost: bool = False):
        detail = detail.strip()
        detail = detail if detail.endswith(".") else detail + "."
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent
        self.connection_lost = connection_lost


class TimeoutConnection(flask_mail.Connection):
    """Flask-Mail's connection, with a socket timeout so a silent server cannot hang us."""

    def configure_host(self):
        timeout = current_app.config.get("MAIL_TIMEOUT_SECONDS", 30)
        state = self.mail
        smtp_class = smtplib.SMTP_SSL if state.use_ssl else smtplib.SMTP
        host = smtp_class(state.server, state.port, timeout=timeout)
        if state.use_tls:
            host.starttls()
        if state.username and state.password:
            host.login(state.username, state.password)
        return host


def _open_connection() -> TimeoutConnection:
    # Built from the settings as they are now, not as they were when the app started.
    state = mail.init_mail(current_app.config, testing=False)
    connection = TimeoutConnection(state)
    try:
        connection.host = connection.configure_host()
    except (OSError, smtplib.SMTPException) as exc:
        # Refused sign-in or TLS is a settings problem: retry once the self-hoster fixes it.
        raise DeliveryError(_classify(exc).detail, permanent=False, connection_lost=True) from exc
    return connection


def _close(connection: TimeoutConnection | None) -> None:
    if connection is not None and connection.host is not None:
        try:
            connection.host.quit()
        except (OSError, smtplib.SMTPException):
            pass


def _classify(exc: Exception) -> DeliveryError:
    """Turn an SMTP or network error into a plain sentence, permanent or temporary."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        address, (code, reply) = next(iter(exc.recipients.items()))
        reply_text = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        return DeliveryError(f"The mail server refused {address}: {code} {reply_text}",
                             permanent=code >= 500)
    if isinstance(exc, smtplib.SMTPServerDisconnected) and isinstance(exc.__context__, TimeoutError):
        exc = exc.__context__  # smtplib reports a silent server as a closed connection
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return DeliveryError(f"The mail server closed the connection: {exc}", permanent=False,
                             connection_lost=True)
    if isinstance(exc, smtplib.SMTPResponseException):
        reply = exc.smtp_error.decode(errors="replace") if isinstance(exc.smtp_error, bytes) \
            else str(exc.smtp_error)
        return DeliveryError(f"The mail server answered {exc.smtp_code} {reply}",
                             permanent=exc.smtp_code >= 500, connection_lost=True)
    if isinstance(exc, TimeoutError | socket.timeout):
        return DeliveryError("The mail server did not answer in time.", permanent=False,
                             connection_lost=True)
    if isinstance(exc, ConnectionRefusedError):
        server = f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
        return DeliveryError(f"Could not connect to the mail server {server}: connection refused.",
                             permanent=False, connection_lost=True)
    return DeliveryError(f"Could not talk to the mail server: {exc}", permanent=False,
                         connection_lost=True)


class HeaderLineBreak(ValueError):
    """A subject or address with a line break: never sent, whatever the server says."""


def _email_for(message: OutboxMessage) -> EmailMessage:
    """The message as the stdlib builds it (a third of Flask-Mail's cost per message)."""
    if "\n" in message.to_address or "\r" in message.to_address:
        raise HeaderLineBreak(message.to_address)
    email = EmailMessage()
    # A subject is collapsed to one line (a series or organisation name with a line break still sends).
    email["Subject"] = single_line(message.subject)
    email["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Date"] = formatdate(localtime=False)
    email["Message-ID"] = message.message_id
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition(";")[0].strip().partition("/")
        content = attachment.content
        if maintype == "text":
            # Without the charset, mail programs guess, and names with accents arrive garbled.
            email.add_attachment(content.decode("utf-8", errors="replace"), subtype=subtype,
                                 filename=attachment.filename)
        else:
            email.add_attachment(content, maintype=maintype, subtype=subtype or "octet-stream",
                                 filename=attachment.filename)
    return email


def _deliver(connection: TimeoutConnection, message: OutboxMessage) -> None:
    try:
        connection.host.send_message(_email_for(message))
    except HeaderLineBreak as exc:
        raise DeliveryError("The subject or an address contains a line break.",
                            permanent=True) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise _classify(exc) from exc


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: base, 2x base, 4x base, ... capped."""
    config = current_app.config
    seconds = config.get("MAIL_RETRY_BASE_SECONDS", 60) * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, config.get("MAIL_RETRY_MAX_SECONDS", 6 * 3600)))


def reclaim_stale() -> int:
    """Put messages stuck in "sending" past MAIL_SENDING_TIMEOUT_SECONDS back in the queue."""
    now = utcnow()
    cutoff = now - timedelta(seconds=current_app.config.get("MAIL_SENDING_TIMEOUT_SECONDS", 900))
    stale = and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < cutoff)
    db.session.execute(insert(DeliveryAttempt).from_select(
        ["message_id", "at", "outcome", "detail"],
        select(OutboxMessage.id, literal(now), literal("retry"), literal(INTERRUPTED)).where(stale),
    ))
    max_attempts = current_app.config.get("MAIL_MAX_ATTEMPTS", 8)
    gave_up = db.session.execute(
        update(OutboxMessage).where(stale, OutboxMessage.attempts + 1 >= max_attempts)
        .values(status="failed", attempts=OutboxMessage.attempts + 1, claimed_by=None,
                claimed_at=None, last_error=f"Gave up after {max_attempts} attempts. {INTERRUPTED}")
        .execution_options(synchronize_session=False)
    ).rowcount
    requeued = db.session.execute(
        update(OutboxMessage).where(stale)
        .values(status="queued", attempts=OutboxMessage.attempts + 1, claimed_by=None,
                claimed_at=None, next_attempt_at=now, last_error=INTERRUPTED)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return gave_up + requeued



def claim(worker: str, size: int) -> list[OutboxMessage]:
    """Mark up to `size` due messages as "sending" by this worker, atomically, and load them."""
    now = utcnow()
    due = (select(OutboxMessage.id)
           .where(OutboxMessage.status == "queued",
                  or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
           .order_by(OutboxMessage.id).limit(size))
    if db.session.get_bind().dialect.name == "postgresql":
        # Lock the chosen rows first, skipping any another sender holds; then claim them.
        chosen = OutboxMessage.id.in_(list(db.session.scalars(due.with_for_update(skip_locked=True))))
    else:
        # A single UPDATE statement is atomic on SQLite (one writer at a time).
        chosen = OutboxMessage.id.in_(due.scalar_subquery())
    # The status check means a row another sender took first is left alone.
    db.session.execute(
        update(OutboxMessage).where(chosen, OutboxMessage.status == "queued")
        .values(status="sending", claimed_by=worker, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.claimed_by == worker, OutboxMessage.status == "sending")
        .options(selectinload(OutboxMessage.attachments))  # one query, not one per message
        .order_by(OutboxMessage.id)
    ))


@dataclass
class BatchOutcome:
    """What happened to one claimed batch, written back in a few set-based statements."""

    sent_ids: list[int] = field(default_factory=list)
    redact_ids: list[int] = field(default_factory=list)
    failures: list[tuple[OutboxMessage, DeliveryError]] = field(default_factory=list)

    def sent(self, message: OutboxMessage) -> None:
        (self.redact_ids if message.carries_password else self.sent_ids).append(message.id)

    def save(self, report: SendReport) -> None:
        """Record the batch: statuses, attempts, redaction and the attempt log; one commit."""
        now = utcnow()
        log = [{"message_id": message_id, "at": now, "outcome": "sent",
                "detail": "Accepted by the mail server."}
               for message_id in self.sent_ids + self.redact_ids]
        done = {"status": "sent", "sent_at": now, "last_error": "", "claimed_by": None,
                "claimed_at": None, "attempts": OutboxMessage.attempts + 1}
        if self.sent_ids:
            _update(OutboxMessage.id.in_(self.sent_ids), done)
        if self.redact_ids:
            _redact(self.redact_ids, done)
        if self.failures:
            rows = [_failed_attempt(message, error, report, now) for message, error in self.failures]
            db.session.execute(update(OutboxMessage), [row for row, _ in rows])
            log += [entry for _, entry in rows]
            for (row, _), (message, _) in zip(rows, self.failures):
                if row["status"] == "failed":
                    signals.mail_failed_for(message, row["last_error"])
        if log:
            db.session.execute(insert(DeliveryAttempt), log)
        report.sent += len(self.sent_ids) + len(self.redact_ids)
        db.session.commit()


def _update(where, values: dict) -> None:
    db.session.execute(update(OutboxMessage).where(where).values(**values)
                       .execution_options(synchronize_session=False))


def _redact(message_ids: list[int], done: dict) -> None:
    # A body or file without a prepared blanked copy is replaced whole: never keep a password.
    # (SET expressions read the row as it was, so the prepared copies are read before cleared.)
    _update(OutboxMessage.id.in_(message_ids), {
        **done, "redacted": True, "redacted_text_body": None, "redacted_html_body": None,
        "text_body": func.coalesce(OutboxMessage.redacted_text_body, PASSWORD_REMOVED),
        "html_body": func.coalesce(OutboxMessage.redacted_html_body,
                                   f"<p>{escape_html(PASSWORD_REMOVED)}</p>"),
    })
    db.session.execute(
        update(OutboxAttachment).where(OutboxAttachment.message_id.in_(message_ids))
        .values(data=func.coalesce(OutboxAttachment.redacted_data,
                                   literal(PASSWORD_REMOVED.encode(), LargeBinary)),
                # A prepared copy is compressed as the file was; the plain notice is not.
                compressed=and_(OutboxAttachment.compressed, OutboxAttachment.redacted_data.is_not(None)),
                redacted_data=None)
        .execution_options(synchronize_session=False))


def _failed_attempt(message: OutboxMessage, error: DeliveryError, report: SendReport,
                    now) -> tuple[dict, dict]:
    """The row update and the attempt log entry for one message that was not delivered."""
    attempts = message.attempts + 1
    # Every row carries the same keys, so the batch is one executemany.
    row = {"id": message.id, "attempts": attempts, "claimed_by": None, "claimed_at": None,
           "next_attempt_at": message.next_attempt_at}
    if error.permanent or attempts >= current_app.config.get("MAIL_MAX_ATTEMPTS", 8):
        row.update(status="failed", last_error=error.detail if error.permanent else (
            f"Gave up after {attempts} attempts. Last error: {error.detail}"))
        report.failed += 1
    else:
        row.update(status="queued", last_error=error.detail,
                   next_attempt_at=now + retry_delay(attempts))
        report.retrying += 1
    entry = {"message_id": message.id, "at": now, "detail": error.detail,
             "outcome": "failed" if row["status"] == "failed" else "retry"}
    return row, entry


def _due() -> ColumnElement[bool]:
    now = utcnow()
    return and_(OutboxMessage.status == "queued",
                or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))


def _pause_delivery(error: DeliveryError, report: SendReport,
                    released_ids: list[int] = ()) -> None:
    """The server cannot be reached: due and claimed mail waits for the next probe, attempts unchanged."""
    seconds = outage.unreachable()
    detail = (f"{error.detail} Delivery is paused and tries the server again in "
              f"{int(seconds)} s; this message keeps its attempts.")
    waiting = {"status": "queued", "last_error": detail, "claimed_by": None, "claimed_at": None,
               "next_attempt_at": utcnow() + timedelta(seconds=seconds)}
    _update(_due(), waiting)
    if released_ids:
        _update(OutboxMessage.id.in_(list(released_ids)), waiting)
    db.session.commit()
    report.unreachable = error.detail
    report.waiting = len(released_ids)


def _worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _has_due_mail() -> bool:
    return bool(db.session.scalar(select(exists().where(_due()))))


def send_queued(limit: int | None = None) -> SendReport:
    """Send every due queued message (at most `limit`) over one SMTP connection.

    The connection is opened before anything is claimed: a server that cannot be reached
    pauses delivery (see outage.py) and leaves every message's attempts as they were.
    """
    if keeps_mail_only():
        return SendReport(kept_only=True)
    db.session.commit()
    report = SendReport(reclaimed=reclaim_stale())
    if outage.seconds_left() > 0:
        report.paused = True
        return report
    if not _has_due_mail():
        return report
    try:
        connection: TimeoutConnection | None = _open_connection()
    except DeliveryError as error:
        _pause_delivery(error, report)
        return report
    outage.reachable()
    worker = _worker_name()
    batch_size = current_app.config.get("MAIL_SEND_BATCH", 200)
    try:
        while limit is None or report.handled < limit:
            size = batch_size if limit is None else min(batch_size, limit - report.handled)
            claimed = claim(worker, size)
            if not claimed:
                break
            outcome = BatchOutcome()
            for position, message in enumerate(claimed):
                if connection is None:
                    try:
                        connection = _open_connection()
                    except DeliveryError as error:
                        # The server went away mid-run: the rest wait for it, attempts unchanged.
                        outcome.save(report)
                        _pause_delivery(error, report, [m.id for m in claimed[position:]])
                        return report
                try:
                    _deliver(connection, message)
                except DeliveryError as error:
                    if error.connection_lost:
                        _close(connection)
                        connection = None
                    outcome.failures.append((message, error))
                    continue
                outcome.sent(message)
            outcome.save(report)
    finally:
        _close(connection)
    return report
