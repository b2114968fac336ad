"""A mail server that cannot be reached pauses delivery instead of using up attempts.

Each process remembers, per server, until when it waits before probing again; the wait
doubles with each failed probe up to MAIL_OUTAGE_MAX_SECONDS. The due messages are moved to
that time in the database too, so every sender (thread, CLI loop, RQ job) waits alike.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app

_lock = threading.Lock()


@dataclass
class _Pause:
    seconds: float
    until: float  # time.monotonic()


def _pauses() -> dict[str, _Pause]:
    # Kept on the app, so each app (and each test's app) has its own.
    return current_app.extensions.setdefault("mail_outage_pauses", {})


def server_key() -> str:
    config = current_app.config
    return f"{config.get('MAIL_SERVER')}:{config.get('MAIL_PORT')}"


def seconds_left() -> float:
    """How long this process still waits before probing the mail server (0: go ahead)."""
    pause = _pauses().get(server_key())
    return max(0.0, pause.until - time.monotonic()) if pause else 0.0


def unreachable() -> float:
    """Note a failed probe; return how many seconds to wait before the next one."""
    config = current_app.config
    first = float(config.get("MAIL_OUTAGE_PROBE_SECONDS", 15))
    longest = float(config.get("MAIL_OUTAGE_MAX_SECONDS", 300))
    with _lock:
        previous = _pauses().get(server_key())
        seconds = min(longest, previous.seconds * 2 if previous and previous.seconds else first)
        _pauses()[server_key()] = _Pause(seconds, time.monotonic() + seconds)
    return seconds


def reachable() -> None:
    """The server answered: the outage, if any, is over."""
    with _lock:
        _pauses().pop(server_key(), None)
