"""Error pages in the app's style: 403, 404, 500, and HTMX requests get a fragment."""
from webapp import create_app
from webapp.extensions import db
from webapp.models import Organisation


def test_unexpected_error_shows_a_friendly_page_and_keeps_what_was_saved(app_config, org):
    app = create_app({**app_config, "TESTING": False})

    @app.get("/boom")
    def boom():
        db.session.add(Organisation(name="Half-made", slug="half"))
        db.session.flush()
        raise RuntimeError("disk on fire")

    with app.app_context():
        response = app.test_client().get("/boom")
        page = response.get_data(as_text=True)
        assert response.status_code == 500
        assert "Something went wrong on our side" in page and "Nothing you had already saved is lost" in page
        assert "disk on fire" not in page  # no internals shown
        slugs = set(db.session.scalars(db.select(Organisation.slug)))
        assert slugs == {"acme"}  # the saved organisation stays; the half-made one is gone
        db.session.remove()


def test_htmx_request_gets_an_inline_error(client, make_user, login_as):
    login_as(make_user())
    response = client.get("/users/", headers={"HX-Request": "true"})
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "<html" not in page and "do not have access" in page
    # Addressed to the page's alert, where console.js shows it (htmx swaps no error answer by itself).
    assert response.headers["HX-Retarget"] == "#request-error" and response.headers["HX-Reswap"] == "innerHTML"


def test_a_signed_out_htmx_request_sends_the_tab_to_sign_in_and_back_to_the_page_it_showed(client):
    response = client.post("/users/import/7/rows/3/remove", headers={
        "HX-Request": "true", "HX-Current-URL": "http://testserver/users/import/7?filter=problems"})
    # Not a redirect htmx would follow (the sign-in form swapped into the row): the whole tab goes.
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login?next=%2Fusers%2Fimport%2F7%3Ffilter%3Dproblems"
