"""Users & Groups views (the Users list and Create User come in their own change)."""
from flask import render_template
from sqlalchemy import select

from webapp.access import console_blueprint, org_id
from webapp.extensions import db
from webapp.models import User

bp = console_blueprint("users", __name__, url_prefix="/users")


@bp.get("/")
def index():
    """The Users list."""
    users = db.session.scalars(select(User).where(User.org_id == org_id()).limit(50)).all()
    return render_template("users/index.html", users=users)


@bp.get("/groups")
def groups():
    """Groups (placeholder until the groups feature lands)."""
    return render_template("users/index.html", users=[])
