"""Console views: series (list, create, edit, archive), enrolling users, enrolment lists."""
from __future__ import annotations

from flask import (abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_login import current_user

from webapp import jobs
from webapp.access import console_blueprint, get_in_org_or_404, org_id
from webapp.htmx import partial_or_page, stop_polling
from webapp.mail.outbox import keeps_mail_only
from webapp.enrolments import jobs as enrol_jobs
from webapp.enrolments import queries, services
from webapp.enrolments.forms import SOURCE_GROUP, SOURCE_SELECTION, EnrolForm, SeriesForm
from webapp.enrolments.notifications import NoticeKind
from webapp.models import AuditEvent, Group, Job, Series, User

bp = console_blueprint("enrolments", __name__)

# Query parameters the Users list sends along with a selection ("Enrol in series…").
SELECTION_KEYS = ("all_matching", "q", "type", "status", "signed_in", "batch")


@bp.app_template_filter("notice_label")
def notice_label(value: str) -> str:
    return NoticeKind(value).label


@bp.get("/series")
def series_list():
    """Series of the organisation, active or archived, with their enrolment counts."""
    archived = request.args.get("show") == "archived"
    return render_template("enrolments/series_list.html", archived=archived,
                           rows=queries.series_list(org_id(), archived=archived),
                           tab_counts=queries.series_tab_counts(org_id()))


@bp.route("/series/new", methods=["GET", "POST"])
def series_new():
    """Create a series."""
    form = SeriesForm()
    if form.validate_on_submit():
        try:
            series = services.create_series(org_id(), current_user, name=form.name.data,
                                            description=form.description.data or "")
        except services.SeriesNameTaken as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Series \u201c{series.name}\u201d created. Enrol users in it when you are ready.", "success")
            return redirect(url_for("enrolments.series_detail", series_id=series.id))
    return render_template("enrolments/series_form.html", form=form, series=None)


@bp.get("/series/<int:series_id>")
def series_detail(series_id: int):
    """A series with its counts and its paged enrolment list."""
    series = get_in_org_or_404(Series, series_id)
    page = queries.enrolment_page(series, request.args.get("page", 1, type=int))
    return partial_or_page("enrolments/series_detail.html", "enrolments/partials/_series_enrolments.html",
                           series=series, page=page, page_only=lambda: {"counts": queries.series_counts(series)})


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
def series_edit(series_id: int):
    """Rename a series or change its description."""
    series = get_in_org_or_404(Series, series_id)
    form = SeriesForm(obj=series)
    if form.validate_on_submit():
        try:
            services.update_series(series, current_user, name=form.name.data,
                                   description=form.description.data or "")
        except services.SeriesNameTaken as exc:
            form.name.errors.append(str(exc))
        else:
            flash("Series saved.", "success")
            return redirect(url_for("enrolments.series_detail", series_id=series.id))
    return render_template("enrolments/series_form.html", form=form, series=series)


@bp.post("/series/<int:series_id>/<any(archive, unarchive):change>")
def series_archive(series_id: int, change: str):
    """Archive a series (no new enrolments, hidden from learners) or bring it back."""
    series = get_in_org_or_404(Series, series_id)
    services.set_archived(series, current_user, change == "archive")
    flash(f"\u201c{series.name}\u201d is archived: no one can be enrolled in it until you unarchive it."
          if change == "archive" else f"\u201c{series.name}\u201d is active again.", "success")
    return redirect(url_for("enrolments.series_detail", series_id=series.id))


@bp.route("/enrolments/new", methods=["GET", "POST"])
def new():
    """Enrol users in a series: from the Users list selection, a group, or pasted addresses."""
    params = request.form if request.method == "POST" else request.args
    selection = _selection_params(params)
    form = EnrolForm(data=None if request.method == "POST" else _initial(selection))
    form.series.choices = queries.active_series_choices(org_id())
    form.group.choices = [(0, "Choose a group…"), *queries.group_choices(org_id())]
    problems: list[services.LineProblem] = []
    if form.validate_on_submit():
        series = get_in_org_or_404(Series, form.series.data)
        send_invite, due_date = form.send_invite.data == "yes", form.due_date.data
        try:
            source, problems = _chosen_source(form, params)
            user_ids = enrol_jobs.user_ids_for(org_id(), source)
            total = queries.count_selected(user_ids)
            if total > current_app.config["IMPORT_BACKGROUND_ROWS"]:
                services.check_series_and_due_date(series, due_date)
                started = enrol_jobs.submit(current_user, series, source, send_invite=send_invite,
                                            due_date=due_date, problems=problems, total=total)
                return redirect(url_for("enrolments.job", job_id=started.id))
            event_id = services.enrol(current_user.org, current_user, series, user_ids,
                                      send_invite=send_invite, due_date=due_date, problems=problems)
        except services.EnrolmentError as exc:
            if series.is_archived:  # keep the refused choice visible beside its message
                form.series.choices.append((series.id, f"{series.name} (archived)"))
            getattr(form, exc.field).errors.append(str(exc))
            problems = exc.problems
        else:
            return redirect(url_for("enrolments.result", event_id=event_id))
    return render_template("enrolments/new.html", form=form, selection=selection,
                           selected_count=_selected_count(selection), problems=problems,
                           earliest_due=services.earliest_due_date())


def _selection_params(params) -> list[tuple[str, str]]:
    """The Users list selection carried in hidden fields: user ids, or all matching a filter."""
    pairs = [("user_id", v) for v in params.getlist("user_id") if v.isdigit()]
    if params.get("all_matching") == "1":
        pairs = [(key, params[key]) for key in SELECTION_KEYS if params.get(key)]
    return pairs


def _selected_count(selection) -> int:
    if not selection:
        return 0
    from werkzeug.datastructures import MultiDict

    return queries.count_selected(_selected_user_ids(MultiDict(selection)))


def _selected_user_ids(params):
    from webapp.users.queries import selected_user_ids  # the Users list owns the filter rules

    return selected_user_ids(org_id(), params)


def _initial(selection) -> dict:
    initial = {"source": SOURCE_SELECTION if selection else SOURCE_GROUP}
    if request.args.get("series_id", type=int):
        initial["series"] = request.args.get("series_id", type=int)
    if request.args.get("group_id", type=int):
        initial["group"] = request.args.get("group_id", type=int)
    return initial


def _chosen_source(form: EnrolForm, params) -> tuple[dict, list[services.LineProblem]]:
    """Who to enrol, as plain data a background job can carry, and the pasted lines that matched no one."""
    if form.source.data == SOURCE_SELECTION:
        selection = _selection_params(params)
        if not selection:
            raise services.EnrolmentError(
                "No users were selected. Tick users in the Users list first, or choose a group "
                "or paste email addresses.", field="source")
        return {"selection": selection}, []
    if form.source.data == SOURCE_GROUP:
        group = get_in_org_or_404(Group, form.group.data)
        return {"group_id": group.id}, []
    found = services.resolve_addresses(org_id(), form.emails.data)
    if not found.user_ids:
        raise services.EnrolmentError(
            "None of the pasted addresses matches an account in your organisation: nothing was "
            "enrolled. Check the lines listed below.", field="emails", problems=found.problems)
    return {"user_ids": found.user_ids}, found.problems


def _enrolment_job_or_404(job_id: int) -> Job:
    job = get_in_org_or_404(Job, job_id)
    if job.kind != enrol_jobs.KIND:
        abort(404)
    return jobs.fail_if_stale(job)


def _after_job_url(job: Job) -> str:
    event_id = (job.result or {}).get("event_id")
    if job.status == "done" and event_id:
        return url_for("enrolments.result", event_id=event_id)
    return url_for("enrolments.job", job_id=job.id)


@bp.get("/enrolments/jobs/<int:job_id>")
def job(job_id: int):
    """A big enrolment running in the background; its result page once it is done."""
    current = _enrolment_job_or_404(job_id)
    if current.finished and _after_job_url(current) != request.path:
        return redirect(_after_job_url(current))
    return render_template("enrolments/progress.html", job=current, problem=_job_problem(current))


def _job_problem(job: Job) -> str | None:
    """Why a finished enrolment job enrolled nobody, in a sentence, or None."""
    if job.status == "done":
        return (job.result or {}).get("error")
    if job.status != "failed":
        return None
    if job.message.startswith("The worker stopped"):
        return job.message
    return f"The enrolment stopped with an error ({job.message}). Nothing was half-saved; try again."


@bp.get("/enrolments/jobs/<int:job_id>/progress")
def job_progress(job_id: int):
    """The progress bar (HTMX polls it); when the job is over, HTMX goes to the result."""
    current = _enrolment_job_or_404(job_id)
    if not current.finished:
        return render_template("enrolments/partials/_progress.html", job=current)
    return stop_polling(render_template("enrolments/partials/_progress.html", job=current, finished=True),
                        redirect_to=_after_job_url(current))


@bp.get("/enrolments/result/<int:event_id>")
def result(event_id: int):
    """What an enrolment did: counts, and who was already enrolled or not found."""
    event = get_in_org_or_404(AuditEvent, event_id)
    if event.action != "enrolment.create":
        abort(404)
    series = get_in_org_or_404(Series, event.target_id)
    detail, kept = event.detail, keeps_mail_only()
    return render_template(
        "enrolments/result.html", event=event, series=series, detail=detail,
        already=queries.users_by_ids(org_id(), detail.get("already_ids", [])),
        inactive=queries.users_by_ids(org_id(), detail.get("inactive_ids", [])),
        mail_kept=kept,
        mail_url=url_for("mail.index", status="kept" if kept else None)
        if "mail.index" in current_app.view_functions else None)


@bp.get("/enrolments/user/<int:user_id>")
def user_enrolments(user_id: int):
    """Every series one user is enrolled in."""
    user = get_in_org_or_404(User, user_id)
    user_url = (url_for("users.detail", user_id=user.id)
                if "users.detail" in current_app.view_functions else None)
    return render_template("enrolments/user_enrolments.html", user=user, user_url=user_url,
                           rows=queries.user_enrolments(user))
