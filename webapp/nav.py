"""Template globals: the console navigation for the signed-in user."""
from flask import current_app, request, url_for
from flask_login import current_user

# (endpoint, label, other path prefixes that belong to the section)
CONSOLE_SECTIONS = [
    ("users.index", "Users", ()),
    ("users.groups", "Groups", ()),
    ("enrolments.series_list", "Series", ("/enrolments",)),
    ("mail.index", "Mail", ()),
]


def inject_nav() -> dict:
    """Console sections the current user can reach, with the current one marked."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return {"nav_items": []}
    items = [(url_for(endpoint), label, extra) for endpoint, label, extra in CONSOLE_SECTIONS
             if endpoint in current_app.view_functions]
    # The longest matching prefix wins: /users/groups is Groups, not Users.
    matches = [(len(prefix), url) for url, _, extra in items for prefix in (url, *extra)
               if request.path.startswith(prefix)]
    current = max(matches)[1] if matches else None
    return {"nav_items": [(url, label, url == current) for url, label, _ in items]}
