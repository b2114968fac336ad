"""Finding the table in a sheet of cells: the header row, the people below it, and the lines that are not people."""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter

# Characters that make a cell look filled while holding nothing a person could read.
BLANK_CHARS = " \t\r\n\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
              "\u200b\u200c\u200d\u2028\u2029\u202f\u205f\u2060\u3000\ufeff"
# Bounded as addresses are (64 before the @, 253 after). A domain ends in letters (or an "xn--" IDN ending): Teams
# writes its meeting's id, "19:meeting_NzE2@thread.v2", in the summary above the attendees, and it is no address.
_TLD = r"(?:[^\W\d_]{2,63}|[xX][nN]--[^\W_]{1,59})(?![\w-])"
EMAIL = re.compile(r"[^\s@<>,;:\"'()\[\]]{1,64}@[^\s@<>,;:\"'()\[\]]{1,253}\." + _TLD)
# The same found from its @ (one character of the name before it is all a search needs): a search for EMAIL tried
# every character of a long cell as an address's start, and a sheet of 10,000-letter cells held the web process for
# hours; from the @ a search is as fast as finding the @ signs.
_ADDRESS_AT = re.compile(r"@(?<=[^\s@<>,;:\"'()\[\]]@)[^\s@<>,;:\"'()\[\]]{1,253}\." + _TLD)
_HEADER_SCAN = 30        # without an address below, a header further down than this many filled lines is not looked for
# HR and LMS reports put a title, their filters and notes above the table: with an address below them, the header is
# looked for down to the line above it, up to this many filled lines (the head read holds EMAIL_SCAN of them at most).
_PREAMBLE_SCAN = 150
_SUMMARY_ROWS = 10       # lines of a meeting's details above its attendees, at the most
EMAIL_SCAN = 200        # filled lines searched for the first email address
_TOKEN = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)?")
HEADER_WORDS = frozenset("""
name names first last given surname family full middle display preferred nickname email e-mail mail
emailaddress address user username userid login upn principal id type role account department dept title
phone mobile group groups manager status employee job company organisation organization location office
team cohort course class number no
vorname nachname benutzername benutzer abteilung rolle anrede
prénom prenom nom courriel adresse identifiant utilisateur électronique
nombre apellido apellidos correo electrónico electronico usuario
nome cognome posta utente sobrenome apelido utilizador usuário
voornaam achternaam naam gebruikersnaam
imię imie nazwisko jméno jmeno příjmení prijmeni
förnamn efternamn fornavn etternavn efternavn navn namn epost e-post
etunimi sukunimi sähköposti
eesnimi perekonnanimi vārds uzvārds e-pasts vardas pavardė paštas vezetéknév keresztnév prezime
имя фамилия отчество почта логин
ad soyad adı soyadı e-posta
""".split())
_FOOTERS = [
    (re.compile(r"^\W*(grand\s+)?(sub)?totals?\b|^\W*(count|sum)\s*[:=]", re.I), "a total line below the table"),
    (re.compile(r"confidential|copyright|\u00a9|\(c\)\s*\d|do not distribute|all rights reserved", re.I),
     "a confidentiality or copyright note below the table"),
    (re.compile(r"^\W*(generated|exported|printed|created|produced|report\s+(generated|run|date))\b|^\W*source\s*:",
                re.I), "a note about the export below the table"),
    (re.compile(r"^\W*(page\s+\d+|end\s+of\s+(report|list|file|data))", re.I), "a page or end marker below the table"),
]

