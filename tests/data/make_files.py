"""Write the golden import files in this folder: run `python tests/data/make_files.py` after changing it."""
from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent


def write(name: str, text: str, encoding: str = "utf-8") -> None:
    """Write text byte for byte: line endings are part of the text, never translated."""
    (HERE / name).write_bytes(text.encode(encoding))


def crlf(*lines: str) -> str:
    return "".join(line + "\r\n" for line in lines)


def make_text_files() -> None:
    write("utf8_bom.csv", crlf(
        "First Name,Last Name,Email Address",
        "José,García,jose.garcia@example.com",
        "Zoë,Brontë,zoe.bronte@example.com",
        "Åsa,Øberg,asa.oberg@example.org",
    ), "utf-8-sig")
    write("utf8_no_bom.csv", "First Name,Last Name,Email Address\nRenée,Côté,renee@example.com\n")
    write("cp1252_semicolon.csv", crlf(
        "Prénom;Nom;Adresse e-mail",
        "José;Núñez;jose.nunez@example.com",
        "Zoë;Müller;zoe.muller@example.com",
        "François;L’Hôte;francois@example.org",
    ), "cp1252")
    # Excel's "Unicode Text": UTF-16 little-endian with a BOM, tab-delimited, CRLF.
    write("utf16_tab.txt", "\ufeff" + crlf(
        "First Name\tLast Name\tEmail Address",
        "Jürgen\tSchäfer\tjurgen@example.com",
        "Siobhán\tÓ Briain\tsiobhan@example.com",
    ), "utf-16-le")
    write("quoted_fields.csv", crlf(
        "First Name,Last Name,Email Address,Notes",
        '"Mary, Jr.",Smith,mary@example.com,"Likes, commas"',
        'Tom,"O\'Neil ""Tommy""",tom@example.com,"Line one',
        'line two',
        'line three"',
        "Ann,Lee,ann@example.com,",
    ))
    write("invisible_spaces.csv", crlf(
        "\u200bFirst Name\u00a0,Last\u00a0Name,Email Address\u200b",
        "\u00a0Anna\u00a0,\u202fKarlsson\u00a0\u00a0Berg ,\u200banna@example.com\ufeff",
        " Ben \u200b,  Ng  , BEN@EXAMPLE.COM ",
        "\u00a0,\u200b,\u00a0\u200b",
        "Cleo,Pa\u200btel,cleo@example.com",
    ))
    write("duplicates_conflicts.csv", crlf(
        "First Name,Last Name,Email Address",
        "Amy,Adams,amy@example.com",
        "Bob,Brown,bob@example.com",
        " Amy , Adams ,AMY@example.com",
        "Amy,Adams-Smith,amy@example.com",
        "Bob,Brown,bob@example.com",
        "Cat,Cole,cat@example.com",
    ))
    write("invalid_emails.csv", crlf(
        "First Name,Last Name,Email Address",
        "Good,Person,good@example.com",
        "No,Email,",
        "No,At,no.at.example.com",
        "Two,Ats,two@@example.com",
        "Space,Inside,space inside@example.com",
        "Reserved,Domain,someone@example.test",
        ",,nobody@example.com",
        "Wrapped,Address,Wrapped Address <wrapped@example.com>",
    ))
    write("account_types.csv", crlf(
        "First Name,Last Name,Email Address,Account Type",
        "Una,User,una@example.com,",
        "Lee,Learner,lee@example.com,Learner",
        "Ada,Admin,ada@example.com,Administrator",
        "Max,Manager,max@example.com,team manager",
        "Gus,Guest,gus@example.com,GUEST",
        "Sam,Super,sam@example.com,Superuser",
    ))
    write("google_workspace.csv", crlf(
        "First Name [Required],Last Name [Required],Email Address [Required],Password [Required],"
        "Password Hash Function [UPLOAD ONLY],Org Unit Path [Required],New Primary Email [UPLOAD ONLY],"
        "Recovery Email,Home Secondary Email,Work Secondary Email,Recovery Phone [MUST BE IN THE E.164 FORMAT],"
        "Work Phone,Employee ID,Employee Type,Employee Title,Manager Email,Department,Cost Center,"
        "Last Sign In [READ ONLY],Email Usage [READ ONLY]",
        "Priya,Shah,priya.shah@example.com,****,,/Staff,,priya.home@example.org,,,+441234567890,,E-101,"
        "Full time,Analyst,boss@example.com,Finance,CC1,2024/05/01 10:00:00,1.2GB",
        "Liam,Walsh,liam.walsh@example.com,****,,/Staff,,,,,,,E-102,Contractor,Engineer,boss@example.com,"
        "IT,CC2,Never logged in,0GB",
    ))
    write("moodle.csv", crlf(
        "username,firstname,lastname,email,auth,idnumber,institution,department,city,country,lang",
        "jdoe,Jane,Doe,jane.doe@example.com,manual,1001,Example College,Biology,Leeds,GB,en",
        "rroe,Richard,Roe,richard.roe@example.com,manual,1002,Example College,History,York,GB,en",
    ))
    write("microsoft365_admin.csv", crlf(
        "Block credential,City,Country/Region,Department,Display name,First name,Last name,"
        "Licenses,Mobile Phone,ObjectId,Office,Phone number,Title,Usage location,User principal name",
        "False,Oslo,Norway,Sales,Ingrid Larsen,Ingrid,Larsen,E3,,1b2c,HQ,,Rep,NO,Ingrid.Larsen@Example.com",
        "False,Oslo,Norway,Sales,Ola Nordmann,Ola,Nordmann,E3,,3d4e,HQ,,Rep,NO,ola.nordmann@example.com",
    ))
    write("entra_users.csv", crlf(
        "userPrincipalName,displayName,surname,mail,givenName,objectId,userType,jobTitle,department,"
        "accountEnabled,alternateEmailAddress",
        "kim.lee@example.com,Kim Lee,Lee,kim.lee@example.com,Kim,a1,Member,Nurse,Ward 4,True,kim@example.org",
        "guest_example.org#EXT#@example.onmicrosoft.com,Pat Guest,Guest,pat@example.org,Pat,a2,Guest,,,True,",
    ))
    write("canvas_users.csv", crlf(
        "canvas_user_id,user_id,login_id,full_name,sortable_name,short_name,email,status",
        "11,u1,carla,Carla Mendes,\"Mendes, Carla\",Carla,carla@example.com,active",
    ))
    write("hr_export.csv", crlf(
        "Employee ID,Legal First Name,Preferred First Name,Family Name,Personal Email,Work Email,Manager Email",
        "7,Robert,Bob,Hughes,bob.home@example.org,bob.hughes@example.com,manager@example.com",
        "8,Margaret,,Hall,meg@example.org,margaret.hall@example.com,manager@example.com",
    ))
    write("no_email.csv", crlf("Name,Phone", "Jane Doe,0123"))
    write("no_header.csv", crlf("Jane,Doe,jane@example.com", "John,Roe,john@example.com"))
    write("messy_shape.csv", crlf(
        "First Name,Last Name,Email Address,,",
        "Ann,Ames,ann@example.com,,",
        "",
        ",,,,",
        "Short,Row",
        "Long,Row,long@example.com,extra,more",
        "   ,  ,   ",
        "Last,Row,last@example.com",
    ))
    write("full_name.csv", crlf(
        "Full Name,Email",
        "Mary Ann  Evans,mary@example.com",
        '"Curie, Marie",marie@example.com',
        "Plato,plato@example.com",
    ))
    write("pipe_delimited.txt", "First Name|Last Name|Email Address\nPia|Pipe|pia@example.com\n")
    write("header_only.csv", crlf("First Name,Last Name,Email Address", ",,"))
    write("empty.csv", "")
    write("corrupt.xlsx", "PK\x03\x04 this was cut off half way through the upload", "latin-1")
    write("people.xls", "not really an old Excel file")


