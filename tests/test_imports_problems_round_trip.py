"""The problems CSV goes out with formula-like names escaped ("'=..."), comes back fixed, and the names are as
they were: the escape is undone on reading, names that merely start with an apostrophe are kept, and every CSV
the app writes escapes them again."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from tests.test_imports_read_choices import upload
from webapp.csvsafe import starts_formula
from webapp.extensions import db
from webapp.models import ImportBatch, StagedRow

# (first name, last name, email with a problem the admin fixes in the downloaded file)
PEOPLE = [
    ("=SUM(1+1)", "Formula", "sum@@example.com"),
    ("-Ravi", "Kumar", "ravi@@example.com"),
    ("@Lena", "Hart", "lena@@example.com"),
    ("+Noor", "Haddad", "noor@@example.com"),
    ("'Abdul", "O'Brien", "abdul@@example.com"),
    ("Ana", "=1+1", "ana@@example.com"),  # its address stays wrong: still a problem after the round trip
]
NAMES = [(first, last) for first, last, _ in PEOPLE]


def staged_names(batch: ImportBatch) -> list[tuple[str, str]]:
    rows = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id).order_by(StagedRow.line))
    return [(row.first_name, row.last_name) for row in rows]


def problems_csv(client, batch: ImportBatch) -> list[list[str]]:
    text = client.get(f"/users/import/{batch.id}/problems.csv").data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_names_survive_a_round_trip_through_the_problems_csv(signed_in):
    original = io.StringIO()
    csv.writer(original).writerows([("First Name", "Last Name", "Email Address"), *PEOPLE])
    first = upload(signed_in, "people.csv", original.getvalue().encode())
    assert staged_names(first) == NAMES

    downloaded = problems_csv(signed_in, first)
    assert [(row[1], row[2]) for row in downloaded[1:]] == [
        ("'=SUM(1+1)", "Formula"), ("'-Ravi", "Kumar"), ("'@Lena", "Hart"), ("'+Noor", "Haddad"),
        ("'Abdul", "O'Brien"), ("Ana", "'=1+1")]
    # The admin fixes the addresses they can in the downloaded file and uploads it again.
    fixed = io.StringIO()
    csv.writer(fixed).writerows([row[:3] + [row[3].replace("@@", "@") if row[1] != "Ana" else row[3]] + row[4:]
                                 for row in downloaded])
    again = upload(signed_in, "problems-fixed.csv", fixed.getvalue().encode("utf-8-sig"))

    assert staged_names(again) == NAMES
    rows = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == again.id).order_by(StagedRow.line))
    assert [row.status for row in rows] == ["valid"] * 5 + ["invalid"]
    still_wrong = problems_csv(signed_in, again)
    assert [(row[1], row[2]) for row in still_wrong[1:]] == [("Ana", "'=1+1")]
    assert not any(starts_formula(cell) for row in still_wrong for cell in row)
