"""Short Czech, Slovak, Polish, Hungarian and Croatian CSVs in Windows-1250 are read in it, not as Windows-1252
("Jiøí Dvoøák"); short French, German, Spanish, Nordic, Italian, Portuguese and Catalan ones stay Windows-1252."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.reading import read_table
from tests.data.make_files import SHORT_CODE_PAGE_FILES

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name, encoding, lines", SHORT_CODE_PAGE_FILES,
                         ids=[name for name, _encoding, _lines in SHORT_CODE_PAGE_FILES])
def test_a_short_file_is_read_in_its_code_page_and_its_names_show_right(name, encoding, lines):
    table = read_table((DATA / name).read_bytes(), name)
    assert (table.encoding, table.encoding_guessed) == (encoding, True)
    assert [";".join(cells) for _line, cells in table.rows] == [line.replace(",", ";") for line in lines[1:]]