def make_workbook() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2024, 1, 1)
    workbook.active.title = "Notes"  # an empty first sheet: the importer must move on to the next one
    sheet = workbook.create_sheet("People")
    sheet.append([])
    sheet.append(["First Name", "Last Name", "Email Address", "Employee ID", "Start Date"])
    sheet.append(["Kofi", "Mensah", "kofi@example.com", 42, datetime.date(2024, 1, 31)])
    sheet.append([])
    sheet.append([" Lena ", "Vogel", "LENA@example.com", 43.5, datetime.datetime(2024, 2, 1, 9, 30)])
    sheet.append(["Omar", None, "omar@example.com"])
    workbook.save(HERE / "people.xlsx")


def make_located_files() -> None:
    """Tables that do not start on line 1 or end on the last line, and recipient lists."""
    write("report_preamble.csv", crlf(
        "Staff Onboarding Report",
        "Generated by: PeopleHub HR,,",
        "version:v1.0",
        "",
        "First Name,Last Name,Email Address",
        "Ann,Ames,ann@example.com",
        "Bo,Lee,bo@example.com",
        "Cy,Diaz,cy@example.com",
        "First Name,Last Name,Email Address",
        "Di,Evans,di@example.com",
        "Ed,Fox,ed@example.com",
        "Flo,Gray,flo@example.com",
        "",
        "Total: 6 users,,",
        "Confidential Information - Do Not Distribute,,",
        "Copyright 2024 Example Ltd,,",
        "Generated By: PeopleHub,,",
    ))
    write("second_table.csv", crlf(
        "Name,Email,Department",
        "Ann Ames,ann@example.com,Sales",
        "Bo Lee,bo@example.com,Support",
        "",
        "",
        "Department summary,,",
        "Department,Manager,Head count",
        "Sales,Ann Ames,1",
        "Support,Bo Lee,1",
    ))
    write("tab_with_commas.tsv", crlf(
        "Name\tEmail\tStart date\tTeam",
        "Ames, Ann\tann@example.com\tJan 5, 2024\tSales, North",
        "Lee, Bo\tbo@example.com\tFeb 1, 2024\tSupport",
        "Diaz, Cy\tcy@example.com\tMar 3, 2024\tSales, South",
    ))
    write("recipients.txt", crlf(
        'Jane Doe <jane@example.org>',
        '"Doe, John" <john.doe@example.org>; bob@example.net, Ann Lee <ann@example.com>',
        '=?utf-8?q?Ren=C3=A9e_C=C3=B4t=C3=A9?= <renee@example.fr>',
        'carl@example.com',
    ))
    write("address_column.csv", crlf(
        "Team,Members",
        'Sales,"Jane Doe <jane@example.org>, ""Lee, Bo"" <bo@example.org>"',
        "Support,Cy Diaz <cy@example.org>",
        "Finance,dee@example.org; Ed Fox <ed@example.org>",
    ))


def make_encoding_files() -> None:
    """Legacy code pages and UTF-16 without a BOM, as older Excel and other programs write them."""
    write("cp1250_polish.csv", crlf(
        "Imię;Nazwisko;E-mail",
        "Łukasz;Wiśniewski;lukasz@example.pl",
        "Małgorzata;Żółkiewska;malgorzata@example.pl",
        "Zdeněk;Dvořák;zdenek@example.cz",
    ), "cp1250")
    write("cp1251_cyrillic.csv", crlf(
        "Имя;Фамилия;Почта",
        "Александр;Иванов;alexander@example.ru",
        "Ольга;Петрова;olga@example.ru",
    ), "cp1251")
    # Mac Excel's "CSV (Macintosh)": Mac Roman, lines ended by a bare CR.
    write("mac_roman.csv", "First Name,Last Name,Email Address\rRenée,Côté,renee@example.com\r"
                           "Jürgen,Schäfer,jurgen@example.com\r", "mac-roman")
    write("iso8859_15.csv", crlf(
        "Prénom;Nom;Courriel",
        "Šárka;Œuvrard;sarka@example.fr",
        "Žofie;Šťastná;zofie@example.fr",
    ).replace("ť", "t"), "iso-8859-15")
    write("utf16le_no_bom.txt", crlf("First Name\tLast Name\tEmail Address", "Zoë\tBrontë\tzoe@example.com"),
          "utf-16-le")
    write("utf16be_no_bom.txt", crlf("First Name\tLast Name\tEmail Address", "Zoë\tBrontë\tzoe@example.com"),
          "utf-16-be")
    write("utf16be_bom.txt", "\ufeff" + crlf("First Name\tLast Name\tEmail Address", "Zoë\tBrontë\tzoe@example.com"),
          "utf-16-be")
    write("mojibake_names.csv", crlf(
        "First Name,Last Name,Email Address",
        "JosÃ©,GarcÃ\u00ada,jose@example.com",
        "Å\u201aukasz,WiÅ\u203aniewski,lukasz@example.pl",
        "Ð\u0090Ð»ÐµÐºÑ\u0081Ð°Ð½Ð´Ñ\u0080,Ivanov,alexander@example.ru",
        "Renée,Côté,renee@example.com",
    ))


def make_hostile_text_files() -> None:
    """Text files that must be refused or cleaned with a clear sentence, never a crash."""
    write("control_characters.csv", crlf(
        "First Name,Last Name,Email Address",
        "Ann\x00,Ames\x07,ann@example.com",
        "Bo,Le\x1be,bo@example.com",
    ))
    write("open_quote.csv", crlf(
        "First Name,Last Name,Email Address",
        "Ann,Ames,ann@example.com",
        'Bo,"Lee,bo@example.com',
        *[f"P{n},Person,p{n}@example.com" for n in range(60)],
    ))
    write("open_quote_at_end.csv", crlf(
        "First Name,Last Name,Email Address",
        "Ann,Ames,ann@example.com",
        'Bo,"Lee,bo@example.com',
        "Cy,Diaz,cy@example.com",
    ))
    write("long_cell.csv", crlf(
        "First Name,Last Name,Email Address,Notes",
        "Ann,Ames,ann@example.com,short",
        "Bo,Lee,bo@example.com," + "x" * 10_001,
    ))
    (HERE / "binary.csv").write_bytes(bytes((n * 37 + 11) % 256 for n in range(3000)))
    # A survey export: 197 question columns of short answers beside the people (each cell of its first rows was
    # weighed as a header, the table of header names made again for each).
    write("hostile12_survey_200_columns.csv", "\n".join([
        ",".join(["First Name", "Last Name", "Email"] + [f"Q{n}" for n in range(1, 198)]),
        *[",".join([f"Ann{person}", "Lee", f"ann{person}@example.com"]
                   + ["y" if (person + n) % 3 else "n" for n in range(197)]) for person in range(1, 25)],
    ]) + "\n")


