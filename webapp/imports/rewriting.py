"""Find and replace and suggested email fixes in the staged table: texts rewritten set-based, checked
again only where they can change, and undone from the text each row keeps."""
from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import (JSON, Boolean, Integer, Text, and_, bindparam, case, column, false, func, insert, literal, null,
                        or_, select, union_all, update)
from sqlalchemy import text as sql_text

from webapp.extensions import db
from webapp.imports import bound, recheck, removal, row_changes, row_counts, search_rows
from webapp.imports.cleaning import cleaners
from webapp.imports.fields import get_field
from webapp.imports.plain import has_letter, plain
from webapp.imports.problems import problem
from webapp.imports.row_changes import (CHECK_COLUMNS, Chosen, TableError, addresses,
                                        new_undo, require_editable)
from webapp.imports.staging import OPEN_STATUSES
from webapp.imports.suggestions import suggestion_for
from webapp.models import BulkUndo, BulkUndoRow, ImportBatch, StagedRow

REPLACEABLE = {"first_name": "First name", "last_name": "Last name", "email": "Email"}
_NO_ADDRESSES = (frozenset(), frozenset())  # (written, left): a change of names touches no address


def undo_rewrite(batch: ImportBatch, kept: BulkUndo) -> tuple[int, Counter]:
    """Undo a find and replace or suggested fixes: the text back from undo_text, the checks that
    changed back from bulk_undo_rows, then statuses (and conflicts, for addresses) checked again."""
    column, saved = kept.rewrote, BulkUndoRow
    swap = (update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.undo_token == kept.id)
            .values({column: StagedRow.undo_text, "undo_text": getattr(StagedRow, column), "undo_token": -kept.id})
            .execution_options(synchronize_session=False))
    if kept.kept_all:  # every row is in bulk_undo_rows: found there by key, its text and checks put back at once
        swap = swap.where(StagedRow.id == saved.row_id, saved.undo_id == kept.id).values(
            {c: getattr(saved, c) for c in CHECK_COLUMNS})
    # Every address is needed, for its conflicts.
    addressed = (StagedRow.email, StagedRow.undo_text) if column == "email" else ()
    rows = _changed(batch, swap, *addressed)
    if not kept.kept_all:
        db.session.execute(
            update(StagedRow)
            .where(StagedRow.batch_id == batch.id, StagedRow.id == saved.row_id, saved.undo_id == kept.id)
            .values({c: getattr(saved, c) for c in CHECK_COLUMNS})
            .execution_options(synchronize_session=False))
    _search_again(batch, rows, StagedRow.undo_token == -kept.id)
    if column == "email":  # (rows end with the address put back and the one it replaced)
        rechecked, emails = _rewritten([(row[1], row[-2], row[-1]) for row in rows])
    elif kept.kept_all:
        rechecked, emails = [row[1] for row in rows], _NO_ADDRESSES
    else:
        rechecked, emails = list(db.session.scalars(select(saved.row_id).where(saved.undo_id == kept.id))), _NO_ADDRESSES
    return len(rows), _recheck_rewritten(batch, column, -kept.id, rechecked, emails)


def suggestion_count(batch: ImportBatch) -> int:
    """How many open rows have a suggested email fix (read from a small partial index)."""
    return db.session.scalar(select(func.count()).select_from(StagedRow).where(
        StagedRow.batch_id == batch.id, StagedRow.suggested_email.is_not(None),
        removal.status_in(batch.id, OPEN_STATUSES))) or 0


def apply_suggestions(batch: ImportBatch, row_id: int | None = None) -> int:
    """Take the suggested email of one row, or of every open row that has one; returns how many."""
    require_editable(batch)
    clauses = [StagedRow.batch_id == batch.id, StagedRow.status.in_(OPEN_STATUSES),
               StagedRow.suggested_email.is_not(None)]
    if row_id is not None:
        clauses.append(StagedRow.id == row_id)
    touched = _rewrite(batch, "email", StagedRow.suggested_email, clauses)
    db.session.commit()
    return touched