# Lines an export tool writes among its people, by their first cell exactly as the tool writes it. Looked up once
# per row (a dict lookup keeps reading 100,000 rows fast); a line with an email address is a person all the same.
TOOL_LINES = {
    "    Points Possible": "Canvas's Points Possible line (the most points of each assignment), not a person",
    "Points Possible": "Canvas's Points Possible line (the most points of each assignment), not a person",
    "Student, Test": "Canvas's Test Student, the preview account every Canvas course has, not a person",
    # Google Classroom's grades: lines of due dates, points and class averages above the students.
    "Points possible": "a line of the most points of each assignment, not a person",
    "Average": "a line of the class's average marks, not a person",
    "Date": "a line of the assignments' dates, not a person",
}
# Directories list their bots and apps among the people (Slack's member export: Slackbot and each bot, status
# "Bot", without an address). A row without an address with one of these cells, exactly, is such an account.
SERVICE_ROLES = frozenset(spelling for word in ("bot", "bot user", "deactivated bot", "deactivated app",
                                                "service account")
                          for spelling in (word, word.capitalize(), word.title(), word.upper()))
# Cells that answer a question in a person's row; "no" is a header word only as "No." (a number).
_ANSWERS = frozenset({"no", "yes", "y", "n", "true", "false"})
SECOND_HEADER = "a second header row (the columns' names again), not a person"
_SURVEY_ANSWER_HEADS = frozenset({"Response", "Open-Ended Response", "Open-ended response", "Responses"})
# Reports grouped by department, form or course write the group's name on a line of its own among the people:
# "Department: Sales", "Form: 7A" (a label, a colon and a value, alone in the first column).
_GROUP_HEADING = re.compile(r"\s*[^\W\d_][^\W_]*(?:[ /&-][^\W_]+){0,3}\s*:(?!//)\s*[^@:]{1,80}")
# A report printed to CSV repeats "Page 2 of 5" among its people, not only at the end; first cells to look at.
PAGE_STARTS = frozenset({"Page", "PAGE", "page"})
_PAGE_MARKER = re.compile(r"page\s+\d+(\s*(of|/)\s*\d+)?\W*", re.I)


@dataclass
class SkippedLine:
    """A line of the file that was not read as a person, with its text and why."""

    line: int
    text: str
    reason: str


@dataclass
class Located:
    """The header cells (None when the file has none) and the people rows found in a sheet."""

    header_cells: list[str] | None
    header_line: int | None
    rows: list[tuple[int, list[str]]]
    skipped: list[SkippedLine]


class NoTable(ValueError):
    """No table could be found; str(error) says why in a sentence for a person."""


def is_blank(cells: list[str]) -> bool:
    """True when no cell holds anything but spaces, including invisible ones."""
    return not "".join(cells).strip(BLANK_CHARS)


def has_email(cells: list[str]) -> bool:
    """True when some cell holds something shaped like an email address."""
    return _ADDRESS_AT.search("\x1f".join(cells)) is not None


def filled_count(cells: list[str]) -> int:
    return sum(1 for cell in cells if cell.strip(BLANK_CHARS))


def header_word_count(cells: list[str]) -> int:
    """How many cells read like column names (Name, E-mail, Nachname, Courriel...)."""
    count = 0
    for cell in cells:
        if not cell or len(cell) > 60 or ("@" in cell and EMAIL.fullmatch(cell.strip(BLANK_CHARS))):
            continue  # an address is a value, not a column name, even jane.email@example.com
        lowered = cell.lower()
        if lowered in _ANSWERS:
            continue  # a person's "No" (Zoom's Guest column), not "No." heading a column of numbers
        if "email" in lowered or "name" in lowered.replace(" ", ""):
            count += 1
        elif any(token in HEADER_WORDS for token in _TOKEN.findall(lowered)):
            count += 1
    return count


def tool_line_reason(cells: list[str]) -> str | None:
    """Why a row among the people is an export tool's own line (TOOL_LINES, a page marker), or None when it may be a
    person: a dict look-up and a prefix test for most rows, so every row of 100,000 can be asked."""
    reason = TOOL_LINES.get(cells[0]) if cells else None
    if reason is None and cells and cells[0][:4] in PAGE_STARTS and _PAGE_MARKER.fullmatch(line_text(cells)):
        reason = "a page marker of a report, not a person"
    if reason is None and not SERVICE_ROLES.isdisjoint(cells):
        role = next(cell for cell in cells if cell in SERVICE_ROLES)
        reason = f"a bot or app account (\u201c{role}\u201d), not a person"
    if reason is None and cells and ":" in cells[0] and _GROUP_HEADING.fullmatch(cells[0]) \
            and not "".join(cells[1:]).strip(BLANK_CHARS) and not any(p.search(cells[0]) for p, _ in _FOOTERS):
        reason = f"a group heading (\u201c{cells[0].strip(BLANK_CHARS)}\u201d) among the people, not a person"
    return None if reason is None or has_email(cells) else reason


