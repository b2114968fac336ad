"""The Department extension: its own migration branch, a Department import column, Users list and user page."""
from __future__ import annotations

from io import BytesIO

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select

from tests.extensions.department.department import MIGRATIONS, departments
from webapp.extensions import db
from webapp.models import User

FILE = ("First Name,Last Name,Email Address,Department\n"
        "Ada,Lovelace,ada@example.com,Engineering\n"
        "Grace,Hopper,grace@example.com,Navy Research\n"
        "Alan,Turing,alan@example.com,\n").encode()


@pytest.fixture
def app_config(app_config):
    return {**app_config, "EXTENSIONS": ["tests.extensions.department.department"],
            "MIGRATION_LOCATIONS": [str(MIGRATIONS)]}


@pytest.fixture
def migrated(app):
    """The core schema plus the extension's branch, as `flask db upgrade heads` leaves it."""
    upgrade(revision="heads")
    yield
    db.session.remove()
    downgrade(revision="department@base")  # PostgreSQL runs share one database


def _import(client) -> int:
    staged = client.post("/users/import/", data={"file": (BytesIO(FILE), "people.csv")},
                         content_type="multipart/form-data")
    batch_id = int(staged.headers["Location"].rstrip("/").split("/")[-1])
    assert client.post(f"/users/import/{batch_id}/create").status_code == 302
    return batch_id


def test_upgrade_heads_runs_the_extensions_own_migration(migrated):
    assert "user_departments" in inspect(db.engine).get_table_names()


def test_the_department_column_is_read_stored_and_shown_on_the_users_list_and_user_page(migrated, signed_in):
    _import(signed_in)

    ids = dict(db.session.execute(select(User.email, User.id)).all())
    assert dict(db.session.execute(select(departments.c.user_id, departments.c.name)).all()) == {
        ids["ada@example.com"]: "Engineering", ids["grace@example.com"]: "Navy Research"}

    listing = signed_in.get("/users/?sort=email").get_data(as_text=True)
    assert '<th scope="col">Department</th>' in listing
    assert "<td>Engineering</td>" in listing and "<td>Navy Research</td>" in listing
    ada = signed_in.get(f"/users/{ids['ada@example.com']}").get_data(as_text=True)
    assert "<dt>Department</dt><dd>Engineering</dd>" in ada
    alan = signed_in.get(f"/users/{ids['alan@example.com']}").get_data(as_text=True)
    assert "<dt>Department</dt><dd>—</dd>" in alan


def test_the_staged_table_shows_the_department_before_creating(migrated, signed_in):
    staged = signed_in.post("/users/import/", data={"file": (BytesIO(FILE), "people.csv")},
                            content_type="multipart/form-data")
    page = signed_in.get(staged.headers["Location"]).get_data(as_text=True)
    assert "Department" in page and "Navy Research" in page
