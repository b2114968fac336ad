"""Excel's "XML Spreadsheet 2003", what HR and LMS systems export as .xls (or .xml): read as a workbook, sheet by
sheet; hostile ones (DOCTYPEs, entities, endless rows, huge cells) refused with a sentence, never expanded."""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from tests.test_imports_canvas import latest_batch
from tests.test_imports_hostile import _refused
from tests.test_imports_more_exports import stage_rows
from webapp.imports import spreadsheetml, workbook_child
from webapp.imports.reading import ReadLimits, UnreadableFile, read_table
from webapp.imports.uploads import Upload

DATA = Path(__file__).parent / "data"
_PROLOG = b'<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
_OPEN = (b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
         b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="People"><Table>')
_CLOSE = b"</Table></Worksheet></Workbook>"
_PEOPLE = b"".join(b'<Row><Cell><Data ss:Type="String">%s</Data></Cell><Cell><Data ss:Type="String">%s</Data></Cell>'
                   b"</Row>" % pair for pair in [(b"First Name", b"Email"), (b"Ann", b"ann@example.com")])


def _workbook(rows: bytes = b"", before: bytes = b"") -> bytes:
    return _PROLOG + before + _OPEN + _PEOPLE + rows + _CLOSE


# ---- read as a workbook ----------------------------------------------------------------------------------

def test_an_hr_export_is_read_with_numbers_dates_and_rich_text_as_a_person_types_them():
    table = read_table((DATA / "hr_export_2003.xls").read_bytes(), "hr_export_2003.xls")
    assert table.headers == ["First Name", "Last Name", "Email", "Start Date", "Employee No", "Active"]
    assert table.rows == [
        (2, ["José", "Müller", "jose.muller@example.com", "2024-09-01", "1042", "TRUE"]),
        (3, ["太郎", "山田", "taro@example.jp", "2024-09-02 08:30", "1043.5", "FALSE"]),
        (4, ["Zoë", "O'Brien", "zoe@example.ie", "2024-09-03", "1044", "TRUE"])]
    assert (table.sheet, table.sheet_names, table.delimiter) == ("Staff", ["Staff"], None)


def test_an_lms_export_offers_every_sheet_and_reads_skipped_rows_columns_merged_title_and_hidden_row():
    table = read_table((DATA / "lms_export_2003.xml").read_bytes(), "lms_export_2003.xml")
    assert table.sheet_names == ["Read me", "Learners", "Lookups"]
    assert table.sheet == "Learners"  # the sheet with the people, not the first one
    assert table.header_line == 3
    assert [(item.line, item.text) for item in table.skipped] == [(1, "Spring cohort 2025")]
    assert table.rows == [(4, ["Ana", "Gómez", "ana@example.es", "Dr Ng"]),
                          (5, ["Ben", "Smith", "ben@example.com", "Dr Ng"]),
                          (7, ["李", "王", "li.wang@example.cn", ""]),
                          (8, ["Chloé", "", "chloe@example.fr", "Ms Roe"])]
    assert table.hidden_lines == [(5, 5)]


def test_a_sheet_is_chosen_by_its_name_and_an_unknown_name_lists_the_sheets():
    data = (DATA / "lms_export_2003.xml").read_bytes()
    assert read_table(data, "people.xls", sheet="Learners").rows[0] == (4, ["Ana", "Gómez", "ana@example.es",
                                                                              "Dr Ng"])
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, "people.xls", sheet="Sheet1")
    assert str(refused.value) == ("The workbook has no sheet named \u201cSheet1\u201d. Its sheets are: \u201cRead "
                                  "me\u201d, \u201cLearners\u201d, \u201cLookups\u201d. Choose one of those.")


