"""Two sender processes drain one outbox of 1,000 messages through a real SMTP server:
every message arrives exactly once, on SQLite and on PostgreSQL."""
from __future__ import annotations

import asyncio
import re
import subprocess
import time

import pytest
from sqlalchemy import func, select

from tests.scale import PYTHON, ROOT, app_for, fresh_database, process_env
from tests.smtp import RecordingHandler, SMTPServer
from webapp.extensions import db
from webapp.mail.outbox import queue_rows
from webapp.models import OutboxMessage

MESSAGES = 1000


class SlowHandler(RecordingHandler):
    """Takes a moment per message, like a real server, so both senders are busy at once.

    The first message waits until both senders are connected: however late the OS starts the
    second process, the first cannot drain the outbox alone.
    """

    def __init__(self):
        super().__init__()
        self.peers: set = set()

    async def handle_DATA(self, server, session, envelope):
        self.peers.add(session.peer)
        deadline = time.monotonic() + 90
        while len(self.peers) < 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.002)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.handler = SlowHandler()
    server.start()
    yield server
    server.stop()


def _queue_outbox(url: str, smtp_port: int) -> set[str]:
    """Bulk-queue MESSAGES messages; return their Message-IDs."""
    app = app_for(url, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port)
    with app.app_context():
        queue_rows([
            {"org_id": None, "kind": "test", "to_address": f"learner{n}@example.com",
             "subject": f"Message {n}", "text_body": f"Hello learner {n}."}
            for n in range(MESSAGES)
        ])
        db.session.commit()
        ids = set(db.session.scalars(select(OutboxMessage.message_id)))
        assert db.session.scalar(select(func.count()).where(OutboxMessage.status == "queued")) == MESSAGES
        db.engine.dispose()
    return ids


def _statuses(url: str) -> dict[str, int]:
    app = app_for(url)
    with app.app_context():
        counts = dict(db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        db.engine.dispose()
    return counts


def _start_sender(env: dict) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "flask", "--app", "webapp", "mail", "send"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_two_sender_processes_deliver_each_message_exactly_once(kind, smtp, tmp_path):
    with fresh_database(kind, tmp_path) as url:
        queued_ids = _queue_outbox(url, smtp.port)
        # Small claims, so the two senders take turns through the whole outbox.
        env = process_env(url, tmp_path / "instance", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port,
                          MAIL_SEND_BATCH=10, MAIL_TIMEOUT_SECONDS=120)
        started = time.monotonic()
        senders = [_start_sender(env) for _ in range(2)]
        outputs = [sender.communicate(timeout=300) for sender in senders]
        elapsed = time.monotonic() - started
        for sender, (out, err) in zip(senders, outputs):
            assert sender.returncode == 0, err

        received_ids = [str(message["Message-ID"]) for message in smtp.messages]
        assert len(received_ids) == MESSAGES, f"{len(received_ids)} messages arrived, not {MESSAGES}"
        assert len(set(received_ids)) == MESSAGES, "some message arrived more than once"
        assert set(received_ids) == queued_ids
        assert _statuses(url) == {"sent": MESSAGES}

        sent_by_each = [int(re.search(r"Sent (\d+)", out).group(1)) for out, _ in outputs]
        assert sum(sent_by_each) == MESSAGES
        assert all(sent_by_each), f"one sender did all the work: {sent_by_each} ({elapsed:.1f} s)"
