"""What the learner page shows."""
from __future__ import annotations

from webapp.models import User


def enrolments_for(user: User) -> list:
    """The user's enrolments, newest first (none until the enrolments feature lands)."""
    return []
