"""Fresh planner statistics after a large import, Create Users, sync or Undo (PostgreSQL only).

Autovacuum analyses a table only after a share of it changed; a small directory that just gained
100,000 people would otherwise be planned as if it were small until then.
"""
from __future__ import annotations

from sqlalchemy import text

from webapp.extensions import db

THRESHOLD = 1000  # rows changed before statistics are worth refreshing
# The tables an import writes: a fixed list, so the names in ANALYZE are never user input.
IMPORT_TABLES = ("users", "group_members", "enrolments", "outbox_messages", "import_effects")


def refresh_after(changed: int, tables: tuple[str, ...] = IMPORT_TABLES, *, commit: bool = True) -> bool:
    """ANALYZE the tables after a change of at least THRESHOLD rows; True when it ran.

    commit=False analyses inside the running transaction (its own new rows count): the statements
    that follow a bulk insert then see the table's real size, not the size it had before.
    """
    if changed < THRESHOLD or db.session.get_bind().dialect.name != "postgresql":
        return False
    for table in tables:
        if table not in IMPORT_TABLES:
            raise ValueError(f"Not an import table: {table}")
        db.session.execute(text(f"ANALYZE {table}"))
    if commit:
        db.session.commit()
    return True
