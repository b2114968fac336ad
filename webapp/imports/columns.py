"""Mapping a file's columns to import fields: header synonyms from the registry, then the cells' content."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from webapp.imports.fields import import_fields
from webapp.imports.text import clean_cell, is_placeholder
from webapp.imports.values import account_type_key, looks_like_email, parse_account_type, parse_flag
from webapp.text import shortened

_BRACKETED = re.compile(r"\[[^\]]*\]|\([^)]*\)|\{[^}]*\}|<[^>]*>")
# Identity-provider templates mark columns "Required"/"Optional" outside the brackets too.
_MARKER_WORDS = re.compile(r"\b(required|optional|obligatoire|facultatif|erforderlich|pflichtfeld)\s*$", re.I)

# Words that make an email column someone else's address (or a second one), never the person's own.
_NOT_OWN_EMAIL = (
    "manager", "supervisor", "recovery", "secondary", "alternate", "alternative", "backup", "parent",
    "guardian", "emergency", "other", "home", "boss", "mentor", "approver", "sponsor", "spouse",
    "second", "additional", "forwarding", "previous", "old", "former", "assistant", "reportsto", "owner",
    # The same in the languages headers are matched in: a German, French, Spanish, Italian or Dutch export's
    # manager's ("Vorgesetzte/r", "responsable", "jefe") or parents' ("Eltern", "ouders", "genitori") address.
    "vorgesetzt", "fuhrungskraft", "chef", "eltern", "erziehungsberechtigt", "responsable", "jefe", "padres",
    "leidinggevende", "ouders", "responsabile", "genitori", "tuteur",
    # A school's or college's contacts of a learner: carers and family, numbered ("Contact 1 Email", "Priority 1
    # Contact") or the first of them ("Primary Contact Email").
    "mother", "father", "carer", "nextofkin", "family", "contact1", "contact2", "contact3", "contact4", "1contact",
    "2contact", "3contact", "primarycontact", "maincontact",
)
# An email column that is the person's own but a last resort: used only when nothing better exists.
_PERSONAL_EMAIL = ("personal", "privat", "prive", "personnel", "personlich")  # private, privé, persönlich
# Addresses of whoever booked, paid, hosted or taught: the person's own only in a file with no other address (a shop's
# orders, a list of trainers), never standing in for a blank attendee's (Eventbrite's "Buyer Email").
_SOMEONE_ELSES_EMAIL = ("buyer", "purchaser", "booker", "bookedby", "billing", "payer", "order", "invoice",
                        "organiser", "organizer", "host", "instructor", "teacher", "trainer", "tutor", "referrer",
                        "sender", "inviter", "invitedby", "employer", "agency", "assessor", "lecturer", "advisor",
                        "adviser", "coach", "recruiter")
_EXPLICIT_OWN = ("work", "business", "office", "primary", "company", "corporate", "organisation",
                 "organization", "employee", "professional", "main",
                 # German, French, Dutch, Italian, Spanish and Portuguese: "E-Mail (geschäftlich)"
                 "geschaftlich", "dienstlich", "professionnel", "zakelijk", "aziendale", "corporativ", "trabajo")
# Google Workspace's rename column: blank in exports, and never the address the person has now.
_IGNORED = {"newprimaryemail"}
_EMAIL_ENDINGS = ("email", "emailaddress", "emailaddr", "emailid", "mailaddress", "courriel")

# "Legal Name - First Name", "Preferred Name: Last Name": HR reports prefix the part of the name a column holds.
_QUALIFIED = re.compile(r"(legal|preferred|employee|worker)(?:\s+name)?\s*[-:\u2013]\s*(\w+\s*name)", re.I)

# A form's field in parts, a column each: Qualtrics' "Your name - First name", Gravity Forms' "Name (First)". The part
# names the field; the parts no field holds ("Name (Prefix)", "Name (Middle)") are not the full name.
_FIELD_PART = re.compile(r"(.+?)\s+[-\u2013]\s+(.+)")
_PART_FIELDS = ("first_name", "last_name", "email")
_UNUSED_NAME_PARTS = ("prefix", "suffix", "middle", "title", "salutation")

# "Delegate First Name", "Participant Surname": the people a list is of, then the part of the name (booking systems,
# event and CRM exports); the booker's, buyer's or parent's name is never matched, for its first word is none of these.
_PERSON_WORDS = (r"(?:student|learner|pupil|delegate|attendee|participant|registrant|candidate|member|customer"
                 r"|recipient|trainee|employee|staff|contact|applicant|apprentice|volunteer|client|person|worker"
                 r"|intern)")
_PERSON_NAME = re.compile(_PERSON_WORDS + r"(?:['\u2019]s)?\s*[-:]?\s+(.+)", re.I)
# Whoever paid ("Billing First Name", "Buyer Surname"): the person's name only when no other column holds names (a
# shop's orders), never standing in for a blank attendee's.
_PAYER_NAME = re.compile(r"(?:buyer|purchaser|billing|booker|payer|orderer)(?:['\u2019]s)?\s*[-:]?\s+(.+)", re.I)
# "Name of the delegate", "Email address of participant": the same, the other way round.
_OF_PERSON = re.compile(r"(.+?)\s+of\s+(?:the\s+|a\s+|this\s+|each\s+)?" + _PERSON_WORDS + r"s?\W*", re.I)
_NAME_FIELDS = ("first_name", "last_name", "full_name", "preferred_name", "surname_prefix", "second_last_name")

# A name's reading or transliteration (Japanese kana, Chinese pinyin, Outlook's "Given Yomi"): beside the name, never
# the name itself, even when it comes first ("First Name (Kana)", "姓(カナ)").
_READINGS = ("kana", "furigana", "yomi", "phonetic", "pinyin", "romaji", "カナ", "かな", "フリガナ", "ふりがな", "ヨミ",
             "よみ", "拼音")

# "Participant's name", "Student's email": the same column as "Participant Name", "Student Email".
_POSSESSIVE = re.compile(r"['\u2019]s\b", re.I)
# A form's question as a header (Google Forms, Microsoft Forms, Typeform, survey tools): "What is your full name?",
# "Please enter your email address", "Your last name:", "And your last name?", "Thanks {{name}}, what's your email?";
# what follows "your" names the field.
_ASKED = re.compile(r"(?:[^?]*?\s)?your\s+(.+?)[\s?:*.]*", re.I)
_HEADER_MAX = 1000  # no header names a field in more letters; the longest questions are a few hundred
_QUESTION_MAX = 200  # a form's question is a line; a longer header is no question

# An identity provider's attribute path: "profile.email", "name.givenName", "user.lastName".
_DOTTED = re.compile(r"([A-Za-z_][\w.]*)\.([A-Za-z_]\w*)")

# A CRM report's "Object: Field" header (Salesforce's "Contact: Full Name", "Lead: Email"): the field names it.
_OBJECT_FIELD = re.compile(r"([^\W\d_][\w ]{0,30}?)\s*:\s*(\S.*)")
# Objects whose fields are someone else's or a company's, never the person's: "Contact Owner: Email".
_NOT_THE_PERSON = _NOT_OWN_EMAIL + ("createdby", "modifiedby", "account", "company", "organisation",
                                    "organization")

CONTENT_RANK = 4       # an email column found by its cells, not its header
DISPLAYED_RANK = 8     # a display name that may show the address: a stand-in when the address cell is blank
PERSONAL_RANK = 9      # stands in only when it is the sole candidate
_SAMPLE_ROWS = 200
_MOSTLY = 0.6


def _key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def normalise_header(text: str) -> str:
    """Header text without case, accents, spaces, punctuation or bracketed notes like "[Required]"."""
    bare = _BRACKETED.sub(" ", clean_cell(text or ""))
    return _key(_MARKER_WORDS.sub("", bare.strip()))


_names_made: tuple = (None, {})  # (the fields it was made from, the table)


def _synonyms() -> dict[str, tuple[str, int]]:
    """The table of header names, {normalised name: (field key, rank)}, made again only when the registered fields
    differ from those it was made from: made for each header cell, a 10 KB CSV of 200 short columns took 13 s."""
    global _names_made
    fields = import_fields()
    if _names_made[0] != fields:  # (the same field objects compare by identity first: cheap)
        table: dict[str, tuple[str, int]] = {}
        for import_field in fields:
            for rank, group in enumerate(import_field.synonyms):
                for header in group:
                    table.setdefault(_key(header), (import_field.key, rank))
        _names_made = (fields, table)
    return _names_made[1]


@dataclass
class ColumnMap:
    """Which column (by index) feeds each field, with per-row fallbacks and how sure we are."""

    columns: dict[str, int | None] = field(default_factory=dict)
    # Further columns for a field, in order of preference, read when the chosen column's cell is blank.
    fallbacks: dict[str, list[int]] = field(default_factory=dict)
    # Why the mapping needs a person's look (empty when every needed field was matched with certainty).
    doubts: list[str] = field(default_factory=list)
    # Columns chosen by their content rather than their header.
    by_content: list[int] = field(default_factory=list)

    def __getattr__(self, name):
        if name.startswith("_") or name in ("columns", "fallbacks", "doubts", "by_content"):
            raise AttributeError(name)
        return self.__dict__.get("columns", {}).get(name)

    @property
    def certain(self) -> bool:
        return not self.doubts

    def splits_full_name(self) -> bool:
        return self.first_name is None and self.last_name is None and self.full_name is not None

    def header_names(self, headers) -> dict:
        """The header each field is read from (a split full-name column counts for both names)."""
        def name(index):
            return headers[index] if index is not None and index < len(headers) else None

        named = {key: name(index) for key, index in self.columns.items()}
        if self.splits_full_name():
            named["first_name"] = named["last_name"] = name(self.full_name)
        for key in ("first_name", "last_name", "email", "account_type"):
            named.setdefault(key, None)
        return named

    def as_json(self) -> dict:
        return dict(self.columns)


class NoEmailColumn(ValueError):
    """No header looks like the person's email address; str(error) names the headers found."""


