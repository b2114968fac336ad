"""Forms for series and for enrolling users."""
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from webapp.text import single_line

SOURCE_SELECTION, SOURCE_GROUP, SOURCE_EMAILS = "selection", "group", "emails"


class SeriesForm(FlaskForm):
    # One line: the name goes into email subjects.
    name = StringField("Name", validators=[DataRequired(message="Give the series a name."),
                                           Length(max=200)], filters=[single_line])
    description = TextAreaField("Description", validators=[Length(max=2000)])


class EnrolForm(FlaskForm):
    source = RadioField("Who to enrol", default=SOURCE_GROUP, choices=[
        (SOURCE_SELECTION, "The users selected in the Users list"),
        (SOURCE_GROUP, "Everyone in a group"),
        (SOURCE_EMAILS, "People by email address"),
    ])
    group = SelectField("Group", coerce=int, validate_choice=False, choices=[])
    emails = TextAreaField("Email addresses", validators=[Length(max=2_000_000)])
    # Archived or foreign series get a clear message from the service or a 404, not "Not a valid choice".
    series = SelectField("Series", coerce=int, validate_choice=False, choices=[],
                         validators=[DataRequired(message="Choose a series.")])
    send_invite = RadioField("Send Invite", default="yes", choices=[
        ("yes", "Yes: email each learner their enrolment (and sign-in details when needed)"),
        ("no", "No: send the details to me in one summary email instead"),
    ])
    due_date = DateField("Due date (optional)", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        """The chosen source needs its own field filled in."""
        valid = super().validate(extra_validators)
        self._follow_what_was_filled_in()
        if self.source.data == SOURCE_GROUP and not self.group.data:
            self.group.errors = [*self.group.errors, "Choose a group."]
            valid = False
        if self.source.data == SOURCE_EMAILS and not (self.emails.data or "").strip():
            self.emails.errors = [*self.emails.errors, "Paste at least one email address."]
            valid = False
        return valid

    def _follow_what_was_filled_in(self) -> None:
        # Without JavaScript, pasting addresses does not tick their radio button: when the
        # ticked source is empty and the other one was filled in, the admin meant that one.
        has_group, has_emails = bool(self.group.data), bool((self.emails.data or "").strip())
        if self.source.data == SOURCE_GROUP and not has_group and has_emails:
            self.source.data = SOURCE_EMAILS
        elif self.source.data == SOURCE_EMAILS and not has_emails and has_group:
            self.source.data = SOURCE_GROUP
