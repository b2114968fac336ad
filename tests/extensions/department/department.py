"""Worked extension: a "Department" column read by File Import, stored per person, shown on Users pages.

Install with EXTENSIONS = ["...department"] and MIGRATION_LOCATIONS = [".../migrations"], then
`flask db upgrade heads`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import Column, Integer, MetaData, String, Table, and_, insert, select

from webapp import signals
from webapp.extensions import db
from webapp.imports.fields import ImportField, register_field
from webapp.models import RowStatus, StagedRow, User
from webapp.users.extras import register_user_fact

MIGRATIONS = Path(__file__).parent / "migrations"
# Its own MetaData: the core models (and their migrations-match-models check) never see this table.
departments = Table("user_departments", MetaData(),
                    Column("user_id", Integer, primary_key=True), Column("name", String(100), nullable=False))


def init_app(app: Flask) -> None:
    register_field(ImportField("department", "Department", max_length=100, storage_length=300,
                               synonyms=(("Department", "Dept", "Service", "Abteilung", "Departamento"),)),
                   app=app)
    register_user_fact("department", "Department", department_names, app=app)
    signals.import_finished.connect(store_departments, sender=app, weak=False)


def store_departments(app, *, batch_id, user_ids, **_) -> None:
    """File Import created people: keep each one's Department cell, in the import's transaction."""
    if not user_ids:
        return
    rows = db.session.execute(select(StagedRow.user_id, StagedRow.extra).where(
        StagedRow.batch_id == batch_id, StagedRow.status == RowStatus.CREATED, StagedRow.user_id.is_not(None)))
    values = [{"user_id": user_id, "name": extra["department"]} for user_id, extra in rows
              if (extra or {}).get("department")]
    if values:
        db.session.execute(insert(departments), values)


def department_names(org_id: int, user_ids: list[int]) -> dict[int, str]:
    """{user_id: department} for these people of the organisation, in one query."""
    return dict(db.session.execute(
        select(departments.c.user_id, departments.c.name)
        .join(User, and_(User.id == departments.c.user_id, User.org_id == org_id))
        .where(departments.c.user_id.in_(user_ids))).all())
