"""The one registry of import fields: label, header synonyms, cleaner, limits and where each value goes.

Mapping, the staged table, the row edit form, the problems CSV, the CLI report and Create Users all
loop over this registry; adding a field is one `register_field(ImportField(...))`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flask import current_app, has_app_context

from webapp.imports import values

TEXT, NAME, EMAIL, ACCOUNT_TYPE, FLAG = "text", "name", "email", "account_type", "flag"

_CLEANERS = {TEXT: values.clean_text, NAME: values.clean_name, EMAIL: values.clean_email,
             ACCOUNT_TYPE: values.clean_account_type, FLAG: values.clean_flag}


@dataclass(frozen=True)
class ImportField:
    """One thing a file can say about a person."""

    key: str
    label: str
    # Header texts in any language, best first: each inner tuple is one rank (0 wins over 1 ...).
    synonyms: tuple[tuple[str, ...], ...] = ()
    kind: str = TEXT
    max_length: int | None = 200
    # The lower-case noun used in sentences ("first name"); defaults to the label.
    noun: str | None = None
    # The StagedRow column holding the value; None keeps it in StagedRow.extra under `key`.
    column: str | None = None
    # Where the value goes on Create Users: a User attribute, or None (kept on the staged row only).
    user_attribute: str | None = None
    # Only read to fill other fields (a full name is split into first and last); never staged itself.
    source_only: bool = False
    # Storage bound for the staged value (the staged column's length); longer text is shortened.
    storage_length: int = 500
    # The staged table's column heading (short); defaults to the label.
    heading: str | None = None
    # Listed as a column of the problems CSV (a row's tick is a choice, not something to fix).
    in_problems_csv: bool = True
    # A column of the staged table only when the file's mapping reads it (optional columns).
    only_when_mapped: bool = False
    # Named under "Not in the file" when the file has no column for it (a rare part of a name is not).
    listed_when_absent: bool = True
    clean: Callable | None = field(default=None, compare=False)
    # check(batch, scope) -> {row id: [problems]}: the checks that need the database, one query for all rows.
    check: Callable | None = field(default=None, compare=False)
    # The problem codes `check` owns: a new check replaces them on the rows it looks at.
    check_codes: tuple[str, ...] = ()

    def clean_value(self, raw: str, problems: list):
        """Clean and check one cell, appending typed problems; returns the value to stage."""
        return self.cleaner()(raw, problems)

    def cleaner(self) -> Callable:
        """clean_value with the field's cleaner and limits bound once (a file calls it for every cell)."""
        cleaner = self.clean or _CLEANERS[self.kind]
        key, max_length, storage = self.key, self.max_length, self.storage_length

        def clean(raw: str, problems: list):
            return cleaner(raw, key, problems, max_length=max_length, storage=storage)

        return clean

    def shown_for(self, batch) -> bool:
        """Whether the staged table of this batch has a column for the field."""
        return not self.only_when_mapped or (batch.column_map or {}).get(self.key) is not None

    @property
    def column_heading(self) -> str:
        return self.heading or self.label

    @property
    def shown_as_text(self) -> bool:
        """Shown and edited as a text cell in the staged table (account type and flags have controls)."""
        return not self.source_only and self.kind in (TEXT, NAME, EMAIL)


def _ranked(*groups) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(group) for group in groups)


