"""Users & Groups views: the Users list, bulk group actions, a user's page and Create User."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.access import console_blueprint, get_in_org_or_404, org_id
from webapp.extensions import db
from webapp.htmx import partial_or_page
from webapp.mail.outbox import keeps_mail_only
from webapp.models import AccountType, Group, User
from webapp.users import groups as group_services
from webapp.users import extras, services, signin_details
from webapp.users.forms import ConfirmForm, CreateUserForm, EditUserForm
from webapp.users.history import recent_history
from webapp.users import queries
from webapp.users.queries import (
    PER_PAGE_CHOICES,
    UserFilters,
    batch_banner,
    page_of_users,
    selected_user_ids,
)

bp = console_blueprint("users", __name__, url_prefix="/users")
extras.register(bp)  # facts extensions add to the Users list and user page


@bp.get("/")
def index():
    """The Users list: search, filters, sort and paging; HTMX gets the results alone."""
    filters = UserFilters.from_args(request.args)
    result = page_of_users(org_id(), filters)
    context = {
        "filters": filters,
        "result": result,
        "first_run": not filters.is_filtered and result.total_exact and result.total <= 1,
        "per_page_choices": PER_PAGE_CHOICES,
        "count_limit": queries.COUNT_LIMIT,
        "account_types": list(AccountType),
        "custom_groups": group_services.custom_groups(org_id()),
        "banner": batch_banner(org_id(), filters.batch),
    }
    return partial_or_page("users/index.html", "users/partials/_results.html", **context)


@bp.post("/bulk")
def bulk():
    """Add the selected users to a custom group, remove them from it, or go on to enrol them."""
    filters = UserFilters.from_args(request.form)
    back = redirect(url_for("users.index", **filters.to_args()))
    group_id = request.form.get("group_id", "")
    action = request.form.get("action")
    if action == "enrol":
        # The selection travels on in the address; the CSRF token of this form does not.
        if request.form.get("all_matching") == "1":
            selection = {"all_matching": "1", **filters.to_args()}
        else:
            selection = {"user_id": request.form.getlist("user_id")}
        return redirect(url_for("enrolments.new", **selection), code=303)
    if action not in ("add", "remove"):
        flash("Choose Add to group or Remove from group.", "error")
        return back
    if not group_id.isdigit():
        flash("Choose a group first, then press the button again. Your selection is below.", "error")
        return back
    group = get_in_org_or_404(Group, int(group_id))
    chosen = selected_user_ids(org_id(), request.form)
    try:
        if action == "add":
            change = group_services.add_members(group, current_user, chosen)
        else:
            change = group_services.remove_members(group, current_user, chosen)
    except group_services.GroupError as error:
        flash(str(error), "error")
        return back
    flash(bulk_message(action, group, change), "success" if change.changed else "warning")
    return back


def plural(count: int) -> str:
    """'1 user', '1,200 users'."""
    return f"{count:,} user" + ("" if count == 1 else "s")


def bulk_message(action: str, group: Group, change: group_services.MemberChange) -> str:
    """What a bulk group action did, with counts, in plain words."""
    if change.changed == 0 and change.unchanged == 0:
        return "No users were selected. Tick some users, or choose every user matching the filter."
    if action == "add":
        message = f"Added {plural(change.changed)} to {group.name}."
        if change.unchanged:
            message += f" {plural(change.unchanged)} already in it stayed as they were."
    else:
        message = f"Removed {plural(change.changed)} from {group.name}."
        if change.unchanged:
            message += f" {plural(change.unchanged)} were not in it."
    return message


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create User: one person, with an optional welcome email carrying their password."""
    form = CreateUserForm()
    if request.method == "GET" and request.args.get("another") == "1":
        form.create_another.data = True
    if form.validate_on_submit():
        try:
            created = services.create_user(
                current_user.org, current_user, first_name=form.first_name.data,
                last_name=form.last_name.data, email=form.email.data,
                account_type=AccountType(form.account_type.data), send_invite=form.send_invite.data,
            )
        except services.EmailTaken as error:
            form.email.errors.append(str(error))
        else:
            flash(created_message(created.user), "success")
            if form.create_another.data:
                return redirect(url_for("users.new", another=1))
            return redirect(url_for("users.index"))
    return render_template("users/new.html", form=form)


def created_message(user: User) -> str:
    """Confirmation naming the new user and what was sent, honest about whether mail goes out."""
    what = ("The welcome email with a link to choose their password" if user.org.sends_password_links
            else "The welcome email with their password")
    if user.invite_status != "invited":
        sent = ("No email was sent: their sign-in details go with their first series enrolment."
                if user.type in (AccountType.USER, AccountType.GUEST)
                else "No email was sent: use Send sign-in details on their page when they need them.")
    elif keeps_mail_only():
        sent = f"{what} is kept on the Mail page: no mail server is configured, so it is not sent."
    else:
        sent = f"{what} is on its way."
    return f"Created {user.full_name} ({user.email}) as {user.type.label}. {sent}"


@bp.route("/<int:user_id>", methods=["GET", "POST"])
def detail(user_id: int):
    """A user's page: details, sign-in details and failed mail, edit, groups and recent history."""
    user = get_in_org_or_404(User, user_id)
    failed = signin_details.failed_mail(user)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    if request.method == "GET":
        form.send_details.data = bool(failed)  # a failed email: offer to send again on correcting
    form.limit_types_for(user)
    if form.validate_on_submit():
        old_email = user.email
        try:
            services.update_user(user, current_user, first_name=form.first_name.data,
                                 last_name=form.last_name.data, email=form.email.data,
                                 account_type=AccountType(form.account_type.data))
        except services.TypeNotAllowed as error:
            db.session.rollback()
            form.account_type.errors.append(str(error))
        except services.EmailTaken as error:
            db.session.rollback()
            form.email.errors.append(str(error))
        else:
            message = f"Saved the changes to {user.full_name}."
            if user.email != old_email and form.send_details.data:
                result = signin_details.send_details(current_user.org, current_user, [user.id])
                message += " " + signin_details.describe(result, keeps_mail_only=keeps_mail_only())
            flash(message, "success")
            return redirect(url_for("users.detail", user_id=user.id))
    return render_template("users/detail.html", user=user, form=form,
                           groups=group_services.groups_of_user(user),
                           history=recent_history(user), failed_mail=failed,
                           last_details=signin_details.last_details(user),
                           confirm=ConfirmForm(), keeps_mail_only=keeps_mail_only())


@bp.route("/<int:user_id>/<any(deactivate, reactivate):change>", methods=["GET", "POST"])
def set_active(user_id: int, change: str):
    """Confirm, then deactivate (no more sign-in) or reactivate a user."""
    user = get_in_org_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.set_active(user, current_user, change == "reactivate")
        except services.TypeNotAllowed as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            flash(f"{user.full_name} is {change}d: they "
                  f"{'can sign in again' if change == 'reactivate' else 'can no longer sign in'}.",
                  "success")
        return redirect(url_for("users.detail", user_id=user.id))
    return render_template("users/confirm_active.html", user=user, form=form, change=change)


from webapp.users import details_views, group_views  # noqa: E402,F401  (more routes on this blueprint)
