"""Files admins really bring (tests/data/make_brought_files.py): long report preambles, email columns that hold no
addresses, Baltic and Nordic code pages."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.data.make_brought_files import BALTIC_NORDIC_FILES
from tests.test_imports_mapping_rules import people, staged
from webapp.imports.reading import read_table
from webapp.imports.staging import StagingError, read_file

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("name, header_line, email_header, above", [
    # An LMS report: title, filters and notes over 33 filled lines (41 in all with blank ones).
    ("lms_long_preamble.csv", 39, "Email address", 33),
    ("lms_long_preamble.xlsx", 39, "Email address", 33),
    # An HR report's prompts and notes, one note naming the reporting team's address.
    ("hr_long_preamble.csv", 35, "Work Email", 31),
])
def test_a_header_under_a_long_report_preamble_is_found_and_the_preamble_skipped(name, header_line, email_header,
                                                                                 above):
    table, column_map, rows = staged(name)
    assert table.header_line == header_line and not table.headerless and not column_map.doubts
    assert column_map.header_names(table.headers)["email"] == email_header
    assert people(rows) == [(header_line + 1, "Ann", "Lee", "ann.lee@example.com", "valid"),
                            (header_line + 2, "Ben", "Ng", "ben.ng@example.com", "valid"),
                            (header_line + 3, "Cleo", "Patel", "cleo.patel@example.org", "valid")]
    assert [item.reason for item in table.skipped] == ["above the header row"] * above


def test_a_column_headed_email_stays_the_email_column_when_its_cells_are_letters():
    table, column_map, rows = staged("email_headed_letters.csv")
    assert column_map.header_names(table.headers)["email"] == "Email"
    assert column_map.doubts == ["the Email column holds no email addresses"]
    assert people(rows) == [(2, "Ann", "Lee", "Y", "invalid"), (3, "Ben", "Ng", "N", "invalid"),
                            (4, "Cleo", "Patel", "x", "invalid")]
    assert {row.problems[0]["code"] for row in rows} == {"invalid_email"}


def test_tick_boxes_about_email_are_never_the_address():
    table, column_map, rows = staged("email_tick_boxes.csv")
    assert column_map.header_names(table.headers)["email"] == "Email Address" and not column_map.doubts
    assert [row.status for row in rows] == ["valid"] * 3


@pytest.mark.parametrize("text, email_header", [
    # A yes/no "Email" beside a column of addresses is a tick box: the addresses win, found by header or by content.
    ("Name,Email,Email Address\r\nAnn Lee,Y,ann@example.com\r\nBen Ng,N,ben@example.com\r\n", "Email Address"),
    ("Name,E-mail,Login\r\nAnn Lee,Y,ann@example.com\r\nBen Ng,N,ben@example.com\r\n", "Login"),
    ("Name,Send email?,Email\r\nAnn Lee,Y,ann@example.com\r\nBen Ng,N,\r\n", "Email"),
    ("Name,E-mail address\r\nAnn Lee,J\r\nBen Ng,S\r\n", "E-mail address"),
])
def test_the_email_column_among_yes_no_columns(text, email_header):
    table, column_map = read_file(text.encode(), "people.csv")
    assert column_map.header_names(table.headers)["email"] == email_header


@pytest.mark.parametrize("header", ["Send email?", "Email opt-in", "Welcome email"])
def test_a_tick_box_about_email_alone_is_not_taken_for_the_address(header):
    with pytest.raises(StagingError, match="No email column found"):
        read_file(f"Name,{header}\r\nAnn Lee,Y\r\nBen Ng,N\r\n".encode(), "people.csv")


@pytest.mark.parametrize("name, encoding, lines", BALTIC_NORDIC_FILES,
                         ids=[name for name, _encoding, _lines in BALTIC_NORDIC_FILES])
def test_a_baltic_or_nordic_file_is_read_in_its_code_page_and_its_names_stage_right(name, encoding, lines):
    table, _column_map, rows = staged(name)
    assert (table.encoding, table.encoding_guessed) == (encoding, True)
    assert [";".join(cells) for _line, cells in table.rows] == lines[1:]
    assert [row.status for row in rows] == ["valid"] * (len(lines) - 1)


@pytest.mark.parametrize("text, encoding", [
    # Letters that read as Baltic ones in Windows-1257 but are not: Croatian đ and ć, Icelandic ð and þ, Hungarian ő,
    # Turkish and Albanian ç.
    ("Ime;Prezime;Email\r\nIvan;Đurđević;ivan@example.hr\r\n", "cp1250"),
    ("Fornafn;Eftirnafn;Netfang\r\nGuðrún;Þórsdóttir;gudrun@example.is\r\n", "cp1252"),
    ("Vezetéknév;Keresztnév;Email\r\nKőrösi;Dezső;dezso@example.hu\r\n", "cp1250"),
    ("Prénom;Nom;Email\r\nFrançois;Gaëlle Noël;francois@example.fr\r\n", "cp1252"),
    ("Name,Email\r\nAlbert Çelik,albert@example.com\r\nEmre Koç,emre@example.com\r\n", "cp1252"),
    ("Name,Email\r\nÞór Eiðsson,thor@example.is\r\n", "cp1252"),
])
def test_central_european_and_western_files_are_not_taken_for_baltic(text, encoding):
    assert read_table(text.encode(encoding), "people.csv").encoding == encoding
