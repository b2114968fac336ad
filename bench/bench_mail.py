"""Outbox drain rate against a bare smtplib loop sending the same messages to the same server.

Run: .venv/bin/python bench/bench_mail.py [--messages 200] [--pairs 15]
A local aiosmtpd server runs in its own process. Per database (SQLite, then PostgreSQL when
it answers; BENCH_PG_URL=off skips it), after one warm-up pair, each of --pairs pairs runs:
  - ours: queues the messages (one bulk insert, not timed) and times send_queued() draining
    them, with its claims, attempt log and status bookkeeping;
  - bare: a plain smtplib loop over one connection, the same messages (built with the stdlib
    email package from the same rows), no bookkeeping.
The two runs of a pair follow each other, in alternating order, and are short (a few seconds)
and many, so a busy moment on a shared machine hits both alike; the figure is the median of
the per-pair ratios (with the median rates and the load average beside it), against the
floor of 0.8. Each run is a whole drain: its fixed costs (stale claims, the outage check,
opening the connection) count against it, as a bare loop's connection counts against it.
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

from bench_load import cpu_ms  # noqa: E402
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


class CpuMeter:
    """CPU used so far by everything a drain keeps busy: this process, the SMTP server's, and
    the PostgreSQL backends of the bench database. Unlike elapsed time, other programs on a
    shared machine barely change it, so its ratio is what a quiet machine would show."""

    def __init__(self, server_pid: int, database: str | None):
        self.server_pid, self.database = server_pid, database

    def read(self) -> float:
        spent = time.process_time() * 1000 + cpu_ms(self.server_pid)
        if self.database:
            for entry in os.listdir("/proc"):
                if entry.isdigit():
                    try:
                        with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                            if f" {self.database} ".encode() in cmdline.read():
                                spent += cpu_ms(int(entry))
                    except OSError:
                        pass
        return spent


def outbox_rate(messages: int, meter: CpuMeter) -> tuple[float, float]:
    """(messages per second, CPU ms) of send_queued() draining `messages` queued messages."""
    from webapp.extensions import db
    from webapp.mail.sender import send_queued
    from webapp.models import OutboxMessage

    refill(messages)
    cpu = meter.read()
    began = time.perf_counter()
    report = send_queued()
    elapsed = time.perf_counter() - began
    cpu = meter.read() - cpu
    left = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status != "sent"))
    assert report.sent == messages and left == 0, (report.describe(), left)
    return messages / elapsed, cpu


def bare_rate(messages: int, port: int, sender: str, meter: CpuMeter) -> tuple[float, float]:
    """The same rows, sent by a plain loop over one smtplib connection: (per second, CPU ms)."""
    from webapp.extensions import db
    from webapp.models import OutboxMessage

    refill(messages)
    rows = db.session.execute(select(OutboxMessage.to_address, OutboxMessage.subject,
                                     OutboxMessage.text_body, OutboxMessage.html_body,
                                     OutboxMessage.message_id)).all()
    cpu = meter.read()
    began = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for to_address, subject, text_body, html_body, message_id in rows:
            email = EmailMessage()
            email["Subject"], email["From"], email["To"] = subject, sender, to_address
            email["Message-ID"] = message_id
            email.set_content(text_body)
            email.add_alternative(html_body, subtype="html")
            connection.send_message(email)
    elapsed = time.perf_counter() - began
    return len(rows) / elapsed, meter.read() - cpu


def pair_ratios(app, messages: int, pairs: int, port: int, meter: CpuMeter):
    """Run `pairs` pairs (ours and bare back to back, alternating which goes first).

    Returns the rates of each side, the per-pair ratios, and the CPU ms each side spent.
    """
    sender = app.config["MAIL_DEFAULT_SENDER"]
    ours_rates, bare_rates, ratios, cpu = [], [], [], {"ours": 0.0, "bare": 0.0}
    outbox_rate(min(messages, 200), meter)  # warm-up: connections, statement caches, imports
    bare_rate(min(messages, 200), port, sender, meter)
    for n in range(pairs):
        runs = [("ours", lambda: outbox_rate(messages, meter)),
                ("bare", lambda: bare_rate(messages, port, sender, meter))]
        rates = {}
        for side, run in runs if n % 2 == 0 else runs[::-1]:
            rates[side], spent = run()
            cpu[side] += spent
        ours_rates.append(rates["ours"])
        bare_rates.append(rates["bare"])
        ratios.append(rates["ours"] / rates["bare"])
    return ours_rates, bare_rates, ratios, cpu


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200, help="messages per run")
    parser.add_argument("--pairs", type=int, default=15)
    args = parser.parse_args()
    from webapp.extensions import db

    port = free_port()
    server = start_server(port)
    below = 0
    try:
        for label, url in bench_databases("bench_mail"):
            app = build_app(url, port)
            with app.app_context():
                load = os.getloadavg()[0]
                meter = CpuMeter(server.pid, url.rsplit("/", 1)[1] if label == "postgresql" else None)
                ours, bare, ratios, cpu = pair_ratios(app, args.messages, args.pairs, port, meter)
                ratio = statistics.median(ratios)
                sent = args.messages * args.pairs
                below += ratio < FLOOR
                print(f"{label:10} {args.messages} messages x {args.pairs} pairs: outbox "
                      f"{statistics.median(ours):,.0f}/s, bare smtplib {statistics.median(bare):,.0f}/s; "
                      f"per-pair ratios {' '.join(f'{r:.2f}' for r in ratios)}; median ratio "
                      f"{ratio:.2f} (floor {FLOOR}) {'OK' if ratio >= FLOOR else 'BELOW'} "
                      f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after, "
                      f"{os.cpu_count()} CPUs)", flush=True)
                print(f"{'':10} CPU per message (this process, SMTP server, database): outbox "
                      f"{cpu['ours'] / sent:.2f} ms, bare smtplib {cpu['bare'] / sent:.2f} ms; "
                      f"messages per CPU-second ratio {cpu['bare'] / cpu['ours']:.2f} "
                      f"(what a quiet machine would show)", flush=True)
                db.session.remove()
                db.engine.dispose()
    finally:
        server.stdin.write("\n")
        server.stdin.flush()
        server.wait(timeout=10)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
