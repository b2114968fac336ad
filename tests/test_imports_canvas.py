"""A Canvas gradebook export ("Grades" CSV): its Points Possible line and its Test Student are not people."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import select

from webapp.extensions import db
from webapp.models import ImportBatch, StagedRow

DATA = Path(__file__).parent / "data"
POINTS = "Canvas's Points Possible line (the most points of each assignment), not a person"
TEST_STUDENT = "Canvas's Test Student, the preview account every Canvas course has, not a person"


def upload(client, name: str, data: bytes | None = None):
    content = data if data is not None else (DATA / name).read_bytes()
    return client.post("/users/import/", data={"file": (BytesIO(content), name)},
                       content_type="multipart/form-data")


def latest_batch() -> ImportBatch:
    db.session.expire_all()
    return db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()


def staged(batch: ImportBatch) -> dict[int, StagedRow]:
    return {row.line: row for row in db.session.scalars(select(StagedRow).where(StagedRow.batch_id == batch.id))}


def continue_from_matching(client, batch: ImportBatch, choices: dict[str, str]) -> None:
    """Read the matching step (addresses found by content are confirmed there) and press Continue."""
    page = client.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert "Chidi" in page and "Points Possible" not in page and "Student, Test" not in page
    response = client.post(f"/users/import/{batch.id}/match", data={**choices, "continue": "1"})
    assert response.headers["Location"] == f"/users/import/{batch.id}"


@pytest.mark.parametrize("name, people, test_student_line", [
    # Emails in SIS Login ID: a column found by its addresses, not its header, so the admin confirms it first.
    ("canvas_gradebook.csv", {3: ("Chidi", "Abara", "chidi.abara@northfield.edu"),
                              4: ("Linnea", "Bergström", "linnea.bergstrom@northfield.edu"),
                              5: ("Mateo", "Castillo Ruiz", "mateo.castillo@northfield.edu"),
                              6: ("Thi Mai", "Nguyen", "thimai.nguyen@northfield.edu"),
                              7: ("Aoife", "O'Connor", "aoife.oconnor@northfield.edu")}, 8),
    ("canvas_gradebook_email_column.csv", {3: ("Tolu", "Adeyemi", "tolu.adeyemi@riverbend.ac.uk"),
                                           4: ("Piotr", "Kowalski", "piotr.kowalski@riverbend.ac.uk"),
                                           5: ("Camille", "Lefèvre", "camille.lefevre@riverbend.ac.uk")}, 6),
])
def test_only_the_students_are_staged_and_the_canvas_lines_are_listed_as_skipped(signed_in, name, people,
                                                                                test_student_line):
    response = upload(signed_in, name)
    batch = latest_batch()
    if response.headers["Location"].endswith("/match"):
        continue_from_matching(signed_in, batch, {"column_0": "full_name", "column_3": "email"})
    rows = staged(batch)
    assert {line: (row.first_name, row.last_name, row.email) for line, row in rows.items()} == people
    assert {row.status for row in rows.values()} == {"valid"}
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert f'<span class="n">{len(people)}</span> <span class="l">rows read' in page
    assert '<span class="n">0</span> <span class="l">problems' in page
    assert "Lines we skipped" in page
    assert '<td class="num">2</td><td><code>Points Possible, ' in page and POINTS.replace("'", "&#39;") in page
    assert f'<td class="num">{test_student_line}</td><td><code>Student, Test, ' in page
    assert TEST_STUDENT.replace("'", "&#39;") in page


def test_a_person_whose_first_cell_reads_like_a_canvas_line_is_still_a_person_when_the_row_has_an_address(
        signed_in):
    data = (b"Student,SIS Login ID\n    Points Possible,\n\"Student, Test\",test.student@example.edu\n"
            b"\"Abara, Chidi\",chidi.abara@example.edu\n")
    upload(signed_in, "grades.csv", data)
    rows = staged(latest_batch())
    assert sorted((row.line, row.email) for row in rows.values()) == [
        (3, "test.student@example.edu"), (4, "chidi.abara@example.edu")]
