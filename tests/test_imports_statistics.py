"""Planner statistics after large imports: PostgreSQL's estimates follow Create Users and Undo; SQLite is left alone."""
from __future__ import annotations

from sqlalchemy import text

from tests.test_imports_sync import run, stage
from webapp.extensions import db
from webapp.imports import statistics, undo


def estimated_users():
    """The planner's row estimate for users (None on SQLite, which keeps no such figure)."""
    if db.engine.dialect.name != "postgresql":
        return None
    return db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'users'"))


def test_small_changes_and_sqlite_never_analyse(app):
    assert statistics.refresh_after(statistics.THRESHOLD - 1) is False
    assert statistics.refresh_after(statistics.THRESHOLD) is (db.engine.dialect.name == "postgresql")


def test_estimates_follow_a_large_import_and_its_undo(org, admin):
    people = "".join(f"P{i},Q,p{i}@example.com\n" for i in range(statistics.THRESHOLD))
    batch = stage(org, admin, "First Name,Last Name,Email\n" + people)
    run(batch, admin)
    if db.engine.dialect.name == "postgresql":
        assert estimated_users() >= statistics.THRESHOLD
    undo.undo_import(batch.id, admin.id)
    if db.engine.dialect.name == "postgresql":
        assert estimated_users() < 10
    else:
        assert estimated_users() is None
