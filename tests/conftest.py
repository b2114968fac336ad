"""Shared fixtures: a fresh database through the real migrations for every test.

SQLite by default; PostgreSQL when FLASK_TEST_DATABASE_URL names a server (each run
creates its own database and drops it at the end).
"""
from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from webapp import create_app
from webapp.extensions import db as _db

TEST_SECRET = "test-secret-key-not-for-production"
TEST_PASSWORD = "a-long-test-password-42"


def _migrate(url: str, instance: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": TEST_SECRET})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run: a template SQLite file, or a fresh PostgreSQL database."""
    pg_url = os.environ.get("FLASK_TEST_DATABASE_URL")
    instance = tmp_path_factory.mktemp("instance")
    if pg_url:
        admin_url = make_url(pg_url)
        name = f"webapp_test_{uuid.uuid4().hex[:10]}"
        engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin_url.set(database=name).render_as_string(hide_password=False)
        _migrate(url, instance)
        yield {"kind": "postgresql", "url": url}
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
    else:
        template = instance / "template.db"
        _migrate(f"sqlite:///{template}", instance)
        yield {"kind": "sqlite", "path": template}


@pytest.fixture
def database_url(database_template, tmp_path):
    """A URL to an empty, migrated database for this test."""
    if database_template["kind"] == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(database_template["path"], path)
        yield f"sqlite:///{path}"
    else:
        url = database_template["url"]
        yield url
        engine = create_engine(url)
        with engine.begin() as conn:
            tables = [row[0] for row in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
            ))]
            if tables:
                conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        engine.dispose()


@pytest.fixture
def app_config(database_url, tmp_path):
    """Settings for the test app; a test may change them before `app` is built."""
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": "http://testserver",
        "JOBS_IN_PROCESS": False,
        "MAIL_SEND_IN_BACKGROUND": False,
        "SERVER_NAME": None,
        # Cheap hashing for chosen passwords in tests only (honoured only when TESTING is on).
        "CHOSEN_PASSWORD_METHOD": "scrypt:1024:8:1",
    }


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path / "instance"))
    application = create_app(app_config)

    @application.before_request
    def forget_cached_user():
        # The test keeps one app context open, so flask.g (where Flask-Login caches the
        # signed-in user) would leak between clients; real requests each get a fresh g.
        from flask import g

        g.pop("_login_user", None)

    application.before_request_funcs[None].insert(0, application.before_request_funcs[None].pop())
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


class CSRFClient(FlaskClient):
    """A test client whose form posts carry a valid CSRF token, as a browser's would."""

    csrf_token: str | None = None

    def open(self, *args, **kwargs):
        if self.csrf_token and kwargs.pop("with_csrf", True):
            headers = dict(kwargs.get("headers") or {})
            headers.setdefault("X-CSRFToken", self.csrf_token)
            kwargs["headers"] = headers
        else:
            kwargs.pop("with_csrf", None)
        return super().open(*args, **kwargs)


def _prime_csrf(client: CSRFClient, app) -> None:
    raw = uuid.uuid4().hex
    with client.session_transaction() as session:
        session["csrf_token"] = raw
    client.csrf_token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def client(app):
    """A client that sends the CSRF token with every request (pass with_csrf=False to omit)."""
    app.test_client_class = CSRFClient
    test_client = app.test_client()
    _prime_csrf(test_client, app)
    return test_client


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(app):
    """An organisation with its first admin (password TEST_PASSWORD)."""
    from webapp.auth.services import create_organisation

    created, _ = create_organisation(
        name="Acme Learning", slug="acme", admin_email="admin@acme.example",
        admin_first_name="Ada", admin_last_name="Admin", admin_password=TEST_PASSWORD,
    )
    return created.org


@pytest.fixture
def admin(org):
    from webapp.models import User

    return _db.session.scalar(_db.select(User).where(User.org_id == org.id, User.email == "admin@acme.example"))


@pytest.fixture
def make_user(org):
    """Factory: a user in `org` (or another org) with a known, self-chosen password."""
    from webapp import credentials
    from webapp.models import AccountType, User
    from webapp.accounts.membership import sync_all_org_users

    counter = iter(range(1, 10**6))

    def factory(*, org_id=None, email=None, first_name="Test", last_name=None,
                account_type=AccountType.USER, password=TEST_PASSWORD, generated=False, **fields):
        n = next(counter)
        user = User(
            org_id=org_id or org.id, first_name=first_name, last_name=last_name or f"User{n}",
            email=(email or f"user{n}@example.example").lower(), account_type=account_type.value,
            password_hash=credentials.hash_generated_password(password),
            password_is_generated=generated, **fields,
        )
        _db.session.add(user)
        _db.session.flush()
        sync_all_org_users(user.org_id, [user.id])
        _db.session.commit()
        return user

    return factory


@pytest.fixture
def login_as(client):
    """Sign `client` in as a user whose password is TEST_PASSWORD (or the one given)."""

    def do_login(user, password=TEST_PASSWORD):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return do_login


@pytest.fixture
def signed_in(client, admin, login_as):
    """The client, signed in as the organisation's first admin."""
    login_as(admin)
    return client


@pytest.fixture
def other_org(app):
    """A second organisation, to prove isolation."""
    from webapp.auth.services import create_organisation

    created, _ = create_organisation(
        name="Other Org", slug="other", admin_email="boss@other.example",
        admin_first_name="Olga", admin_last_name="Other", admin_password=TEST_PASSWORD,
    )
    return created.org


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the app is configured to send through it."""
    from tests.smtp import SMTPServer

    server = SMTPServer()
    server.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port, MAIL_USE_TLS=False,
                      MAIL_USE_SSL=False, MAIL_USERNAME=None, MAIL_PASSWORD=None)
    yield server
    server.stop()