def make_workbooks() -> None:
    """Workbooks with several sheets (.xlsx, .ods, .xls) and the hostile ones the sandbox must refuse."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.properties.created = workbook.properties.modified = datetime.datetime(2024, 1, 1)
    instructions = workbook.active
    instructions.title = "Instructions"
    for line in ["How to fill in this workbook", "Put one person per row on the People sheet.",
                 "First Name, Last Name and Email Address are required.", "Example: ann@example.com"]:
        instructions.append([line])
    lists = workbook.create_sheet("Lists")
    for kind in ["Learner", "Manager", "Admin"]:
        lists.append([kind])
    people = workbook.create_sheet("People")
    people.append(["New starters - March"])
    people.append([])
    people.append(["First Name", "Last Name", "Email Address", "Account Type"])
    people.append(["Kofi", "Mensah", "kofi@example.com", "Learner"])
    people.append(["Lena", "Vogel", "lena@example.com", "Manager"])
    people.append(["Total: 2", None, None, None])
    archive = workbook.create_sheet("Leavers")
    archive.append(["First Name", "Last Name", "Email Address"])
    archive.append(["Old", "Timer", "old@example.com"])
    workbook.save(HERE / "several_sheets.xlsx")

    far = Workbook()
    far.properties.created = far.properties.modified = datetime.datetime(2024, 1, 1)
    far.active.title = "People"
    far.active["A1"] = "Email"
    far.active["A2"] = "ann@example.com"
    far.active["XFD1048576"] = "x"
    far.save(HERE / "far_cell.xlsx")

    huge = Workbook()
    huge.properties.created = huge.properties.modified = datetime.datetime(2024, 1, 1)
    huge.active.append(["First Name", "Email", "Notes"])
    huge.active.append(["Ann", "ann@example.com", "A" * 5_000_000])
    huge.save(HERE / "huge_shared_string.xlsx")

    people_bytes = (HERE / "people.xlsx").read_bytes()
    (HERE / "truncated.xlsx").write_bytes(people_bytes[:len(people_bytes) // 2])
    (HERE / "garbage.xlsx").write_bytes(bytes((n * 131 + 7) % 256 for n in range(2000)))
    # What Excel writes for a password-protected workbook: an OLE compound file holding an EncryptedPackage.
    (HERE / "encrypted.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
                                          + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1000)
    make_zip_bomb()
    make_ods()
    make_xls()


def make_zip_bomb() -> None:
    """An .xlsx whose one sheet unpacks from about 50 KB to 50 MB of nothing."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2024, 1, 1, 0, 0, 0)), "<Types/>")
        info = zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as member:
            block = b" " * (1024 * 1024)
            for _ in range(50):
                member.write(block)
    (HERE / "zip_bomb.xlsx").write_bytes(buffer.getvalue())


def make_ods() -> None:
    """An OpenDocument spreadsheet (LibreOffice) with a Read me sheet before the people."""
    import zipfile
    from xml.sax.saxutils import escape

    def table(name, rows):
        body = "".join(
            "<table:table-row>" + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{escape(cell)}</text:p></table:table-cell>'
                for cell in row) + '<table:table-cell table:number-columns-repeated="1020"/></table:table-row>'
            for row in rows)
        return (f'<table:table table:name="{escape(name)}">{body}'
                '<table:table-row table:number-rows-repeated="1048000"><table:table-cell '
                'table:number-columns-repeated="1024"/></table:table-row></table:table>')

    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet>"
        + table("Read me", [["Fill in the Staff sheet, one person per row."], ["Questions: hr@example.com"]])
        + table("Staff", [["Prénom", "Nom", "Courriel"], ["Anaïs", "Lefèvre", "anais@example.fr"],
                          ["Élodie", "Roux", "elodie@example.fr"]])
        + "</office:spreadsheet></office:body></office:document-content>")
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>")
    with zipfile.ZipFile(HERE / "staff.ods", "w") as archive:
        stamp = (2024, 1, 1, 0, 0, 0)
        archive.writestr(zipfile.ZipInfo("mimetype", stamp), "application/vnd.oasis.opendocument.spreadsheet")
        for name, text in (("META-INF/manifest.xml", manifest), ("content.xml", content)):
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)


