"""The shared HTMX answers: whole page for plain and history-restore requests, fragment for HTMX."""
from __future__ import annotations

import pytest
from flask import Flask, render_template_string

from webapp.enrolments import services as enrolment_services
from webapp.htmx import fragment_or_page, htmx_redirect, stop_polling

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
]


@pytest.fixture(params=PAGES, ids=["users", "mail", "series"])
def page(request, series):
    url, whole, part = request.param
    if url == "series":
        url = f"/series/{series.id}"
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
