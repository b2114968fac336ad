"""The rows a workbook hid are marked in the staged table, so an admin who filtered finds them without counting
line numbers; when only the first few hidden rows are known, none is marked rather than some."""
from __future__ import annotations

import re

from sqlalchemy.orm.attributes import flag_modified

from tests.test_imports_canvas import latest_batch
from tests.test_imports_more_exports import stage_rows
from webapp.extensions import db

MARK = "Hidden in the spreadsheet."


def marked_lines(html: str) -> list[int]:
    rows = re.findall(r'<tr id="row-\d+".*?</tr>', html, re.S)
    return [int(re.search(r'<td class="num">(\d+)</td>', row).group(1)) for row in rows if MARK in row]


def test_each_hidden_row_is_marked_in_the_table_and_in_its_fragments(signed_in):
    stage_rows(signed_in, "filtered_starters.xlsx")
    batch = latest_batch()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert marked_lines(page) == [3, 4, 6]
    row_id = re.search(r'<tr id="row-(\d+)"(?:(?!</tr>).)*?<td class="num">4</td>', page, re.S).group(1)
    edit = signed_in.get(f"/users/import/{batch.id}/rows/{row_id}/edit", headers={"HX-Request": "true"})
    assert MARK in edit.get_data(as_text=True)


def test_no_row_is_marked_when_only_the_first_hidden_rows_are_named(signed_in):
    stage_rows(signed_in, "filtered_starters.xlsx")
    batch = latest_batch()
    batch.read_info["hidden"] = {"count": 12, "lines": [3, 4, 6]}  # as a workbook hiding more than are named
    flag_modified(batch, "read_info")
    db.session.commit()
    page = signed_in.get(f"/users/import/{batch.id}").get_data(as_text=True)
    assert marked_lines(page) == [] and "12 rows were hidden in the spreadsheet" in page
