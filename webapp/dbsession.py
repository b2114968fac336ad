"""db.session's class: Flask-SQLAlchemy's own, plus a dry run whose writes are rolled back in one go."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_sqlalchemy.session import Session as FlaskSession


class Session(FlaskSession):
    """Flask-SQLAlchemy's session; inside rolled_back(), a commit only flushes."""

    @contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Run code that commits as it goes, then undo all it wrote: one transaction, rolled back at the end.

        A dry run of 100,000 rows stages, reports and forgets them; rolling back costs nothing, where deleting
        them again cost as much as a third of inserting them (their indexes, and a trigger per row on PostgreSQL).
        """
        self.info["rolled_back"] = True
        try:
            yield
        finally:
            del self.info["rolled_back"]
            self.rollback()

    @property
    def discards_writes(self) -> bool:
        """Inside rolled_back(): nothing written now outlives the block, so work only a later reader needs can wait."""
        return bool(self.info.get("rolled_back"))

    def commit(self) -> None:
        if self.discards_writes:
            self.flush()
            self.expire_all()  # what later code reads is reloaded, as after a commit
            return
        super().commit()
