"""Session ids: "<user id>:<session version>", refused once the version has moved on."""
from __future__ import annotations

from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.models import User


def load_session_user(session_id: str) -> User | None:
    """The active user a session id names, or None when it was ended or never valid."""
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    # Every page names the organisation (top bar): loaded with the user, one query not two.
    user = db.session.get(User, int(user_id), options=[joinedload(User.org)])
    if user is None or not user.is_active or (user.session_version or 0) != int(version):
        return None
    return user
