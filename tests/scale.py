"""Helpers for the scale tests: real databases (a SQLite file, a fresh PostgreSQL database),
a real Redis, and the environment a separate app process (sender, worker, gunicorn) is started with.

A missing PostgreSQL or Redis server skips a test on a laptop; in CI (CI set) it fails it.
"""
from __future__ import annotations

import contextlib
import os
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SECRET = "scale-test-secret-key-not-for-production"
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_server_url() -> str:
    """The server the tests may create databases on (FLASK_TEST_DATABASE_URL, else the local one)."""
    return os.environ.get("FLASK_TEST_DATABASE_URL") or DEFAULT_POSTGRES


def require_postgres() -> str:
    """The server URL; skip the test when no server answers (fail instead in CI)."""
    url = postgres_server_url()
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        reason = f"no PostgreSQL server answers at {make_url(url).render_as_string()}: {exc.orig}"
        if os.environ.get("CI"):
            pytest.fail(f"In CI a PostgreSQL server must answer: {reason}")
        pytest.skip(reason)
    finally:
        engine.dispose()
    return url


def redis_url() -> str:
    """The Redis the tests use (FLASK_TEST_REDIS_URL, else database 15 of the local server)."""
    return os.environ.get("FLASK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def require_redis() -> str:
    """The Redis URL; skip the test when no server answers (fail instead in CI)."""
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    url = redis_url()
    try:
        Redis.from_url(url, socket_connect_timeout=1).ping()
    except RedisDown as exc:
        reason = f"no Redis server answers at {url}: {exc}"
        if os.environ.get("CI"):
            pytest.fail(f"In CI a Redis server must answer: {reason}")
        pytest.skip(reason)
    return url


def migrate(url: str) -> None:
    """Bring a database to the latest schema through the real Alembic migrations."""
    from flask_migrate import upgrade

    application = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET})
    with application.app_context():
        upgrade()
        db.engine.dispose()


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path):
    """Yield the URL of a new, migrated database of `kind` ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'scale.db'}"
        migrate(url)
        yield url
        return
    server = make_url(require_postgres())
    name = f"webapp_scale_{uuid.uuid4().hex[:10]}"
    engine = create_engine(server, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    try:
        migrate(url)
        yield url
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def app_for(url: str, **config):
    """The app as a test process sees it, on the given database (jobs inline, no mail thread)."""
    return create_app({
        "TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
        "BASE_URL": "http://testserver", "JOBS_IN_PROCESS": False,
        "MAIL_SEND_IN_BACKGROUND": False, **config,
    })


def process_env(url: str, instance: Path, **settings) -> dict[str, str]:
    """Environment for a separate app process: its settings come from FLASK_* variables."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("FLASK_") or key == "FLASK_TEST_DATABASE_URL"}
    env.update({
        "PYTHONPATH": str(ROOT), "WEBAPP_INSTANCE_PATH": str(instance),
        "FLASK_SQLALCHEMY_DATABASE_URI": url, "FLASK_SECRET_KEY": SECRET,
        "FLASK_MAIL_SEND_IN_BACKGROUND": "false",
    })
    env.update({f"FLASK_{key}": str(value) for key, value in settings.items()})
    return env


# An expression a child process prints for its own peak resident memory, in kB. Not ru_maxrss:
# Linux carries it across exec, so a child spawned by a large pytest process reports the parent's peak.
OWN_PEAK_KB = "int(next(line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')))"
