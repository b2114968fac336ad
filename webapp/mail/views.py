"""The Mail page: every message the organisation's console queued, sent or kept."""
from __future__ import annotations

import io

from flask import abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from webapp.access import console_blueprint, get_in_org_or_404, org_id
from webapp.htmx import partial_or_page
from webapp.mail import background, delivery, services  # noqa: F401  (delivery: commit and worker hooks)
from webapp.mail.outbox import PASSWORD_REMOVED, keeps_mail_only
from webapp.models import OutboxMessage

bp = console_blueprint("mail", __name__, url_prefix="/mail")


@bp.after_app_request
def wake_sender(response):
    """Start the in-process sender, and wake it when this request queued mail."""
    background.nudge(current_app._get_current_object(), mail_queued=g.get("mail_queued", False))
    return response


@bp.context_processor
def mail_helpers() -> dict:
    return {"status_labels": services.STATUS_LABELS, "kind_label": services.kind_label,
            "keeps_mail_only": keeps_mail_only(), "password_removed": PASSWORD_REMOVED}


def _filters() -> services.MailFilters:
    status = request.args.get("status", "")
    return services.MailFilters(
        status=status if status in services.STATUSES else "",
        kind=request.args.get("kind", "")[:40],
        recipient=request.args.get("recipient", "")[:254],
        page=request.args.get("page", 1, type=int) or 1,
    )


@bp.get("/")
def index():
    """The list of messages, filtered by status, kind and recipient."""
    filters = _filters()
    result = services.find_messages(org_id(), filters)
    return partial_or_page("mail/index.html", "mail/partials/_results.html", filters=filters, result=result,
                           failed_matching=services.count_failed(org_id(), filters),
                           page_only=lambda: {"counts": services.status_counts(org_id()),
                                              "kinds": services.kinds_in_use(org_id())})


@bp.get("/<int:message_id>")
def message(message_id: int):
    """One message: headers, text, HTML preview, attachments and delivery attempts."""
    outbox_message = get_in_org_or_404(OutboxMessage, message_id)
    return render_template("mail/message.html", message=outbox_message,
                           can_resend=services.can_resend(outbox_message),
                           sender=current_app.config["MAIL_DEFAULT_SENDER"])


@bp.get("/<int:message_id>/preview")
def preview(message_id: int):
    """The HTML version alone, for the sandboxed frame on the message page (its own strict policy)."""
    from webapp.security_headers import email_preview_headers

    outbox_message = get_in_org_or_404(OutboxMessage, message_id)
    if not outbox_message.html_body:
        abort(404)
    response = current_app.response_class(outbox_message.html_body, mimetype="text/html")
    return email_preview_headers(response)


@bp.get("/<int:message_id>/attachments/<int:attachment_id>")
def attachment(message_id: int, attachment_id: int):
    """Download one attachment of a message."""
    outbox_message = get_in_org_or_404(OutboxMessage, message_id)
    file = next((a for a in outbox_message.attachments if a.id == attachment_id), None)
    if file is None:
        abort(404)
    return send_file(io.BytesIO(file.content), mimetype=file.content_type, as_attachment=True,
                     download_name=file.filename)


@bp.post("/<int:message_id>/resend")
def resend(message_id: int):
    """Queue a failed message again."""
    outbox_message = get_in_org_or_404(OutboxMessage, message_id)
    try:
        services.resend(outbox_message, current_user)
    except services.NotResendable as exc:
        flash(str(exc), "error")
    else:
        g.mail_queued = True
        flash(f"The message to {outbox_message.to_address} is queued to be sent again.", "success")
    return redirect(url_for("mail.message", message_id=message_id))


@bp.post("/resend-failed")
def resend_failed():
    """Queue again every failed message matching the current filter."""
    filters = services.MailFilters(kind=request.form.get("kind", "")[:40],
                                   recipient=request.form.get("recipient", "")[:254],
                                   status="failed")
    count = 0
    try:
        count = services.resend_all_failed(org_id(), filters, current_user)
    except services.NotResendable as exc:
        flash(str(exc), "error")
    else:
        g.mail_queued = bool(count)
        flash(f"{count:,} failed message{' is' if count == 1 else 's are'} queued to be sent again."
              if count else "No failed messages match this filter.", "success" if count else "info")
    return redirect(url_for("mail.index", **filters.query_args(status="failed" if count else "")))


from webapp.mail import settings  # noqa: E402,F401  (the settings page on this blueprint)
