"""Views: first-run set-up, sign-in and out, choosing and changing a password."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from webapp import credentials
from webapp.auth import services
from webapp.auth.forms import ChangePasswordForm, NewPasswordForm, SetupForm, SignInForm
from webapp.models import AccountType

bp = Blueprint("auth", __name__)


def is_safe_next(target: str | None) -> bool:
    """Only local paths: no scheme, no host, no protocol-relative or backslash tricks."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def home_for(user) -> str:
    """Where an account lands after signing in, by account type."""
    if user.account_type == AccountType.ADMIN.value:
        return url_for("users.index")
    if user.account_type == AccountType.TEAM_MANAGER.value:
        return url_for("learners.team")
    return url_for("learners.learning")


def throttled_message(minutes: int) -> str:
    """The sign-in refusal, with the real wait."""
    wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
    return f"Too many failed sign-ins for this account or from this network. Try again in {wait}."


@bp.get("/")
def index():
    """Send visitors to set-up, sign-in or their home page."""
    if not services.organisation_exists():
        return redirect(url_for("auth.setup"))
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """First run: create the organisation and its first admin; gone once done."""
    if services.organisation_exists():
        abort(404)
    form = SetupForm()
    if form.validate_on_submit():
        created, _ = services.create_organisation(
            name=form.org_name.data, slug=None, admin_email=form.email.data,
            admin_first_name=form.first_name.data, admin_last_name=form.last_name.data,
            admin_password=form.password.data,
        )
        login_user(created.admin)
        services.note_signed_in(created.admin)
        flash(f"Welcome! {created.org.name} is set up and you are signed in as its admin.", "success")
        return redirect(url_for("users.index"))
    return render_template("auth/setup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in; every account type uses this page."""
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    error = None
    status = 200
    headers = {}
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr)
        except services.Throttled as throttled:
            user, status = None, 429
            error = throttled_message(throttled.wait_minutes)
            headers["Retry-After"] = str(throttled.wait_seconds)
        if user is not None:
            login_user(user)
            target = request.args.get("next")
            if user.password_is_generated:
                return redirect(url_for("auth.choose_password",
                                        next=target if is_safe_next(target) else None))
            return redirect(target if is_safe_next(target) else home_for(user))
        if error is None:
            error, status = "That email and password do not match an account.", 401
        form.password.data = ""
    return render_template("auth/login.html", form=form, error=error), status, headers


@bp.post("/logout")
@login_required
def logout():
    """Sign out: this session and every copy of its cookie stop working."""
    services.sign_out(current_user._get_current_object())
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/choose-password", methods=["GET", "POST"])
@login_required
def choose_password():
    """After signing in with a generated password, the user sets their own."""
    form = NewPasswordForm()
    if form.validate_on_submit():
        if credentials.check_password(current_user.password_hash, form.password.data):
            form.password.errors.append("Choose a new password, not the one you were sent.")
        else:
            user = current_user._get_current_object()
            services.set_own_password(user, form.password.data)
            login_user(user)  # the new session version: other sessions of this user have ended
            flash("Your password is set.", "success")
            target = request.args.get("next")
            return redirect(target if is_safe_next(target) else home_for(current_user))
    return render_template("auth/choose_password.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's own password, knowing the current one."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not credentials.check_password(current_user.password_hash, form.current.data):
            form.current.errors.append("That is not your current password.")
        else:
            user = current_user._get_current_object()
            services.set_own_password(user, form.password.data)
            login_user(user)
            flash("Your password is changed.", "success")
            return redirect(home_for(current_user))
    return render_template("auth/change_password.html", form=form)
