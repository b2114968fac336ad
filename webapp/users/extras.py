"""Extension points of Users & Groups: facts shown on the Users list and user page, import batches.

Features above users (imports) and extensions register here at start-up; users never imports them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, false, select


@dataclass(frozen=True)
class UserFact:
    """A column on the Users list and a line on the user page, read for many people at once."""

    key: str
    label: str
    # (org_id, user ids) -> {user_id: text}: one query for the whole page, never one per person.
    values: Callable[[int, list[int]], dict[int, str]]


_facts: dict[str, UserFact] = {}


def register_user_fact(key: str, label: str, values: Callable[[int, list[int]], dict[int, str]]) -> UserFact:
    """Show `label` on the Users list and user page, with `values(org_id, user_ids)` for the people shown."""
    fact = _facts[key] = UserFact(key, label, values)
    return fact


def user_facts() -> list[UserFact]:
    """The registered facts, in registration order."""
    return list(_facts.values())


def fact_values(org_id: int, user_ids: list[int]) -> dict[str, dict[int, str]]:
    """{fact key: {user_id: text}} for these people of the organisation."""
    return {fact.key: fact.values(org_id, list(user_ids)) for fact in _facts.values()} if user_ids else {}


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
