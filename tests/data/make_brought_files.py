"""Write the files admins bring that make_files.py does not: run `python -m tests.data.make_brought_files`."""
from __future__ import annotations

from tests.data.make_files import crlf, write

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


def make_brought_files() -> None:
    write("lms_long_preamble.csv", crlf(*LMS_LONG_PREAMBLE))
    write("hr_long_preamble.csv", crlf(*HR_LONG_PREAMBLE), "cp1252")
    for name, encoding, lines in BALTIC_NORDIC_FILES:
        write(name, crlf(*lines), encoding)
    write("email_headed_letters.csv", crlf(*EMAIL_HEADED_LETTERS))
    write("email_tick_boxes.csv", crlf(*EMAIL_TICK_BOXES))


if __name__ == "__main__":
    make_brought_files()
