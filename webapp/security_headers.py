"""Security headers on every response: a strict Content-Security-Policy and its companions."""
from __future__ import annotations

from flask import Flask, Response, current_app

# No inline script, no eval, no plugins; HTMX runs from static/ with its inline indicator
# style and eval switched off (the htmx-config meta tag in base.html).
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-src 'self'",
    "frame-ancestors 'none'",
])

# What an HTML email preview may do inside its sandboxed frame: its own inline styles and
# embedded images, nothing else; only this app may frame it.
EMAIL_PREVIEW_POLICY = "; ".join([
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "img-src data:",
    "sandbox",
    "frame-ancestors 'self'",
])

HSTS = "max-age=31536000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """Set the headers unless a view chose stricter or special ones (the email preview does)."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def email_preview_headers(response: Response) -> Response:
    """Mark a response as an HTML email shown inside the Mail page's sandboxed frame."""
    response.headers["Content-Security-Policy"] = EMAIL_PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Cache-Control"] = "no-store"
    return response


def register(app: Flask) -> None:
    """Add the headers to every response, static files and downloads included."""
    app.after_request(add_security_headers)
