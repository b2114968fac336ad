"""Extension points of Users & Groups: facts shown on the Users list and user page, import batches.

Features above users (imports) and extensions register here at start-up; users never imports them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import Select, false, select


@dataclass(frozen=True)
class UserFact:
    """A column on the Users list and a line on the user page, read for many people at once."""

    key: str
    label: str
    # (org_id, user ids) -> {user_id: text}: one query for the whole page, never one per person.
    values: Callable[[int, list[int]], dict[int, str]]


_FACTS = "user_facts"


@dataclass(frozen=True)
class ShownFact:
    """A fact with its texts for the people on the page, for the templates."""

    label: str
    values: dict[int, str]


def register_user_fact(key: str, label: str, values: Callable[[int, list[int]], dict[int, str]],
                       app: Flask | None = None) -> UserFact:
    """Show `label` on the Users list and user page, with `values(org_id, user_ids)` for the people shown."""
    fact = UserFact(key, label, values)
    (app or current_app).extensions.setdefault(_FACTS, {})[key] = fact
    return fact


def user_facts() -> list[UserFact]:
    """The running app's facts, in registration order."""
    return list(current_app.extensions.get(_FACTS, {}).values())


def facts_for(users) -> list[ShownFact]:
    """Every fact with its texts for these people (template global): one query per fact per page."""
    users = list(users)
    if not users:
        return [ShownFact(fact.label, {}) for fact in user_facts()]
    org_id, user_ids = users[0].org_id, [user.id for user in users]
    return [ShownFact(fact.label, fact.values(org_id, user_ids)) for fact in user_facts()]


def register(bp) -> None:
    """Make facts_for a template global of the app the blueprint is registered on."""
    bp.add_app_template_global(facts_for, "user_facts_for")


@dataclass(frozen=True)
class ImportBatches:
    """How the Users list filters by an import batch and describes it (provided by imports)."""

    user_ids: Callable[[int, int], Select]
    banner: Callable[[int, int], dict | None]


_batches: list[ImportBatches] = []


def provide_import_batches(user_ids: Callable[[int, int], Select],
                           banner: Callable[[int, int], dict | None]) -> None:
    """Let the Users list show one import batch's people ("?batch=") with its banner."""
    _batches[:] = [ImportBatches(user_ids, banner)]


def batch_user_ids(org_id: int, batch_id: int) -> Select:
    """The ids of the people the batch created; nobody when no feature provides import batches."""
    return _batches[0].user_ids(org_id, batch_id) if _batches else select(false())


def batch_banner(org_id: int, batch_id: int) -> dict | None:
    """The banner counts for the batch, or None."""
    return _batches[0].banner(org_id, batch_id) if _batches else None
