"""Groups views on the users blueprint: list, create, a group's page, rename, owner, delete, members."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from webapp.access import get_in_org_or_404, org_id
from webapp.extensions import db
from webapp.models import Group, User
from webapp.users import groups as group_services
from webapp.users.forms import ConfirmForm, GroupNameForm, GroupOwnerForm
from webapp.htmx import wants_fragment
from webapp.users.views import bp


@bp.route("/groups", methods=["GET", "POST"])
def groups():
    """Groups: All Org Users and the custom groups with member counts; create a group."""
    form = GroupNameForm()
    if form.validate_on_submit():
        try:
            group = group_services.create_group(org_id(), current_user, form.name.data)
        except group_services.GroupError as error:
            form.name.errors.append(str(error))
        else:
            flash(f"Created the group {group.name}. Add members from the Users list.", "success")
            return redirect(url_for("users.group", group_id=group.id))
    return render_template("users/groups.html", form=form,
                           summaries=group_services.list_groups(org_id()))


def _group_page(group: Group, name_form=None, owner_form=None, status: int = 200):
    """Render a group's page with its forms (kept as typed when they carry errors)."""
    page_number = request.args.get("page", "1")
    members = group_services.member_page(group, int(page_number) if page_number.isdigit() else 1)
    name_form = name_form or GroupNameForm(formdata=None, name=group.name)
    if owner_form is None:
        owner_form = GroupOwnerForm(formdata=None, owner_id=group.owner_id or 0)
        owner_form.offer(group_services.team_managers(group.org_id))
    return render_template("users/group.html", group=group, members=members, name_form=name_form,
                           owner_form=owner_form, confirm_form=ConfirmForm()), status


@bp.get("/groups/<int:group_id>")
def group(group_id: int):
    """A group's page: members, and for a custom group its name, owner and delete."""
    return _group_page(get_in_org_or_404(Group, group_id))


@bp.post("/groups/<int:group_id>/rename")
def rename_group(group_id: int):
    """Rename a custom group."""
    group = get_in_org_or_404(Group, group_id)
    form = GroupNameForm()
    if form.validate_on_submit():
        old_name = group.name
        try:
            group_services.rename_group(group, current_user, form.name.data)
        except group_services.GroupError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            flash(f"Renamed {old_name} to {group.name}.", "success")
            return redirect(url_for("users.group", group_id=group.id))
    return _group_page(group, name_form=form)


@bp.post("/groups/<int:group_id>/owner")
def set_group_owner(group_id: int):
    """Set or clear a custom group's owner (a Team Manager)."""
    group = get_in_org_or_404(Group, group_id)
    form = GroupOwnerForm()
    form.offer(group_services.team_managers(group.org_id))
    if form.validate_on_submit():
        try:
            owner = group_services.set_owner(group, current_user, form.owner_id.data or None)
        except group_services.GroupError as error:
            db.session.rollback()
            form.owner_id.errors.append(str(error))
        else:
            flash(f"{owner.full_name} now owns {group.name} and sees it read-only." if owner
                  else f"{group.name} has no owner now.", "success")
            return redirect(url_for("users.group", group_id=group.id))
    return _group_page(group, owner_form=form)


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
def delete_group(group_id: int):
    """Confirm, then delete a custom group (its members' accounts stay)."""
    group = get_in_org_or_404(Group, group_id)
    form = ConfirmForm()
    if group.is_builtin:
        flash(f"{Group.ALL_ORG_USERS} is built in and cannot be deleted.", "error")
        return redirect(url_for("users.group", group_id=group.id))
    if form.validate_on_submit():
        name = group.name
        group_services.delete_group(group, current_user)
        flash(f"Deleted the group {name}. Its members' accounts are unchanged.", "success")
        return redirect(url_for("users.groups"))
    member_count = group_services.member_page(group, per_page=1).total
    return render_template("users/confirm_delete_group.html", group=group, form=form,
                           member_count=member_count)


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
def remove_member(group_id: int, user_id: int):
    """Remove one member from a custom group; HTMX gets the row removed and the new count."""
    group = get_in_org_or_404(Group, group_id)
    user = get_in_org_or_404(User, user_id)
    try:
        group_services.remove_members(group, current_user,
                                      select(User.id).where(User.org_id == org_id(), User.id == user.id))
    except group_services.GroupError as error:
        flash(str(error), "error")
        return redirect(url_for("users.group", group_id=group.id))
    if wants_fragment():
        total = group_services.member_page(group, per_page=1).total
        return render_template("users/partials/_member_removed.html", group=group, user=user,
                               total=total)
    flash(f"Removed {user.full_name} from {group.name}.", "success")
    return redirect(url_for("users.group", group_id=group.id))