def make_xls() -> None:
    """An Excel 97-2003 workbook; needs `pip install xlwt` (only to regenerate this one file)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    notes = book.add_sheet("Read me")
    notes.write(0, 0, "Staff list exported from the old HR system")
    staff = book.add_sheet("Staff")
    for row, values in enumerate([["First Name", "Last Name", "Email Address", "Employee ID"],
                                  ["Siobhán", "Ó Briain", "siobhan@example.com", 7],
                                  ["Tomás", "Ruiz", "tomas@example.com", 8.5]]):
        for column, value in enumerate(values):
            staff.write(row, column, value)
    book.save(str(HERE / "staff.xls"))


def make_qa_files() -> None:
    """Exports found by trying files nobody on the team had seen (see tests/test_imports_qa_files.py)."""
    write("cp1252_smart_quotes.csv", crlf(
        "First Name,Last Name,Email",
        "Se\u00e1n,O\u2019Brien,sean@example.com",
        "\u201cBob\u201d,Smith\u2013Jones,bob@example.com",
    ), "cp1252")
    good = crlf("First Name,Last Name,Email", "Jos\u00e9,M\u00fcller,jose@example.com",
                "Ren\u00e9e,\u00d8ster,renee@example.com").encode()
    # A Workday worker report: title lines, "Legal Name - First Name" headers, a total line.
    write("workday_report.csv", crlf(
        "Worker Report",
        "Run by: HR Admin on 2024-11-04",
        "",
        "Employee ID,Legal Name - First Name,Legal Name - Last Name,Preferred Name,Work Email,Department",
        "1001,Jonathan,Smith,Jon,jon.smith@example.com,Sales",
        "1002,Mar\u00eda Jos\u00e9,Garc\u00eda L\u00f3pez,,mj.garcia@example.com,Finance",
        "Total,2,,,,",
    ))
    # Zoom's meeting attendee report: the meeting's details (the host's address among them) above the attendees.
    write("zoom_attendee_report.csv", "\ufeff" + crlf(
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants",
        "123 456 7890,Onboarding,11/04/2024 10:00:00 AM,11/04/2024 11:00:00 AM,host@example.com,60,3",
        "",
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest",
        "Ann Lee,ann@example.com,11/04/2024 10:01:00 AM,11/04/2024 11:00:00 AM,59,No",
        "Ben Ng (Ben),ben@example.com,11/04/2024 10:02:00 AM,11/04/2024 11:00:00 AM,58,Yes",
        "Cat Ho (External),cat@example.org,11/04/2024 10:05:00 AM,11/04/2024 10:30:00 AM,25,Yes",
    ))
    # Right-to-left names, emoji, and the bidirectional marks copying from mail and chat leaves around values.
    write("rtl_emoji_names.csv", crlf(
        "First Name,Last Name,Email",
        "\u0645\u062d\u0645\u062f,\u0627\u0644\u0639\u0644\u064a,mohammed@example.com",
        "\u05e9\u05e8\u05d4,\u05db\u05d4\u05df,sara@example.com",
        "Ann \U0001f600,Lee,ann@example.com",
        "\u202eevil\u202c,Name,evil@example.com",
        "Ben,\u2068Ng\u2069,\u202aben@example.com\u202c",
    ))
    # A macOS export: accented letters written decomposed (NFD), "e" + U+0301 for "é".
    write("nfd_names_macos.csv", unicodedata.normalize("NFD", crlf(
        "First Name,Last Name,Email",
        "Jos\u00e9,M\u00fcller,jose@example.com",
        "Ren\u00e9e,\u00c5ngstr\u00f6m,renee@example.com",
    )))
    # A one-column attendee list from an exporter that quotes every cell.
    write("quoted_address_list.csv", crlf(
        '"Attendee"',
        '"Ann Lee <ann@example.com>"',
        '"""Ng, Ben"" <ben@example.com>"',
        '"Cat Ho <cat@example.com>; Dan Li <dan@example.com>"',
    ))
    make_qa_workbooks()
    (HERE / "utf8_one_bad_byte.csv").write_bytes(good + b"Zo\xeb,Smith,zoe@example.com\r\n"
                                                 + "\u00c5sa,Str\u00f6m,asa@example.com\r\n".encode())


def make_qa_workbooks() -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    # A header row bolded cell by cell far past the data: Excel's used range (and <dimension>) reaches KM2.
    styled = Workbook()
    styled.properties.created = styled.properties.modified = datetime.datetime(2024, 1, 1)
    styled.active.title = "People"
    for row in [["First Name", "Last Name", "Email"], ["Ann", "Lee", "ann@example.com"]]:
        styled.active.append(row)
    for column in range(1, 300):
        styled.active.cell(row=1, column=column).font = Font(bold=True)
        styled.active.cell(row=2, column=column).font = Font(italic=True)
    styled.save(HERE / "styled_far_columns.xlsx")

    # Last year's list kept on a hidden sheet before the visible one with this year's people.
    hidden = Workbook()
    hidden.properties.created = hidden.properties.modified = datetime.datetime(2024, 1, 1)
    old = hidden.active
    old.title, old.sheet_state = "2023", "hidden"
    old.append(["First Name", "Last Name", "Email"])
    for number in range(40):
        old.append([f"Old{number}", "Leaver", f"old{number}@example.com"])
    current = hidden.create_sheet("2024")
    for row in [["First Name", "Last Name", "Email"], ["Ann", "Lee", "ann@example.com"]]:
        current.append(row)
    hidden.save(HERE / "hidden_old_sheet.xlsx")


def make_more_exports() -> None:
    """Directory, HR and school exports tried next (see tests/test_imports_more_exports.py)."""
    # Excel on Japanese Windows saves "CSV (Comma delimited)" as Shift_JIS: family name first, given name second.
    write("japanese_excel_sjis.csv", crlf(
        "\u59d3,\u540d,\u30e1\u30fc\u30eb\u30a2\u30c9\u30ec\u30b9,\u90e8\u7f72",
        "\u5c71\u7530,\u592a\u90ce,taro@example.jp,\u55b6\u696d\u90e8",
        "\u4f50\u85e4,\u82b1\u5b50,hanako@example.jp,\u4eba\u4e8b\u90e8",
        "\u9234\u6728,\u3072\u308d\u307f,hiromi@example.jp,\u7dcf\u52d9\u90e8",
    ), "cp932")
    # Okta's users export names each column by its attribute path.
    write("okta_users.csv", crlf(
        '"id","status","created","lastLogin","type","profile.login","profile.firstName","profile.lastName",'
        '"profile.email","profile.secondEmail","profile.managerEmail"',
        '"00u1a","ACTIVE","2023-01-02T10:00:00.000Z","2024-04-01T08:00:00.000Z","oty1","ann.lee@example.com",'
        '"Ann","Lee","ann.lee@example.com","ann@home.example.org","boss@example.com"',
        '"00u1b","ACTIVE","2023-01-02T10:00:00.000Z","","oty1","ben.ng","Ben","Ng","ben.ng@example.com","",'
        '"boss@example.com"',
    ))
    # PowerSchool's student export: tab-delimited .txt, the name in one "LastFirst" column.
    write("powerschool_students.txt", "Student_Number\tLastFirst\tGrade_Level\tEmail_Addr\tSchoolID\n"
          "100\tLee, Ann\t9\tann@example.edu\t1\n"
          "101\tGarc\u00eda L\u00f3pez, Mar\u00eda Jos\u00e9\t10\tmj@example.edu\t1\n")
    # ADP Workforce Now: "Payroll Name" is the whole name, last name first, with a middle initial.
    write("adp_payroll_names.csv", crlf(
        "Payroll Name,File Number,Work Contact: Work Email,Position Status",
        '"Lee, Ann M",000123,ann@example.com,Active',
        '"Ng, Ben",000124,ben@example.com,Active',
    ))
    # Dutch HR and school systems keep "van der" in a column of its own; Spanish ones keep two surnames apart.
    write("dutch_tussenvoegsel.csv", "\ufeff" + crlf(
        "Voornaam;Tussenvoegsel;Achternaam;E-mailadres",
        "Jan;van der;Berg;jan@example.nl",
        "Anouk;;de Vries;anouk@example.nl",
    ))
    write("spanish_two_surnames.csv", crlf(
        "Nombre,Primer apellido,Segundo apellido,Correo electr\u00f3nico",
        "Mar\u00eda,Garc\u00eda,L\u00f3pez,maria@example.es",
        "Jos\u00e9,P\u00e9rez,,jose@example.es",
    ))
    # SAP SuccessFactors' user data file: the field IDs, then the same columns' labels, then the people.
    write("successfactors_users.csv", crlf(
        "STATUS,USERID,USERNAME,FIRSTNAME,LASTNAME,MI,GENDER,EMAIL,MANAGER,HR,DEPARTMENT",
        "Active,User ID,Username,First Name,Last Name,Middle Name,Gender,Email,Supervisor,HR Representative,Department",
        "active,10001,alee,Ann,Lee,M,F,ann@example.com,NO_MANAGER,NO_HR,Engineering",
        "active,10002,bng,Ben,Ng,,M,ben@example.com,10001,NO_HR,Engineering",
    ))
    # Google Classroom's grades: due dates, points possible and class averages above the students.
    write("classroom_grades.csv", crlf(
        "Last Name,First Name,Email Address,Essay 1,Quiz 1",
        "Date,,,\"Mar 1, 2024\",\"Mar 3, 2024\"",
        "Points possible,,,100,10",
        "Average,,,83.5,7",
        "Lee,Ann,ann@example.edu,80,8",
        "Ng,Ben,ben@example.edu,87,6",
    ))
    # Slack's member export: the account's role in "status", the whole name in "fullname", bots without addresses.
    write("slack_members.csv", crlf(
        "username,email,status,billing-active,has-2fa,has-sso,userid,fullname,displayname,expiration-timestamp",
        "ann,ann@example.com,Primary Owner,1,1,0,U01,Ann Lee,annie,",
        "ben.ng,ben@example.com,Member,1,0,0,U02,Ben Ng,,",
        "cat,cat@partner.example.org,Single-Channel Guest,1,0,0,U03,Cat Ho,cat,1735689600",
        "dan,dan@example.com,Deactivated,0,0,0,U04,Dan Li,,",
        "slackbot,,Bot,0,0,0,USLACKBOT,Slackbot,,",
    ))
    # "Export to Excel" of many school and HR systems: tab-delimited UTF-16 text (Blackboard's grade centre) or a
    # web page, named .xls; Excel opens both with a warning.
    write("grade_centre_text.xls", "\ufeff" + crlf(
        "Last Name\tFirst Name\tUsername\tEmail\tAvailability",
        "Lee\tAnn\talee\tann@example.edu\tYes",
        "Ng\u00e9\tBen\tbng\tben@example.edu\tYes",
    ), "utf-16-le")
    write("report_web_page.xls", crlf(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>',
        "<table><tr><th>First Name</th><th>Last Name</th><th>Email</th></tr>",
        "<tr><td>Ann</td><td>Lee</td><td>ann@example.com</td></tr></table></body></html>",
    ))
    # A report printed to CSV: its page header again on every page, among the people.
    write("report_pages.csv", crlf(
        "Active Learners Report", "Page 1 of 2", "First Name,Last Name,Email",
        "Ann,Lee,ann@example.com", "Ben,Ng,ben@example.com",
        "Page 2 of 2", "First Name,Last Name,Email",
        "Cat,Ho,cat@example.com",
    ))
    # Exports that write ="value" so Excel keeps leading zeros and long numbers as text.
    write("excel_text_values.csv", crlf(
        "Employee ID,First Name,Last Name,Email",
        '="000123",="Ann",="Lee",="ann@example.com"',
        '="000124","=""Ben""","Ng",ben@example.com',
    ))


