"""Jinja filters so every page writes dates and numbers the same way (all times are UTC)."""
from __future__ import annotations

from datetime import date, datetime

from flask import Flask


def day(value: date | None) -> str:
    """'2 May 2026'."""
    return f"{value.day} {value:%b %Y}" if value else ""


def long_day(value: date | None) -> str:
    """'2 May 2026' with the month written out, for emails: '2 September 2026'."""
    return f"{value.day} {value:%B %Y}" if value else ""


def when(value: datetime | None, seconds: bool = False) -> str:
    """'2 May 2026, 09:05' (or with seconds, for delivery attempts)."""
    if not value:
        return ""
    return f"{day(value)}, {value:%H:%M:%S}" if seconds else f"{day(value)}, {value:%H:%M}"


def number(value: int | float | None) -> str:
    """'12,345': whole numbers with thousands separators (None shows as 0)."""
    if value is None:
        return "0"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def plural(count: int | None, one: str, many: str) -> str:
    """The words after a count: `one` for exactly 1 ("1 duplicate ignored"), else `many` ("0 duplicates ignored")."""
    return one if count == 1 else many


def register(app: Flask) -> None:
    """Make the filters available to every template."""
    app.add_template_filter(day)
    app.add_template_filter(long_day)
    app.add_template_filter(when)
    app.add_template_filter(number)
    app.add_template_filter(plural)