def find_replace(batch: ImportBatch, column: str, find: str, replacement: str, clauses) -> int:
    """Replace text within one column of the chosen rows (SQL replace()); returns how many rows changed. The caller
    commits (table_views._table_change: with the Undo's label, in one commit)."""
    require_editable(batch)
    if column not in REPLACEABLE:
        raise TableError("Choose the column to search in: first name, last name or email.")
    if not find:
        raise TableError("Type the text to find.")
    target = getattr(StagedRow, column)
    changed = func.replace(target, find, replacement)
    found = [*clauses, StagedRow.status.in_(OPEN_STATUSES), changed != target]
    rewritten = None
    if isinstance(clauses, Chosen):  # rows chosen by id: looked up by them
        rewritten = StagedRow.id.in_(clauses.ids)
    elif search_rows.by_text():  # only rows whose search text holds the text can change: found in the narrow table
        found = [*found, search_rows.holding(batch.id, find)]
    else:  # a LIKE rules out most rows before anything else is worked out for them (100,000 rows: ~5 ms less)
        found = [target.contains(find, autoescape=True), *found]
    return _rewrite(batch, column, changed, found, rewritten=rewritten, wrote=replacement)


def _rewrite(batch: ImportBatch, column: str, text, clauses, *, rewritten=None, wrote: str | None = None) -> int:
    """Set a text column of the rows the clauses select to `text` (SQL), keeping the old text in the row
    for an undo; check the new texts again; returns how many rows changed.

    Only rows whose checks come out different are written again, and only their old checks are kept
    (in bulk_undo_rows): replacing "Last1" with "Last9" in 11,000 names changes no check at all. Up to
    FEW_ADDRESSES rows, every row's are kept, so the Undo finds the rows by key.
    rewritten: a where-clause holding every row that can change, if known (to write their search text again);
    wrote: the replacement (a NUL in it means every row is checked in Python)."""
    seen = row_counts.current(batch.id)
    if column == "email":  # every changed address is needed, for its conflicts: read, checked, then written once
        changed = _read(select(*_keyed(text), StagedRow.first_name, StagedRow.last_name, text.label("email"),
                               StagedRow.email.label("undo_text"), StagedRow.fields_ok, StagedRow.email_ok,
                               StagedRow.suggested_email).where(*clauses))
        checking = changed
        # (Counted before the undo record is made, so it says at once whether it keeps every row's checks.)
        token = new_undo(batch, [column, *CHECK_COLUMNS], rewrote=column,
                         kept_all=len(changed) <= row_changes.FEW_ADDRESSES)
    else:
        token = new_undo(batch, [column, *CHECK_COLUMNS], rewrote=column)
        change = (update(StagedRow).where(*clauses)
                  .values({column: text, "undo_text": getattr(StagedRow, column), "undo_token": token})
                  .execution_options(synchronize_session=False))
        # A plain name on a row without problems keeps its checks: only the other rows are read back.
        keeps = case((_keeps_checks(column, wrote or ""), True), else_=False).label("keeps")
        total, changed = _changed_names(batch, change, keeps)
        checking = _rows_to_check([row[1] for row in changed if not row[-1]])
    total = len(changed) if column == "email" else total
    checked = _checked(column, checking)
    kept = [row[1] for row in changed] if total <= row_changes.FEW_ADDRESSES else list(checked)
    if total <= row_changes.FEW_ADDRESSES and column != "email":
        db.session.get(BulkUndo, token).kept_all = True
    if column == "email" and search_rows.written_in_change():  # kept, written and searchable in one statement
        _write_addresses_at_once(batch, token, changed, checked, kept)
    else:
        _keep_checks(token, kept)
        if column == "email":
            _write_addresses(token, changed, checked)
        elif checked:
            _write_checks(column, checked.values())
        # A text cleaning changed again is not the one the UPDATE returned: those rows' search text is read anew.
        written = {row.id: getattr(row, column) for row in checking}
        cleaned = {row_id for row_id, values in checked.items() if values[column] != written[row_id]}
        _search_again(batch, changed, rewritten if rewritten is not None else StagedRow.undo_token == token, cleaned,
                      changed=column != "email")
    rechecked, emails = list(checked), _NO_ADDRESSES
    if column == "email":
        rechecked, emails = _rewritten([(row.id, row.email, row.undo_text) for row in checking])
    row_counts.move(batch.id, seen, _recheck_rewritten(batch, column, token, rechecked, emails))
    return total


def _returned(statement) -> list[tuple]:
    """The rows an UPDATE ... RETURNING gives, as the driver's plain tuples (read by position), through the session's
    connection: the ORM's loading of 11,111 rows cost ~50 ms on PostgreSQL, reading them one by one ~30 ms, and
    11,111 Row objects kept through the change had the garbage collector go through the whole heap (~65 ms) in
    one request of two, where tuples of plain values are dropped from its watch at its first look."""
    db.session.flush()
    result = db.session.connection().execute(statement)
    rows = result.cursor.fetchall()  # (a result SQLAlchemy had read ahead would have its cursor closed: an error)
    result.close()
    return rows