def make_leftovers() -> None:
    """Exports that still tripped File Import up (see tests/test_imports_leftovers.py)."""
    from openpyxl import Workbook

    # An HR report's "Contact email" header merged over two columns: the work address, then a home one.
    merged = Workbook()
    merged.properties.created = merged.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = merged.active
    sheet.title = "Staff"
    for row in [["First Name", "Last Name", "Contact email", None, "Department", None, "Notes"],
                ["Ann", "Lee", "ann@example.com", "ann.lee@home.example.org", "Sales", None, None],
                ["Ben", "Ng", "ben@example.com", "ben.ng@home.example.org", "Support", None, "started May"]]:
        sheet.append(row)
    sheet.merge_cells("C1:D1")
    merged.save(HERE / "merged_header_cells.xlsx")

    # Lookups that failed: error cells in a workbook (the error type, as Excel saves them) and the same in a CSV.
    errors = Workbook()
    errors.properties.created = errors.properties.modified = datetime.datetime(2024, 1, 1)
    rows = [["First Name", "Last Name", "Email", "Send Invite", "Cost Centre"],
            ["Ann", "Lee", "ann@example.com", "yes", "#REF!"],
            ["Ben", "#N/A", "ben@example.com", "no", "4100"],
            ["Cat", "Ho", "#VALUE!", "no", "4100"],
            ["#DIV/0!", "Li", "dan@example.com", "#NAME?", "4200"]]
    for row in rows:
        errors.active.append(row)
    for cell in ("E2", "B3", "C4", "A5", "D5"):
        errors.active[cell].data_type = "e"
    errors.save(HERE / "error_cells.xlsx")
    write("error_cells.csv", crlf(*(",".join(row) for row in rows)))

    # A workbook written by a program (openpyxl here): formulas saved without their results, copied down below
    # the people as templates are.
    formulas = Workbook()
    formulas.properties.created = formulas.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = formulas.active
    sheet.append(["First Name", "Last Name", "Login", "Email"])
    sheet.append(["Ann", "Lee", "alee", "ann@example.com"])
    for line in range(3, 6):
        sheet.append(["Ben" if line == 3 else None, "Ng" if line == 3 else None,
                      f'=LOWER(LEFT(A{line},1)&B{line})', f'=C{line}&"@example.com"'])
    formulas.save(HERE / "formulas_without_results.xlsx")

    # Excel on Chinese (Simplified and Traditional) and Korean Windows saves "CSV (Comma delimited)" in the local
    # code page: GBK (read as its superset GB18030), Big5, and EUC-KR (read as its superset Windows-949).
    write("chinese_excel_gbk.csv", crlf(
        "\u59d3,\u540d,\u7535\u5b50\u90ae\u4ef6,\u90e8\u95e8",
        "\u5f20,\u4f1f,zhang.wei@example.cn,\u9500\u552e\u90e8",
        "\u738b,\u82b3,wang.fang@example.cn,\u4eba\u4e8b\u90e8",
        "\u674e,\u5a1c,li.na@example.cn,\u6280\u672f\u90e8",
    ), "gbk")
    write("chinese_excel_big5.csv", crlf(
        "\u59d3,\u540d,\u96fb\u5b50\u90f5\u4ef6,\u90e8\u9580",
        "\u9673,\u5927\u6587,chan@example.hk,\u92b7\u552e\u90e8",
        "\u9ec3,\u5c0f\u660e,wong@example.hk,\u4eba\u4e8b\u90e8",
    ), "big5")
    write("korean_excel_euckr.csv", crlf(
        "\uc131,\uc774\ub984,\uc774\uba54\uc77c,\ubd80\uc11c",
        "\uae40,\ubbfc\uc900,minjun@example.kr,\uc601\uc5c5\ubd80",
        "\uc774,\uc11c\uc5f0,seoyeon@example.kr,\uc778\uc0ac\ubd80",
    ), "euc-kr")

    # Tick boxes in a workbook are TRUE/FALSE cells; "Send invite email" says email without holding addresses.
    ticks = Workbook()
    ticks.properties.created = ticks.properties.modified = datetime.datetime(2024, 1, 1)
    for row in [["First Name", "Last Name", "Email", "Invite by email", "Department"],
                ["Ann", "Lee", "ann@example.com", True, "Sales"],
                ["Ben", "Ng", None, False, "Support"],
                ["Cat", "Ho", "cat@example.com", False, True]]:
        ticks.active.append(row)
    ticks.save(HERE / "tick_boxes.xlsx")

    # A bigger Slack workspace's member export: Slackbot, an app's bot and a removed app's bot among the people.
    write("slack_members_bots.csv", crlf(
        "username,email,status,billing-active,has-2fa,has-sso,userid,fullname,displayname,expiration-timestamp",
        "ann,ann@example.com,Admin,1,1,0,U01,Ann Lee,annie,",
        "slackbot,,Bot,0,0,0,USLACKBOT,Slackbot,,",
        "jira,,Bot,0,0,0,U0JIRA,Jira Cloud,jira,",
        "ben.ng,ben@example.com,Member,1,0,0,U02,Ben Ng,,",
        "standup-bot,,Deactivated Bot,0,0,0,U0STAND,Standup Bot,,",
        "cat,,Member,1,0,0,U03,Cat Ho,cat,",
    ))


