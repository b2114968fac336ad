"""What admins really bring, tried last: merged header cells, spreadsheet errors, formulas without results,
Chinese and Korean code pages, Slack's bots and TRUE/FALSE cells; each staged as the admin expects."""
from __future__ import annotations

from pathlib import Path

from webapp.imports.reading import read_table
from webapp.imports.staging import read_file
from tests.test_imports_more_exports import stage

DATA = Path(__file__).parent / "data"


def test_a_merged_header_cell_over_a_second_address_does_not_send_the_admin_to_column_matching(signed_in):
    table, column_map = read_file((DATA / "merged_header_cells.xlsx").read_bytes(), "merged_header_cells.xlsx")
    assert table.headers[2:4] == ["Contact email", ""]
    assert column_map.email == 2 and column_map.certain
    assert stage(signed_in, "merged_header_cells.xlsx") == [  # stage() fails when sent to column matching
        (2, "Ann", "Lee", "ann@example.com", "valid"), (3, "Ben", "Ng", "ben@example.com", "valid")]


def test_a_slack_export_skips_its_bots_saying_so_and_still_flags_a_person_without_an_address(signed_in):
    table = read_table((DATA / "slack_members_bots.csv").read_bytes(), "slack_members_bots.csv")
    assert [(item.line, item.reason) for item in table.skipped] == [
        (3, "a bot or app account (\u201cBot\u201d), not a person"),
        (4, "a bot or app account (\u201cBot\u201d), not a person"),
        (6, "a bot or app account (\u201cDeactivated Bot\u201d), not a person")]
    assert stage(signed_in, "slack_members_bots.csv") == [
        (2, "Ann", "Lee", "ann@example.com", "valid"), (5, "Ben", "Ng", "ben@example.com", "valid"),
        (7, "Cat", "Ho", "", "invalid")]