def _changed(batch: ImportBatch, change, *columns) -> list[tuple]:
    """Run an UPDATE of the batch's staged rows; the rows it changed, as _keyed() then `columns` (by position).
    Where the same statement can write their search text (search_rows.with_search), it does."""
    if search_rows.written_in_change():
        return search_rows.run_by_key(search_rows.with_search(batch.id, change, *_keyed(), *columns))
    return _returned(change.returning(*_keyed(), *columns))


def _changed_names(batch: ImportBatch, change, keeps) -> tuple[int, list[tuple]]:
    """_changed for a name column: how many rows changed, and those of them given back (by position, as _changed;
    `keeps` last). On PostgreSQL, past FEW_ADDRESSES only rows whose checks may change are given back: the others'
    (11,111 rows, ~5 ms) were read for nothing."""
    if not search_rows.written_in_change():
        rows = _changed(batch, change, keeps)
        return len(rows), rows

    def back(changed):
        total = select(func.count()).select_from(changed).scalar_subquery()
        return union_all(select(null(), null(), null(), total),
                         select(changed.c.line, changed.c.id, changed.c.keeps, null())
                         .where(or_(~changed.c.keeps, total <= row_changes.FEW_ADDRESSES)))

    given = search_rows.run_by_key(search_rows.with_search(batch.id, change, *_keyed(), keeps, back=back),
                                   planned_each_time=True)
    return next(row[3] for row in given if row[1] is None), [row[:3] for row in given if row[1] is not None]


def _read(statement) -> list:
    """The rows a SELECT gives, read through the session's connection (not loaded by the ORM, as _returned)."""
    db.session.flush()
    return db.session.connection().execute(statement).all()


def _keyed(email=None) -> tuple:
    """What a rewrite reads first of each row, for its search text: line and id, then the text itself where it
    is written by key (search_rows.by_key); `email`: SQL for the row's new address, if it is read before written."""
    text = (search_rows.search_text(email=email).label("search"),) if search_rows.by_key() else ()
    return StagedRow.line, StagedRow.id, *text


def _search_again(batch: ImportBatch, rows, every, cleaned=frozenset(), *, changed: bool = True) -> None:
    """Write again the search text of rewritten rows (with line and id, and the text where returned);
    `every`: a where-clause holding them all; `cleaned`: ids whose text changed since it was returned;
    `changed`: the rows are those _changed gave (not read before they were written)."""
    if search_rows.by_key():  # (by position: 11,111 rows read by name cost ~5 ms)
        search_rows.write_texts(batch.id, [row[:3] for row in rows if row[1] not in cleaned])
    if search_rows.by_key() or (changed and search_rows.written_in_change()):
        rows = [row for row in rows if row[1] in cleaned]
        if not rows:
            return
    if len(rows) <= row_changes.FEW_ADDRESSES:
        search_rows.refresh_keys(batch.id, [row[:2] for row in rows])
    else:
        search_rows.refresh(batch.id, every)


_CHECKED_COLUMNS = (StagedRow.id, StagedRow.first_name, StagedRow.last_name, StagedRow.email, StagedRow.undo_text,
                    StagedRow.fields_ok, StagedRow.email_ok, StagedRow.suggested_email)


def _keeps_checks(column: str, wrote: str):
    """SQL: the row's new text in a name column leaves its checks as they are (_checked skips it)."""
    if "\x00" in wrote:  # SQLite reads a text only up to a NUL: every row is checked in Python
        return false()
    name_field, new_text = get_field(column), getattr(StagedRow, column)
    # A replacement with a letter leaves one in every name it changed; without, the name itself is asked.
    letter = [] if wrote.lower() != wrote.upper() else [has_letter(new_text)]
    # (Every name it changed holds the replacement.)
    return and_(StagedRow.fields_ok.is_(True),
                plain(new_text, name_field.max_length, name_field.storage_length, holding=wrote), *letter)


def _rows_to_check(ids: list[int]) -> list:
    """The rows with these ids (of the batch's rows a change just returned), with the columns _checked reads."""
    return db.session.execute(select(*_CHECKED_COLUMNS).where(bound.ids_in(StagedRow.id, ids))).all() if ids else []


def _keep_checks(token: int, ids: list[int]) -> None:
    """Copy the checks of these rows, as they are before _write_checks, to bulk_undo_rows for the Undo."""
    # By id alone (the rows a change just returned): with the batch's id too, SQLite read all the batch's rows
    # through its line index to test each against the ids (10 ms per 500 ids, against 1).
    if ids:
        kept = select(literal(token), StagedRow.id, *(getattr(StagedRow, c) for c in CHECK_COLUMNS)).where(
            bound.ids_in(StagedRow.id, ids))
        db.session.execute(insert(BulkUndoRow).from_select(["undo_id", "row_id", *CHECK_COLUMNS], kept))