def make_name_headers() -> None:
    """A "Name" header over a first-name and a last-name column (see tests/test_imports_name_headers.py)."""
    from openpyxl import Workbook

    # "Name" merged over First | Last, the second header cell blank; one person with a two-word first name.
    merged = Workbook()
    merged.properties.created = merged.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = merged.active
    sheet.title = "Staff"
    for row in [["Name", None, "Email", "Department"],
                ["Ann", "Lee", "ann@example.com", "Sales"],
                ["Mary Jo", "Smith", "maryjo@example.com", "Sales"],
                ["Ben", None, "ben@example.com", "Support"]]:
        sheet.append(row)
    sheet.merge_cells("A1:B1")
    merged.save(HERE / "merged_name_header.xlsx")

    # The two-row form: "Name" merged above "First" and "Last"; Email and Department merged down both rows.
    two_rows = Workbook()
    two_rows.properties.created = two_rows.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = two_rows.active
    for row in [["Name", None, "Email", "Department"],
                ["First", "Last", None, None],
                ["Ann", "Lee", "ann@example.com", "Sales"],
                ["Ben", "Ng", "ben@example.com", "Support"]]:
        sheet.append(row)
    for cells in ("A1:B1", "C1:C2", "D1:D2"):
        sheet.merge_cells(cells)
    two_rows.save(HERE / "merged_name_two_rows.xlsx")

    # A CSV export of such a sheet: "Name" and an empty header over the surnames.
    write("name_then_blank_header.csv", crlf(
        "Name,,Email Address",
        "Ann,Lee,ann@example.com",
        "Ben,Ng,ben@example.com",
        "Cat,Ho,cat@example.com",
    ))


def make_tiny_east_asian() -> None:
    """A header and one or two people in Chinese or Korean Excel's code page (see tests/test_imports_tiny_cjk.py)."""
    write("chinese_tiny_gbk.csv", crlf("\u59d3\u540d,\u90ae\u7bb1", "\u8d75\u654f,zhao.min@example.cn"), "gbk")
    write("chinese_tiny_big5.csv", crlf("\u59d3\u540d,\u96fb\u90f5", "\u9673\u5927\u6587,chan@example.hk",
                                        "\u6797\u6021\u5b87,lin@example.tw"), "big5")
    write("korean_tiny_euckr.csv", crlf("\uc774\ub984,\uc774\uba54\uc77c", "\ubc15\uc218\uc900,sujun@example.kr"),
          "euc-kr")


def make_error_workbooks() -> None:
    """Error cells in an .ods and an .xls, as LibreOffice saves them (see tests/test_imports_error_workbooks.py)."""
    from openpyxl import Workbook

    # The people of error_cells.xlsx, their errors made by formulas that fail (a deleted column's reference, a
    # lookup that finds nothing, text plus a number, a division by zero, a misspelt function); a "Read me" sheet
    # with an error of its own comes first. Ben's cost centre is a formula whose text result starts with "#".
    book = Workbook()
    notes = book.active
    notes.title = "Read me"
    notes.append(["Fill in the Staff sheet, one person per row."])
    notes.append(["Rows so far:", "=1/0"])
    staff = book.create_sheet("Staff")
    for row in [["First Name", "Last Name", "Email", "Send Invite", "Cost Centre"],
                ["Ann", "Lee", "ann@example.com", "yes", "=#REF!"],
                ["Ben", '=VLOOKUP("Ben",$G$1:$H$2,2,FALSE)', "ben@example.com", "no", '="#"&"4100"'],
                ["Cat", "Ho", '="cat"+1', "no", "4100"],
                ["=1/0", "Li", "dan@example.com", "=NOSUCHNAME", "4200"]]:
        staff.append(row)
    saved_by_libreoffice(book, "error_cells", ("ods", "xls"))


def saved_by_libreoffice(book, name: str, extensions: tuple[str, ...]) -> None:
    """Save an openpyxl workbook as HERE/name.<extension> for each extension, by LibreOffice (it works the formulas
    out, as opening and saving in it does). Needs `apt-get install libreoffice-calc-nogui`."""
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"{name}.xlsx"
        book.save(source)
        for extension in extensions:
            subprocess.run([shutil.which("libreoffice") or "soffice", "--headless", "--convert-to", extension,
                            "--outdir", folder, str(source)], check=True, capture_output=True, timeout=120)
            shutil.copyfile(Path(folder) / f"{name}.{extension}", HERE / f"{name}.{extension}")


def make_three_part_names() -> None:
    """A "Name" header over first | middle | last name, or over last | first under a second header row saying so
    (see tests/test_imports_name_parts.py)."""
    from openpyxl import Workbook

    # "Name" merged over three columns; Mary Jo's two-word first name leaves only the merge to tell.
    merged = Workbook()
    merged.properties.created = merged.properties.modified = datetime.datetime(2024, 1, 1)
    sheet = merged.active
    sheet.title = "Staff"
    for row in [["Name", None, None, "Email", "Department"],
                ["Mary Jo", "Anne", "Lee", "maryjo@example.com", "Sales"],
                ["Ben", None, "Ng", "ben@example.com", "Support"],
                ["Cat", "J.", "Ho", "cat@example.com", "Support"]]:
        sheet.append(row)
    sheet.merge_cells("A1:C1")
    merged.save(HERE / "merged_name_three.xlsx")
    saved_by_libreoffice(merged, "merged_name_three", ("ods",))

    # The two-row forms: "Name" merged above First | Middle | Last, and above Last | First (surname first).
    for name, parts, people in [
            ("name_three_two_rows.xlsx", ["First", "Middle", "Last"],
             [["Ann", "Marie", "Lee"], ["Ben", None, "Ng"]]),
            ("name_surname_first_two_rows.xlsx", ["Surname", "Given name"], [["Lee", "Ann"], ["Ng", "Ben"]])]:
        two_rows = Workbook()
        two_rows.properties.created = two_rows.properties.modified = datetime.datetime(2024, 1, 1)
        sheet = two_rows.active
        width = len(parts)
        sheet.append(["Name"] + [None] * (width - 1) + ["Email"])
        sheet.append(parts + [None])
        for person, address in zip(people, ["ann@example.com", "ben@example.com"]):
            sheet.append(person + [address])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        sheet.merge_cells(start_row=1, start_column=width + 1, end_row=2, end_column=width + 1)
        two_rows.save(HERE / name)

    # CSV exports of such sheets: "Name" and two empty headers; and the two-row form.
    write("name_then_two_blank_headers.csv", crlf(
        "Name,,,Email Address",
        "Ann,Marie,Lee,ann@example.com",
        "Ben,,Ng,ben@example.com",
        "Cat,J.,Ho,cat@example.com",
    ))
    write("name_three_two_rows.csv", crlf(
        "Name,,,Email",
        "First Name,Middle Name,Last Name,",
        "Ann,Marie,Lee,ann@example.com",
        "Ben,,Ng,ben@example.com",
    ))