def line_text(cells: list[str]) -> str:
    """A skipped line as a person would recognise it: its filled cells, comma-separated, not too long."""
    text = ", ".join(cell.strip(BLANK_CHARS) for cell in cells if cell.strip(BLANK_CHARS))
    return text if len(text) <= 200 else text[:199] + "\u2026"


def locate(rows: list[tuple[int, list[str]]], *, header_line: int | None = None) -> Located:
    """Find the header row (or decide there is none), the people below it, and the lines to skip.

    One pass over the body does everything per row (blank, repeated header, shape to the header's width):
    reading 100,000 rows must stay close to a bare csv.reader.
    """
    head = first_filled(rows, header_line)
    if not head:
        raise NoTable("The file is empty. Add a header row and one row per person, then upload it again.")
    filled_head = [rows[index] for index in head]
    start, header_index, reason = choose_header(filled_head, header_line)
    skipped = [SkippedLine(line, line_text(cells), reason) for line, cells in filled_head[:start]]
    header_cells = None if header_index is None else filled_head[header_index][1]
    if header_cells is not None:
        header_cells = header_cells[:trimmed_length(header_cells)]
    body_from = head[start] if header_index is None else head[header_index] + 1
    body, gaps, repeats = _body(rows, body_from, header_cells)
    # A header line the admin chose is taken at its word: everything below it is read.
    end = _end_of_first_table(body, gaps) if header_line is None else len(body)
    if end < len(body):
        second = body[end][0]
        skipped += [SkippedLine(line, line_text(cells), f"part of a second table that starts on line {second}")
                    for line, cells in body[end:]]
        repeats = [item for item in repeats if item.line < second]
        body = body[:end]
    body, footers = _split_footers(body, len(header_cells) if header_cells else 0)
    skipped += repeats + footers
    skipped.sort(key=lambda item: item.line)
    return Located(header_cells, None if header_index is None else filled_head[header_index][0], body, skipped)


def first_filled(rows, header_line) -> list[int]:
    """Indexes of the first filled rows (enough to find the header), up to the chosen header line if further."""
    head = []
    for index, (line, cells) in enumerate(rows):
        if "".join(cells).strip(BLANK_CHARS):
            head.append(index)
            if len(head) >= EMAIL_SCAN and (header_line is None or line >= header_line):
                break
    return head


def _body(rows, body_from, header_cells):
    """The filled rows from body_from on (shaped to the header's width), where blank gaps were, and repeats."""
    rest = rows[body_from:]
    cells_list = list(map(itemgetter(1), rest))
    width = len(header_cells) if header_cells else 0
    # The common file (no blank rows, every row as wide as the header, no repeated header) is checked with
    # C-level builtins only and returned as it is.
    if all(map(str.strip, map("".join, cells_list), repeat(BLANK_CHARS))) and (
            header_cells is None or (set(map(len, cells_list)) == {width} and header_cells not in cells_list)):
        return rest, [], []
    body, gaps, repeats = [], [], []
    append = body.append
    first = header_cells[0] if header_cells else None
    padding = [""] * width
    blank_run = False
    for index in range(body_from, len(rows)):
        line, cells = rows[index]
        if not "".join(cells).strip(BLANK_CHARS):
            blank_run = True
            continue
        if blank_run:
            gaps.append(len(body))
            blank_run = False
        if cells[0] == first and cells[:width] == header_cells:
            repeats.append(SkippedLine(line, line_text(cells), "repeats the header row"))
            continue
        length = len(cells)
        if length != width and first is not None:
            if length < width:
                cells = cells + padding[length:]
            else:
                cells = cells[:max(width, trimmed_length(cells))]
        append((line, cells))
    return body, gaps, repeats