def _write_checks(column: str, checked, token: int | None = None) -> None:
    """Write new texts and checks by row id (with token: the text each replaced too, as "undo_text", for the Undo):
    in one statement on PostgreSQL (the rows given as arrays, half the time of an executemany: 1,000 rows 35 ->
    17 ms), in one executemany of the driver's own SQL elsewhere (SQLAlchemy builds a statement's parameters row
    by row, and the ORM's bulk path cost ~0.1 ms a row)."""
    _write(column, token, ["errors", "fields_ok", "email_ok", "suggested_email"],
           [(row["id"], row[column], row.get("undo_text"), json.dumps(row["errors"]), row["fields_ok"],
             row["email_ok"], row["suggested_email"]) for row in checked])


def _write_addresses(token: int, rows, checked: dict) -> None:
    """Write the new addresses of the rows _rewrite read, each with the one it replaces for the Undo, and the
    checks of those `checked` found different. (Written once: an UPDATE of the addresses and another of their
    checks wrote each row twice.)"""
    _write("email", token, [], [(row.id, row.email, row.undo_text) for row in rows if row.id not in checked])
    _write_checks("email", [{**checked[row.id], "undo_text": row.undo_text} for row in rows if row.id in checked],
                  token)


def _write_addresses_at_once(batch: ImportBatch, token: int, rows, checked: dict, kept: list[int]) -> None:
    """PostgreSQL: _keep_checks, _write_addresses and the rows' search text in one statement. The rows are bound as
    one JSON list (psycopg built seven arrays of 1,000 values in Python, ~5 ms); the old checks are read in the
    statement's snapshot, before its UPDATE."""
    if not rows:
        return
    new = func.json_to_recordset(bindparam("rows", [
        {"id": row.id, "email": row.email, "undo_text": row.undo_text, **_checks_of(checked.get(row.id))}
        for row in rows], type_=JSON)).table_valued(
            column("id", Integer), column("email", Text), column("undo_text", Text), column("checked", Boolean),
            column("errors", JSON), column("fields_ok", Boolean), column("email_ok", Boolean),
            column("suggested_email", Text)).render_derived(with_types=True)

    def checks(name):  # a row whose checks came out the same keeps its own
        return case((new.c.checked, getattr(new.c, name)), else_=getattr(StagedRow, name))

    write = (update(StagedRow).where(StagedRow.id == new.c.id)
             .values(email=new.c.email, undo_text=new.c.undo_text, undo_token=token,
                     **{name: checks(name) for name in CHECK_COLUMNS}))
    keep = insert(BulkUndoRow).from_select(
        ["undo_id", "row_id", *CHECK_COLUMNS],
        select(literal(token), StagedRow.id, *(getattr(StagedRow, c) for c in CHECK_COLUMNS))
        .where(bound.ids_in(StagedRow.id, kept))).cte("kept")
    search_rows.run_by_key(search_rows.with_search(batch.id, write, StagedRow.line, StagedRow.id).add_cte(keep),
                           rows=False)


def _checks_of(values: dict | None) -> dict:
    """A row's new checks for _write_addresses_at_once, or that it keeps its own."""
    if values is None:
        return {"checked": False}
    return {"checked": True, "errors": values["errors"], "fields_ok": values["fields_ok"],
            "email_ok": values["email_ok"], "suggested_email": values["suggested_email"]}


_SQL_TYPES = {"errors": "json", "fields_ok": "boolean", "email_ok": "boolean"}


def _write(column: str, token: int | None, checks: list[str], rows: list[tuple]) -> None:
    """UPDATE by id rows given as (id, text, the text it replaced, *checks); the replaced text and the token only
    with a token."""
    assert column in REPLACEABLE and set(checks) <= set(CHECK_COLUMNS)  # (named in the SQL)
    if not rows:
        return
    names = [column, *(["undo_text"] if token is not None else []), *checks]
    if token is None:
        rows = [(row[0], row[1], *row[3:]) for row in rows]
    if db.engine.dialect.name == "postgresql":
        values = ", ".join(f"{name} = CAST(v.{name} AS {_SQL_TYPES.get(name, 'text')})" for name in names)
        arrays = ", ".join(f"CAST(:{name} AS {'boolean' if _SQL_TYPES.get(name) == 'boolean' else 'text'}[])"
                           for name in names)
        undo = ", undo_token = :token" if token is not None else ""
        db.session.execute(sql_text(
            f"UPDATE staged_rows SET {values}{undo} FROM unnest(CAST(:ids AS integer[]), {arrays}) "
            f"AS v(id, {', '.join(names)}) WHERE staged_rows.id = v.id"),
            {"token": token, **dict(zip(["ids", *names], map(list, zip(*rows))))})
        return
    db.session.flush()
    undo = ", undo_token = ?" if token is not None else ""
    db.session.connection().exec_driver_sql(
        f"UPDATE staged_rows SET {', '.join(f'{name} = ?' for name in names)}{undo} WHERE id = ?",
        [(*row[1:], *([token] if token is not None else []), row[0]) for row in rows])