def make_filtered_starters() -> None:
    """A staff sheet filtered down to its starters (the leavers' rows hidden, as Excel saves a filter), and the same
    saved by LibreOffice as .ods and again as .xlsx (see tests/test_imports_hidden_rows.py)."""
    import shutil
    import subprocess
    import tempfile

    from openpyxl import Workbook

    book = Workbook()
    staff = book.active
    staff.title = "Staff"
    staff.append(["First Name", "Last Name", "Email", "Notes"])
    for first, last, status in [("Ann", "Lee", "Starter"), ("Ben", "Ng", "Leaver"), ("Cat", "Ho", "Leaver"),
                                ("Dan", "Li", "Starter"), ("Eve", "Ma", "Leaver"), ("Fay", "Oh", "Starter")]:
        staff.append([first, last, f"{first.lower()}@acme.example", status])
    staff.auto_filter.ref = "A1:D7"
    staff.auto_filter.add_filter_column(3, ["Starter"])
    for row in (3, 4, 6):
        staff.row_dimensions[row].hidden = True
    book.save(HERE / "filtered_starters.xlsx")
    saved_by_libreoffice(book, "filtered_starters", ("ods",))
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([shutil.which("libreoffice") or "soffice", "--headless", "--convert-to", "xlsx", "--outdir",
                        folder, str(HERE / "filtered_starters.ods")], check=True, capture_output=True, timeout=120)
        shutil.copyfile(Path(folder) / "filtered_starters.xlsx", HERE / "filtered_starters_libreoffice.xlsx")



