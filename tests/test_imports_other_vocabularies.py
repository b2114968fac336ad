"""Exports whose cells share our names but not our words: Zoom's "User Type" (a licence, not an account type),
Moodle's "No groups" (no group at all), and full names with titles ("Dr. Ann Lee") and suffixes ("Jr.")."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.columns import map_columns
from webapp.imports.staging import read_file
from tests.test_imports_canvas import latest_batch, staged, upload
from tests.test_imports_more_exports import stage_rows

DATA = Path(__file__).parent / "data"


def test_a_zoom_user_type_column_is_not_read_as_account_types_and_the_admin_is_told(signed_in):
    table, column_map = read_file((DATA / "zoom_users.csv").read_bytes(), "zoom_users.csv")
    assert column_map.account_type is None
    assert column_map.doubts == ["the User Type column holds no account type we know (Licensed, Basic, On-Prem), "
                                 "so it is not imported and everyone gets the default type"]
    response = upload(signed_in, "zoom_users.csv")
    batch = latest_batch()
    assert response.headers["Location"] == f"/users/import/{batch.id}/match"
    page = signed_in.get(f"/users/import/{batch.id}/match").get_data(as_text=True)
    assert "the User Type column holds no account type we know" in page
    response = signed_in.post(f"/users/import/{batch.id}/match", data={
        "column_0": "first_name", "column_1": "last_name", "column_2": "email", "continue": "1"})
    assert response.headers["Location"] == f"/users/import/{batch.id}"
    rows = staged(batch)
    assert {line: (row.email, row.account_type, row.status) for line, row in rows.items()} == {
        2: ("ann@example.com", "user", "valid"), 3: ("ben@example.com", "user", "valid"),
        4: ("cat@example.com", "user", "valid")}


@pytest.mark.parametrize("cells, kept", [
    (["Account Type", "Admin", "Licensed", "Basic"], True),  # one type we know: the others are row problems
    (["Account Type", "Staff", "Contractor", "Staff"], False),  # none we know: left out
    (["Role", "Admin", "Licensed", "Basic"], False),  # a loose name needs half its values to be types
    (["Role", "Admin", "Guest", "Basic"], True),
    (["User Type", "", "", ""], True),  # nothing to judge by: the header decides
    (["Account Type", "", "Wizard", ""], True),  # one unknown value is a row's problem, not another vocabulary
    (["Role", "", "Wizard", ""], False),
])
def test_an_account_type_column_is_read_when_its_values_are_account_types(cells, kept):
    header, *values = cells
    column_map = map_columns(["Email", header], [(line, [f"p{line}@example.com", value])
                                                 for line, value in enumerate(values, start=2)])
    assert (column_map.account_type == 1) is kept


def test_moodle_no_groups_is_no_group_while_a_real_unknown_group_is_still_a_problem(signed_in):
    rows = stage_rows(signed_in, "moodle_participants.csv")
    assert [(row.line, row.extra.get("groups"), row.status) for row in rows] == [
        (2, "", "valid"), (3, "Group A", "invalid"), (4, "", "valid")]


def test_titles_in_a_full_name_column_are_left_out_and_suffixes_stay_with_the_surname(signed_in):
    assert [(row.line, row.first_name, row.last_name, row.status)
            for row in stage_rows(signed_in, "full_names_with_titles.csv")] == [
        (2, "Ann", "Lee", "valid"), (3, "Bob", "Ray Jr.", "valid"), (4, "Hans", "Müller", "valid"),
        (5, "", "Lee", "valid")]
