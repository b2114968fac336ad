"""Every line of an imported file has an outcome: the summary email (over real SMTP), its CSV and the banner."""
from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.imports import outcomes, staging
from webapp.imports.queries import batch_banner
from webapp.mail.sender import send_queued
from webapp.models import ImportBatch, StagedRow

DATA = Path(__file__).parent / "data"
FILE = "import_fifty_problems.csv"
REMOVED_LINES = (10, 20, 30)


@pytest.fixture
def finished(signed_in, org, admin, make_user, smtp_server):
    """The fifty-line file staged, three people removed on the page, Create Users pressed, mail sent."""
    make_user(email="erin@example.com", first_name="Erin", last_name="Existing")
    batch = staging.stage_upload(org.id, admin.id, FILE, (DATA / FILE).read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    by_line = {row.line: row for row in db.session.scalars(
        select(StagedRow).where(StagedRow.batch_id == batch.id))}
    for line in REMOVED_LINES:
        response = signed_in.post(f"/users/import/{batch.id}/rows/{by_line[line].id}/remove")
        assert response.status_code == 302
    assert signed_in.post(f"/users/import/{batch.id}/create").status_code == 302
    assert send_queued().failed == 0
    [summary] = smtp_server.to("admin@acme.example")
    return batch, summary


def attached_rows(summary) -> list[dict]:
    [attachment] = list(summary.iter_attachments())
    return list(csv.DictReader(io.StringIO(attachment.get_content().lstrip("\ufeff"))))


def test_the_summary_names_the_file_and_its_counts_add_up_to_the_lines_read(finished):
    _, summary = finished
    assert summary["Subject"] == ("File Import of import_fifty_problems.csv: 38 users created, "
                                  "2 failed, 10 other lines not created")
    text = " ".join(summary.get_body(preferencelist=("plain",)).get_content().split())
    for words in ("50 lines read", "Created: 38", "Failed: 2", "Left out with a problem: 5",
                  "Ignored as a duplicate: 2", "Removed before Create Users: 3", "Total: 50"):
        assert words in text


def test_the_csv_gives_every_line_an_outcome_and_a_reason(finished):
    _, summary = finished
    rows = attached_rows(summary)
    assert list(rows[0])[:2] == ["Line", "First Name"]
    outcomes_seen = Counter(row["Outcome"] for row in rows if row["Line"])
    assert outcomes_seen["Created"] == 38 and outcomes_seen["Failed"] == 2
    assert outcomes_seen["Left out: problem"] == 5 and outcomes_seen["Ignored: duplicate"] == 2
    listed_lines = sorted(int(row["Line"]) for row in rows if row["Line"])
    removed_listed = [int(row["Line"]) for row in rows if row["Outcome"] == "Removed" and row["Line"]]
    if removed_listed:  # removals that keep the row (status "removed") list each line
        assert sorted(removed_listed) == list(REMOVED_LINES)
        assert listed_lines == list(range(2, 52))
    else:  # removals that delete the row: only their number is known
        assert listed_lines == [n for n in range(2, 52) if n not in REMOVED_LINES]
        [removed] = [row for row in rows if row["Outcome"] == "Removed"]
        assert removed["Reason"].startswith("3 lines were removed by the admin")
    by_email = {}
    for row in rows:
        by_email.setdefault(row["Email Address"], row)  # the first line with each address
    assert by_email["person03@example.com"]["Outcome"] == "Created"
    duplicate = next(row for row in rows if row["Outcome"] == "Ignored: duplicate")
    assert duplicate["Reason"].startswith("Same as line ")
    assert "already has an account" in by_email["erin@example.com"]["Reason"].lower()
    assert "Wizard" in by_email["guest.admin@example.com"]["Reason"]
    assert by_email["not-an-email"]["Outcome"] == "Left out: problem" and by_email["not-an-email"]["Reason"]
    created = [row for row in rows if row["Outcome"] == "Created"]
    assert all(row["Password"] for row in created)  # the product's default: passwords in the CSV
    assert not any(row["Password"] for row in rows if row["Outcome"] != "Created")


def test_the_users_list_banner_names_the_file_and_accounts_for_every_line(finished, signed_in):
    batch, _ = finished
    page = " ".join(signed_in.get(f"/users/?batch={batch.id}").get_data(as_text=True).split())
    assert "Import of import_fifty_problems.csv finished:</strong> 50 lines read." in page
    for words in ("38 users created", "2 failed", "5 left out with a problem",
                  "2 ignored as duplicates of earlier lines", "3 removed by an admin before Create Users"):
        assert words in page


def test_skipped_lines_and_kept_removed_rows_are_counted(signed_in, org, admin):
    data = (b"Staff list, March\n\nFirst Name,Last Name,Email\nAnn,Ames,ann@example.com\n"
            b"Bo,Best,bo@example.com\nCy,Cole,cy@example.com\nTotal: 3 users\n")
    batch = staging.stage_upload(org.id, admin.id, "staff.csv", data, max_bytes=10**6, ttl_days=7)
    rows = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id)
                              .order_by(StagedRow.line)).all()
    rows[-1].status = "removed"  # how removals that keep the row mark it
    db.session.commit()
    batch = db.session.get(ImportBatch, batch.id)
    counts = outcomes.count_lines(batch)
    assert counts["removed"] == 1 and counts.removed_unlisted == 0 and counts["skipped"] == 2
    assert counts.total == batch.rows_read + 2
    lines = outcomes.line_outcomes(batch, {})
    assert [(line.line, line.outcome) for line in lines] == [
        (1, "skipped"), (4, "problem"), (5, "problem"), (6, "removed"), (7, "skipped")]


def test_the_banner_is_only_for_the_admins_own_organisation(finished, other_org):
    batch, _ = finished
    assert batch_banner(other_org.id, batch.id) is None
