"""Extension point: more bulk actions on the staged table, beside the built-in ones (table.BULK_ACTIONS).

An action is one set-based change of the rows the admin chose (selected, page or all matching),
already limited to the batch's open rows; the columns it writes are kept first so Undo works.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

from webapp.imports import choices as row_choices, row_changes, row_counts, table
from webapp.imports.staging import OPEN_STATUSES
from webapp.models import ImportBatch, StagedRow

_EXTENSION = "bulk_actions"


@dataclass(frozen=True)
class BulkAction:
    key: str
    label: str
    # The StagedRow columns the action writes: kept before it runs, so Undo puts them back.
    columns: tuple[str, ...]
    # (batch, where-clauses over the chosen open rows of the batch) -> rows changed; one UPDATE, never a loop.
    apply: Callable[[ImportBatch, list], int]
    # The notice, with {rows} ("3 rows").
    done: str


def register_bulk_action(action: BulkAction, app: Flask | None = None) -> None:
    """Offer `action` in the staged table's Bulk action list of this app."""
    (app or current_app).extensions.setdefault(_EXTENSION, {})[action.key] = action


def registered() -> dict[str, BulkAction]:
    return dict(current_app.extensions.get(_EXTENSION, {})) if has_app_context() else {}


def choices() -> list[tuple[str, str]]:
    """The built-in actions, then the registered ones."""
    return [*table.BULK_ACTIONS.items(), *((a.key, a.label) for a in registered().values())]


def run(batch: ImportBatch, key: str, clauses) -> str | None:
    """Apply the registered action `key` and return its notice; None when `key` is a built-in action."""
    action = registered().get(key)
    if action is None:
        return None
    row_changes.require_editable(batch)
    chosen = [*clauses, StagedRow.batch_id == batch.id, StagedRow.status.in_(OPEN_STATUSES)]
    row_choices.settle(batch.id, [c for c in action.columns if c in row_choices.COLUMNS])  # rows hold what they show
    row_changes.remember(batch, chosen, action.columns)  # the undo record, as built-ins keep it
    changed = action.apply(batch, chosen)
    row_counts.changed(batch.id)  # the action may have changed statuses
    return action.done.format(rows=f"{changed:,} row{'s' if changed != 1 else ''}")