def test_sheet_visibility_cells_counted_from_the_first_filled_column_and_merged_across(tmp_path):
    data = (_PROLOG + b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" '
            b'xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
            b'<Worksheet ss:Name="Shown"><Table>'
            b'<Row><Cell ss:Index="3" ss:MergeAcross="1"><Data ss:Type="String">Name</Data></Cell>'
            b'<Cell><Data ss:Type="String">Email</Data></Cell></Row>'
            b'<Row ss:Hidden="1"><Cell ss:Index="3"><Data ss:Type="String">Ann</Data></Cell></Row>'
            b'<Row ss:Hidden="1"><Cell ss:Index="4"><Data ss:Type="String">Lee</Data></Cell></Row>'
            b"</Table></Worksheet>"
            b'<Worksheet ss:Name="Old"><Table/><WorksheetOptions xmlns="urn:schemas-microsoft-com:office:excel">'
            b"<Visible>SheetVeryHidden</Visible></WorksheetOptions></Worksheet></Workbook>")
    lines = _child_lines(data)
    assert lines[0] == {"sheet": "Shown", "visible": True, "rows": 3, "merged": [[1, 0, 1, 1]], "hidden": [[2, 3]],
                        "links": []}
    assert lines[1:4] == [[1, ["Name", "", "Email"]], [2, ["Ann"]], [3, ["", "Lee"]]]
    assert lines[4] == {"sheet": "Old", "visible": False, "rows": 0, "merged": [], "hidden": [], "links": []}
    assert lines[-1] == {"done": True}


def _child_lines(data: bytes, **limits) -> list:
    """What the workbook child writes for these bytes (run here, in this process)."""
    out = io.BytesIO()
    settings = {"max_rows": 1000, "max_columns": 200, "max_cell_chars": 10_000, "kind": "xml", **limits}
    result = workbook_child.write_sheets(io.BytesIO(data), out, settings)
    return [json.loads(line) for line in out.getvalue().splitlines()] + [result]


@pytest.mark.parametrize("kind, text, shown", [
    ("Number", "42", "42"), ("Number", "3.5", "3.5"), ("Number", "1.5E3", "1500"), ("Number", "-0.25", "-0.25"),
    ("Number", "4915112345678", "4915112345678"), ("Number", "n/a", "n/a"),
    ("DateTime", "2024-01-31T00:00:00.000", "2024-01-31"), ("DateTime", "2024-01-31T09:30:00.000", "2024-01-31 09:30"),
    ("DateTime", "1899-12-31T09:30:00.000", "09:30:00"), ("DateTime", "soon", "soon"),
    ("Boolean", "1", "TRUE"), ("Boolean", "0", "FALSE"),
    ("String", "007", "007"), ("String", " two  spaces ", " two  spaces "), ("Error", "#N/A", "#N/A"),
])
def test_typed_cells_become_the_text_another_workbook_gives(kind, text, shown):
    cell = b'<Row><Cell><Data ss:Type="%s">%s</Data></Cell></Row>' % (kind.encode(), text.encode())
    assert _child_lines(_PROLOG + _OPEN + cell + _CLOSE)[1] == [1, [shown]]


