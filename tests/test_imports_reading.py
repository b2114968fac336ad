"""Reading uploaded files: encodings, delimiters, quoting, row shapes, workbooks and unreadable files."""
from __future__ import annotations

from pathlib import Path

import pytest

from webapp.imports.reading import (
    DELIMITER_CHOICES,
    ENCODING_CHOICES,
    ReadLimits,
    UnreadableFile,
    read_table,
)

DATA = Path(__file__).parent / "data"
TEMPLATE_HEADERS = ["First Name", "Last Name", "Email Address"]


def read(name: str, **choices):
    return read_table((DATA / name).read_bytes(), name, **choices)


@pytest.mark.parametrize(
    "name, encoding, delimiter, first_row",
    [
        ("utf8_bom.csv", "utf-8-sig", ",", ["José", "García", "jose.garcia@example.com"]),
        ("utf8_no_bom.csv", "utf-8", ",", ["Renée", "Côté", "renee@example.com"]),
        ("cp1252_semicolon.csv", "cp1252", ";", ["José", "Núñez", "jose.nunez@example.com"]),
        ("utf16_tab.txt", "utf-16", "\t", ["Jürgen", "Schäfer", "jurgen@example.com"]),
        ("pipe_delimited.txt", "utf-8", "|", ["Pia", "Pipe", "pia@example.com"]),
    ],
)
def test_encoding_and_delimiter_are_detected(name, encoding, delimiter, first_row):
    table = read(name)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert (table.encoding_detected, table.delimiter_detected) == (encoding, delimiter)
    assert table.rows[0] == (2, first_row)


def test_bom_never_reaches_the_first_header():
    assert read("utf8_bom.csv").headers == TEMPLATE_HEADERS
    assert read("utf16_tab.txt").headers == TEMPLATE_HEADERS


def test_cp1252_accents_and_curly_quotes_survive():
    names = [cells[:2] for _, cells in read("cp1252_semicolon.csv").rows]
    assert names == [["José", "Núñez"], ["Zoë", "Müller"], ["François", "L\u2019Hôte"]]


def test_invalid_utf8_bytes_are_read_as_cp1252():
    data = "First Name,Last Name,Email\nZoë,Ça,zoe@example.com\n".encode("cp1252")
    table = read_table(data, "people.csv")
    assert table.encoding == "cp1252"
    assert table.rows == [(2, ["Zoë", "Ça", "zoe@example.com"])]


def test_a_late_invalid_utf8_byte_still_means_cp1252():
    data = ("First Name,Last Name,Email\n" + "Ann,Ames,ann@example.com\n" * 2000).encode() + "Zoë,X,z@example.com\n".encode("cp1252")
    table = read_table(data, "people.csv")
    assert table.encoding == "cp1252"
    assert table.rows[-1][1][0] == "Zoë"


def test_chosen_encoding_and_delimiter_override_detection():
    table = read("cp1252_semicolon.csv", encoding="cp1252", delimiter=",")
    assert (table.encoding_detected, table.delimiter_detected) == ("cp1252", ";")
    assert table.delimiter == ","
    assert table.headers == ["Prénom;Nom;Adresse e-mail"]


def test_choosing_utf8_for_a_cp1252_file_says_what_to_do():
    with pytest.raises(UnreadableFile, match="not valid UTF-8 text.*Choose another encoding"):
        read("cp1252_semicolon.csv", encoding="utf-8")


@pytest.mark.parametrize(
    "text, delimiter",
    [
        # A comma inside names would fool a count of characters; field-count consistency is not fooled.
        ("First Name;Last Name;Email\nSmith, Jr;Ann;a@example.com\nLee;Bo, Jr;b@example.com\n", ";"),
        ("Name,Email\nAnn Ames;Sales,ann@example.com\nBo Lee,bo@example.com\n", ","),
        ("First Name\tLast Name\tEmail\nAnn\tAmes\tann@example.com\n", "\t"),
        ('"First Name","Last Name","Email"\n"Ann","Ames; PhD","ann@example.com"\n', ","),
        ("Email\nann@example.com\n", ","),
    ],
)
def test_delimiter_is_the_one_with_consistent_field_counts(text, delimiter):
    assert read_table(text.encode(), "people.csv").delimiter == delimiter


