"""The shared HTMX answers: whole page for plain and history-restore requests, fragment for HTMX."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string

from webapp.enrolments import services as enrolment_services
from webapp.imports import staging
from webapp.htmx import fragment_or_page, htmx_redirect, stop_polling

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
HTMX = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def series(admin):
    return enrolment_services.create_series(admin.org_id, admin, name="Safety Basics", description="")


# (page, marker only the whole page has, marker the fragment has)
PAGES = [
    ("/users/", "<h1", "id=\"user-count\""),
    ("/mail/", "<h1", "No mail yet."),
    ("series", "<h1", "id=\"series-enrolments\""),
    ("staged table", '<nav aria-label="Main">', 'id="staged-table"'),  # /users/import/<id>
]


@pytest.fixture
def staged_batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


@pytest.fixture(params=PAGES, ids=["users", "mail", "series", "staged table"])
def page(request, series):
    url, whole, part = request.param
    if url == "series":
        url = f"/series/{series.id}"
    elif url == "staged table":
        url = f"/users/import/{request.getfixturevalue('staged_batch').id}?filter=all&page=1"
    return url, whole, part


def test_a_plain_request_gets_the_whole_page(signed_in, page):
    url, whole, _ = page
    response = signed_in.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html and whole in html
    assert "HX-Request" in response.headers["Vary"]


def test_an_htmx_request_gets_the_fragment_alone(signed_in, page):
    url, _, part = page
    response = signed_in.get(url, headers=HTMX)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<h1" not in html
    assert part in html
    assert {"HX-Request", "HX-History-Restore-Request"} <= set(response.vary)


def test_a_history_restore_gets_the_whole_page(signed_in, page):
    """Back after htmx's history cache missed: a fragment would replace the whole body."""
    url, whole, _ = page
    response = signed_in.get(url, headers=RESTORE)
    html = response.get_data(as_text=True)
    assert "<html" in html and whole in html
    assert "HX-Request" in response.headers["Vary"]


@pytest.fixture
def tiny():
    """A bare app with htmx-flask, to test the helpers' headers and statuses alone."""
    from webapp.extensions import htmx

    app = Flask(__name__)
    htmx.init_app(app)

    @app.get("/either")
    def either():
        return fragment_or_page(lambda: ("part", 200), lambda: render_template_string("<html>whole</html>"))

    @app.get("/go")
    def go():
        return htmx_redirect("/users/?batch=7")

    @app.get("/poll")
    def poll():
        return stop_polling("<progress value=1 max=1></progress>", redirect_to="/done")

    return app.test_client()


def test_fragment_or_page(tiny):
    assert tiny.get("/either").get_data(as_text=True) == "<html>whole</html>"
    assert tiny.get("/either", headers=HTMX).get_data(as_text=True) == "part"
    assert tiny.get("/either", headers=RESTORE).get_data(as_text=True) == "<html>whole</html>"


def test_htmx_redirect_is_a_header_for_htmx_and_a_303_otherwise(tiny):
    htmx = tiny.get("/go", headers=HTMX)
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == "/users/?batch=7"
    plain = tiny.get("/go")
    assert plain.status_code == 303 and plain.location == "/users/?batch=7"
    assert "HX-Redirect" not in plain.headers


def test_stop_polling_answers_286_with_the_last_body_and_where_to_go(tiny):
    response = tiny.get("/poll", headers=HTMX)
    assert response.status_code == 286
    assert response.headers["HX-Redirect"] == "/done"
    assert response.get_data(as_text=True) == "<progress value=1 max=1></progress>"


# Only the helper looks at what htmx sent or answers in its headers (extensions.py creates htmx-flask).
READS_HTMX = re.compile(r"request\.htmx|[\"']HX-[A-Za-z-]+[\"']|htmx_flask")
HELPER_ONLY = {"webapp/htmx.py", "webapp/extensions.py"}


def test_no_module_but_the_helper_reads_or_writes_htmx_headers():
    readers = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "webapp").rglob("*.py")
                     if str(path.relative_to(ROOT)) not in HELPER_ONLY
                     and READS_HTMX.search(path.read_text(encoding="utf-8")))
    assert readers == []


@pytest.mark.parametrize("text, found", [
    ("if request.htmx:", True), ('request.headers.get("HX-Request")', True),
    ('response.headers["HX-Redirect"] = url', True), ("from htmx_flask import make_response", True),
    ("return fragment_or_page(part, page)", False), ("# htmx swaps the row", False),
])
def test_the_header_scan_recognises_direct_use(text, found):
    assert bool(READS_HTMX.search(text)) is found
