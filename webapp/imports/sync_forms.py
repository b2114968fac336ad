"""Forms for upload modes and full-list options: fields mixed into the upload form, and the Mode form."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from webapp.imports.sync import MODES

MODE_HINTS = {
    "add": "Creates accounts for new people. Anyone who already has an account is reported and left as is.",
    "add_update": "Creates new people and updates people who already have an account (matched on email).",
    "update": "Only updates people who already have an account; nobody new is created.",
}


class UploadOptions:
    """Mixed into the upload form: how the file is applied."""

    mode = SelectField("Upload mode", choices=list(MODES.items()), default="add")
    deactivate_missing = BooleanField("Deactivate people who are not in this file")
    create_missing_groups = BooleanField("Create missing groups")


class ModeForm(UploadOptions, FlaskForm):
    """Change the mode and options of a staged import."""


def apply_upload_options(batch, form) -> None:
    """Store the upload form's mode and options on the new batch (the upload view calls this)."""
    from webapp.extensions import db
    from webapp.imports import sync

    sync.configure(batch, mode=form.mode.data if form.mode.data in MODES else "add",
                   deactivate_missing=form.deactivate_missing.data,
                   create_missing_groups=form.create_missing_groups.data)
    db.session.commit()