def test_quoted_commas_quotes_and_line_breaks_keep_their_row_and_line():
    table = read("quoted_fields.csv")
    assert [(line, cells[:2]) for line, cells in table.rows] == [
        (2, ["Mary, Jr.", "Smith"]),
        (3, ["Tom", 'O\'Neil "Tommy"']),
        (6, ["Ann", "Lee"]),
    ]
    assert table.rows[1][1][3] == "Line one\r\nline two\r\nline three"


def test_blank_rows_trailing_columns_short_and_long_rows():
    table = read("messy_shape.csv")
    assert table.headers == TEMPLATE_HEADERS
    assert table.rows == [
        (2, ["Ann", "Ames", "ann@example.com"]),
        (5, ["Short", "Row", ""]),
        (6, ["Long", "Row", "long@example.com", "extra", "more"]),
        (8, ["Last", "Row", "last@example.com"]),
    ]


def test_rows_of_invisible_spaces_count_as_blank():
    table = read("invisible_spaces.csv")
    assert [line for line, _ in table.rows] == [2, 3, 5]
    assert table.headers[0] == "First Name"


def test_old_mac_line_endings_are_lines_too():
    table = read_table(b"First Name,Last Name,Email\rAnn,Ames,ann@example.com\rBo,Lee,bo@example.com\r", "a.csv")
    assert [line for line, _ in table.rows] == [2, 3]


def test_xlsx_reads_the_first_sheet_with_data_and_numbers_as_typed():
    table = read("people.xlsx")
    assert (table.encoding, table.delimiter, table.delimiter_detected) == ("xlsx", None, None)
    assert table.headers == ["First Name", "Last Name", "Email Address", "Employee ID", "Start Date"]
    assert table.rows == [
        (3, ["Kofi", "Mensah", "kofi@example.com", "42", "2024-01-31"]),
        (5, [" Lena ", "Vogel", "LENA@example.com", "43.5", "2024-02-01 09:30"]),
        (6, ["Omar", "", "omar@example.com", "", ""]),
    ]


def test_a_workbook_uploaded_with_a_csv_name_is_still_read_as_a_workbook():
    table = read_table((DATA / "people.xlsx").read_bytes(), "people.csv")
    assert table.encoding == "xlsx"
    assert table.rows[0][1][0] == "Kofi"


@pytest.mark.parametrize(
    "name, message",
    [
        ("empty.csv", "The file is empty."),
        ("header_only.csv", "The file has a header row but no people in it."),
        ("corrupt.xlsx", "could not be opened as a workbook (.xlsx)"),
        ("people.xls", "could not be opened as a workbook (.xls)"),
    ],
)
def test_unreadable_files_get_a_clear_message(name, message):
    with pytest.raises(UnreadableFile) as caught:
        read(name)
    assert message in str(caught.value)


@pytest.mark.parametrize("filename", ["people.pdf", "people", "people.docx"])
def test_unknown_extensions_are_refused_with_the_accepted_ones_named(filename):
    with pytest.raises(UnreadableFile, match=r"Upload a \.csv, \.tsv, \.txt, \.xlsx, \.ods, \.xls or \.vcf file"):
        read_table(b"First Name,Email\nAnn,ann@example.com\n", filename)


def test_binary_data_with_a_text_name_is_refused():
    with pytest.raises(UnreadableFile, match="doesn't look like text"):
        read_table(b"\x00\x01\x02binary\x00stuff", "people.csv")


