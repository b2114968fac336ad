"""Links in emails without configuration: the causing request's address, a job's recorded one, the CLI's."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from itsdangerous import URLSafeTimedSerializer

from tests.conftest import TEST_PASSWORD, CSRFClient
from webapp import jobs
from webapp.extensions import db
from webapp.links import for_job, public_base_url, recorded_from
from webapp.models import OutboxMessage


@pytest.fixture
def unconfigured(app):
    app.config["BASE_URL"] = None
    return app


def test_the_default_base_url_is_unset():
    from webapp.config import Config

    assert Config.BASE_URL is None


class HostClient(CSRFClient):
    """A browser that reaches the console at one address (every request, cookies included)."""

    base_url = "http://localhost"

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)


def admin_browser(app, admin, base_url: str):
    """A signed-in admin whose browser reaches the console at `base_url`."""
    app.test_client_class = HostClient
    browser = app.test_client()
    browser.base_url = base_url
    raw = "csrf-" + base_url
    with browser.session_transaction(base_url=base_url) as session:
        session["csrf_token"] = raw
    browser.csrf_token = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    assert browser.post("/login", data={"email": admin.email, "password": TEST_PASSWORD}).status_code == 302
    return browser


def invite(browser, email):
    browser.post("/users/new", data={"first_name": "Wes", "last_name": "W", "email": email,
                                     "account_type": "user", "send_invite": "y"})
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.to_address == email))


def test_a_welcome_email_links_to_the_address_the_admin_used(unconfigured, admin):
    message = invite(admin_browser(unconfigured, admin, "http://console.example.org:8443"), "wes@example.com")
    assert "Sign in at: http://console.example.org:8443/login" in message.text_body
    assert 'href="http://console.example.org:8443/login"' in message.html_body


def test_base_url_when_set_wins_over_the_request(app, admin):
    app.config["BASE_URL"] = "https://learn.example.com/"
    message = invite(admin_browser(app, admin, "http://10.0.0.5:5000"), "bo@example.com")
    assert "https://learn.example.com/login" in message.text_body and "10.0.0.5" not in message.text_body


def test_a_job_keeps_the_address_it_was_started_from(unconfigured):
    with unconfigured.test_request_context("/", base_url="http://intranet.example:8080"):
        arguments = for_job({"batch_id": 7})
    assert public_base_url() != "http://intranet.example:8080"  # no request here...
    with recorded_from(arguments) as own:
        assert own == {"batch_id": 7}
        assert public_base_url() == "http://intranet.example:8080"  # ...but the job remembers


def test_jobs_run_with_their_recorded_address(unconfigured, org):
    with unconfigured.test_request_context("/", base_url="http://intranet.example:8080"):
        job = jobs.submit("probe", "tests.test_signin_links.address_probe", org_id=org.id)
    db.session.expire_all()
    assert job.result == {"address": "http://intranet.example:8080"}


def address_probe(job_id: int) -> dict:
    """A job that reports the address its emails would use."""
    return {"address": public_base_url()}


def test_the_command_line_uses_server_name(unconfigured):
    unconfigured.config.update(SERVER_NAME="learn.example.com", PREFERRED_URL_SCHEME="https")
    assert public_base_url() == "https://learn.example.com"


def test_the_command_line_warns_when_it_has_to_guess(unconfigured, runner, org, tmp_path):
    people = tmp_path / "two.csv"
    people.write_text("Email,First Name\nann@example.com,Ann\nbob@example.com,Bob\n")
    result = runner.invoke(args=["users", "import", str(people), "--org", "acme", "--send-invite"])
    assert result.exit_code == 0, result.output
    assert "Warning: neither BASE_URL nor SERVER_NAME is set" in result.stderr
    welcome = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "welcome"))
    assert "http://localhost:5000/login" in welcome.text_body


@pytest.mark.parametrize("host, warns", [("console.example.org", True), ("localhost:5000", False),
                                         ("127.0.0.1:8000", False)])
def test_serving_a_public_address_without_base_url_is_logged_once(unconfigured, client, caplog, monkeypatch,
                                                                  host, warns):
    # Alembic's fileConfig (run by the migrations fixture) disables loggers that existed before it.
    monkeypatch.setattr(logging.getLogger("webapp.links"), "disabled", False)
    with caplog.at_level(logging.WARNING, logger="webapp.links"):
        client.get("/login", base_url=f"http://{host}")
        client.get("/login", base_url=f"http://{host}")
    warnings = [r for r in caplog.records if "BASE_URL is not set" in r.getMessage()]
    assert len(warnings) == (1 if warns else 0)
