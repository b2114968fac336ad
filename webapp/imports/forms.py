"""File Import forms: upload, reading settings, column matching, row edit and bulk actions (from the registry)."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from webapp.imports import bulk_actions
from webapp.imports.fields import import_fields, text_fields
from webapp.imports.problems import problem, sentence
from webapp.imports.sync_forms import UploadOptions
from webapp.imports.reading import DELIMITER_CHOICES, ENCODING_CHOICES
from webapp.imports.rewriting import REPLACEABLE
from webapp.imports.table import BULK_ACTIONS
from webapp.imports.table_pages import FILTERS
from webapp.imports.values import ACCOUNT_TYPE_LABELS

ACCOUNT_TYPE_CHOICES = list(ACCOUNT_TYPE_LABELS.items())
NO_COLUMN = ""
NOT_IMPORTED = "Not imported"
_REQUEST = object()  # "take the submitted form data", as a FlaskForm does by default


class UploadForm(UploadOptions, FlaskForm):  # UploadOptions: mode and full-list options (sync_forms)
    file = FileField("File to import", validators=[FileRequired("Choose a file to upload.")])


def _index(text: str | None) -> int | None:
    return int(text) if (text or "").isdigit() else None


class SettingsForm(FlaskForm):
    """How to read the kept file: encoding, delimiter, and which header feeds each field (one select per field)."""

    encoding = SelectField("Encoding", choices=ENCODING_CHOICES, validate_choice=False)
    delimiter = SelectField("Delimiter", choices=DELIMITER_CHOICES, validate_choice=False)

    @classmethod
    def build(cls, headers: list[str], formdata=_REQUEST, **data):
        """A settings form with a select per registered field, offering the file's headers."""
        form_class = type("BoundSettingsForm", (cls,), {
            f.key: SelectField(f.label, validate_choice=False) for f in import_fields()})
        form = form_class(**data) if formdata is _REQUEST else form_class(formdata=formdata, **data)
        choices = [(NO_COLUMN, NOT_IMPORTED)] + [(str(i), h or f"Column {i + 1}") for i, h in enumerate(headers)]
        for f in import_fields():
            form[f.key].choices = choices
        return form

    def field_selects(self):
        return [self[f.key] for f in import_fields()]

    def mapping(self) -> dict:
        """{field: header index or None} as chosen."""
        return {f.key: _index(self[f.key].data) for f in import_fields() if f.key in self}


class MatchForm(FlaskForm):
    """The column-matching step: the field each column feeds, and how the file is read."""

    sheet = SelectField("Sheet", validate_choice=False)
    header_line = IntegerField("Header row (line number)", validators=[Optional(), NumberRange(min=1, max=1000)])
    encoding = SelectField("Encoding", choices=ENCODING_CHOICES, validate_choice=False)
    delimiter = SelectField("Delimiter", choices=DELIMITER_CHOICES, validate_choice=False)

    @classmethod
    def build(cls, headers: list[str], formdata=_REQUEST, **data):
        """A form with one select per column, offering every registered field or "Not imported"."""
        form_class = type("BoundMatchForm", (cls,), {
            f"column_{i}": SelectField(h or f"Column {i + 1}", validate_choice=False)
            for i, h in enumerate(headers)})
        form = form_class(**data) if formdata is _REQUEST else form_class(formdata=formdata, **data)
        choices = [(NO_COLUMN, NOT_IMPORTED)] + [(f.key, f.label) for f in import_fields()]
        form.column_count = len(headers)
        for i in range(len(headers)):
            form[f"column_{i}"].choices = choices
        return form

    def column_select(self, index: int):
        return self[f"column_{index}"]

    def mapping(self) -> dict:
        """{field: column index or None}; raises ValueError when one field is chosen for two columns."""
        chosen: dict = {f.key: None for f in import_fields()}
        for index in range(self.column_count):
            key = self[f"column_{index}"].data or NO_COLUMN
            if key == NO_COLUMN or key not in chosen:
                continue
            if chosen[key] is not None:
                label = next(f.label for f in import_fields() if f.key == key)
                raise ValueError(f"\u201c{label}\u201d is chosen for two columns. Choose it for one column only.")
            chosen[key] = index
        return chosen


def initial_columns(column_map: dict, count: int) -> dict:
    """Form data {column_i: field key} from a {field: index} mapping."""
    data = {f"column_{i}": NO_COLUMN for i in range(count)}
    for key, index in (column_map or {}).items():
        if isinstance(index, int) and 0 <= index < count:
            data[f"column_{index}"] = key
    return data


def row_form(formdata=_REQUEST, **data):
    """The inline edit form: a text input per text field of the registry, with its length limit."""
    attributes = {}
    for f in text_fields():
        validators = [Optional()]
        if f.max_length:
            validators.append(Length(max=f.max_length, message=sentence(problem(f.key, "too_long", max=f.max_length))))
        attributes[f.key] = StringField(f.label, validators=validators)
    attributes["account_type"] = SelectField("Account type", choices=ACCOUNT_TYPE_CHOICES, validate_choice=False)
    attributes["send_invite"] = BooleanField("Send Invite & Password")
    form_class = type("RowForm", (FlaskForm,), attributes)
    return form_class(**data) if formdata is _REQUEST else form_class(formdata=formdata, **data)


RowForm = row_form  # the name other modules know


class ChoiceForm(FlaskForm):
    """One control of a row changed on its own: the account type select or the invite tick."""

    field = HiddenField()
    account_type = SelectField("Account type", choices=ACCOUNT_TYPE_CHOICES, validate_choice=False)
    send_invite = BooleanField("Send Invite & Password")


SCOPE_CHOICES = [("selected", "Selected rows"), ("page", "All rows on this page"),
                 ("all_matching", "All rows that match the filter")]


class BulkForm(FlaskForm):
    action = SelectField("Bulk action", choices=list(BULK_ACTIONS.items()))
    account_type = SelectField("Account type", choices=ACCOUNT_TYPE_CHOICES)
    scope = SelectField("Apply to", choices=SCOPE_CHOICES)
    filter = HiddenField(default="all")
    q = HiddenField(default="")
    page = IntegerField(validators=[Optional()], default=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.action.choices = bulk_actions.choices()  # with the actions extensions registered


class ReplaceForm(FlaskForm):
    """Find and replace within one column of the chosen rows."""

    column = SelectField("In column", choices=list(REPLACEABLE.items()))
    find = StringField("Find", validators=[DataRequired("Type the text to find.")])
    replacement = StringField("Replace with")
    scope = SelectField("In", choices=SCOPE_CHOICES, default="all_matching")
    filter = HiddenField(default="all")
    q = HiddenField(default="")
    page = IntegerField(validators=[Optional()], default=1)


FILTER_CHOICES = [(key, label) for key, (label, _) in FILTERS.items()]
