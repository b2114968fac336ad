"""The messages themselves, as received over real SMTP: welcome and created-users summary."""
from __future__ import annotations

import csv
import gzip
import io

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.mail import messages, sender
from webapp.mail.outbox import PASSWORD_REMOVED
from webapp.models import AccountType, OutboxMessage


def outcome(first, last, email, account_type="user", result="created", reason="", password=None):
    return {"first_name": first, "last_name": last, "email": email, "account_type": account_type,
            "outcome": result, "reason": reason, "password": password}


def received_csv(received) -> list[dict]:
    [attachment] = list(received.iter_attachments())
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename().startswith("created-users-")
    return list(csv.DictReader(io.StringIO(attachment.get_content().lstrip("\ufeff"))))


def test_summary_goes_to_the_acting_admin_with_every_person_and_a_csv(org, admin, smtp_server):
    outcomes = [
        outcome("Ann", "Archer", "ann@example.com", "user", password="Ann-Pass-123"),
        outcome("Bob", "Baker", "bob@example.com", AccountType.ADMIN, password="Bob-Pass-456"),
        outcome("Cy", "Cole", "cy@example.com", "guest", "failed",
                "An account with this email address already exists in your organisation."),
    ]
    messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    sender.send_queued()

    [received] = smtp_server.messages
    assert received["To"] == "admin@acme.example"
    assert received["Subject"] == "File Import: 2 users created, 1 failed"
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert "Acme Learning" in text and "http://testserver/login" in text
    assert "Cy Cole <cy@example.com>, Guest: NOT created. An account with this email" in text
    assert "Ann Archer <ann@example.com>, User: created" in text
    assert "Ann-Pass-123" not in text  # passwords travel in the attachment only
    rows = received_csv(received)
    assert list(rows[0]) == ["First Name", "Last Name", "Email Address", "Account Type",
                             "Outcome", "Reason", "Password"]
    assert [(r["Email Address"], r["Account Type"], r["Outcome"], r["Password"]) for r in rows] == [
        ("ann@example.com", "User", "Created", "Ann-Pass-123"),
        ("bob@example.com", "Admin", "Created", "Bob-Pass-456"),
        ("cy@example.com", "Guest", "Failed", ""),
    ]
    assert rows[2]["Reason"].startswith("An account with this email address already exists")


def test_summary_is_sent_when_everything_failed(org, admin, smtp_server):
    outcomes = [outcome("A", "A", "a@example.com", result="failed", reason="Email address is not valid."),
                outcome("B", "B", "b@example.com", result="failed", reason="Already exists.")]
    messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    sender.send_queued()
    [received] = smtp_server.messages
    assert received["Subject"] == "File Import: 0 users created, 2 failed"
    assert "No accounts were created" in received.get_body(preferencelist=("plain",)).get_content()
    assert {r["Outcome"] for r in received_csv(received)} == {"Failed"}


@pytest.mark.parametrize("count, expected_messages", [(0, 0), (1, 0), (2, 1)])
def test_summary_only_when_two_or_more_people(org, admin, count, expected_messages):
    outcomes = [outcome("P", str(n), f"p{n}@example.com", password="x") for n in range(count)]
    result = messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    assert (result is not None) == bool(expected_messages)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == expected_messages


def test_summary_accepts_objects_as_well_as_dicts(org, admin):
    from types import SimpleNamespace

    outcomes = [SimpleNamespace(**outcome("Ann", "A", "ann@example.com", password="p1")),
                SimpleNamespace(**outcome("Bo", "B", "bo@example.com", "team_manager", password="p2"))]
    message = messages.created_users_summary(org, admin, outcomes, source="Bulk action")
    assert "Bo B <bo@example.com>, Team Manager: created" in message.text_body


