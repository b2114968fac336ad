"""Outbox drain rate against a bare smtplib loop sending the same messages to the same server.

Run: .venv/bin/python bench/bench_mail.py [--messages 2000] [--runs 5]
A local aiosmtpd server runs in its own process. Per database (SQLite, then PostgreSQL when
it answers; BENCH_PG_URL=off skips it), each run:
  - queues the messages (one bulk insert) and times send_queued() draining them, with its
    claims, attempt log and status bookkeeping;
  - times a bare smtplib loop: one connection, the same messages (built with the stdlib
    email package from the same rows), no bookkeeping.
Prints the median rate of each and the ratio, against the floor of 0.8.
"""
from __future__ import annotations

import argparse
import os
import smtplib
import statistics
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch_db import bench_databases  # noqa: E402
from sqlalchemy import delete, func, select  # noqa: E402

from tests.smtp import free_port  # noqa: E402

FLOOR = 0.8
SERVER = """
import sys, time
from tests.smtp import SMTPServer
server = SMTPServer(int(sys.argv[1]))
server.start()
print("ready", flush=True)
sys.stdin.readline()
server.stop()
"""


def start_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert process.stdout.readline().strip() == "ready"
    return process


def build_app(url: str, port: int):
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "BASE_URL": "http://bench",
                      "JOBS_IN_PROCESS": False, "MAIL_SEND_IN_BACKGROUND": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def refill(messages: int) -> None:
    """Empty the outbox and queue `messages` messages in one bulk insert."""
    from webapp.extensions import db
    from webapp.mail.outbox import queue_rows
    from webapp.models import DeliveryAttempt, OutboxMessage

    db.session.execute(delete(DeliveryAttempt))
    db.session.execute(delete(OutboxMessage))
    queue_rows([{"org_id": None, "kind": "bench", "to_address": f"learner{n}@example.com",
                 "subject": f"Your sign-in details ({n})",
                 "text_body": f"Hello learner {n},\n\nYour account is ready.\n" * 5,
                 "html_body": f"<p>Hello learner {n},</p><p>Your account is ready.</p>" * 5}
                for n in range(messages)])
    db.session.commit()


def outbox_rate(messages: int) -> float:
    from webapp.extensions import db
    from webapp.mail.sender import send_queued
    from webapp.models import OutboxMessage

    refill(messages)
    began = time.perf_counter()
    report = send_queued()
    elapsed = time.perf_counter() - began
    left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != "sent"))
    assert report.sent == messages and left == 0, (report.describe(), left)
    return messages / elapsed


def bare_rate(messages: int, port: int, sender: str) -> float:
    """The same rows, sent by a plain loop over one smtplib connection."""
    from webapp.extensions import db
    from webapp.models import OutboxMessage

    refill(messages)
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject,
                                     OutboxMessage.text_body, OutboxMessage.html_body,
                                     OutboxMessage.message_id)).all()
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for to_address, subject, text_body, html_body, message_id in rows:
            email = EmailMessage()
            email["Subject"], email["From"], email["To"] = subject, sender, to_address
            email["Message-ID"] = message_id
            email.set_content(text_body)
            email.add_alternative(html_body, subtype="html")
            connection.send_message(email)
    return len(rows) / (time.perf_counter() - began)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from webapp.extensions import db

    port = free_port()
    server = start_server(port)
    below = 0
    try:
        for label, url in bench_databases("bench_mail"):
            app = build_app(url, port)
            with app.app_context():
                outbox, bare = [], []
                for _ in range(args.runs):  # interleaved, so a busy moment hits both alike
                    outbox.append(outbox_rate(args.messages))
                    bare.append(bare_rate(args.messages, port, app.config["MAIL_DEFAULT_SENDER"]))
                ratio = statistics.median(outbox) / statistics.median(bare)
                below += ratio < FLOOR
                print(f"{label:10} {args.messages} messages: outbox {statistics.median(outbox):,.0f}/s, "
                      f"bare smtplib {statistics.median(bare):,.0f}/s, ratio {ratio:.2f} "
                      f"(floor {FLOOR}; median of {args.runs}) {'OK' if ratio >= FLOOR else 'BELOW'}",
                      flush=True)
                db.session.remove()
                db.engine.dispose()
    finally:
        server.stdin.write("\n")
        server.stdin.flush()
        server.wait(timeout=10)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
