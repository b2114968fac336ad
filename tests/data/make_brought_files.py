"""Write the files admins bring that make_files.py does not: run `python -m tests.data.make_brought_files`."""
from __future__ import annotations

from tests.data.make_files import HERE, crlf, write

# An LMS completion report: a title, the report's filters and notes over more than thirty filled lines (with blank
# lines between its sections), then the table.
_LMS_FILTERS = [f"Course: {course}" for course in (
    "Fire Safety 2026", "Manual Handling", "Data Protection Basics", "Safeguarding Level 1", "First Aid Awareness",
    "Display Screen Equipment", "Equality and Diversity", "Information Security", "Anti-Bribery", "Health and Safety",
    "Lone Working", "Conflict Resolution", "Infection Control", "Food Hygiene", "Working at Height",
    "COSHH Awareness", "Stress Awareness", "Modern Slavery", "Cyber Security", "Prevent Duty")]
LMS_LONG_PREAMBLE = [
    "Course Completion Report", "Report run: 2026-11-30 09:15 by Training Admin", "",
    "Filters applied:", *_LMS_FILTERS, "", "Status: Not started; In progress", "Enrolled between: 2026-01-01 and "
    "2026-11-30", "Include suspended users: No", "Include deleted users: No", "",
    "Notes:", "Completion dates are shown in the site's time zone (Europe/London).",
    "Learners enrolled through a cohort are listed once per course.",
    "Grades are hidden for courses that do not publish them.",
    "This report is refreshed nightly; changes made today are not shown.",
    "Contact the Learning team with questions about this report.", "", "",
    "First name,Last name,Email address,Department,Course,Status",
    "Ann,Lee,ann.lee@example.com,Sales,Fire Safety 2026,Not started",
    "Ben,Ng,ben.ng@example.com,Support,Manual Handling,In progress",
    "Cleo,Patel,cleo.patel@example.org,Finance,Data Protection Basics,Not started",
]
# An HR system's report in the Workday way: prompts and their values, one a row, then the table.
HR_LONG_PREAMBLE = [
    "New Starters - Onboarding", "", "Prompt;Value",
    *[f"{prompt};{value}" for prompt, value in [
        ("Organization", "Sales (Supervisory)"), ("Include Subordinate Organizations", "Yes"),
        ("Location", "All"), ("Company", "Example Ltd"), ("Hire Date From", "01/10/2026"),
        ("Hire Date To", "30/11/2026"), ("Worker Type", "Employee"), ("Time Type", "Full time, Part time"),
        ("Job Family", "All"), ("Cost Center", "All"), ("Pay Group", "Monthly UK"), ("Region", "EMEA"),
        ("Include Contingent Workers", "No"), ("Include Terminated Workers", "No"),
        ("Effective As Of", "30/11/2026"), ("Entry Moment", "30/11/2026 08:00"),
        ("Run By", "HR Reporting"), ("Run Date", "30/11/2026")]],
    "", "Report Notes", *[f"Note {number};{text}" for number, text in enumerate([
        "Names are legal names", "Preferred names are in the column Preferred Name",
        "Managers are shown by their worker ID", "Start dates are the first day of work",
        "Leavers in the period are not listed", "Transfers are listed in their new organisation",
        "The report is confidential to HR and hiring managers", "Questions to hr.reporting@example.com",
        "Data as at the effective date", "Sorted by hire date"], 1)],
    "", "Employee ID;Legal First Name;Legal Last Name;Work Email;Hire Date;Manager ID",
    "10234;Ann;Lee;ann.lee@example.com;03/11/2026;10001",
    "10235;Ben;Ng;ben.ng@example.com;10/11/2026;10001",
    "10236;Cleo;Patel;cleo.patel@example.org;17/11/2026;10002",
]

