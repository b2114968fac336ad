"""Which texts need no cleaning, said in SQL as values._plain says it in Python: a bulk rewrite checks
only the other rows in Python, where reading back and checking 11,000 plain names cost more than writing them."""
from __future__ import annotations

from sqlalchemy import and_, func

from webapp.extensions import db
from webapp.imports.text import PLACEHOLDERS


def plain(text, max_length: int | None, storage: int, holding: str = ""):
    """SQL: `text` is printable ASCII, not blank, trimmed, single-spaced, within its limits, no placeholder and
    no leading apostrophe (values._plain holds for it: cleaning gives it back unchanged, without a problem).
    holding: a part every such text is known to hold (a replacement), which may rule out placeholders at once."""
    longest = storage if max_length is None else min(max_length, storage)
    clauses = [text != "", func.length(text) <= longest, _printable_ascii(text), text.not_like(" %"),
               text.not_like("% "), text.not_like("%  %"), text.not_like("'%")]
    if not (holding and not any(holding.casefold() in placeholder for placeholder in PLACEHOLDERS)):
        # (A text holding a part no placeholder holds is none: 11,111 names were not compared, ~2.5 ms.)
        clauses.append(func.lower(text).not_in(sorted(PLACEHOLDERS)))
    return and_(*clauses)


def _printable_ascii(text):
    # A character outside space..tilde (by code point, in both databases) is not printable ASCII.
    if db.engine.dialect.name == "postgresql":
        return text.op("!~")("[^ -~]")
    return text.op("NOT GLOB")("*[^ -~]*")


def has_letter(text):
    """SQL: a text plain() holds for (ASCII) has a letter; a first or last name without one is a problem."""
    return func.lower(text) != func.upper(text)
