"""Names that reach email headers and subjects stay on one line: at the form, the import, the
CLI and the mail layer; mail for a strangely named series still goes out (real SMTP)."""
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.enrolments import services as enrolments
from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.mail.sender import send_queued
from webapp.models import Group, Organisation, Series, StagedRow, User
from webapp.text import single_line
from webapp.users.services import create_user

DATA = Path(__file__).parent / "data"
INJECTION = "Fire\r\nBcc: victim@evil.example"


@pytest.mark.parametrize("raw, expected", [
    ("A\nB", "A B"),
    ("A\r\nB", "A B"),
    ("A\rB", "A B"),
    ("  Ada \t Lovelace  ", "Ada Lovelace"),
    ("Fire\x00Safety", "Fire Safety"),
    ("Line\u2028Separator\u2029Paragraph", "Line Separator Paragraph"),
    ("Next\x85Line", "Next Line"),
    ("Zero\u200bWidth", "Zero Width"),
    ("Zero\u200cWidth", "Zero Width"),
    # A Persian name keeps the non-joiner its spelling needs (Zohreh-Sadat), typed on the Create User form too.
    ("\u0632\u0647\u0631\u0647\u200c\u0633\u0627\u062f\u0627\u062a",
     "\u0632\u0647\u0631\u0647\u200c\u0633\u0627\u062f\u0627\u062a"),
    ("Right\u202eLeft", "Right Left"),
    ("Vertical\x0bTab\x0cFeed", "Vertical Tab Feed"),
    ("Zoë O'Neil-Smith", "Zoë O'Neil-Smith"),
    ("", ""),
    (None, ""),
])
def test_single_line(raw, expected):
    assert single_line(raw) == expected


def test_a_series_named_with_a_line_break_is_saved_on_one_line(signed_in, org):
    response = signed_in.post("/series/new", data={"name": "A\nB", "description": "Two\nlines are fine here."})
    assert response.status_code == 302
    series = db.session.scalar(select(Series).where(Series.org_id == org.id))
    assert series.name == "A B"
    assert series.description == "Two\nlines are fine here."


def test_create_user_names_are_saved_on_one_line(signed_in, org):
    response = signed_in.post("/users/new", data={
        "first_name": INJECTION, "last_name": "Lee\n", "email": "eve@example.example", "account_type": "user"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "eve@example.example"))
    assert (user.first_name, user.last_name) == ("Fire Bcc: victim@evil.example", "Lee")


def test_group_names_are_saved_on_one_line(signed_in, org):
    signed_in.post("/users/groups", data={"name": "Night\r\nShift"})
    assert db.session.scalar(select(Group).where(Group.org_id == org.id, Group.name.like("Night%"))).name \
        == "Night Shift"


def test_first_run_setup_saves_the_organisation_name_on_one_line(client):
    response = client.post("/setup", data={
        "org_name": "Acme\nLearning", "first_name": "Ada\r", "last_name": "Admin",
        "email": "ada@acme.example", "password": "a-long-test-password-42",
        "confirm": "a-long-test-password-42"})
    assert response.status_code == 302
    assert db.session.scalar(select(Organisation)).name == "Acme Learning"
    assert db.session.scalar(select(User)).first_name == "Ada"


def test_org_create_on_the_command_line_saves_names_on_one_line(runner):
    result = runner.invoke(args=["org", "create", "--name", "Night\nSchool", "--slug", "night",
                                 "--admin-email", "n@night.example", "--admin-first-name", "Nia\r\n",
                                 "--admin-last-name", "Admin"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Organisation)).name == "Night School"
    assert db.session.scalar(select(User)).first_name == "Nia"


def test_import_creates_names_on_one_line_even_if_cleaning_missed_a_break(org, admin):
    batch = staging.stage_upload(org.id, admin.id, "race_batch_a.csv",
                                 (DATA / "race_batch_a.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch.id, StagedRow.line == 2)
                       .values(first_name="Ada\r\nBcc: victim@evil.example"))
    db.session.commit()
    assert creating.create_users(batch.id, admin.id).ok
    user = db.session.scalar(select(User).where(User.email == "person00@race.example"))
    assert user.first_name == "Ada Bcc: victim@evil.example"


def test_emails_for_a_series_with_a_strange_name_still_send(signed_in, org, admin, smtp_server):
    # Made past the form (as an old row or another path could): the mail layer still copes.
    series = enrolments.create_series(org.id, admin, name="placeholder", description="")
    series.name = INJECTION
    db.session.commit()
    learner = create_user(org, admin, first_name="Cleo", last_name="Created", email="cleo@example.com").user
    response = signed_in.post("/enrolments/new", data={
        "source": "selection", "user_id": learner.id, "series": series.id, "send_invite": "yes"})
    assert response.status_code == 302
    report = send_queued()
    assert report.sent == 1 and report.failed == 0
    [message] = smtp_server.to("cleo@example.com")
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
    assert "Fire Bcc: victim@evil.example" in message["Subject"]
    assert message["Bcc"] is None
    assert smtp_server.to("victim@evil.example") == []
