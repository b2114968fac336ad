"""Store the import fields' database checks on staged rows: a fixed number of statements for any number of rows."""
from __future__ import annotations

from sqlalchemy import String, and_, bindparam, cast, or_, select, true, update

from webapp.extensions import db
from webapp.models import StagedRow

_CHUNK = 5000  # ids per IN list: well inside every driver's parameter limit


def run(batch, fields, scope=None) -> None:
    """Replace the rows' checked problems with what the fields' checks find now; then their statuses."""
    from webapp.imports.staging import OPEN_STATUSES, status_expression

    where = and_(StagedRow.batch_id == batch.id, StagedRow.status.in_(OPEN_STATUSES),
                 scope if scope is not None else true())
    codes = {code for f in fields for code in f.check_codes}
    found: dict[int, list] = {}
    for import_field in fields:
        for row_id, items in import_field.check(batch, where).items():
            found.setdefault(row_id, []).extend(items)
    # Rows that carried a checked problem before: it may be gone now (an edit, a ticked option).
    text = cast(StagedRow.errors, String)
    stored = dict(db.session.execute(select(StagedRow.id, StagedRow.errors).where(
        where, or_(*(text.like(f"%{code}%") for code in codes)))).all()) if codes else {}
    missing = [row_id for row_id in found if row_id not in stored]
    for start in range(0, len(missing), _CHUNK):
        stored.update(db.session.execute(select(StagedRow.id, StagedRow.errors).where(
            StagedRow.id.in_(missing[start:start + _CHUNK]))).all())
    changed = []
    for row_id, errors in stored.items():
        kept = [item for item in errors or [] if not (isinstance(item, dict) and item.get("code") in codes)]
        new = kept + found.get(row_id, [])
        if new != (errors or []):
            changed.append({"row_id": row_id, "new_errors": new, "ok": not new})
    if not changed:
        return
    table = StagedRow.__table__
    db.session.execute(update(table).where(table.c.id == bindparam("row_id"))
                       .values(errors=bindparam("new_errors"), fields_ok=bindparam("ok")), changed)
    db.session.execute(update(StagedRow).where(where).values(status=status_expression(batch.org_id))
                       .execution_options(synchronize_session=False))
