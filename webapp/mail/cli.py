"""`flask mail send`: drain the outbox once, or keep draining it with --loop."""
from __future__ import annotations

import time

import click
from flask import Flask
from flask.cli import AppGroup

from webapp.extensions import db


def register(app: Flask) -> None:
    group = AppGroup("mail", help="Outgoing mail: send what is queued in the outbox.")

    @group.command("send")
    @click.option("--loop", is_flag=True, help="Keep running, sending new mail as it is queued.")
    @click.option("--interval", default=5.0, show_default=True,
                  help="Seconds between runs with --loop.")
    @click.option("--limit", type=int, default=None, help="Send at most this many messages.")
    def send(loop: bool, interval: float, limit: int | None) -> None:
        """Send queued mail through MAIL_SERVER and print what happened."""
        from webapp.mail.sender import send_queued

        while True:
            report = send_queued(limit=limit)
            db.session.remove()
            if report.handled or report.reclaimed or not loop or report.kept_only:
                click.echo(report.describe())
            if not loop or report.kept_only:
                return
            time.sleep(interval)

    app.cli.add_command(group)
