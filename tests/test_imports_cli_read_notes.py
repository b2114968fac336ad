"""`flask users import` says how it read the file as the staged page does: the encoding by the name the page
shows ("Windows-1250", guessed or not), and the rows the spreadsheet hid, in its JSON and in its summary."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_imports_cli import run

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name, encoding, encoding_name, guessed", [
    ("import_mixed.csv", "utf-8", "UTF-8", False),
    ("short_czech_cp1250.csv", "cp1250", "Windows-1250", True),
    ("short_french_cp1252.csv", "cp1252", "Windows-1252", True),
])
def test_the_json_report_names_the_encoding_as_the_page_does(runner, org, name, encoding, encoding_name, guessed):
    result = run(runner, str(DATA / name), "--org", "acme", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["encoding"], report["encoding_name"], report["encoding_guessed"]) == (encoding, encoding_name,
                                                                                           guessed)
    assert report["hidden"] is None


@pytest.mark.parametrize("name", ["filtered_starters.xlsx", "filtered_starters.ods", "filtered_starters.xls"])
def test_the_rows_a_spreadsheet_hid_are_in_the_json_report_and_the_summary(runner, org, name):
    result = run(runner, str(DATA / name), "--org", "acme", "--json", "--dry-run")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["hidden"] == {"count": 3, "lines": [3, 4, 6]}
    assert [row["line"] for row in report["rows"]] == [2, 3, 4, 5, 6, 7]
    summary = run(runner, str(DATA / name), "--org", "acme", "--dry-run")
    assert ("3 rows were hidden in the spreadsheet, by hand or by a filter (lines 3, 4, 6): they were read like "
            "every other row, so delete them from the file before importing it if they should not be "
            "imported.") in summary.output


def test_after_creating_the_summary_says_the_hidden_rows_were_read_too(runner, org):
    result = run(runner, str(DATA / "filtered_starters.xlsx"), "--org", "acme")
    assert result.exit_code == 0, result.output
    assert ("3 rows were hidden in the spreadsheet, by hand or by a filter (lines 3, 4, 6): they were read like "
            "every other row.\nCreated: 6. Failed: 0.") in result.output