BUILT_IN: tuple[ImportField, ...] = (
    ImportField(
        "first_name", "First Name", kind=NAME, max_length=100, noun="first name", heading="First name",
        column="first_name",
        user_attribute="first_name", storage_length=300, synonyms=_ranked(
            ("First Name", "First", "Firstname", "Given name", "Given names", "Givenname", "Forename",
             "Given/First name", "First/Given name",
             "Forenames", "First names", "FName", "Prénom", "Vorname", "Nombre", "Nombres", "Voornaam",
             "Nome", "Primo nome", "Primeiro nome", "Imię", "Имя", "名", "下の名前", "이름",
             # Nordic, Finnish, Baltic, Czech, Slovak, Hungarian and Croatian
             "Förnamn", "Fornavn", "Etunimi", "Eesnimi", "Vārds", "Vardas", "Jméno", "Meno", "Keresztnév", "Ime"),
            ("Employee First Name", "Student First Name", "User First Name", "Learner First Name"),
            (),
            # UK school systems (SIMS, Arbor): "Legal Forename", "Legal Surname".
            ("Legal First Name", "First Name (Legal)", "Legal Forename", "Legal Given Name"),
        )),
    ImportField(
        "last_name", "Last Name", kind=NAME, max_length=100, noun="last name", heading="Last name",
        column="last_name",
        user_attribute="last_name", storage_length=300, synonyms=_ranked(
            ("Last Name", "Last", "Lastname", "Surname", "Surnames", "Family name", "Familyname",
             "Surname/Family name", "Family name/Surname", "Last/Family name",
             "Family names", "LName", "Nom", "Nom de famille", "Nachname", "Familienname", "Apellido",
             "Apellidos", "Achternaam", "Cognome", "Sobrenome", "Último nome", "Nazwisko", "Фамилия",
             "姓", "苗字", "名字", "姓氏", "성", "Primer apellido", "Apellido paterno", "First surname", "Paternal surname",
             "Efternamn", "Etternavn", "Efternavn", "Sukunimi", "Perekonnanimi", "Uzvārds", "Pavardė", "Příjmení",
             "Priezvisko", "Vezetéknév", "Prezime"),
            ("Employee Last Name", "Student Last Name", "User Last Name", "Learner Last Name"),
            ("Preferred Last Name", "Preferred Surname"),
            ("Legal Last Name", "Last Name (Legal)", "Legal Surname", "Legal Family Name"),
            # Active Directory's and LDAP's attribute (csvde, ldifde, PowerShell exports): surname.
            ("sn",),
        )),
    ImportField(
        "full_name", "Full Name", kind=NAME, max_length=201, noun="full name", source_only=True,
        storage_length=600, synonyms=_ranked(
            ("Full Name", "Name", "Fullname", "Full names", "Person Name", "Nom complet", "Nom et prénom",
             "Prénom et nom", "Vollständiger Name", "Nombre completo", "Nome completo", "Volledige naam",
             "Naam", "Imię i nazwisko", "ФИО", "Полное имя",
             "Nombre y apellidos", "Nombre y apellido", "Apellidos y nombre", "Vor- und Nachname", "Name, Vorname",
             "Vor- und Zuname", "Vorname Nachname", "Prénom Nom", "Nome Cognome", "Cognome Nome", "Nazwisko i imię",
             "Nome e cognome", "Cognome e nome", "Voor- en achternaam", "Nome e sobrenome", "First and last name",
             "First and Last Name", "氏名", "名前", "姓名", "성명",
             # PowerSchool's "LastFirst" and the like: "Lee, Ann" in one column.
             "LastFirst", "Last First", "Last, First", "Last Name, First Name", "Surname, First Name",
             "Surname, Forename", "Nom, Prénom", "Apellidos, Nombre"),
            ("Display name", "displayName", "Employee Name", "Student Name", "Learner Name", "User Name (full)",
             "Participant Name", "Staff Name", "Contact Name", "Member Name", "Attendee Name", "Delegate Name",
             "Trainee Name", "Anzeigename",
             # Zoom's participant report: "User Name (Original Name)", the name shown before any rename.
             "Original Name",
             # HR systems name the person's whole name for its use: ADP's "Payroll Name" is "Lee, Ann M".
             "Payroll Name", "Legal Name", "Full Legal Name", "Legal Full Name", "Worker Name",
             "Associate Name", "Employee Full Name", "Student Full Name",
             "Nom d'affichage", "Nombre para mostrar", "Nome visualizzato", "Nome de exibição",
             "Weergavenaam", "Nazwa wyświetlana", "Отображаемое имя", "表示名",
             # A column named for the person (Canvas's gradebook "Student": "Doe, Jane"; a SharePoint list's
             # "Employee"), when no column says it is a name.
             "Student", "Employee", "Learner", "Participant", "Attendee", "Trainee", "Delegate",
             # Schools, recruiting and volunteering lists: "Pupil", "Candidate Name", "Volunteer".
             "Pupil", "Pupil Name", "Candidate", "Candidate Name", "Applicant", "Applicant Name", "Volunteer",
             "Volunteer Name", "Apprentice", "Apprentice Name", "Intern", "Intern Name", "Worker",
             "First & Last Name", "First/Last Name", "First and Surname"),
            ("Sortable name", "Short name"),
        )),
    ImportField(
        "preferred_name", "Preferred Name", kind=NAME, max_length=100, noun="preferred name",
        source_only=True, storage_length=300, synonyms=_ranked(
            ("Preferred Name", "Preferred First Name", "Preferred Forename", "Preferred Given Name", "Known As",
             "Nickname", "Nick name", "Goes by",
             "Prénom usuel", "Surnom", "Rufname", "Spitzname", "Nombre preferido", "Apodo",
             "Nome preferito", "Soprannome", "Nome preferido", "Roepnaam", "Pseudonim",
             "Preferowane imię", "Предпочитаемое имя", "通称", "ニックネーム"),
        )),
    # Parts of the last name some countries' exports keep in columns of their own: a Dutch "Jan | van der |
    # Berg" is Jan van der Berg, a Spanish "María | García | López" is María García López.
    ImportField(
        "surname_prefix", "Last Name Prefix", kind=NAME, max_length=100, noun="last name prefix",
        source_only=True, storage_length=300, listed_when_absent=False, synonyms=_ranked(
            ("Tussenvoegsel", "Tussenvoegsels", "Voorvoegsel", "Voorvoegsels", "Voorvoegsel achternaam",
             "Last Name Prefix", "Surname Prefix", "Family Name Prefix"),
        )),
    ImportField(
        "second_last_name", "Second Last Name", kind=NAME, max_length=100, noun="second last name",
        source_only=True, storage_length=300, listed_when_absent=False, synonyms=_ranked(
            ("Second Last Name", "Second Surname", "Maternal Surname", "Maternal Last Name", "Segundo apellido",
             "Apellido materno"),
        )),
    ImportField(
        "email", "Email Address", kind=EMAIL, max_length=254, noun="email address", heading="Email",
        column="email",
        user_attribute="email", storage_length=320, synonyms=_ranked(
            # An address explicitly the person's work one beats a generic "Email Address".
            ("Work Email", "Work Email Address", "Business Email", "Business Email Address", "Office Email",
             "Employee Email", "Employee Email Address", "Company Email", "Corporate Email",
             "Organisation Email", "Organization Email", "Primary Email", "Primary Email Address",
             "User Email", "Learner Email", "Student Email", "Staff Email", "Login Email", "Sign-in Email",
             "Email (Work)", "Email (Primary)", "Work E-mail", "E-mail professionnel",
             "Adresse e-mail professionnelle", "Courriel professionnel", "Geschäftliche E-Mail",
             "E-Mail (geschäftlich)", "Dienstliche E-Mail", "Correo corporativo", "Correo del trabajo",
             "Correo electrónico del trabajo", "Email aziendale", "E-mail aziendale", "E-mail corporativo",
             "E-mail comercial", "Zakelijk e-mailadres", "Werk e-mail", "E-mail służbowy",
             "Służbowy adres e-mail", "Рабочая почта", "Рабочий email", "Рабочий адрес электронной почты",
             "会社メールアドレス", "勤務先メールアドレス", "仕事用メール", "Correo electrónico corporativo",
             "Indirizzo email aziendale", "Служебная почта", "Служебный email", "Arbeits-E-Mail",
             "E-post (arbete)", "Työsähköposti", "İş e-postası"),
            ("Email Address", "Email", "E-mail", "E-mail address", "Email Addresses", "Courriel",
             "Adresse courriel", "Adresse e-mail", "Adresse email", "Adresse électronique", "E-Mail-Adresse",
             "Correo electrónico", "Correo", "Dirección de correo", "Dirección de correo electrónico",
             "Indirizzo email", "Indirizzo e-mail", "Posta elettronica", "Endereço de e-mail",
             "Endereço de email", "Correio eletrônico", "Correio electrónico", "E-mailadres", "Adres e-mail",
             "Adres email", "Электронная почта", "Эл. почта", "Почта", "Адрес электронной почты",
             "メールアドレス", "メール", "Eメール", "電子メール", "电子邮件", "电子邮箱", "邮箱", "电邮", "電子郵件",
             "電郵", "電子信箱", "이메일", "이메일 주소", "전자우편", "전자 메일",
             # Nordic, Finnish, Turkish, Hungarian, Czech and Slovak, Romanian, Greek
             "E-post", "E-postadresse", "E-postadress", "Epost", "Sähköposti", "Sähköpostiosoite", "E-posta",
             "E-posta adresi", "E-mail cím", "E-mailová adresa", "E-mail adresa", "Adresă de e-mail",
             "Adresa de e-mail", "Διεύθυνση email", "Ηλεκτρονικό ταχυδρομείο",
             # Estonian, Latvian, Lithuanian
             "E-posti aadress", "E-pasts", "E-pasta adrese", "El. paštas", "El. pašto adresas"),
            ("Mail", "Mail Address", "Email ID", "Emailaddress1"),
            ("User principal name", "UPN", "userPrincipalName", "Sign-in name", "Login email address"),
        )),
    ImportField(
        "account_type", "Account Type", kind=ACCOUNT_TYPE, max_length=None, noun="account type",
        column="account_type", user_attribute="account_type", storage_length=20, synonyms=_ranked(
            ("Account Type", "Type of account", "Type de compte", "Kontotyp", "Kontoart", "Tipo de cuenta",
             "Tipo di account", "Tipo de conta", "Accounttype", "Typ konta", "Тип учётной записи",
             "Тип учетной записи", "アカウント種別", "アカウントの種類"),
            ("User Type", "Usertype", "Member Type", "Account Role", "User Role", "Benutzertyp",
             "Tipo de usuario", "Tipo di utente", "Tipo de usuário", "Gebruikerstype", "Typ użytkownika",
             "Тип пользователя", "ユーザー種別"),
            ("Role", "Rôle", "Type", "Rolle", "Rol", "Ruolo", "Função", "Rola", "Роль", "役割"),
        )),
    ImportField(
        "send_invite", "Send Invite & Password", kind=FLAG, max_length=None, noun="Send Invite & Password",
        column="send_invite", storage_length=5, in_problems_csv=False, synonyms=_ranked(
            ("Send Invite", "Send Invite & Password", "Send Invite and Password", "Send Invitation",
             "Send Invite Email", "Send Invitation Email",
             "Invite", "Send Welcome Email", "Welcome Email", "Envoyer une invitation", "Inviter",
             "Einladung senden", "Einladen", "Enviar invitación", "Invitar", "Invia invito", "Invitare",
             "Enviar convite", "Convidar", "Uitnodiging versturen", "Uitnodigen", "Wyślij zaproszenie",
             "Zaproś", "Отправить приглашение", "Пригласить", "招待を送信", "招待"),
        )),
)

