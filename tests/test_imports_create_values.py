"""Create Users stores each staged row's names as single_line bounds them, whichever way the row is read
(plain printable ASCII takes a quick path), and its search text from the stored values."""
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.models import StagedRow, User
from webapp.searchtext import search_text_for
from webapp.text import single_line

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("first_name, last_name", [
    ("Ada", "Lovelace"),  # the quick path
    ("", "Lovelace"),
    (" Ada", "Lovelace"),
    ("Ada ", "Lovelace"),
    ("Ada", " Lovelace "),
    ("Ada  Mary", "Lovelace"),
    ("Ada|", " Lovelace"),
    ("Ada\tMary", "Lovelace"),
    ("Zoë", "Müller"),
    ("Ada\u200bMary", "Lovelace"),
    ("A" * 100, "Lovelace"),
    ("A" * 120, "B" * 130),
    ("=cmd", "+1"),
])
def test_created_names_are_the_staged_names_on_one_line_and_bounded(org, admin, first_name, last_name):
    batch = staging.stage_upload(org.id, admin.id, "race_batch_a.csv", (DATA / "race_batch_a.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    # Written past the cleaning, as a row that cleaning missed would be.
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 2)
                       .values(first_name=first_name, last_name=last_name))
    db.session.commit()
    assert creating.create_users(batch.id, admin.id).ok
    user = db.session.scalar(select(User).where(User.org_id == org.id, User.email == "person00@race.example"))
    assert (user.first_name, user.last_name) == (single_line(first_name)[:100], single_line(last_name)[:100])
    assert user.search_text == search_text_for(user.first_name, user.last_name, user.email)
    untouched = db.session.scalar(select(User).where(User.org_id == org.id, User.email == "person01@race.example"))
    assert (untouched.first_name, untouched.last_name) == ("Grace", "Racer01")
