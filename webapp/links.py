"""The public address put in emails: BASE_URL when set, else the address the work came from.

With no BASE_URL the address is the one of the request that caused the email
(request.url_root). Background jobs record that address when they are submitted and run
with it; the command line uses SERVER_NAME, and says on stderr when it has to guess.
"""
from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from flask import Flask, current_app, has_request_context, request

log = logging.getLogger(__name__)

# Set while a background job runs: the address of the request that started it.
_recorded: ContextVar[str | None] = ContextVar("links_recorded_base_url", default=None)
JOB_KEY = "_links_base_url"
FALLBACK = "http://localhost:5000"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def public_base_url() -> str:
    """The address emails link to, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    if configured:
        return configured.rstrip("/")
    recorded = _recorded.get()
    if recorded:
        return recorded
    if has_request_context():
        return request.url_root.rstrip("/")
    return _outside_a_request()


def _outside_a_request() -> str:
    server_name = current_app.config.get("SERVER_NAME")
    if server_name:
        scheme = current_app.config.get("PREFERRED_URL_SCHEME") or "http"
        root = (current_app.config.get("APPLICATION_ROOT") or "/").rstrip("/")
        return f"{scheme}://{server_name}{root}"
    if not current_app.extensions.get("links_warned"):
        current_app.extensions["links_warned"] = True
        # Said on stderr so an admin running a command sees it beside the command's output.
        print(f"Warning: neither BASE_URL nor SERVER_NAME is set, so links in emails use "
              f"{FALLBACK}. Set BASE_URL to the address people use to reach the console.",
              file=sys.stderr)
    return FALLBACK


def for_job(kwargs: dict) -> dict:
    """Job arguments with the address to use in its emails recorded beside them."""
    if current_app.config.get("BASE_URL") or not has_request_context():
        return kwargs
    return {**kwargs, JOB_KEY: public_base_url()}


@contextmanager
def recorded_from(kwargs: dict) -> Iterator[dict]:
    """Run a job with the address recorded when it was submitted; yield the job's own arguments."""
    arguments = dict(kwargs)
    token = _recorded.set(arguments.pop(JOB_KEY, None))
    try:
        yield arguments
    finally:
        _recorded.reset(token)


def warn_if_public_without_base_url() -> None:
    """Once per process: a request to a non-local address with no BASE_URL gets a log warning."""
    app = current_app
    if app.config.get("BASE_URL") or app.extensions.get("links_public_checked"):
        return
    app.extensions["links_public_checked"] = True
    host = request.host.rsplit(":", 1)[0] if not request.host.endswith("]") else request.host
    if host not in LOCAL_HOSTS:
        log.warning("BASE_URL is not set and the console is served at %s: links in emails use the "
                    "address of each request. Set BASE_URL to the public address to be sure.",
                    request.url_root)


def init_app(app: Flask) -> None:
    """Check the serving address on the first request."""
    app.before_request(warn_if_public_without_base_url)
