"""Which email an enrolment sends, and whether it carries a new password: the PRODUCT table.

A pure function of the learner's state and the time, so the whole table is one test.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from webapp.credentials import PASSWORD_FRESH_FOR
from webapp.models import InviteStatus


class NoticeKind(str, enum.Enum):
    """The value is stored on the enrolment and used as the outbox message kind."""

    CREATED_USER_ENROLMENT = "created_user_series_enrolment"
    SERIES_ENROLMENT = "series_enrolment"
    ADMIN_SUMMARY = "enrolment_admin_summary"

    @property
    def label(self) -> str:
        return NOTICE_LABELS[self]


NOTICE_LABELS = {
    NoticeKind.CREATED_USER_ENROLMENT: "Welcome and enrolment email",
    NoticeKind.SERIES_ENROLMENT: "Enrolment email",
    NoticeKind.ADMIN_SUMMARY: "Sent to the admin",
}


@dataclass(frozen=True)
class LearnerState:
    """What the rules need to know about a learner at the moment of enrolment."""

    invite_status: str
    signed_in_at: datetime | None
    password_set_at: datetime | None
    password_is_generated: bool
    has_previous_enrolment: bool


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    new_password: bool


def decide(state: LearnerState, now: datetime, *, send_invite: bool = True) -> Notice:
    """Pick the email and whether a new password is generated, per the notification table.

    With Send Invite = no the learner gets nothing; the same password decision stands and
    any new password goes to the admin in the summary, so it is never lost.
    """
    new_password = _needs_new_password(state, now)
    if not send_invite:
        return Notice(NoticeKind.ADMIN_SUMMARY, new_password)
    first_for_created_user = (not state.has_previous_enrolment and not _has_own_access(state)
                              and state.invite_status == InviteStatus.CREATED.value)
    if first_for_created_user:
        return Notice(NoticeKind.CREATED_USER_ENROLMENT, True)
    return Notice(NoticeKind.SERIES_ENROLMENT, new_password)


def _has_own_access(state: LearnerState) -> bool:
    # Someone who signed in, or chose their own password, must never have it replaced.
    return state.signed_in_at is not None or not state.password_is_generated


def _needs_new_password(state: LearnerState, now: datetime) -> bool:
    if _has_own_access(state):
        return False
    if not state.has_previous_enrolment:
        # Created users never received a password; Invited users got one in their welcome email.
        return state.invite_status == InviteStatus.CREATED.value
    if state.password_set_at is None:
        return True
    return now - state.password_set_at >= PASSWORD_FRESH_FOR
