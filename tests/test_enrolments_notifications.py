"""The notification table from PRODUCT.md, one row per case, on a frozen clock."""
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time

from webapp.clock import utcnow
from webapp.enrolments.notifications import LearnerState, NoticeKind, decide

NOW = datetime(2026, 3, 10, 12, 0, 0)
WELCOME = NoticeKind.CREATED_USER_ENROLMENT
PLAIN = NoticeKind.SERIES_ENROLMENT
TO_ADMIN = NoticeKind.ADMIN_SUMMARY


def ago(**kwargs):
    return NOW - timedelta(**kwargs)


# (case, invite status, signed in at, last password generated at, chose own password,
#  enrolled before, send invite) -> (email, new password)
TABLE = [
    ("created user, first enrolment", "created", None, ago(days=30), False, False, True, WELCOME, True),
    ("created user, first enrolment, account made a minute ago", "created", None, ago(minutes=1), False, False, True, WELCOME, True),
    ("invited user, first enrolment", "invited", None, ago(days=30), False, False, True, PLAIN, False),
    ("invited user, first enrolment, welcome sent an hour ago", "invited", None, ago(hours=1), False, False, True, PLAIN, False),
    ("later enrolment, not signed in, password 1 hour old", "created", None, ago(hours=1), False, True, True, PLAIN, False),
    ("later enrolment, not signed in, password 47h59m old", "created", None, ago(hours=47, minutes=59), False, True, True, PLAIN, False),
    ("later enrolment, not signed in, password exactly 48h old", "created", None, ago(hours=48), False, True, True, PLAIN, True),
    ("later enrolment, not signed in, password 3 days old", "created", None, ago(days=3), False, True, True, PLAIN, True),
    ("invited, later enrolment, password 47h old", "invited", None, ago(hours=47), False, True, True, PLAIN, False),
    ("invited, later enrolment, password 49h old", "invited", None, ago(hours=49), False, True, True, PLAIN, True),
    ("signed in created user, first enrolment", "created", ago(days=1), ago(days=9), False, False, True, PLAIN, False),
    ("signed in user, later enrolment, password long ago", "created", ago(days=1), ago(days=90), False, True, True, PLAIN, False),
    ("signed in invited user", "invited", ago(minutes=5), ago(days=2), False, True, True, PLAIN, False),
    ("chose own password but no sign-in recorded", "created", None, ago(days=90), True, False, True, PLAIN, False),
    ("send invite no: created user's first enrolment", "created", None, ago(days=3), False, False, False, TO_ADMIN, True),
    ("send invite no: invited user's first enrolment", "invited", None, ago(days=3), False, False, False, TO_ADMIN, False),
    ("send invite no: later, password 1h old", "created", None, ago(hours=1), False, True, False, TO_ADMIN, False),
    ("send invite no: later, password 50h old", "created", None, ago(hours=50), False, True, False, TO_ADMIN, True),
    ("send invite no: signed in", "created", ago(hours=2), ago(days=9), False, True, False, TO_ADMIN, False),
]


@pytest.mark.parametrize(
    "case, status, signed_in_at, password_set_at, chose_own, enrolled_before, send_invite, kind, new_password",
    TABLE, ids=[row[0] for row in TABLE],
)
def test_notification_table(case, status, signed_in_at, password_set_at, chose_own,
                            enrolled_before, send_invite, kind, new_password):
    state = LearnerState(invite_status=status, signed_in_at=signed_in_at,
                         password_set_at=password_set_at, password_is_generated=not chose_own,
                         has_previous_enrolment=enrolled_before)
    with freeze_time(NOW):
        notice = decide(state, utcnow(), send_invite=send_invite)
    assert (notice.kind, notice.new_password) == (kind, new_password), case