def test_an_empty_workbook_is_refused():
    from io import BytesIO

    from openpyxl import Workbook

    buffer = BytesIO()
    Workbook().save(buffer)
    with pytest.raises(UnreadableFile, match="no data in any sheet"):
        read_table(buffer.getvalue(), "empty.xlsx")


@pytest.mark.parametrize("choices, values", [
    (ENCODING_CHOICES, ["utf-8-sig", "utf-8", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "cp1250", "cp1251",
                        "cp1257", "iso-8859-1", "iso-8859-2", "iso-8859-15", "mac-roman", "cp932", "gb18030", "big5",
                        "cp949"]),
    (DELIMITER_CHOICES, [",", ";", "\t", "|"]),
])
def test_choices_offer_every_supported_value_with_a_label(choices, values):
    assert [value for value, _ in choices] == values
    assert all(label for _, label in choices)


@pytest.mark.parametrize(
    "data, encoding, first_name",
    [
        ("First Name\tEmail\r\nJürgen\tj@example.com\r\n".encode("utf-16"), "utf-16", "Jürgen"),
        (b"\xfe\xff" + "First Name\tEmail\r\nJürgen\tj@example.com\r\n".encode("utf-16-be"), "utf-16", "Jürgen"),
        # 0x81 is undefined in cp1252: one odd byte must not make the whole file unreadable.
        (b"First Name,Email\r\nAn\x81n,ann@example.com\r\n", "cp1252", "An\ufffdn"),
    ],
)
def test_unusual_but_real_encodings_are_read(data, encoding, first_name):
    table = read_table(data, "people.txt")
    assert table.encoding == encoding
    assert table.rows[0][1][0] == first_name


# ---- legacy encodings, UTF-16 without a BOM, mojibake ------------------------------------------------------

@pytest.mark.parametrize("name, encoding, guessed, headers, first_row", [
    ("cp1250_polish.csv", "cp1250", True, ["Imię", "Nazwisko", "E-mail"],
     ["Łukasz", "Wiśniewski", "lukasz@example.pl"]),
    ("cp1251_cyrillic.csv", "cp1251", True, ["Имя", "Фамилия", "Почта"],
     ["Александр", "Иванов", "alexander@example.ru"]),
    ("mac_roman.csv", "mac-roman", True, TEMPLATE_HEADERS, ["Renée", "Côté", "renee@example.com"]),
    ("iso8859_15.csv", "iso-8859-15", True, ["Prénom", "Nom", "Courriel"], ["Šárka", "Œuvrard", "sarka@example.fr"]),
    ("cp1252_semicolon.csv", "cp1252", True, ["Prénom", "Nom", "Adresse e-mail"],
     ["José", "Núñez", "jose.nunez@example.com"]),
    ("utf16le_no_bom.txt", "utf-16-le", False, TEMPLATE_HEADERS, ["Zoë", "Brontë", "zoe@example.com"]),
    ("utf16be_no_bom.txt", "utf-16-be", False, TEMPLATE_HEADERS, ["Zoë", "Brontë", "zoe@example.com"]),
    ("utf16be_bom.txt", "utf-16", False, TEMPLATE_HEADERS, ["Zoë", "Brontë", "zoe@example.com"]),
    ("utf8_no_bom.csv", "utf-8", False, TEMPLATE_HEADERS, ["Renée", "Côté", "renee@example.com"]),
])
def test_the_encoding_is_chosen_so_names_read_as_written(name, encoding, guessed, headers, first_row):
    table = read(name)
    assert (table.encoding, table.encoding_detected, table.encoding_guessed) == (encoding, encoding, guessed)
    assert table.headers == headers
    assert table.rows[0] == (2, first_row)


def test_a_chosen_encoding_is_not_a_guess():
    table = read("cp1250_polish.csv", encoding="cp1250")
    assert table.encoding == "cp1250" and not table.encoding_guessed


