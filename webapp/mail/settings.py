"""The organisation's mail settings: how sign-in details travel (passwords or single-use links)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField

from webapp import audit
from webapp.extensions import db
from webapp.mail.views import bp
from webapp.models import Organisation, User

DELIVERY_CHOICES = [
    ("password", "A generated password in the email (the default). People choose their own "
                 "password the first time they sign in."),
    ("link", "A single-use link to choose a password, valid for 7 days. No email and no "
             "completion summary file carries a password."),
]


class DeliveryForm(FlaskForm):
    password_delivery = RadioField("How welcome and enrolment emails give people their sign-in details",
                                   choices=DELIVERY_CHOICES, default="password")


def set_password_delivery(org: Organisation, actor: User, value: str) -> bool:
    """Store how this organisation's emails deliver sign-in details; True when it changed."""
    if value == org.password_delivery:
        return False
    audit.record(org.id, actor.id, "org.password_delivery", target_type="organisation",
                 target_id=org.id, old=org.password_delivery, new=value)
    org.password_delivery = value
    db.session.commit()
    return True


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Admins choose whether emails carry passwords or single-use set-password links."""
    org = current_user.org
    form = DeliveryForm(password_delivery=org.password_delivery)
    if form.validate_on_submit():
        if set_password_delivery(org, current_user, form.password_delivery.data):
            flash("Saved. New welcome and enrolment emails will carry "
                  + ("a single-use link instead of a password." if org.sends_password_links
                     else "a generated password."), "success")
        else:
            flash("Nothing changed.", "info")
        return redirect(url_for("mail.settings"))
    return render_template("mail/settings.html", form=form)
