"""Template globals: the console navigation for the signed-in user."""
from flask import current_app, request, url_for
from flask_login import current_user

CONSOLE_SECTIONS = [
    ("users.index", "Users"),
    ("users.groups", "Groups"),
    ("enrolments.series_list", "Series"),
    ("mail.index", "Mail"),
]


def inject_nav() -> dict:
    """Console sections the current user can reach, with the current one marked."""
    if not (current_user.is_authenticated and current_user.is_admin):
        return {"nav_items": []}
    items = [(url_for(endpoint), label) for endpoint, label in CONSOLE_SECTIONS
             if endpoint in current_app.view_functions]
    matches = [url for url, _ in items if request.path.startswith(url)]
    current = max(matches, key=len) if matches else None
    return {"nav_items": [(url, label, url == current) for url, label in items]}