def _recheck_rewritten(batch: ImportBatch, column: str, token: int, rechecked: list[int],
                       emails: tuple[set, set]) -> Counter:
    """Statuses (and, for addresses, conflicts) of rows whose text a change set or put back: `rechecked`
    are the ids of those whose checks changed too (of all, for addresses), `emails` the addresses
    it wrote and those it left (_rewritten)."""
    if column != "email":  # a name bears on its own row's status only, through its checks
        return recheck.statuses_of(batch, rechecked)
    # A new address can meet or leave another row's, and one of the organisation's accounts. A row keeping an
    # address another left can only lose its conflict or have it name a later line: only rows with one are
    # asked (few, by a small partial index), not every row of 1,000 addresses looked up by index (~4 ms).
    wrote, left = emails
    met = recheck.conflicts(batch, addresses(batch, token, wrote, side="email"))
    met += recheck.conflicts(batch, addresses(batch, token, left, side="undo_text"),
                             StagedRow.conflict_with.is_not(None))
    if len(rechecked) <= row_changes.FEW_ADDRESSES:
        return recheck.statuses_of(batch, sorted({*rechecked, *met}))
    moved = recheck.statuses_of(batch, met)
    moved.update(recheck.statuses(batch, StagedRow.batch_id == batch.id, StagedRow.undo_token == token))
    return moved


def _rewritten(rows) -> tuple[list[int], tuple[set, set]]:
    """The ids of rows whose address a change set or put back, and (the addresses it wrote, those it left that
    it did not write), given as (id, address, the address it replaced)."""
    wrote = {email for _, email, _ in rows}
    return [row_id for row_id, _, _ in rows], (wrote, {was for _, _, was in rows} - wrote)


def _checked(column: str, rows) -> dict[int, dict]:
    """The checks of rows with a new text in `column`: {id: values to write} for the rows whose checks
    come out different."""
    clean = dict(cleaners([get_field(column)]))[column]
    cleaned = {}
    for row in rows:
        problems = []
        value = clean(getattr(row, column) or "", problems)
        if problems or value != getattr(row, column) or not row.fields_ok or not _same_checks(column, row, value):
            cleaned[row.id] = (row, value, problems)
    # Read only for rows with problems (fields_ok is written as `not errors` everywhere): the others had none to
    # keep, and decoding 11,000 lists cost ~50 ms.
    errors = {}
    ids = [row_id for row_id, (row, _, _) in cleaned.items() if not row.fields_ok]
    if ids:
        errors.update(db.session.execute(select(StagedRow.id, StagedRow.errors)
                                         .where(bound.ids_in(StagedRow.id, ids))).all())
    found = {}
    for row_id, (row, value, problems) in cleaned.items():
        old = list(errors.get(row_id) or [])
        # Problems of the other fields were not checked again: they stay.
        kept = [p for p in old if not (isinstance(p, dict) and (
            p.get("field") == column or (column != "email" and p.get("code") == "names_missing")))]
        names = {"first_name": row.first_name, "last_name": row.last_name, column: value}
        if column != "email" and not names["first_name"] and not names["last_name"]:
            problems.append(problem("first_name", "names_missing"))
        email_ok, suggested = row.email_ok, row.suggested_email
        if column == "email":
            email_ok = bool(value) and not problems
            suggested = suggestion_for(value, email_ok)
        now = {"errors": kept + problems, "fields_ok": not (kept or problems), "email_ok": email_ok,
               "suggested_email": suggested}
        then = {"errors": old, "fields_ok": row.fields_ok, "email_ok": row.email_ok,
                "suggested_email": row.suggested_email}
        if now != then or value != getattr(row, column):
            found[row_id] = {"id": row_id, column: value, **now}
    return found


def _same_checks(column: str, row, value: str) -> bool:
    """Whether a clean new text of a row without problems leaves its checks as they are."""
    if column == "email":
        return bool(value) and row.email_ok and suggestion_for(value, True) == row.suggested_email
    return bool(value or row.first_name or row.last_name)
