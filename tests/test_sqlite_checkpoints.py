"""SQLite's write-ahead log is folded into the database file by a background thread of a serving process, not by
the commit of the request that fills it."""
from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from sqlalchemy import text

from webapp import create_app
from webapp.extensions import db

pytestmark = pytest.mark.usefixtures("sqlite_only")

ROWS = 3_000  # ~3 MB of text: several hundred pages, all in the log until a checkpoint


@pytest.fixture
def sqlite_only(database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write-ahead log and checkpoints: this run is on PostgreSQL")


def _app(app_config, tmp_path, monkeypatch, **settings):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    return create_app({**app_config, **settings})


def _fill_the_log(app) -> None:
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE filler (id INTEGER PRIMARY KEY, body TEXT)"))
        connection.execute(text("INSERT INTO filler (body) VALUES (:body)"), [{"body": "x" * 1000}] * ROWS)


def _rows_in_the_file_alone(app, tmp_path) -> int:
    """The rows a copy of the database file holds without its log (what a checkpoint has written into it)."""
    copy = tmp_path / "file-alone.db"
    shutil.copy(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"), copy)
    try:
        with sqlite3.connect(copy) as connection:
            if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'filler'").fetchone():
                return 0
            return connection.execute("SELECT count(*) FROM filler").fetchone()[0]
    except sqlite3.DatabaseError:  # copied while a checkpoint was writing it: look again
        return -1


def test_a_serving_process_folds_the_log_into_the_file_in_the_background(app_config, tmp_path, monkeypatch):
    app = _app(app_config, tmp_path, monkeypatch, SQLITE_CHECKPOINT_SECONDS=0.05)
    _fill_the_log(app)
    # The commit stayed in the log: with background checkpoints a commit folds it only past 10,000 pages.
    time.sleep(0.2)
    assert _rows_in_the_file_alone(app, tmp_path) == 0, "no request yet: no checkpoint thread (as in a command)"

    assert app.test_client().get("/login").status_code == 200  # the first request starts the thread
    deadline = time.monotonic() + 10
    while _rows_in_the_file_alone(app, tmp_path) < ROWS and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _rows_in_the_file_alone(app, tmp_path) == ROWS


@pytest.mark.parametrize(("settings", "autocheckpoint"), [
    ({}, 1000),  # TESTING: off, so each commit past SQLite's default 1,000 pages folds the log itself
    ({"SQLITE_CHECKPOINT_SECONDS": 0.25}, 10_000),
    ({"TESTING": False}, 10_000),  # served: on by default
])
def test_each_connection_has_the_log_limit_that_fits(app_config, tmp_path, monkeypatch,
                                                                            settings, autocheckpoint):
    app = _app(app_config, tmp_path, monkeypatch, **settings)
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == autocheckpoint
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