def trimmed_length(cells: list[str]) -> int:
    """The number of cells up to the last filled one."""
    length = len(cells)
    while length and not cells[length - 1].strip(BLANK_CHARS):
        length -= 1
    return length


def choose_header(filled, header_line):
    """(index of the first row read, index of the header row or None, reason for the lines above)."""
    if header_line is not None:
        if header_line == 0:
            return 0, None, "above the header row"
        for index, (line, _cells) in enumerate(filled):
            if line == header_line:
                return index, index, "above the header row you chose"
        raise NoTable(f"Line {header_line} is blank or past the end of the file. Choose a line that holds the "
                      "column names, such as First Name and Email Address.")
    # A header may show an example address ("Email (e.g. jane@example.com)"): words decide, not the @.
    first_email = next((index for index, (_line, cells) in enumerate(filled)
                        if has_email(cells) and header_word_count(cells) < 2), None)
    if first_email == 0:
        return 0, None, "above the first person"
    last_candidate = min(_HEADER_SCAN if first_email is None else first_email, _PREAMBLE_SCAN, len(filled))
    email_width = filled_count(filled[first_email][1]) if first_email is not None else None
    best_index, best_score = None, None
    for index in range(last_candidate):
        score = header_score(filled[index][1], directly_above_people=(index + 1 == first_email),
                             people_width=email_width)
        if best_score is None or score > best_score:
            best_index, best_score = index, score
    headerless = best_index is None or (first_email is not None and best_score < 2)
    people_header = None if headerless else _past_a_summary(filled, best_index)
    if people_header is not None:
        # Webinar reports (GoToWebinar) list the host, then the panelists, each a one-row table, before the attendees.
        while (further := _past_a_summary(filled, people_header)) is not None:
            people_header = further
        return people_header, people_header, "part of a summary above the table of people"
    past_a_note = _past_a_note(filled, first_email, None if headerless else best_score)
    if past_a_note is not None:
        return past_a_note, past_a_note, "above the header row"
    if headerless:
        # Only titles and notes above the first address: the people start there, without a header.
        return first_email, None, "above the first person"
    return best_index, best_index, "above the header row"


def _past_a_note(filled, first_email: int | None, best_score: float | None) -> int | None:
    """The header of the people's table when the first address found is a note's in a report's preamble ("Questions
    to hr.reporting@example.com"): an address with none on the next line, and below it a header row with addresses
    under it that scores higher than any row above the note."""
    if first_email is None or first_email + 1 >= len(filled) or has_email(filled[first_email + 1][1]):
        return None
    for index in range(first_email + 1, min(len(filled) - 1, _PREAMBLE_SCAN)):
        cells = filled[index][1]
        if has_email(filled[index + 1][1]) and looks_like_a_header(cells):
            score = header_score(cells, directly_above_people=True, people_width=filled_count(filled[index + 1][1]))
            return index if best_score is None or score > best_score else None
    return None


def _past_a_summary(filled, header: int) -> int | None:
    """The header of the people's table when the one found heads a short summary with one address instead.

    Meeting reports open with the meeting's details, the host's address among them: a one-row table (Zoom's attendee
    report) or lines of label and value (Webex: "Host, Hal Host (hal@...)"); then a blank line or a title ("Attendee
    Details") and the table of attendees.
    """
    end = header + 1
    while end < len(filled) and end - header <= _SUMMARY_ROWS and not _starts_a_titled_table(filled, end) \
            and (end == header + 1 or filled[end][0] - filled[end - 1][0] < 2):
        end += 1
    summary = filled[header + 1:end]
    if end + 1 >= len(filled) or end - header > _SUMMARY_ROWS or \
            sum(1 for _line, cells in summary if has_email(cells)) != 1:
        return None
    second = end + 1 if _starts_a_titled_table(filled, end) else end
    if second == end and filled[end][0] - filled[end - 1][0] < 2:
        return None  # no blank line and no title: the first table goes on
    if not looks_like_a_header(filled[second][1]):
        return None
    people = filled[second + 1:second + 11]
    if sum(1 for _line, cells in people if has_email(cells)) < 2:
        return None
    return second


