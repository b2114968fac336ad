"""Forgot password: ask for a single-use emailed link, then choose a new password with it.

Routes live on the auth blueprint; sign-in itself stays in views.py.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from wtforms import EmailField
from wtforms.validators import DataRequired

from webapp.accounts import tokens
from webapp.auth.forms import NewPasswordForm
from webapp.auth.views import bp
from webapp.mail.outbox import keeps_mail_only

SAME_ANSWER = ("If an account uses {email}, we have sent it an email with a link to choose a new "
               "password. The link works once, for {valid_for}. Check your spam folder if it does "
               "not arrive in a few minutes.")


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email address", validators=[DataRequired("Enter your email address.")])


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a link to choose a new password; the answer never says whether the account exists."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        tokens.email_reset_links(form.email.data)
        flash(SAME_ANSWER.format(email=form.email.data.strip(),
                                 valid_for=tokens.valid_for_words(tokens.RESET)), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form, mail_kept=keeps_mail_only())


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a single-use link from an email."""
    found = tokens.usable(token)
    if found is None:
        return render_template("auth/reset_link_invalid.html"), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        tokens.choose_password(found, form.password.data)
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form, user=found.user)