def test_utf8_names_already_garbled_are_read_as_they_are_for_the_pipeline_to_flag():
    from webapp.imports.reading import looks_like_mojibake

    table = read("mojibake_names.csv")
    assert table.encoding == "utf-8"
    assert [looks_like_mojibake(cells[0]) for _, cells in table.rows] == [True, True, True, False]


@pytest.mark.parametrize("text, garbled", [
    ("JosÃ©", True), ("Å‚ukasz", True), ("Ð¸Ð²Ð°Ð½", True), ("RenŽe", True), ("O\u2019Neil â€™", True),
    ("Jos\x85", True), ("Ren\ufffde", True), ("РёРІР°РЅ", True),
    ("José", False), ("Łukasz", False), ("Đorđe", False), ("Dvořák", False), ("Иван", False), ("Ãlvaro", False),
    ("O\u2019Neil", False), ("Ann", False), ("Žofie", False), ("Müller-Lüdenscheidt", False),
])
def test_looks_like_mojibake(text, garbled):
    from webapp.imports.reading import looks_like_mojibake

    assert looks_like_mojibake(text) is garbled


# ---- hostile text ------------------------------------------------------------------------------------------

def test_stray_control_characters_stay_in_their_cells_for_cleaning_to_flag():
    table = read("control_characters.csv")
    assert [line for line, _ in table.rows] == [2, 3]
    assert sum(len(cell) for _, cells in table.rows for cell in cells) - len("AnnAmesann@example.comBoLeebo@example.com") == 3


def test_a_nul_far_into_a_large_file_is_not_fatal():
    data = b"Name,Email\n" + b"Ann,ann@example.com\n" * 3000 + b"B\x00o,bo@example.com\n"
    table = read_table(data, "people.csv")
    assert table.rows[-1] == (3002, ["B\x00o", "bo@example.com"])


@pytest.mark.parametrize("name, message", [
    ("binary.csv", "The file doesn't look like text."),
    ("open_quote.csv", "A quotation mark opened on line 3 is never closed, so lines 3 to 63 were read as one cell."),
    ("open_quote_at_end.csv", "A quotation mark opened on line 3 is never closed, so lines 3 to 4"),
    ("long_cell.csv", "Line 3, column 4 holds 10,001 characters, more than the 10,000 a cell may hold "
                      "(setting IMPORT_MAX_CELL_CHARS)."),
])
def test_hostile_text_files_are_refused_saying_where(name, message):
    with pytest.raises(UnreadableFile) as caught:
        read(name)
    assert message in str(caught.value)


@pytest.mark.parametrize("limits, data, message", [
    (ReadLimits(max_columns=3), b"a,b,c,d\n1,2,3,4\n", "Line 1 has 4 fields, more than the 3 columns this importer "
                                                      "reads (setting IMPORT_MAX_COLUMNS)"),
    (ReadLimits(max_rows=2), b"Email\na@example.com\nb@example.com\nc@example.com\n",
     "more than 2 rows, the most this importer reads (setting IMPORT_MAX_ROWS)"),
    (ReadLimits(max_cell_chars=5), b"Email\nann@example.com\n", "Line 2, column 1 holds 15 characters"),
])
def test_text_over_the_limits_is_refused_naming_the_setting(limits, data, message):
    with pytest.raises(UnreadableFile) as caught:
        read_table(data, "people.csv", limits=limits)
    assert message in str(caught.value)


def test_trailing_empty_fields_do_not_count_against_the_column_limit():
    table = read_table(b"Name,Email" + b"," * 500 + b"\nAnn,ann@example.com\n", "a.csv")
    assert table.headers == ["Name", "Email"]


def test_limits_come_from_the_app_settings(app):
    app.config["IMPORT_MAX_CELL_CHARS"] = 5
    assert ReadLimits.from_config(app.config).max_cell_chars == 5
    with app.app_context(), pytest.raises(UnreadableFile, match="IMPORT_MAX_CELL_CHARS"):
        read_table(b"Email\nann@example.com\n", "people.csv")
