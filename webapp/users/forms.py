"""Forms for Users & Groups: Create User, edit a user, groups and their owner."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from webapp.accounts.checks import valid_email
from webapp.models import AccountType
from webapp.text import single_line

ALL_TYPE_CHOICES = [(t.value, t.label) for t in AccountType]
# A Guest can never be made an Admin or a Team Manager, so a Guest's form offers only these.
GUEST_TYPE_CHOICES = [(t.value, t.label) for t in (AccountType.USER, AccountType.GUEST)]


class CreateUserForm(FlaskForm):
    first_name = StringField("First name", validators=[
        DataRequired("Enter the person's first name."), Length(max=100)], filters=[single_line])
    last_name = StringField("Last name", validators=[
        DataRequired("Enter the person's last name."), Length(max=100)], filters=[single_line])
    email = EmailField("Email address", validators=[
        DataRequired("Enter the person's email address."), valid_email])
    account_type = SelectField("Account type", choices=ALL_TYPE_CHOICES,
                               default=AccountType.USER.value, validate_choice=False)
    send_invite = BooleanField("Send Invite & Password: email the welcome with sign-in details now "
                               "(any account type)", default=False)
    create_another = BooleanField("Create Another", default=False)

    def validate_account_type(self, field) -> None:
        if field.data not in {value for value, _ in ALL_TYPE_CHOICES}:
            raise ValidationError("Choose one of the account types in the list.")


def kept_when_not_sent(form, field) -> None:
    """A post without the field at all (an older page or a script) keeps the current value."""
    if not field.raw_data:
        field.data = None
        raise StopValidation()


class EditUserForm(FlaskForm):
    first_name = StringField("First name", validators=[
        DataRequired("Enter the person's first name."), Length(max=100)], filters=[single_line])
    last_name = StringField("Last name", validators=[
        DataRequired("Enter the person's last name."), Length(max=100)], filters=[single_line])
    email = EmailField("Email address", validators=[kept_when_not_sent,
        DataRequired("Enter the person's email address."), valid_email])
    account_type = SelectField("Account type", choices=ALL_TYPE_CHOICES, validate_choice=False)
    send_details = BooleanField("If the email address changes, send their sign-in details to the new address",
                                default=False)

    def limit_types_for(self, user) -> None:
        """Offer only the account types this user may have."""
        if user.type is AccountType.GUEST:
            self.account_type.choices = GUEST_TYPE_CHOICES

    def validate_account_type(self, field) -> None:
        allowed = [value for value, _ in field.choices]
        if field.data in allowed:
            return
        if field.data in (AccountType.ADMIN.value, AccountType.TEAM_MANAGER.value):
            raise ValidationError("A Guest can never be made an Admin or a Team Manager.")
        raise ValidationError("Choose one of the account types in the list.")


class ConfirmForm(FlaskForm):
    """An empty form: a confirmation button carrying only the CSRF token."""


class GroupNameForm(FlaskForm):
    name = StringField("Group name", validators=[
        DataRequired("Give the group a name."), Length(max=120)], filters=[single_line])


class GroupOwnerForm(FlaskForm):
    owner_id = SelectField("Owner", coerce=int, choices=[(0, "No owner")], validate_choice=False)

    def validate_owner_id(self, field) -> None:
        if field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Only a Team Manager of your organisation can own a group. "
                                  "Choose one from the list.")

    def offer(self, managers) -> None:
        """Choices: no owner, or one of the organisation's Team Managers."""
        self.owner_id.choices = [(0, "No owner")] + [
            (m.id, f"{m.full_name} ({m.email})") for m in managers]