def _email_words(bare: str) -> tuple[str, int] | None | bool:
    """Rank an unlisted header containing "email": (field, rank), None for unrelated, False when refused."""
    if not ("email" in bare or bare.endswith("mail") or "courriel" in bare):
        return None
    if bare.startswith("cc") or any(word in bare for word in _NOT_OWN_EMAIL):
        return False
    if any(word in bare for word in _PERSONAL_EMAIL + _SOMEONE_ELSES_EMAIL):
        return ("email", PERSONAL_RANK)
    if "displayname" in bare:
        return ("email", DISPLAYED_RANK)  # Outlook's "E-mail Display Name": "Ann Lee (ann@example.com)"
    if any(word in bare for word in _EXPLICIT_OWN):
        return ("email", 0)
    if bare.endswith(_EMAIL_ENDINGS):
        return ("email", 5)
    return None


def _classify(text: str, synonyms: dict, *, asked: bool = True,
              prefixed: bool = True) -> tuple[str, int] | None | bool:
    cell = clean_cell(text or "")
    if "#" in cell:  # "Attendee #", "Student #": the number of an attendee, not a name ("#" is no letter to drop)
        cell = cell.replace("#", " No ")
    notes = [_key(note) for note in _BRACKETED.findall(cell)]
    # "User name [userPrincipalName] Required": the bracketed property names the field.
    for note in notes:
        if note in synonyms and not any(w in note for w in _NOT_OWN_EMAIL + _PERSONAL_EMAIL):
            return synonyms[note]
    joined_notes = "".join(notes)
    # "Email (personal)" must not pass for plain "Email"
    said = joined_notes if any(word in joined_notes for word in _NOT_OWN_EMAIL + _PERSONAL_EMAIL + _EXPLICIT_OWN) \
        else ""
    bare = normalise_header(cell) + said
    if bare in _IGNORED or any(reading in _key(cell) for reading in _READINGS):
        return False
    part = _name_part(cell, notes, synonyms) if notes else None
    if part is not None:
        return part
    known = synonyms.get(bare) or synonyms.get(normalise_header(_POSSESSIVE.sub("", cell)) + said)
    if known is not None:
        return known
    payer = _PAYER_NAME.fullmatch(cell.strip()) if prefixed else None
    if payer:
        found = _classify(payer.group(1), synonyms, asked=False, prefixed=False)
        if found and found[0] in _NAME_FIELDS:
            return found[0], PERSONAL_RANK
    person = (_PERSON_NAME.fullmatch(cell.strip()) or _OF_PERSON.fullmatch(cell.strip())) if prefixed else None
    if person:
        found = _classify(person.group(1), synonyms, asked=False, prefixed=False)
        if found and (found[0] in _NAME_FIELDS or found[0] == "email" and person.re is _OF_PERSON):
            return found[0], max(found[1], 1)  # after the plain "First Name" when a file has both
    dotted = _DOTTED.fullmatch(cell.strip())
    if dotted and not any(word in _key(dotted.group(1)) for word in _NOT_OWN_EMAIL):
        # Okta's "profile.firstName", SCIM's "name.givenName": the last part names the field.
        return _classify(dotted.group(2), synonyms)
    field_of = _OBJECT_FIELD.fullmatch(cell.strip()) if prefixed else None
    if field_of and not any(word in _key(field_of.group(1)) for word in _NOT_THE_PERSON):
        found = _classify(field_of.group(2), synonyms, asked=asked, prefixed=False)  # one level deep
        if found:
            return found
    question = _ASKED.fullmatch(cell.strip()) if asked and len(cell) <= _QUESTION_MAX else None
    if question:  # one question deep: "your ... your ..." is not asked again
        return _classify(question.group(1), synonyms, asked=False, prefixed=False)
    qualified = _QUALIFIED.fullmatch(cell.strip())
    if qualified:
        # Workday's "Legal Name - First Name": the qualifier joins the name ("Legal First Name").
        joined = synonyms.get(_key(qualified.group(1) + qualified.group(2))) or synonyms.get(_key(qualified.group(2)))
        if joined is not None:
            return joined
    split = _FIELD_PART.fullmatch(cell.strip())
    if split and not any(word in _key(split.group(1)) for word in _NOT_THE_PERSON):
        found = _classify(split.group(2), synonyms, asked=False, prefixed=False)  # "Your name - First name"
        if found and found[0] in _PART_FIELDS:
            return found
    return _email_words(bare)