# Baltic and Nordic names in the code pages their Windows writes, each with its own letters.
BALTIC_NORDIC_FILES = [
    ("estonian_cp1257.csv", "cp1257", ["Eesnimi;Perekonnanimi;E-post", "Tõnu;Kõiv;tonu@example.ee",
                                       "Jüri;Mägi;juri@example.ee", "Mari-Liis;Šmidt;mari@example.ee",
                                       "Õnne;Žukov;onne@example.ee"]),
    ("estonian_cp1252.csv", "cp1252", ["Eesnimi;Perekonnanimi;E-post", "Tõnu;Kõiv;tonu@example.ee",
                                       "Jüri;Mägi;juri@example.ee", "Kärt;Õunapuu;kart@example.ee"]),
    ("latvian_cp1257.csv", "cp1257", ["Vārds;Uzvārds;E-pasts", "Jānis;Bērziņš;janis@example.lv",
                                      "Līga;Ozoliņa;liga@example.lv", "Ģirts;Ķēniņš;girts@example.lv",
                                      "Aļona;Čakste;alona@example.lv"]),
    ("lithuanian_cp1257.csv", "cp1257", ["Vardas;Pavardė;El. paštas", "Žydrūnas;Kazlauskas;zydrunas@example.lt",
                                         "Rūta;Šimkutė;ruta@example.lt", "Gintarė;Jankauskienė;gintare@example.lt",
                                         "Ąžuolas;Vaitkus;azuolas@example.lt"]),
    ("finnish_cp1252.csv", "cp1252", ["Etunimi;Sukunimi;Sähköposti", "Päivi;Mäkinen;paivi@example.fi",
                                      "Jyrki;Jääskeläinen;jyrki@example.fi", "Åsa;Öhman;asa@example.fi"]),
    ("swedish_cp1252.csv", "cp1252", ["Förnamn;Efternamn;E-post", "Björn;Åström;bjorn@example.se",
                                      "Märta;Öberg;marta@example.se"]),
]

# Email columns whose cells are not addresses, and tick boxes about email that never are the address.
EMAIL_HEADED_LETTERS = [
    "First Name,Last Name,Email,Department", "Ann,Lee,Y,Sales", "Ben,Ng,N,Support", "Cleo,Patel,x,Sales",
]
EMAIL_TICK_BOXES = [
    "First Name,Last Name,Send email?,Email opt-in,Email Address",
    "Ann,Lee,Y,Y,ann.lee@example.com", "Ben,Ng,N,N,ben.ng@example.com", "Cleo,Patel,Y,N,cleo.patel@example.org",
]

