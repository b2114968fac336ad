"""Template globals: the top-bar navigation for the signed-in user."""
from flask import request, url_for
from flask_login import current_user

from webapp.models import AccountType

# (endpoint, label, other path prefixes that belong to the section)
CONSOLE_SECTIONS = [
    ("users.index", "Users", ()),
    ("users.groups", "Groups", ()),
    ("enrolments.series_list", "Series", ("/enrolments",)),
    ("mail.index", "Mail", ()),
]


# Every account type can be enrolled, so every signed-in person has "My learning".
LEARNER_SECTIONS = [("learners.learning", "My learning", ())]
TEAM_MANAGER_SECTIONS = [("learners.team", "My groups", ()), *LEARNER_SECTIONS]


def sections_for(user) -> list[tuple[str, str, tuple]]:
    """The top-bar sections for this account type."""
    if user.is_admin:
        return [*CONSOLE_SECTIONS, *LEARNER_SECTIONS]
    if user.account_type == AccountType.TEAM_MANAGER.value:
        return TEAM_MANAGER_SECTIONS
    return LEARNER_SECTIONS


def inject_nav() -> dict:
    """Sections the current user can reach, with the current one marked."""
    if not current_user.is_authenticated or current_user.password_is_generated:
        return {"nav_items": []}
    items = [(url_for(endpoint), label, extra) for endpoint, label, extra in sections_for(current_user)]
    # The longest matching prefix wins: /users/groups is Groups, not Users.
    matches = [(len(prefix), url) for url, _, extra in items for prefix in (url, *extra)
               if request.path.startswith(prefix)]
    current = max(matches)[1] if matches else None
    return {"nav_items": [(url, label, url == current) for url, label, _ in items]}