def _name_part(cell: str, notes: list[str], synonyms: dict) -> tuple[str, int] | None | bool:
    """The field of a name column with its part in brackets ("Name (First)"), False for a part no field holds."""
    if synonyms.get(normalise_header(cell), ("",))[0] != "full_name":
        return None
    for note in notes:
        found = synonyms.get(note + "name")
        if found and found[0] in _PART_FIELDS:
            return found
        if note in _UNUSED_NAME_PARTS:
            return False
    return None


def classify_header(text: str) -> tuple[str, int] | None:
    """Return (field, rank) for one header cell, or None when it maps to nothing."""
    if len(text or "") > _HEADER_MAX:
        return None  # a cell this long is data: normalising it letter by letter cost 30 ms a cell
    found = _classify(text, _synonyms())
    return found or None


@dataclass
class _Column:
    index: int
    header: str
    values: list[str]

    def share(self, test) -> float:
        filled = [v for v in self.values if v]
        return sum(1 for v in filled if test(v)) / len(filled) if filled else 0.0


def _sample(headers: list[str], rows) -> list[_Column]:
    sample = [cells for _, cells in list(rows or [])[:_SAMPLE_ROWS]]
    columns = []
    for index, header in enumerate(headers):
        cells = []
        for row in sample:
            text = clean_cell(row[index]) if index < len(row) else ""
            cells.append("" if is_placeholder(text) else text)
        columns.append(_Column(index, header, cells))
    return columns


