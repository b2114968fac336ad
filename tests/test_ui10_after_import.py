"""After Create Users: the import's page says it is done, and the Users list leads back to it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from webapp.extensions import db
from webapp.imports import staging, undo

DATA = Path(__file__).parent / "data"


@pytest.fixture
def batch(org, admin):
    return staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                max_bytes=10**6, ttl_days=7)


def heading(html: str) -> str:
    return " ".join(re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).split())


def title(html: str) -> str:
    return " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split())


def test_the_import_page_is_titled_check_before_and_import_of_after_creating(signed_in, batch):
    before = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert heading(before) == "Check the people in import_mixed.csv"
    assert title(before).startswith("Check the file · File Import")
    signed_in.post(f"/users/import/{batch.id}/create")
    after = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert heading(after) == "Import of import_mixed.csv"
    assert title(after).startswith("Import of import_mixed.csv · File Import")


def test_the_users_banner_links_to_the_import_with_undo_until_it_is_undone(signed_in, batch, admin):
    signed_in.post(f"/users/import/{batch.id}/create")
    banner = signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True)
    link = f'<a href="/users/import/{batch.id}">Open the import</a>'
    assert f"{link} for each row's outcome, the rows left out and Undo." in banner
    undo.undo_import(batch.id, admin.id)
    banner = signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True)
    assert "This import was later undone." in banner
    assert f"{link} for each row's outcome, the rows left out." in banner


def test_while_users_are_being_created_the_page_says_so(signed_in, batch):
    batch.status = "creating"
    db.session.commit()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert heading(page) == "Creating users from import_mixed.csv"  # it said "Check the people in", over a bar
