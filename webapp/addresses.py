"""Email address checks shared by Create User, File Import and enrolment by address."""
from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    """The text is not a valid email address; str(error) says why, for a person."""


def normalise_email(raw: str) -> str:
    """Return the address trimmed and lower-cased, or raise InvalidEmail saying why."""
    text = (raw or "").strip()
    if not text:
        raise InvalidEmail("Email address is missing.")
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"Not a valid email address: {exc}") from None
    return result.normalized.lower()