def _label_word(column: _Column | None) -> str | None:
    """The usual label of a Type column beside a value (Google Contacts' "E-mail 1 - Type": "* Work")."""
    if column is None:
        return None
    words = Counter(_key(v) for v in column.values if v)
    if not words:
        return None
    word, count = words.most_common(1)[0]
    known = _NOT_OWN_EMAIL + _PERSONAL_EMAIL + _EXPLICIT_OWN
    if count / sum(words.values()) >= 0.5 and any(word == k or word.startswith(k) for k in known):
        return word
    return None


def map_columns(headers: list[str], rows=None) -> ColumnMap:
    """Choose a column for each field from the headers, and the cells where given; raise NoEmailColumn."""
    synonyms = _synonyms()
    sampled = _sample(headers, rows) if rows is not None else None
    candidates: dict[str, list[tuple[int, int]]] = {}
    refused: set[int] = set()
    for index, header in enumerate(headers):
        found = _classify(header, synonyms)
        if found is False:
            refused.add(index)
        elif found:
            candidates.setdefault(found[0], []).append((found[1], index))
    by_content: list[int] = []
    doubts: list[str] = []
    if sampled is not None:
        by_content = _email_by_content(sampled, candidates, refused)
        doubts += _keep_real_account_types(sampled, candidates)
        doubts += _yes_no_is_no_address(sampled, candidates, synonyms)
        _blank_columns_give_way(sampled, candidates)

    _payers_names_last(candidates)
    chosen: dict[str, int | None] = {}
    fallbacks: dict[str, list[int]] = {}
    for import_field in import_fields():
        options = sorted(candidates.get(import_field.key, []))
        chosen[import_field.key] = options[0][1] if options else None
        spare = [index for rank, index in options[1:] if rank < PERSONAL_RANK]
        if spare and import_field.key in ("email", "first_name", "last_name", "full_name"):
            fallbacks[import_field.key] = spare
        if import_field.key == "email" and len(options) > 1 and options[0][0] == options[1][0] \
                and normalise_header(headers[options[0][1]]) != normalise_header(headers[options[1][1]]):
            doubts.append("several columns could hold the email address")
    if chosen.get("email") is None:
        raise NoEmailColumn(_no_email_message(headers))
    if chosen["email"] in by_content:
        doubts.append("the email column was chosen by its content, not its header")
    if all(chosen.get(k) is None for k in ("first_name", "last_name", "full_name", "preferred_name")):
        doubts.append("no column holds names")
    return ColumnMap(chosen, fallbacks, doubts, [i for i in by_content if i in chosen.values()])


