"""The app's clock: naive UTC datetimes, one place for tests to control time."""
from datetime import datetime, timezone


def utcnow() -> datetime:
    """Return the current time as a naive UTC datetime (how the database stores it)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
