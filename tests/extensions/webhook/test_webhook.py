"""The webhook extension against a real HTTP server on 127.0.0.1: posted after commit, failure only logged."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import create_engine, func, select

from webapp.extensions import db
from webapp.models import User

NEW_USER = {"first_name": "Nina", "last_name": "Newcomer", "email": "nina@example.com", "account_type": "user"}


@pytest.fixture
def hr_server(database_url):
    """A real HTTP server that records each POST and how many of its users another connection sees."""
    received = []
    engine = create_engine(database_url)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with engine.connect() as conn:  # not the app's connection: only committed rows show
                visible = conn.scalar(select(func.count()).select_from(User).where(User.id.in_(payload["user_ids"])))
            received.append((self.path, payload, visible))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.received, server.url = received, f"http://127.0.0.1:{server.server_port}/hooks/people"
    yield server
    server.shutdown()
    server.server_close()
    engine.dispose()


@pytest.fixture
def app_config(app_config, hr_server):
    return {**app_config, "EXTENSIONS": ["tests.extensions.webhook.webhook"], "WEBHOOK_URL": hr_server.url}


def test_create_user_posts_the_organisation_and_new_user_after_the_commit(signed_in, admin, hr_server):
    assert signed_in.post("/users/new", data=NEW_USER).status_code == 302

    nina = db.session.scalar(select(User).where(User.email == "nina@example.com"))
    path, payload, visible = hr_server.received[-1]
    assert path == "/hooks/people"
    assert payload == {"event": "users_created", "org_id": admin.org_id, "user_ids": [nina.id], "source": "web"}
    assert visible == 1  # the HR system could already read the new person: posted after the commit


def test_an_unreachable_hr_system_is_logged_and_the_user_is_still_created(app, signed_in, hr_server, caplog):
    app.config["WEBHOOK_URL"] = "http://127.0.0.1:1/nobody-listens"
    count = len(hr_server.received)

    assert signed_in.post("/users/new", data=NEW_USER).status_code == 302

    assert db.session.scalar(select(User.id).where(User.email == "nina@example.com")) is not None
    assert len(hr_server.received) == count
    assert "Webhook POST to http://127.0.0.1:1/nobody-listens failed" in caplog.text


def test_a_creation_that_is_rolled_back_posts_nothing(app, signed_in, hr_server):
    from webapp import signals

    def refuse(sender, **kwargs):
        raise RuntimeError("our rule refuses this person")

    count = len(hr_server.received)
    signals.users_created.connect(refuse, sender=app)
    try:
        with pytest.raises(RuntimeError):
            signed_in.post("/users/new", data=NEW_USER)
    finally:
        signals.users_created.disconnect(refuse, sender=app)
    db.session.rollback()
    assert db.session.scalar(select(User.id).where(User.email == "nina@example.com")) is None
    assert len(hr_server.received) == count


def test_a_file_import_posts_everyone_it_created_in_one_payload(signed_in, admin, hr_server):
    from io import BytesIO

    people = b"First Name,Last Name,Email Address\nAda,Lovelace,ada@example.com\nGrace,Hopper,grace@example.com\n"
    staged = signed_in.post("/users/import/", data={"file": (BytesIO(people), "people.csv")},
                            content_type="multipart/form-data")
    assert signed_in.post(staged.headers["Location"] + "/create").status_code == 302

    created = set(db.session.scalars(select(User.id).where(User.email.in_(("ada@example.com", "grace@example.com")))))
    _, payload, visible = hr_server.received[-1]
    assert (payload["source"], payload["org_id"], set(payload["user_ids"]), visible) == (
        "import", admin.org_id, created, 2)
