"""The databases a benchmark runs on: a scratch SQLite file, and PostgreSQL when one answers."""
from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """BENCH_PG_URL, else this machine's PostgreSQL when it answers; BENCH_PG_URL=off skips it."""
    url = os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL)
    if url == "off":
        return None
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
    except OperationalError:
        print(f"(PostgreSQL at {make_url(url).render_as_string()} does not answer: SQLite figures only)")
        return None
    return url


@contextmanager
def scratch_postgres(server_url: str, prefix: str) -> Iterator[str]:
    """Create an empty database on the server for one benchmark, and drop it afterwards."""
    admin_url = make_url(server_url)
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def bench_databases(prefix: str) -> Iterator[tuple[str, str]]:
    """Yield (label, url): a fresh SQLite file, then a fresh PostgreSQL database if available."""
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("WEBAPP_INSTANCE_PATH", folder)
        yield "sqlite", f"sqlite:///{folder}/{prefix}.db"
    server = postgres_url()
    if server:
        with scratch_postgres(server, prefix) as url:
            yield "postgresql", url
