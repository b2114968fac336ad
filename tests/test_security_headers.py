"""Security headers on every response, and templates free of inline script, handlers and styles."""
import re
from pathlib import Path

import pytest

from webapp.mail import messages
from webapp.models import OutboxMessage
from webapp.extensions import db

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def assert_security_headers(response):
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/login", "/static/app.css", "/static/console.js", "/no-such-page"])
def test_every_response_carries_the_headers(client, org, path):
    assert_security_headers(client.get(path))


def test_pages_and_downloads_of_a_signed_in_admin_carry_the_headers(signed_in):
    for path in ("/users/", "/users/import/template.csv", "/mail/"):
        response = signed_in.get(path)
        assert response.status_code == 200, path
        assert_security_headers(response)


def test_hsts_only_when_cookies_are_https_only(client, org, app):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    app.config["SESSION_COOKIE_SECURE"] = True
    assert client.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")


def test_email_preview_is_sandboxed_and_framed_only_by_the_console(signed_in, org, admin):
    messages.welcome(admin, org, "kq7rt-mxw3e-abcde-fghjk")
    db.session.commit()
    message = db.session.scalar(db.select(OutboxMessage))
    page = signed_in.get(f"/mail/{message.id}").get_data(as_text=True)
    assert f'src="/mail/{message.id}/preview"' in page and 'sandbox=""' in page
    preview = signed_in.get(f"/mail/{message.id}/preview")
    assert preview.status_code == 200 and "http://testserver/login" in preview.get_data(as_text=True)
    policy = preview.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "frame-ancestors 'self'" in policy and "script-src" not in policy
    assert "default-src 'none'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN"


INLINE_BEHAVIOUR = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> block"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler (on...=)"),
    (re.compile(r"\shx-on", re.I), "an hx-on attribute (htmx evaluates it as script)"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style", re.I), "an inline <style> block"),
]


@pytest.mark.parametrize("template", sorted(
    str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.html") if p.parts[-2] != "email"
    and "email" not in p.relative_to(TEMPLATES).parts))
def test_console_templates_have_no_inline_behaviour_or_style(template):
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    found = [what for pattern, what in INLINE_BEHAVIOUR if pattern.search(text)]
    assert not found, f"{template} has {', '.join(found)}: move it to static/console.js or app.css"
