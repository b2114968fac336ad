"""One function per kind of message; each queues it through the outbox."""
from __future__ import annotations

from webapp.mail.outbox import queue, render_email
from webapp.models import Organisation, User


def welcome(user: User, org: Organisation, password: str) -> None:
    """Welcome email to an invited user, carrying their generated password."""
    text, html = render_email("welcome", user=user, org=org, password=password)
    queue(org_id=org.id, kind="welcome", to_address=user.email, to_user_id=user.id,
          subject=f"Welcome to {org.name}: your sign-in details",
          text_body=text, html_body=html, carries_password=True)
