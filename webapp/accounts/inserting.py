"""Insert many accounts at once, skipping anyone who got an account meanwhile (no database error)."""
from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from webapp.extensions import db
from webapp.models import User

_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def insert_new_users(rows: list[dict]) -> set[str]:
    """Insert the accounts; return the emails inserted (the others exist in that organisation)."""
    if not rows:
        return set()
    insert = _INSERTS[db.session.get_bind().dialect.name]
    # ON CONFLICT on the (org_id, email) unique constraint: a person another admin or import
    # created a moment ago is skipped, waiting for that transaction rather than failing ours.
    statement = (insert(User).on_conflict_do_nothing(index_elements=["org_id", "email"])
                 .returning(User.email))
    return set(db.session.scalars(statement, rows))