def _starts_a_titled_table(filled, index: int) -> bool:
    """True for a title line ("Attendee Details") with a header row right under it."""
    cells = filled[index][1]
    return index + 1 < len(filled) and filled_count(cells) <= 1 and not has_email(cells) \
        and looks_like_a_header(filled[index + 1][1])


def header_score(cells: list[str], *, directly_above_people: bool = False, people_width: int | None = None) -> float:
    """How much a row looks like the header of a table of people (higher is likelier)."""
    filled = filled_count(cells)
    score = 3 * header_word_count(cells) + min(filled, 6)
    if filled <= 1:
        score -= 3  # a report title or a "Generated by" note
    if any(len(cell) > 60 for cell in cells):
        score -= 2
    if directly_above_people:
        score += 3
    if people_width and filled >= 0.6 * people_width:
        score += 1
    return score


def looks_like_a_header(cells: list[str]) -> bool:
    return not has_email(cells) and filled_count(cells) >= 2 and header_word_count(cells) >= 2


def is_second_header(cells: list[str]) -> bool:
    """True for a row right under the header that names the columns again (SAP SuccessFactors: "User ID" under
    "USERID"): three or more column names and no address; or a survey's row naming the answers under each question
    (SurveyMonkey: "Response", "Open-Ended Response" and each choice)."""
    if has_email(cells):
        return False
    return header_word_count(cells) >= 3 and filled_count(cells) >= 2 or not _SURVEY_ANSWER_HEADS.isdisjoint(cells)


def _end_of_first_table(body, gaps) -> int:
    """Index where a second table begins: after a blank gap, a header-like row (perhaps under a title)."""
    for index in gaps:
        if index == 0:
            continue
        for offset in range(3):
            if index + offset >= len(body):
                break
            cells = body[index + offset][1]
            if looks_like_a_header(cells):
                return index
            if has_email(cells) or filled_count(cells) > 1:
                break
    return len(body)


def _split_footers(body, width):
    """Peel lines off the end that are not people: totals, notes, copyright, one-cell lines without an address."""
    footers = []
    end = len(body)
    while end > 0:
        line, cells = body[end - 1]
        reason = footer_reason(cells, width)
        if reason is None:
            break
        footers.append(SkippedLine(line, line_text(cells), reason))
        end -= 1
    return body[:end], footers[::-1]


def footer_reason(cells: list[str], width: int) -> str | None:
    """Why a line at the end of a table is not a person, or None when it may be one."""
    if has_email(cells):
        return None
    text = " ".join(cell.strip(BLANK_CHARS) for cell in cells if cell.strip(BLANK_CHARS))
    for pattern, reason in _FOOTERS:
        if pattern.search(text):
            return reason
    if width != 1 and filled_count(cells) == 1:
        return "a line below the table with one filled cell and no email address"
    return None


def sheet_score(name: str, rows, count: int | None = None) -> float | None:
    """How likely a workbook sheet holds the people (None for an empty sheet); `count` rows in all, if known."""
    sample = []
    for line, cells in rows:
        if not is_blank(cells):
            sample.append(cells)
            if len(sample) >= EMAIL_SCAN:
                break
    if not sample:
        return None
    email_rows = sum(1 for cells in sample if has_email(cells))
    best_header = max(header_word_count(cells) for cells in sample[:_HEADER_SCAN])
    score = 2.0 * email_rows + 3 * best_header + min(len(rows) if count is None else count, 1000) / 100
    if re.search(r"instruction|read\s*me|readme|help|guide|notes?$|about|lookup|lists?$|settings|legend|example",
                 name, re.I):
        score -= 100
    return score
