"""Forms for set-up, sign-in and passwords."""
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from webapp import credentials
from webapp.accounts.checks import valid_email
from webapp.text import single_line


class ChosenPassword:
    """Validator: at least 12 characters and not a common password."""

    def __call__(self, form, field):
        email = getattr(form, "email", None)
        problem = credentials.chosen_password_problem(
            field.data or "", email=email.data if email else "",
        )
        if problem:
            raise ValidationError(problem)


class SetupForm(FlaskForm):
    org_name = StringField("Organisation name", validators=[DataRequired("Enter your organisation's name."), Length(max=200)], filters=[single_line])
    first_name = StringField("Your first name", validators=[DataRequired("Enter your first name."), Length(max=100)], filters=[single_line])
    last_name = StringField("Your last name", validators=[DataRequired("Enter your last name."), Length(max=100)], filters=[single_line])
    email = EmailField("Your email address", validators=[DataRequired("Enter your email address."), valid_email])
    password = PasswordField("Choose a password", validators=[DataRequired("Choose a password."), ChosenPassword()])
    confirm = PasswordField("Type the password again",
                            validators=[DataRequired("Type the password again."), EqualTo("password", "The passwords do not match.")])


class SignInForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])
    password = PasswordField("Password", validators=[DataRequired("Enter your password.")])


class NewPasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired("Choose a new password."), ChosenPassword()])
    confirm = PasswordField("Type the new password again",
                            validators=[DataRequired("Type the password again."), EqualTo("password", "The passwords do not match.")])


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField("Current password", validators=[DataRequired("Enter your current password.")])
