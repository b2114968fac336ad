"""Who may see what: console pages are for Admins, always scoped to their organisation."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_url

from webapp.extensions import db
from webapp.htmx import htmx_redirect, page_shown


def require_admin() -> None:
    """before_request hook for console blueprints: sign-in, then Admin, else 403."""
    if not current_user.is_authenticated:
        # Flask-Login's unauthorized handler redirects to sign-in with a safe next=.
        from webapp.extensions import login_manager

        shown = page_shown()
        if shown is not None:
            # A part of the page asked (signed out in another tab): the whole tab goes to sign-in, then back to the
            # page it showed; followed by htmx, the redirect put the sign-in form inside the clicked row.
            flash(login_manager.login_message, login_manager.login_message_category)
            return htmx_redirect(login_url(login_manager.login_view, next_url=shown))
        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


def console_blueprint(name: str, import_name: str, **kwargs) -> Blueprint:
    """A blueprint whose every view requires a signed-in Admin."""
    bp = Blueprint(name, import_name, **kwargs)
    bp.before_request(require_admin)
    return bp


def org_id() -> int:
    """The signed-in user's organisation id: every console query filters on it."""
    return current_user.org_id


def get_in_org_or_404(model, object_id: int):
    """Load a row of the admin's organisation, or 404 (never another organisation's)."""
    obj = db.session.get(model, object_id)
    if obj is None or obj.org_id != current_user.org_id:
        abort(404)
    return obj


PASSWORD_FREE_ENDPOINTS = {"auth.choose_password", "auth.logout", "static"}


def enforce_own_password():
    """App-wide hook: someone holding a generated password must set their own first."""
    if (current_user.is_authenticated and current_user.password_is_generated
            and request.endpoint not in PASSWORD_FREE_ENDPOINTS):
        return redirect(url_for("auth.choose_password", next=request.full_path.rstrip("?")
                                if request.method == "GET" else None))
    return None