_EXTENSION = "import_fields"


def import_fields() -> tuple[ImportField, ...]:
    """Every import field of the running app (the built-in ones outside an app)."""
    if not has_app_context():
        return BUILT_IN
    return tuple(current_app.extensions.get(_EXTENSION) or BUILT_IN)


def register_field(new_field: ImportField, app=None) -> None:
    """Add a field to the app's registry (replacing a field with the same key)."""
    app = app or current_app
    registry = app.extensions.setdefault(_EXTENSION, list(BUILT_IN))
    registry[:] = [f for f in registry if f.key != new_field.key] + [new_field]


def get_field(key: str) -> ImportField | None:
    """The registered field with this key, or None."""
    return next((f for f in import_fields() if f.key == key), None)


def field_noun(key: str) -> str:
    """The noun a sentence uses for a field ("first name"); unknown keys read as themselves."""
    found = get_field(key) or next((f for f in BUILT_IN if f.key == key), None)
    if found is None:
        return key.replace("_", " ")
    return found.noun or found.label


def staged_fields() -> tuple[ImportField, ...]:
    """Fields whose value is staged on a row (not the name sources)."""
    return tuple(f for f in import_fields() if not f.source_only)


def text_fields() -> tuple[ImportField, ...]:
    """Fields shown and edited as text in the staged table, in registry order."""
    return tuple(f for f in import_fields() if f.shown_as_text)


def extra_fields() -> tuple[ImportField, ...]:
    """Staged fields without their own column: their values live in StagedRow.extra."""
    return tuple(f for f in staged_fields() if f.column is None)


def shown_fields(batch, fields) -> list[ImportField]:
    """The fields the batch's staged table shows (optional columns only when the file has them)."""
    return [f for f in fields if f.shown_for(batch)]


def check_batch(batch, scope=None) -> None:
    """Run the fields' database checks over the batch's open rows in `scope`; store problems and statuses."""
    from webapp.imports import field_checks  # the checks read and write staged rows

    # A field the batch's mapping does not read has no value on any of its rows, so nothing to check.
    checked = [f for f in import_fields() if f.check is not None and f.shown_for(batch)]
    if checked:
        field_checks.run(batch, checked, scope)