def test_summary_csv_is_formula_safe_and_keeps_accents(org, admin, smtp_server):
    outcomes = [outcome("=HYPERLINK(\"http://evil\")", "+1", "a@example.com", password="p1"),
                outcome("@SUM(A1)", "-2", "b@example.com", password="p2"),
                outcome("Zoë", "Łukasiewicz", "z@example.com", password="p3")]
    messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    sender.send_queued()
    rows = received_csv(smtp_server.messages[0])
    assert [(r["First Name"], r["Last Name"]) for r in rows] == [
        ("'=HYPERLINK(\"http://evil\")", "'+1"), ("'@SUM(A1)", "'-2"), ("Zoë", "Łukasiewicz")]


def test_a_large_summary_lists_200_people_failures_first_and_the_csv_has_all(org, admin):
    outcomes = [outcome("P", str(n), f"p{n}@example.com", password=f"pw{n}") for n in range(20_000)]
    outcomes[15_000] = outcome("Late", "Failure", "late@example.com", result="failed",
                               reason="Already exists.")
    message = messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    assert "The first 200 of 20,000 people are listed below" in message.text_body
    assert message.text_body.count(" <p") == 199 + 0  # 199 created shown after the failure
    assert message.text_body.index("late@example.com") < message.text_body.index("p0@example.com")
    data = message.attachments[0].content.decode("utf-8-sig")
    assert data.count("\r\n") == 20_001
    # Written a page at a time: every line in its place, in the file and in its copy kept after sending.
    sent = list(csv.DictReader(io.StringIO(data)))
    kept = list(csv.DictReader(io.StringIO(gzip.decompress(message.attachments[0].redacted_data)
                                           .decode("utf-8-sig"))))
    assert [r["Email Address"] for r in sent] == [r["Email Address"] for r in kept] == [o["email"] for o in outcomes]
    assert sent[12_345]["Password"] == "pw12345" and sent[15_000]["Password"] == ""
    assert {r["Password"] for r in kept} == {PASSWORD_REMOVED, ""}


@pytest.mark.parametrize("odd_value", ["Ann\x1e", "\x1e", "plain"])
def test_each_password_is_on_its_own_line_whatever_the_values_hold(org, admin, odd_value):
    """The page is written once with a mark where passwords go: a value holding that mark changes nothing."""
    outcomes = [outcome("P", str(n), f"p{n}@example.com", password=f"pw{n}") for n in range(4_500)]
    outcomes[10] = outcome(odd_value, "Odd", "odd@example.com", password="pw-odd")
    outcomes[2_500] = outcome("No", "Password", "none@example.com", result="failed", reason=odd_value)
    message = messages.created_users_summary(org, admin, outcomes, source="File Import")
    db.session.commit()
    sent = list(csv.DictReader(io.StringIO(message.attachments[0].content.decode("utf-8-sig"))))
    kept = list(csv.DictReader(io.StringIO(gzip.decompress(message.attachments[0].redacted_data)
                                           .decode("utf-8-sig"))))
    assert [(r["Email Address"], r["Password"]) for r in sent] == [(o["email"], o["password"] or "") for o in outcomes]
    assert sent[10]["First Name"] == sent[2_500 + 0]["Reason"] == kept[10]["First Name"] == odd_value
    assert [(r["Email Address"], r["Password"]) for r in kept] == [
        (o["email"], PASSWORD_REMOVED if o["password"] else "") for o in outcomes]


def test_welcome_names_the_org_and_sign_in_link_in_text_and_html(org, admin):
    from webapp.users.services import create_user

    created = create_user(org, admin, first_name="Nina", last_name="N", email="nina@example.com",
                          send_invite=True)
    message = db.session.scalar(select(OutboxMessage))
    assert message.to_address == "nina@example.com" and message.carries_password
    for body in (message.text_body, message.html_body):
        assert "Acme Learning" in body and "http://testserver/login" in body
        assert created.password in body
    assert message.redacted_text_body.count("[password removed after sending]") == 1
    assert created.password not in message.redacted_text_body + message.redacted_html_body


def test_user_created_without_invite_gets_no_mail(org, admin):
    from webapp.users.services import create_user

    create_user(org, admin, first_name="Quiet", last_name="Q", email="quiet@example.com")
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