@pytest.mark.parametrize("head, found", [
    (_PROLOG + _OPEN, True),
    (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\r\n' + _OPEN, True),  # a BOM, no mso-application
    ((_PROLOG + _OPEN).decode().encode("utf-16"), True),
    (b'<?xml version="1.0"?><people><person email="ann@example.com"/></people>', False),
    (b"Name,Email\r\nAnn,urn:schemas-microsoft-com:office:spreadsheet\r\n", False),  # text that names it
])
def test_excel_2003_xml_is_known_by_its_first_bytes(head, found):
    assert spreadsheetml.looks_like_spreadsheetml(head[:4096]) is found


@pytest.mark.parametrize("encoding", ["UTF-16", "windows-1252"])
def test_excel_2003_xml_in_the_encoding_it_declares_is_read(encoding):
    data = _workbook(b'<Row><Cell><Data ss:Type="String">Jos\xc3\xa9 \xe2\x82\xac</Data></Cell>'
                     b'<Cell><Data ss:Type="String">jose@example.com</Data></Cell></Row>').decode()
    data = data.replace('<?xml version="1.0"?>', f'<?xml version="1.0" encoding="{encoding}"?>')
    assert read_table(data.encode(encoding), "people.xls").rows == [(2, ["Ann", "ann@example.com"]),
                                                                     (3, ["José €", "jose@example.com"])]


# ---- through File Import ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hr_export_2003.xls", "lms_export_2003.xml"])
def test_an_excel_2003_xml_upload_is_staged_like_any_workbook(signed_in, name):
    rows = stage_rows(signed_in, name)
    assert [(row.first_name, row.email, row.status) for row in rows][:3] == {
        "hr_export_2003.xls": [("José", "jose.muller@example.com", "valid"), ("太郎", "taro@example.jp", "valid"),
                               ("Zoë", "zoe@example.ie", "valid")],
        "lms_export_2003.xml": [("Ana", "ana@example.es", "valid"), ("Ben", "ben@example.com", "valid"),
                                ("李", "li.wang@example.cn", "valid")]}[name]
    page = signed_in.get(f"/users/import/{latest_batch().id}").get_data(as_text=True)
    assert "Excel workbook, sheet" in page
    if name == "lms_export_2003.xml":
        assert "1 row was hidden in the spreadsheet, by hand or by a filter (line 5)." in page


@pytest.mark.parametrize("name, data, sentence", [
    ("people.xml", b'<?xml version="1.0"?><people><person email="ann@example.com"/></people>',
     "Files ending in .xml can't be read. Upload a .csv, .tsv, .txt, .xlsx, .ods, .xls or .vcf file."),
    ("people.xls", b'<?xml version="1.0"?><people><person email="ann@example.com"/></people>',
     "The file is an XML file, not a spreadsheet."),
    ("people.xls", _PROLOG + _OPEN + _PEOPLE, "The file could not be opened as a workbook (.xls): it may be damaged"),
])
def test_xml_that_is_no_excel_2003_spreadsheet_keeps_its_sentence(signed_in, name, data, sentence):
    assert sentence in _refused(signed_in, data, name)


# ---- hostile files ---------------------------------------------------------------------------------------

_LAUGHS = (b'<!DOCTYPE Workbook [<!ENTITY lol "lol">'
           + b"".join(b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
                      for n in range(1, 10)) + b"]>")
_XXE = b'<!DOCTYPE Workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
_DOCTYPE = ("The file (.xls) is an Excel 2003 XML spreadsheet with a DOCTYPE or entity declaration, which Excel never "
            "writes and which can make a reader fetch or expand hidden content, so it was not read. Open it in Excel, "
            "save it as .xlsx or CSV, and upload that.")


@pytest.mark.parametrize("declaration, entity", [(_LAUGHS, b"&lol9;"), (_XXE, b"&xxe;"),
                                                 (b"<!DOCTYPE Workbook>", b"x")], ids=["laughs", "xxe", "bare"])
def test_a_doctype_is_refused_outright_and_nothing_expanded(signed_in, declaration, entity):
    row = b'<Row><Cell><Data ss:Type="String">' + entity + b"</Data></Cell></Row>"
    page = _refused(signed_in, _workbook(row, before=declaration), "people.xls")
    assert _DOCTYPE in page
    assert "root:" not in page and "lollol" not in page


def test_two_million_empty_rows_are_passed_over_quickly():
    started = time.monotonic()
    table = read_table(_workbook(b"<Row/>" * 1_000_000 + b'<Row><Cell><Data ss:Type="String">Bo</Data></Cell>'
                                 b'<Cell><Data ss:Type="String">bo@example.com</Data></Cell></Row>'
                                 + b"<Row/>" * 1_000_000), "people.xls")
    assert table.rows == [(2, ["Ann", "ann@example.com"]), (1_000_003, ["Bo", "bo@example.com"])]
    assert time.monotonic() - started < 30


def test_rows_past_the_limit_are_refused_naming_the_setting(signed_in):
    signed_in.application.config["IMPORT_MAX_ROWS"] = 5
    rows = b"".join(b'<Row><Cell><Data ss:Type="String">P%d</Data></Cell><Cell><Data ss:Type="String">p%d@example.com'
                    b"</Data></Cell></Row>" % (n, n) for n in range(10))
    assert ("The sheet \u201cPeople\u201d has 12 rows, more than the 5 this importer reads (setting IMPORT_MAX_ROWS)."
            in _refused(signed_in, _workbook(rows), "people.xls"))


@pytest.mark.parametrize("row, sentence", [
    (b'<Row><Cell ss:Index="16384"><Data ss:Type="String">far</Data></Cell></Row>',
     "Row 3 of the sheet \u201cPeople\u201d has 16,384 columns, more than the 200 this importer reads (setting "
     "IMPORT_MAX_COLUMNS)."),
    (b'<Row><Cell><Data ss:Type="String">' + b"x" * 10_001 + b"</Data></Cell></Row>",
     "Row 3, column 1 of the sheet \u201cPeople\u201d holds 10,001 characters, more than the 10,000 a cell may hold "
     "(setting IMPORT_MAX_CELL_CHARS)."),
    (b'<Row ss:Index="3000000000"><Cell><Data ss:Type="String">far</Data></Cell></Row>',
     "Row 3,000,000,000 of the sheet \u201cPeople\u201d is past the last row a spreadsheet has (1,048,576), so the file "
     "(.xls) is damaged. Open it in your spreadsheet program, save it as .xlsx or CSV, and upload that."),
    (b'<Row ss:Index="1"><Cell><Data ss:Type="String">again</Data></Cell></Row>', "could not be opened as a workbook"),
    (b'<Row><Cell ss:Index="x"><Data ss:Type="String">x</Data></Cell></Row>', "could not be opened as a workbook"),
    (b'<Row><Cell ss:Index="' + b"9" * 5000 + b'"/></Row>', "could not be opened as a workbook"),
])
def test_cells_past_the_limits_or_out_of_order_are_refused_with_a_sentence(signed_in, row, sentence):
    assert sentence in _refused(signed_in, _workbook(row), "people.xls")


def test_a_two_hundred_megabyte_cell_is_refused_by_the_cell_limit_without_being_held(tmp_path):
    path = tmp_path / "huge_cell.xls"
    with path.open("wb") as stream:
        stream.write(_PROLOG + _OPEN + _PEOPLE + b'<Row><Cell><Data ss:Type="String">')
        for _ in range(200):
            stream.write(b"a" * (1 << 20))
        stream.write(b"</Data></Cell></Row>" + _CLOSE)
    with pytest.raises(UnreadableFile) as refused:
        read_table(Upload(path), "huge_cell.xls", limits=ReadLimits(parse_memory_mb=256))
    assert str(refused.value) == (
        "Row 3, column 1 of the sheet \u201cPeople\u201d holds 209,715,200 characters, more than the 10,000 a cell may "
        "hold (setting IMPORT_MAX_CELL_CHARS). Shorten that cell and upload the file again.")


def test_more_sheets_than_any_workbook_holds_are_refused(signed_in):
    sheets = b'<Worksheet ss:Name="S"><Table/></Worksheet>' * (spreadsheetml.MAX_SHEETS + 1)
    data = _workbook().replace(b"</Workbook>", sheets + b"</Workbook>")
    assert "The workbook (.xls) holds more than 10,000 sheets" in _refused(signed_in, data, "people.xls")


def test_text_named_xml_is_not_read_as_excel_xml():
    with pytest.raises(UnreadableFile, match="Files ending in .xml can't be read"):
        read_table(b"Name,Email\r\nAnn,ann@example.com\r\n", "people.xml")


def test_an_email_cell_linking_to_a_mailto_is_read_as_the_links_address(signed_in):
    from tests.test_imports_qa_files import stage

    def row(first: bytes, email: bytes, href: bytes | None = None, first_href: bytes | None = None) -> bytes:
        # The table starts in column B, as an export with a blank first column does: links are counted from there.
        linked = b' ss:HRef="%s"' % href if href else b""
        named = b' ss:HRef="%s"' % first_href if first_href else b""
        return (b'<Row><Cell ss:Index="2"%s><Data ss:Type="String">%s</Data></Cell>'
                b'<Cell%s><Data ss:Type="String">%s</Data></Cell></Row>' % (named, first, linked, email))

    data = (_PROLOG + _OPEN + row(b"First Name", b"Email")
            + row(b"Bob", b"Email me", b"mailto:bob@example.com?subject=Welcome")
            + row(b"Cy", b"cy@example.com", b"mailto:other@example.com")  # the address shown is kept
            + row(b"Dee", b"Dee Ray", b"mailto:dee%40example.com")
            + row(b"Eve", b"Eve", b"https://example.com/eve")  # a web link is no address
            + row(b"Fay", b"fay@example.com", first_href=b"mailto:boss@example.com")  # a name stays a name
            + _CLOSE)
    rows = stage(signed_in, "people.xls", data)
    assert [(rows[line].first_name, rows[line].email, rows[line].status) for line in sorted(rows)] == [
        ("Bob", "bob@example.com", "valid"), ("Cy", "cy@example.com", "valid"), ("Dee", "dee@example.com", "valid"),
        ("Eve", "Eve", "invalid"), ("Fay", "fay@example.com", "valid")]
