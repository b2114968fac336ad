"""HTMX answers in one place: fragment or whole page, client-side redirects, stopping a poll.

Wraps htmx-flask (request.htmx). A page that answers HTMX with a fragment and everything else
with the whole page varies on HX-Request, so caches and the browser's history keep them apart.
"""
from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request
from flask.typing import ResponseReturnValue
from htmx_flask import make_response as htmx_response
from werkzeug.wrappers import Response

# htmx stops polling an element whose response has this status.
STOP_POLLING = 286
# Where an error answer to HTMX is shown: the page's alert (base.html). htmx swaps no 4xx or 5xx answer by itself,
# so console.js swaps one addressed here; the click that failed had seemed to do nothing.
REQUEST_ERROR_TARGET = "#request-error"
VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def wants_fragment() -> bool:
    """An HTMX request for part of the page (a history restore needs the whole page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def vary_on_htmx(response: Response) -> Response:
    """Mark a response that differs between HTMX and plain requests."""
    for header in VARY_HEADERS:
        response.vary.add(header)
    return response


def fragment_or_page(fragment: Callable[[], ResponseReturnValue],
                     page: Callable[[], ResponseReturnValue]) -> Response:
    """Call `fragment` for an HTMX request, else `page`; either way the answer varies on HX-Request."""
    return vary_on_htmx(make_response(fragment() if wants_fragment() else page()))


def partial_or_page(page_template: str, fragment_template: str, *,
                    page_only: Callable[[], dict] | None = None, status: int = 200, **context) -> Response:
    """Render the fragment for HTMX, the whole page otherwise (with `page_only()`'s extra context)."""
    return fragment_or_page(
        lambda: (render_template(fragment_template, **context), status),
        lambda: (render_template(page_template, **context, **(page_only() if page_only else {})), status),
    )


def htmx_redirect(url: str) -> Response:
    """Send the browser to `url`: HX-Redirect for HTMX (a whole-page load), a 303 otherwise."""
    if request.htmx:
        return htmx_response("", redirect=url)
    return redirect(url, code=303)


def stop_polling(body: ResponseReturnValue = "", *, redirect_to: str | None = None) -> Response:
    """End an HTMX poll (status 286) with a last body, then go to `redirect_to` if given."""
    response = make_response(body)
    response.status_code = STOP_POLLING
    if redirect_to is not None:
        response.headers["HX-Redirect"] = redirect_to
    return response


def request_error(body: str, status: int) -> Response:
    """An error answer to HTMX, shown in the page's alert wherever the click was."""
    response = make_response(body, status)
    response.headers["HX-Retarget"] = REQUEST_ERROR_TARGET
    response.headers["HX-Reswap"] = "innerHTML"
    return response


def page_shown() -> str | None:
    """For an HTMX request, the local path and query of the page it was sent from (else None)."""
    if not request.htmx:
        return None
    shown = urlsplit(request.htmx.current_url or "")
    return (shown.path + (f"?{shown.query}" if shown.query else "")) or "/"
