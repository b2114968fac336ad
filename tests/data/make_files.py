"""Write the golden import files in this folder: run `python tests/data/make_files.py` after changing it."""
from __future__ import annotations

import datetime
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


if __name__ == "__main__":
    make_text_files()
    make_workbook()
