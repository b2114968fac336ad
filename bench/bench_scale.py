"""Outbox drain rate with 1 and 2 sender processes, through a real local SMTP server; median of 3.

Run: .venv/bin/python bench/bench_scale.py [--messages 2000]
SQLite always; PostgreSQL too when it answers (BENCH_PG_URL, or this machine's; =off skips).
Each sender process is started and loaded first, then all begin at once, so the figure is
the drain itself, not Python start-up.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_db import bench_databases
from sqlalchemy import delete, func, select

from tests.smtp import SMTPServer
from webapp import create_app
from webapp.extensions import db

RUNS = 3
SENDER = """
import os, time
from pathlib import Path
from webapp import create_app
from webapp.mail.sender import send_queued
app = create_app()
Path(os.environ["READY_FILE"]).touch()
go = Path(os.environ["GO_FILE"])
while not go.exists():
    time.sleep(0.001)
with app.app_context():
    print(send_queued().sent)
"""


def build_app(url: str, smtp_port: int):
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port,
                      "JOBS_IN_PROCESS": False, "MAIL_SEND_IN_BACKGROUND": False})
    with app.app_context():
        upgrade()
    return app


def refill(app, messages: int) -> None:
    """Empty the outbox and queue `messages` new messages in one bulk insert."""
    from webapp.mail.outbox import queue_rows
    from webapp.models import DeliveryAttempt, OutboxMessage

    with app.app_context():
        db.session.execute(delete(DeliveryAttempt))
        db.session.execute(delete(OutboxMessage))
        queue_rows([{"org_id": None, "kind": "bench", "to_address": f"learner{n}@example.com",
                     "subject": f"Message {n}", "text_body": f"Hello learner {n}."}
                    for n in range(messages)])
        db.session.commit()


def drain(url: str, smtp_port: int, senders: int, folder: Path) -> tuple[float, int]:
    """Seconds for `senders` processes to send the whole outbox, and how many they sent."""
    go = folder / "go"
    go.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "WEBAPP_INSTANCE_PATH": str(folder),
           "FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": "bench",
           "FLASK_MAIL_SERVER": "127.0.0.1", "FLASK_MAIL_PORT": str(smtp_port),
           "FLASK_MAIL_SEND_IN_BACKGROUND": "false", "GO_FILE": str(go)}
    processes, ready_files = [], []
    for n in range(senders):
        ready = folder / f"ready-{n}"
        ready.unlink(missing_ok=True)
        ready_files.append(ready)
        processes.append(subprocess.Popen([sys.executable, "-c", SENDER], cwd=ROOT,
                                          env={**env, "READY_FILE": str(ready)},
                                          stdout=subprocess.PIPE, text=True))
    while not all(ready.exists() for ready in ready_files):
        time.sleep(0.01)
    started = time.perf_counter()
    go.touch()
    sent = sum(int(process.communicate()[0].strip() or 0) for process in processes)
    elapsed = time.perf_counter() - started
    return elapsed, sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    from webapp.models import OutboxMessage

    smtp = SMTPServer()
    smtp.start()
    try:
        for label, url in bench_databases("bench_scale"):
            app = build_app(url, smtp.port)
            with tempfile.TemporaryDirectory() as folder:
                for senders in (1, 2):
                    times = []
                    for _ in range(RUNS):
                        refill(app, args.messages)
                        before = len(smtp.handler.messages)
                        elapsed, sent = drain(url, smtp.port, senders, Path(folder))
                        arrived = len(smtp.handler.messages) - before
                        with app.app_context():
                            left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                                                     .where(OutboxMessage.status != "sent"))
                        assert sent == arrived == args.messages and left == 0, (sent, arrived, left)
                        times.append(elapsed)
                    median = statistics.median(times)
                    print(f"{label:10} {senders} sender{'s' if senders > 1 else ' '}: "
                          f"{args.messages} messages in {median:.2f} s "
                          f"({args.messages / median:,.0f} messages/s, median of {RUNS})", flush=True)
            with app.app_context():
                db.engine.dispose()
    finally:
        smtp.stop()


if __name__ == "__main__":
    main()
