"""Database connection settings: SQLite pragmas for integrity and concurrent access, and its checkpoints."""
from __future__ import annotations

import logging
import os
import threading
import time
import weakref

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

# With checkpoints in the background, a commit folds the log itself only past this many pages (~40 MB):
# a safety net for when no served process runs them (the command line, a stopped thread).
BACKGROUND_AUTOCHECKPOINT_PAGES = 10_000


def _sqlite_pragmas(background: bool):
    def pragmas(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # WAL lets the web read while a background job writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if background:
            cursor.execute(f"PRAGMA wal_autocheckpoint={BACKGROUND_AUTOCHECKPOINT_PAGES}")
        cursor.close()
    return pragmas


def init_app(app: Flask) -> None:
    """Attach the SQLite pragmas to the app's engine when it is SQLite, and its background checkpoints."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from webapp.extensions import db

    seconds = app.config.get("SQLITE_CHECKPOINT_SECONDS") or 0
    if ":memory:" in app.config["SQLALCHEMY_DATABASE_URI"] or app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://":
        seconds = 0
    with app.app_context():
        engine: Engine = db.engine
        event.listen(engine, "connect", _sqlite_pragmas(background=seconds > 0))
    if seconds > 0:
        _start_on_first_request(app, engine, seconds)


def _start_on_first_request(app: Flask, engine: Engine, seconds: float) -> None:
    """Run checkpoints in a thread of each process that serves requests (a command never starts one).

    SQLite copies its write-ahead log into the database file (a checkpoint, with an fsync) once the log passes
    1,000 pages, inside the commit that passed it: ~25 ms of a request that rewrote 1,000 addresses. A thread
    doing it every `seconds` keeps that off requests, as PostgreSQL's checkpointer does (SQLite's own advice for
    applications that care about commit latency)."""
    started = threading.Lock()
    state = {"running": False}

    @app.before_request
    def start_checkpoints() -> None:
        if state["running"]:
            return
        with started:
            if not state["running"]:
                state["running"] = True
                threading.Thread(target=_checkpoints, args=(weakref.ref(engine), seconds), daemon=True,
                                 name="sqlite-checkpoints").start()


def _checkpoints(engine_ref, seconds: float) -> None:
    """Fold the log into the file every `seconds` (PASSIVE: never waits for, nor blocks, readers and writers);
    ends when the engine is gone."""
    while True:
        time.sleep(seconds)
        engine = engine_ref()
        if engine is None or not os.path.exists(engine.url.database or ""):  # (a removed file is not made anew)
            return
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:  # a locked or vanished file: the next round, or a commit past the limit, does it
            log.warning("A background SQLite checkpoint failed; the next one will try again.", exc_info=True)
        del engine
