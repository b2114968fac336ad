"""Send sign-in details: from a user's page, or for a selection on the Users list."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.access import get_in_org_or_404, org_id
from webapp.extensions import db
from webapp.mail.outbox import keeps_mail_only
from webapp.models import User
from webapp.users import signin_details
from webapp.users.forms import ConfirmForm
from webapp.users.queries import UserFilters, selected_user_ids
from webapp.users.views import bp


@bp.post("/<int:user_id>/send-details")
def send_details(user_id: int):
    """Email one person their sign-in details (a new password by the 48-hour rule, or a link)."""
    user = get_in_org_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        result = signin_details.send_details(current_user.org, current_user, [user.id])
        flash(signin_details.describe(result, keeps_mail_only=keeps_mail_only()),
              "success" if result.emailed else "warning")
    return redirect(url_for("users.detail", user_id=user_id))


@bp.post("/send-details")
def send_details_bulk():
    """Users list bulk action: confirm how many people, then email each their sign-in details."""
    filters = UserFilters.from_args(request.form)
    chosen = selected_user_ids(org_id(), request.form)
    count = db.session.scalar(select(func.count()).select_from(User).where(User.id.in_(chosen))) or 0
    if count == 0:
        flash("No users were selected. Tick some users, or choose every user matching the filter.", "error")
        return redirect(url_for("users.index", **filters.to_args()))
    if request.form.get("confirmed") != "1":
        return render_template("users/confirm_send_details.html", count=count, filters=filters,
                               all_matching=request.form.get("all_matching") == "1",
                               user_ids=request.form.getlist("user_id"), form=ConfirmForm(),
                               links=current_user.org.sends_password_links,
                               keeps_mail_only=keeps_mail_only())
    result = signin_details.send_details(current_user.org, current_user, chosen)
    flash(signin_details.describe(result, keeps_mail_only=keeps_mail_only()),
          "success" if result.emailed else "warning")
    return redirect(url_for("users.index", **filters.to_args()))
