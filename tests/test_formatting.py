"""Dates read the same on every page and in every email."""
from datetime import date, datetime

import pytest

from webapp.formatting import day, long_day, when


@pytest.mark.parametrize("formatter, value, text", [
    (day, date(2026, 5, 2), "2 May 2026"),
    (day, datetime(2026, 11, 25, 9, 5), "25 Nov 2026"),
    (long_day, date(2026, 9, 4), "4 September 2026"),
    (when, datetime(2026, 5, 2, 9, 5, 7), "2 May 2026, 09:05"),
    (day, None, ""),
    (when, None, ""),
])
def test_date_filters(formatter, value, text):
    assert formatter(value) == text


def test_when_with_seconds_for_delivery_attempts():
    assert when(datetime(2026, 5, 2, 9, 5, 7), seconds=True) == "2 May 2026, 09:05:07"