_NAME_KEYS = ("first_name", "last_name", "full_name", "preferred_name")


def _payers_names_last(candidates: dict) -> None:
    """A buyer's or booker's name columns are the names only when no column names the person: beside "First Name" or
    "Delegate Surname", "Booker Name" is not the full name a blank row falls back to."""
    if any(rank < PERSONAL_RANK for key in _NAME_KEYS for rank, _index in candidates.get(key, [])):
        for key in _NAME_KEYS:
            candidates[key] = [(rank, index) for rank, index in candidates.get(key, []) if rank < PERSONAL_RANK]


def _email_by_content(sampled: list[_Column], candidates: dict, refused: set[int]) -> list[int]:
    """Columns whose cells are mostly addresses become email candidates, ranked by a neighbour's label."""
    email_columns = {index for _, index in candidates.get("email", [])}
    named_email = any(rank < PERSONAL_RANK for rank, _ in candidates.get("email", []))
    found = []
    for column in sampled:
        if column.index in email_columns or column.index in refused:
            continue
        if named_email and not normalise_header(column.header):
            # A blank header (the spare half of a merged "Email" cell) over other addresses: a header that names
            # the email column says where the person's own address is; these are someone else's or a second one.
            continue
        if column.share(looks_like_email) < _MOSTLY:
            continue
        # Addresses under a header naming someone else ("Manager", "Parent", "Reports To") are theirs, never the
        # person's; under a booker's or an assessor's, the person's only when no other column holds addresses.
        whose = _email_words("email" + normalise_header(column.header))
        if whose is False:
            continue
        # Addresses under another field's header ("Name", "User name") are an email column all the same.
        for key, options in candidates.items():
            candidates[key] = [(rank, index) for rank, index in options if index != column.index]
        mapped = {index for options in candidates.values() for _, index in options}
        label = None
        for neighbour in (column.index - 1, column.index + 1):
            if 0 <= neighbour < len(sampled) and neighbour not in mapped:
                label = label or _label_word(sampled[neighbour])
        rank = PERSONAL_RANK if whose and whose[1] == PERSONAL_RANK else CONTENT_RANK
        if label:
            judged = _email_words("email" + label)
            # Labelled "Other" or "Home" (Google Contacts' default labels): the person's address all the same when
            # no column holds a better one.
            rank = PERSONAL_RANK if judged is False else judged[1] if judged else CONTENT_RANK
        candidates.setdefault("email", []).append((rank, column.index))
        found.append(column.index)
    return found


_OTHER_VOCABULARY = 3  # values, none an account type, that show an explicit Account Type column means something else


