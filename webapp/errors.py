"""Error pages in the app's style; an unexpected error rolls back and loses nothing saved."""
from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from webapp.extensions import db
from webapp.htmx import fragment_or_page, request_error

MESSAGES = {
    400: ("Something in that request was not right", "Go back, check what you entered, and try again."),
    403: ("You do not have access to this page", "This page is for another kind of account. If you think you should see it, ask your organisation's admin."),
    404: ("Page not found", "The page or record does not exist, or it belongs to another organisation."),
    413: ("That file is too large", "Choose a smaller file, or split it into several files."),
    429: ("Too many attempts", "Wait a few minutes, then try again."),
    500: ("Something went wrong on our side", "Nothing you had already saved is lost. Try again; if it keeps happening, tell your administrator."),
}


def render_error(status: int, detail: str | None = None):
    title, advice = MESSAGES.get(status, MESSAGES[500])
    return fragment_or_page(
        lambda: request_error(render_template("errors/_inline.html", title=title, advice=detail or advice), status),
        lambda: (render_template("errors/error.html", status=status, title=title, advice=detail or advice), status))


def register(app: Flask) -> None:
    """Install handlers for the common HTTP errors and for CSRF failures."""
    for status in (400, 403, 404, 413, 429):
        app.register_error_handler(status, lambda e, s=status: render_error(s))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "The form expired or was sent from elsewhere. Reload the page and try again.")

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)