def make_filtered_starters_xls() -> None:
    """The filtered staff sheet of make_filtered_starters as an Excel 97-2003 workbook, the leavers' rows hidden (their
    ROW records' fDyZero bit, as Excel saves a filter); needs `pip install xlwt` (LibreOffice's .xls marks them the
    same way)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    staff = book.add_sheet("Staff")
    for row, values in enumerate([["First Name", "Last Name", "Email", "Notes"],
                                  ["Ann", "Lee", "ann@acme.example", "Starter"],
                                  ["Ben", "Ng", "ben@acme.example", "Leaver"],
                                  ["Cat", "Ho", "cat@acme.example", "Leaver"],
                                  ["Dan", "Li", "dan@acme.example", "Starter"],
                                  ["Eve", "Ma", "eve@acme.example", "Leaver"],
                                  ["Fay", "Oh", "fay@acme.example", "Starter"]]):
        for column, value in enumerate(values):
            staff.write(row, column, value)
        staff.row(row).hidden = values[3] == "Leaver"
    book.save(str(HERE / "filtered_starters.xls"))


# Short files of Central European names in Windows-1250 and of Western ones in Windows-1252, a few lines each (see
# tests/test_imports_short_code_pages.py): name, code page, lines.
SHORT_CODE_PAGE_FILES = [
    ("short_czech_cp1250.csv", "cp1250", ["Jméno;Příjmení;Email", "Jiří;Dvořák;jiri@example.cz",
                                          "Petr;Novák;petr@example.cz"]),
    ("short_czech_english_header_cp1250.csv", "cp1250", ["First name;Last name;Email",
                                                         "Jiří;Dvořák;jiri@example.cz"]),
    ("short_czech_ruzena_cp1250.csv", "cp1250", ["First name,Last name,Email", "Růžena,Černá,ruzena@example.cz"]),
    ("short_czech_zdenek_cp1250.csv", "cp1250", ["Jméno;Příjmení;Email", "Zdeněk;Kučera;zdenek@example.cz"]),
    ("short_polish_cp1250.csv", "cp1250", ["Imię;Nazwisko;Email", "Łukasz;Wiśniewski;lukasz@example.pl"]),
    ("short_hungarian_cp1250.csv", "cp1250", ["Vezetéknév;Keresztnév;Email", "Szűcs;Péter;peter@example.hu",
                                              "Erdős;Anna;anna@example.hu"]),
    ("short_croatian_cp1250.csv", "cp1250", ["Ime;Prezime;Email", "Ivan;Kovačević;ivan@example.hr"]),
    ("short_slovak_cp1250.csv", "cp1250", ["Meno;Priezvisko;Email", "Ľubomír;Šťastný;lubo@example.sk"]),
    ("short_french_cp1252.csv", "cp1252", ["Prénom;Nom;Email", "Hélène;Lefèvre;helene@example.fr",
                                           "Agnès;Thérèse;agnes@example.fr"]),
    ("short_german_cp1252.csv", "cp1252", ["Vorname;Nachname;Email", "Jürgen;Weiß;jurgen@example.de"]),
    ("short_spanish_cp1252.csv", "cp1252", ["Nombre;Apellido;Email", "José;Muñoz;jose@example.es"]),
    ("short_norwegian_cp1252.csv", "cp1252", ["Fornavn;Etternavn;Email", "Søren;Jørgensen;soren@example.no",
                                              "Åsa;Bjørnstad;asa@example.no"]),
    ("short_norwegian_boe_cp1252.csv", "cp1252", ["Fornavn;Etternavn;Email", "Kari;Bøe;kari@example.no",
                                                  "Jens;Høeg;jens@example.dk"]),
    ("short_danish_cp1252.csv", "cp1252", ["Fornavn;Efternavn;Email", "Mette;Kjær;mette@example.dk"]),
    ("short_italian_cp1252.csv", "cp1252", ["Nome;Cognome;Email", "Niccolò;Mosè;niccolo@example.it"]),
    ("short_portuguese_cp1252.csv", "cp1252", ["Nome;Apelido;Email", "João;Simões;joao@example.pt"]),
    ("short_catalan_cp1252.csv", "cp1252", ["Nom;Cognoms;Email", "Mònica;Sòria;monica@example.cat"]),
]


def make_short_code_page_files() -> None:
    """SHORT_CODE_PAGE_FILES, each in its code page with Windows line ends."""
    for name, encoding, lines in SHORT_CODE_PAGE_FILES:
        write(name, crlf(*lines), encoding)

def make_admin_exports() -> None:
    """Exports admins bring that are not UTF-8 (see test_golden_files_stage_the_people_in_them)."""
    # Microsoft Teams' attendance report: UTF-16 with tabs, a summary, the participants, then every join and leave.
    write("teams_attendance.csv", "\ufeff" + crlf(
        '1. Summary',
        'Meeting title\tWeekly onboarding',
        'Attended participants\t3',
        'Start time\t3/5/24, 10:00:12 AM',
        'End time\t3/5/24, 11:02:40 AM',
        'Meeting duration\t1h 2m 28s',
        'Average attendance time\t48m 10s',
        '',
        '2. Participants',
        'Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole',
        'Ann Lee\t3/5/24, 10:00:12 AM\t3/5/24, 11:02:40 AM\t1h 2m 28s\tann.lee@contoso.example\t'
            'ann.lee@contoso.example\tOrganizer',
        'Lee, Ben\t3/5/24, 10:01:05 AM\t3/5/24, 11:02:40 AM\t1h 1m 35s\tben.lee@contoso.example\t'
            'ben.lee@contoso.example\tPresenter',
        'Cleo Patel (Guest)\t3/5/24, 10:03:44 AM\t3/5/24, 10:40:01 AM\t36m 17s\tcleo@partner.example\t\t'
            'Attendee',
        '',
        '3. In-Meeting Activities',
        'Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole',
        'Ann Lee\t3/5/24, 10:00:12 AM\t3/5/24, 11:02:40 AM\t1h 2m 28s\tann.lee@contoso.example\tOrganizer',
        'Lee, Ben\t3/5/24, 10:01:05 AM\t3/5/24, 10:30:00 AM\t28m 55s\tben.lee@contoso.example\tPresenter',
        'Lee, Ben\t3/5/24, 10:31:10 AM\t3/5/24, 11:02:40 AM\t31m 30s\tben.lee@contoso.example\tPresenter',
        'Cleo Patel (Guest)\t3/5/24, 10:03:44 AM\t3/5/24, 10:40:01 AM\t36m 17s\tcleo@partner.example\t'
            'Attendee',
    ), "utf-16-le")
    # Its form before 2022: a "Meeting Summary" holding the meeting's id ("19:meeting_...@thread.v2").
    write("teams_attendance_2021.csv", "\ufeff" + crlf(
        'Meeting Summary',
        'Total Number of Participants\t3',
        'Meeting Title\tInduction day',
        'Meeting Start Time\t10/02/2023, 09:00:03',
        'Meeting End Time\t10/02/2023, 10:12:40',
        'Meeting Id\t19:meeting_NzE2ZjA5@thread.v2',
        '',
        'Full Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\tParticipant ID (UPN)',
        'Ann Lee\t10/02/2023, 09:00:03\t10/02/2023, 10:12:40\t1h 12m\tann.lee@contoso.example\tOrganizer\t'
            'ann.lee@contoso.example',
        'Ben Ng\t10/02/2023, 09:01:15\t10/02/2023, 10:12:40\t1h 11m\tben.ng@contoso.example\tPresenter\t'
            'ben.ng@contoso.example',
        'Cleo Patel\t10/02/2023, 09:05:00\t10/02/2023, 09:50:00\t45m\tcleo.patel@contoso.example\t'
            'Attendee\tcleo.patel@contoso.example',
    ), "utf-16-le")
    # Outlook (desktop) contacts exported as CSV on Windows: cp1252, every field quoted; Dev and Eve were copied from
    # the Exchange address book, so their first address is Exchange's internal one.
    write("outlook_contacts_cp1252.csv", crlf(
        '"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title",'
            '"Business Street","Business City","Business Postal Code","Business Country/Region","Home Street",'
            '"Home City","Business Phone","Mobile Phone","Categories","E-mail Address","E-mail Type",'
            '"E-mail Display Name","E-mail 2 Address","E-mail 2 Type","E-mail 2 Display Name",'
            '"E-mail 3 Address","E-mail 3 Type","E-mail 3 Display Name","Manager\'s Name","Assistant\'s Name",'
            '"Notes","Web Page"',
        '"Ms.","Zoë","","Lefèvre","","Acme","","Trainer","","","","","","","","","",'
            '"zoe.lefevre@acme.example","SMTP","Zoë Lefèvre (zoe.lefevre@acme.example)","zoe@home.example",'
            '"SMTP","Zoë (home)","","","","Hal Boss","","",""',
        '"Mr.","Ben","J.","Ng","Jr.","","","","","","","","","","","","","ben.ng@acme.example","SMTP",'
            '"Ben Ng (ben.ng@acme.example)","","","","","","","","","",""',
        '"","Cleo","","Patel","","","","","","","","","","","","","","","","","cleo.patel@acme.example",'
            '"SMTP","Cleo Patel (cleo.patel@acme.example)","","","","","","",""',
        '"","Dev","","Rao","","","","","","","","","","","","","",'
            '"/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)'
            '/cn=Recipients/cn=4f1c2b0e9a1d4e6f-dev.rao",'
            '"EX","Dev Rao (dev.rao@acme.example)","","","","","","","","","",""',
        '"","Eve","","Ray","","","","","","","","","","","","","",'
            '"/o=ExchangeLabs/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)'
            '/cn=Recipients/cn=9a8b7c6d5e4f-eve.ray",'
            '"EX","Eve Ray","","","","","","","","","",""',
    ), "cp1252")
    # Microsoft Forms' responses of a form anyone could fill in: Email "anonymous", Name blank, and the form's own
    # "Full name" and "Email address" questions (Forms exports only .xlsx).
    from openpyxl import Workbook

    forms = Workbook()
    forms.properties.created = forms.properties.modified = datetime.datetime(2024, 3, 5)
    forms.active.title = "Sheet1"
    forms.active.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Full name",
                         "Email address", "Which course are you joining?"])
    for number, (name, address, course) in enumerate([("Ann Lee", "ann.lee@example.com", "Safeguarding basics"),
                                                      ("Ben Ng", "ben.ng@example.com", "Fire safety"),
                                                      ("Cleo Patel", "cleo.patel@example.org", "First aid")], 1):
        started = datetime.datetime(2024, 3, 5, 9 + number, 1, 12)
        forms.active.append([number, started, started + datetime.timedelta(minutes=2), "anonymous", None, None, name,
                             address, course])
    forms.save(HERE / "microsoft_forms_anonymous.xlsx")


if __name__ == "__main__":
    make_text_files()
    make_workbook()
    make_located_files()
    make_encoding_files()
    make_hostile_text_files()
    make_workbooks()
    make_qa_files()
    make_more_exports()
    make_leftovers()
    make_name_headers()
    make_tiny_east_asian()
    make_error_workbooks()
    make_three_part_names()
    make_filtered_starters()
    make_filtered_starters_xls()
    make_short_code_page_files()
    make_admin_exports()