def _keep_real_account_types(sampled: list[_Column], candidates: dict) -> list[str]:
    """A loosely named column (Role, Type) is Account Type only when its values are account types; an explicitly
    named one unless none of them is (Zoom's "User Type": Licensed, Basic). Returns a doubt for each left out."""
    options = candidates.get("account_type")
    if not options:
        return []
    kept, doubts = [], []
    for rank, index in options:
        column = sampled[index]
        filled = [v for v in column.values if v]
        known = column.share(lambda v: parse_account_type(v) is not None and account_type_key(v))
        # An explicit "Account Type" header is trusted, its unknown values row problems, unless a few values and not
        # one of them a type we know say it holds something else.
        if not filled or known >= 0.5 or (rank <= 1 and (known > 0 or len(filled) < _OTHER_VOCABULARY)):
            kept.append((rank, index))
        elif rank <= 1:
            examples = ", ".join(dict.fromkeys(filled))
            doubts.append(f"the {column.header} column holds no account type we know ({examples[:60]}), "
                          "so it is not imported and everyone gets the default type")
    candidates["account_type"] = kept
    return doubts


# Words of a yes/no column's header that make it the Send Invite choice ("Send invite email", "Welcome email").
_INVITE_WORDS = ("invit", "welcome", "send", "notify", "notification")


def _is_yes_no(text: str) -> bool:
    return "@" not in text and parse_flag(text) is not None


def _yes_no_is_no_address(sampled: list[_Column], candidates: dict, synonyms: dict) -> list[str]:
    """A column of yes/no cells (a workbook's TRUE/FALSE tick boxes) is no address: under "Send invite email" or
    "Welcome email" it is the Send Invite choice, when no column is named for that. One whose header names the address
    ("Email", "E-mail address") stays the email column when no other holds addresses: its "Y", "N" or "x" cells are
    then each row's problem, not a reason to refuse the file. Returns a doubt for such a column."""
    options = candidates.get("email")
    if not options:
        return []
    kept, named = [], []
    for rank, index in options:
        column = sampled[index]
        if not any(column.values) or column.share(_is_yes_no) < _MOSTLY:
            kept.append((rank, index))
            continue
        if synonyms.get(normalise_header(column.header), ("",))[0] == "email":
            named.append((rank, index))
        elif any(word in normalise_header(column.header) for word in _INVITE_WORDS) \
                and not candidates.get("send_invite"):
            candidates["send_invite"] = [(1, index)]
    if named and not any(sampled[index].share(looks_like_email) for _rank, index in kept):
        candidates["email"] = kept + named
        return [f"the {sampled[named[0][1]].header} column holds no email addresses"]
    candidates["email"] = kept
    return []


def _blank_columns_give_way(sampled: list[_Column], candidates: dict) -> None:
    """A column with nothing in it gives way to one for the same field that holds something, and raises no doubt
    between them: Microsoft Forms' "Email" ("anonymous") and "Name" of an anonymous form, beside the form's own
    "Email address" and "Full name" questions."""
    for key in ("email", "full_name", "first_name", "last_name"):
        options = candidates.get(key) or []
        filled = [(rank, index) for rank, index in options if any(sampled[index].values)]
        if filled and len(filled) < len(options):
            candidates[key] = filled


def _no_email_message(headers: list[str]) -> str:
    shown = [header for header in headers if header]
    if not shown:
        return 'No email column found: the header row is empty. Add a header row with a column named "Email Address".'
    if any("@" in header for header in shown):
        return ("No email column found: the first row looks like a person, not a header row. "
                'Add a header row such as "First Name", "Last Name", "Email Address" above the people.')
    # A hostile or misread file's "headers" may be 200 cells of 10,000 letters: the page names them shortened.
    listed = ", ".join(f'"{shortened(header, _HEADER_SHOWN)}"' for header in shown[:_HEADERS_NAMED])
    more = f" and {len(shown) - _HEADERS_NAMED:,} more" if len(shown) > _HEADERS_NAMED else ""
    return f'No email column found. The file\'s headers are: {listed}{more}. Add a column named "Email Address".'


_HEADERS_NAMED = 30
_HEADER_SHOWN = 60


def mapping_from_choices(headers: list[str], choices: dict[str, int | None]) -> ColumnMap:
    """A ColumnMap from a person's choice of column per field (None for "not imported")."""
    columns = {}
    for import_field in import_fields():
        index = choices.get(import_field.key)
        columns[import_field.key] = index if index is not None and 0 <= index < len(headers) else None
    return ColumnMap(columns)


def headers_key(headers: list[str]) -> str:
    """A stable key for a set of headers (normalised), to remember an organisation's mapping."""
    import hashlib

    joined = "\x1f".join(normalise_header(h) or f"#{i}" for i, h in enumerate(headers))
    return hashlib.sha256(joined.encode()).hexdigest()
