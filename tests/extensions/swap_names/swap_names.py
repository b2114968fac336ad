"""Worked extension: a "Swap first and last names" bulk action for files with the names the wrong way round."""
from __future__ import annotations

from flask import Flask
from sqlalchemy import update

from webapp.extensions import db
from webapp.imports.bulk_actions import BulkAction, register_bulk_action
from webapp.models import StagedRow


def swap_names(batch, clauses) -> int:
    """One UPDATE: SQL reads every right-hand side from the row as it was, so the two values trade places."""
    return db.session.execute(
        update(StagedRow).where(*clauses)
        .values(first_name=StagedRow.last_name, last_name=StagedRow.first_name)
        .execution_options(synchronize_session=False)).rowcount


def init_app(app: Flask) -> None:
    register_bulk_action(BulkAction("swap_names", "Swap first and last names", ("first_name", "last_name"),
                                    swap_names, "First and last names swapped in {rows}."), app=app)
