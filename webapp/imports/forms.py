"""File Import forms: upload, file settings (encoding, delimiter, mapping), row edit and bulk actions."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Optional

from webapp.imports.cleaning import ACCOUNT_TYPE_LABELS
from webapp.imports.reading import DELIMITER_CHOICES, ENCODING_CHOICES
from webapp.imports.table import BULK_ACTIONS, FILTERS, REPLACEABLE

ACCOUNT_TYPE_CHOICES = list(ACCOUNT_TYPE_LABELS.items())
NO_COLUMN = ""


class UploadForm(FlaskForm):
    file = FileField("File to import", validators=[FileRequired("Choose a file to upload.")])


class SettingsForm(FlaskForm):
    """How to read the kept file: encoding, delimiter, and which header feeds each field."""

    encoding = SelectField("Encoding", choices=ENCODING_CHOICES, validate_choice=False)
    delimiter = SelectField("Delimiter", choices=DELIMITER_CHOICES, validate_choice=False)
    first_name = SelectField("First Name", validate_choice=False)
    last_name = SelectField("Last Name", validate_choice=False)
    email = SelectField("Email", validate_choice=False)
    account_type = SelectField("Account Type", validate_choice=False)

    MAPPED = ("first_name", "last_name", "email", "account_type")

    def set_headers(self, headers: list[str]) -> None:
        choices = [(NO_COLUMN, "(none)")] + [(str(i), h or f"Column {i + 1}") for i, h in enumerate(headers)]
        for name in self.MAPPED:
            self[name].choices = choices

    def mapping(self) -> dict:
        """{field: header index or None} as chosen."""
        return {name: int(self[name].data) if (self[name].data or "").isdigit() else None
                for name in self.MAPPED}


class RowForm(FlaskForm):
    first_name = StringField("First name")
    last_name = StringField("Last name")
    email = StringField("Email")
    account_type = SelectField("Account type", choices=ACCOUNT_TYPE_CHOICES)


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
