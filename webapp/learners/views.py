"""Views: the learner's "My learning" and the Team Manager's read-only "My groups"."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from webapp.enrolments.learner import enrolments_for
from webapp.models import AccountType
from webapp.users.groups import owned_groups

bp = Blueprint("learners", __name__)


@bp.get("/learning")
@login_required
def learning():
    """The learner page, "My learning": the series this person is enrolled in."""
    return render_template("learners/learning.html", enrolments=enrolments_for(current_user))


@bp.get("/team")
@login_required
def team():
    """Team Managers: a read-only view of the groups they own and their members."""
    if current_user.account_type not in (AccountType.TEAM_MANAGER.value, AccountType.ADMIN.value):
        abort(403)
    return render_template("learners/team.html", groups=owned_groups(current_user))
