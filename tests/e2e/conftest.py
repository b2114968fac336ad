"""Browser tests: the real app served on 127.0.0.1, driven by headless Debian Chromium."""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD
from webapp.imports import staging

CHROMIUM = os.environ.get("WEBAPP_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "bench" / "out" / "screenshots"
DATA = Path(__file__).resolve().parent.parent / "data"
ADMIN_EMAIL = "admin@acme.example"


def sign_in(page, email: str = ADMIN_EMAIL, password: str = TEST_PASSWORD) -> None:
    """Sign in through the real form and wait until the page it leads to has loaded, its scripts run."""
    page.goto("/login")
    page.get_by_label("Email address", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    # Waiting here matters: a test's next page.goto would otherwise cancel the sign-in while it is on its way.
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


def settled(page) -> None:
    """Wait until htmx has finished every request and swap (it moves focus, if at all, as a swap settles)."""
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def pytest_collection_modifyitems(items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(app):
    """Serve the test app (same database as the test) on a free local port, threaded."""
    app.config["JOBS_IN_PROCESS"] = True  # background jobs run as in production
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.config["BASE_URL"]
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        pytest.skip("Debian's chromium is not installed (make test installs it with apt-get as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


# Every frame reports Content-Security-Policy violations to the test (see the page fixture).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolationCount = (window.__cspViolationCount || 0) + 1;
  window.__reportCspViolation && window.__reportCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} on ${event.documentURI}` +
    (event.sample ? ` (${event.sample})` : "") +
    (event.target instanceof Element ? ` at ${event.target.outerHTML.slice(0, 160)}` : ""));
});
"""


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab with a laptop-sized window; base_url is the live server.

    The test fails at teardown if the browser reported any Content-Security-Policy violation.
    """
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 850})
    # Generous: CI shares two cores between the browser, the server and the test.
    context.set_default_timeout(30000)
    violations: list[str] = []
    context.expose_binding("__reportCspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(CSP_LISTENER)
    tab = context.new_page()
    # Frames without scripts (the sandboxed email preview) still log violations to the console.
    tab.on("console", lambda message: violations.append(message.text)
           if "Content Security Policy" in message.text else None)
    tab.csp_violations = violations
    yield tab
    context.close()
    if violations:
        pytest.fail("The browser reported Content-Security-Policy violations:\n" + "\n".join(violations))


@pytest.fixture
def batch(org, admin):
    """tests/data/import_mixed.csv staged: a mix of ready rows, a problem row (line 5) and a duplicate."""
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under bench/out/screenshots/ for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
