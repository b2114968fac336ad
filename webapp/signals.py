"""Signals: hooks other code subscribes to when people are created, changed, enrolled or not mailed.

Every signal is sent by `send()` inside the transaction that causes it, just before the commit:
a receiver that writes with `db.session` joins that transaction and is rolled back with it, and
a receiver that raises makes the action fail (nothing is half-saved). Receivers must be quick and
set-based; slow work (an HTTP call, say) belongs in a job the receiver submits.

The sender is always the Flask app. Every signal carries these keyword arguments:

    org_id    the organisation the change belongs to
    user_ids  the people concerned (a list, possibly long: 100,000 for a big import)
    actor_id  the admin who did it, or None for the system (a job, the command line)
    source    where it came from: "web", "cli", "job", "setup" (first-run set-up) or "import"

Subscribe with `@users_created.connect` in code imported at start-up; see docs/EXTENDING.md.
"""
from __future__ import annotations

import click
from blinker import Namespace
from flask import current_app, has_request_context

_signals = Namespace()

users_created = _signals.signal("users-created", doc="""\
Accounts were created. source "web" or "cli" for Create User, "import" for File Import Create
Users, "setup" or "cli" for an organisation's first admin.""")

users_updated = _signals.signal("users-updated", doc="""\
Accounts were changed (names, account type, reactivation). Extra: changes, {field: [old, new]}
for the single person in user_ids.""")

users_deactivated = _signals.signal("users-deactivated", doc="""\
Accounts were deactivated: they can no longer sign in.""")

import_finished = _signals.signal("import-finished", doc="""\
File Import Create Users finished. user_ids: the people it created. Extra: batch_id, created,
failed (counts).""")

enrolled = _signals.signal("enrolled", doc="""\
People were enrolled in a series. user_ids: the newly enrolled (not those already enrolled).
Extra: series_id, send_invite.""")

mail_failed = _signals.signal("mail-failed", doc="""\
A message could not be delivered and will not be tried again. user_ids: its recipient's account
when it has one (else empty). Extra: message_id, kind, reason.""")


def current_source(*, web: str = "web") -> str:
    """Where the running code was started: a web request, a `flask` command, or else a job.

    Code run in a bare app context (a worker, a background thread, a script) counts as a job.
    """
    if has_request_context():
        return web
    if click.get_current_context(silent=True) is not None:
        return "cli"
    return "job"


def send(signal, *, org_id: int, user_ids, actor_id: int | None, source: str | None = None,
         **extra) -> None:
    """Send a signal from the app with the common payload (source found from the context)."""
    signal.send(current_app._get_current_object(), org_id=org_id, user_ids=list(user_ids),
                actor_id=actor_id, source=source or current_source(), **extra)


def import_done(batch, actor_id: int | None, created_ids: list[int]) -> None:
    """File Import Create Users: users_created (source "import") for the new people, then import_finished."""
    if created_ids:
        send(users_created, org_id=batch.org_id, user_ids=created_ids, actor_id=actor_id, source="import")
    send(import_finished, org_id=batch.org_id, user_ids=created_ids, actor_id=actor_id,
         batch_id=batch.id, created=batch.created_count, failed=batch.failed_count)


def mail_failed_for(message, reason: str) -> None:
    """A message was marked failed for good: mail_failed for its recipient."""
    send(mail_failed, org_id=message.org_id, user_ids=[message.to_user_id] if message.to_user_id else [],
         actor_id=None, message_id=message.id, kind=message.kind, reason=reason)