# Contacts exported as vCard. A photo is base64 folded over many lines (3.0, 4.0) or indented lines ending in a blank
# one (2.1); 2.1 writes non-ASCII names quoted-printable with their CHARSET, soft line breaks ending in "=".
_PHOTO = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0" * 12
IPHONE_CONTACTS = [
    "BEGIN:VCARD", "VERSION:3.0", "PRODID:-//Apple Inc.//iPhone OS 17.4//EN", "N:Lee;Ann;;;", "FN:Ann Lee",
    "ORG:Example Ltd;", "item1.EMAIL;type=INTERNET;type=HOME:ann.home@example.net",
    "item2.EMAIL;type=INTERNET;type=pref:ann.lee@example.com", "item2.X-ABLabel:_$!<Other>!$_",
    "TEL;type=CELL;type=VOICE;type=pref:+44 7700 900123",
    "PHOTO;ENCODING=b;TYPE=JPEG:" + _PHOTO[:74], *[" " + _PHOTO[at:at + 74] for at in range(74, len(_PHOTO), 74)],
    "END:VCARD",
    "BEGIN:VCARD", "VERSION:3.0", "N:Ng;Ben;;;", "FN:Ben Ng", "EMAIL;type=INTERNET;type=WORK:ben.ng@example.com",
    "EMAIL;type=INTERNET;type=HOME;type=pref:ben@home.example.net", "END:VCARD",
    # A card with a phone number only: kept, and missing its address like any row.
    "BEGIN:VCARD", "VERSION:3.0", "N:Patel;Cleo;;;", "FN:Cleo Patel", "TEL;type=CELL:+44 7700 900456", "END:VCARD",
]
ANDROID_CONTACTS_21 = [
    "BEGIN:VCARD", "VERSION:2.1", "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=85str=C3=B6m;Bj=C3=B6rn;;;",
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Bj=C3=B6rn =",
    "=C3=85str=C3=B6m", "TEL;CELL:+46701234567", "EMAIL;HOME:bjorn@home.example.se",
    "EMAIL;WORK:bjorn.astrom@example.se", "PHOTO;ENCODING=BASE64;JPEG:" + _PHOTO[:76],
    *["  " + _PHOTO[at:at + 76] for at in range(76, len(_PHOTO), 76)], "", "END:VCARD",
    "BEGIN:VCARD", "VERSION:2.1", "N:Svensson;Märta;;;", "FN:Märta Svensson", "EMAIL;PREF;INTERNET:marta@example.se",
    "NOTE;ENCODING=QUOTED-PRINTABLE:Met at the induction day;=0D=0AEMAIL:not-her@example.se =",
    "and more", "END:VCARD",
]
OUTLOOK_CONTACT_21 = [
    "BEGIN:VCARD", "VERSION:2.1", "N;LANGUAGE=en-gb;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Lef=E8vre;Zo=EB",
    "FN;CHARSET=Windows-1252;ENCODING=QUOTED-PRINTABLE:Zo=EB Lef=E8vre", "ORG:Acme", "TITLE:Trainer",
    "EMAIL;PREF;INTERNET:zoe.lefevre@acme.example", "EMAIL;INTERNET:zoe@home.example",
    "X-MS-OL-DEFAULT-POSTAL-ADDRESS:0", "REV:20240305T101500Z", "END:VCARD",
]
GOOGLE_CONTACTS_40 = [
    "BEGIN:VCARD", "VERSION:4.0", "FN:Dev Rao", "N:Rao;Dev;;;", "EMAIL;TYPE=home:dev@home.example",
    "EMAIL;TYPE=work;PREF=1:dev.rao@example.com", "END:VCARD",
    "BEGIN:VCARD", "VERSION:4.0", "FN:Eve Ray, PhD", "N:Ray;Eve;;;PhD",
    "EMAIL;TYPE=\"work,internet\":eve.ray@exa", " mple.com", "END:VCARD",
]


def make_preamble_workbook() -> None:
    """The LMS report saved as .xlsx: the title and notes in column A, the table from the header down."""
    import datetime

    from openpyxl import Workbook

    book = Workbook()
    book.properties.created = book.properties.modified = datetime.datetime(2026, 11, 30)
    book.active.title = "Completion"
    for line in LMS_LONG_PREAMBLE:
        book.active.append(line.split(",") if "@" in line or line.startswith("First name") else [line or None])
    book.save(HERE / "lms_long_preamble.xlsx")


def make_brought_files() -> None:
    write("lms_long_preamble.csv", crlf(*LMS_LONG_PREAMBLE))
    make_preamble_workbook()
    write("hr_long_preamble.csv", crlf(*HR_LONG_PREAMBLE), "cp1252")
    for name, encoding, lines in BALTIC_NORDIC_FILES:
        write(name, crlf(*lines), encoding)
    write("email_headed_letters.csv", crlf(*EMAIL_HEADED_LETTERS))
    write("email_tick_boxes.csv", crlf(*EMAIL_TICK_BOXES))
    write("iphone_contacts.vcf", crlf(*IPHONE_CONTACTS))
    write("android_contacts_21.vcf", crlf(*ANDROID_CONTACTS_21))
    write("outlook_contact_21.vcf", crlf(*OUTLOOK_CONTACT_21))
    write("google_contacts_40.vcf", "\n".join(GOOGLE_CONTACTS_40) + "\n")


if __name__ == "__main__":
    make_brought_files()
