"""Signals: each is sent once from every path that does the thing, inside its transaction."""
from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, literal, select

from webapp import jobs, signals
from webapp.enrolments import services as enrolment_services
from webapp.extensions import db
from webapp.imports import staging
from webapp.mail import sender
from webapp.models import AccountType, AuditEvent, Group, GroupMember, User
from webapp.users.services import create_user

DATA = Path(__file__).parent / "data"


@contextlib.contextmanager
def caught(signal):
    """Collect every (sender, payload) the signal sends, with whether the payload's rows were visible."""
    calls = []

    def receiver(sender, **payload):
        # Sent before the commit: the rows are already flushed into this transaction.
        payload["users_in_session"] = db.session.scalar(
            select(func.count()).select_from(User).where(User.id.in_(payload["user_ids"])))
        calls.append((sender, payload))

    with signal.connected_to(receiver):
        yield calls


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def test_create_user_on_the_web_sends_users_created(app, signed_in, admin):
    with caught(signals.users_created) as calls:
        signed_in.post("/users/new", data={"first_name": "Nina", "last_name": "Newcomer",
                                           "email": "nina@example.com", "account_type": "user"})
    [(sent_by, payload)] = calls
    assert sent_by is app
    assert payload == {"org_id": admin.org_id, "user_ids": [user_id("nina@example.com")],
                       "actor_id": admin.id, "source": "web", "users_in_session": 1}


def test_first_run_setup_sends_users_created_from_setup(app, client):
    with caught(signals.users_created) as calls:
        client.post("/setup", data={"org_name": "Harbour Training", "first_name": "Hana", "last_name": "Hart",
                                    "email": "hana@harbour.example", "password": "seagulls over the quay 7",
                                    "confirm": "seagulls over the quay 7"})
    [(_, payload)] = calls
    admin = db.session.scalar(select(User))
    assert payload == {"org_id": admin.org_id, "user_ids": [admin.id], "actor_id": None,
                       "source": "setup", "users_in_session": 1}


def test_flask_org_create_sends_users_created_from_cli(runner):
    with caught(signals.users_created) as calls:
        result = runner.invoke(args=["org", "create", "--name", "River School", "--slug", "river",
                                     "--admin-email", "head@river.example", "--admin-first-name", "Rita",
                                     "--admin-last-name", "Reed"])
    assert result.exit_code == 0, result.output
    [(_, payload)] = calls
    assert payload["source"] == "cli" and payload["user_ids"] == [user_id("head@river.example")]


def test_file_import_on_the_web_sends_users_created_and_import_finished(signed_in, org, admin):
    batch = staging.stage_upload(org.id, admin.id, "import_mixed.csv", (DATA / "import_mixed.csv").read_bytes(),
                                 max_bytes=10**6, ttl_days=7)
    with caught(signals.users_created) as created, caught(signals.import_finished) as finished:
        signed_in.post(f"/users/import/{batch.id}/create")
    new_ids = sorted(db.session.scalars(select(User.id).where(User.org_id == org.id, User.id != admin.id)))
    assert len(new_ids) == 3
    [(_, payload)] = created
    assert sorted(payload.pop("user_ids")) == new_ids
    assert payload == {"org_id": org.id, "actor_id": admin.id, "source": "import", "users_in_session": 3}
    [(_, payload)] = finished
    assert sorted(payload.pop("user_ids")) == new_ids
    assert payload == {"org_id": org.id, "actor_id": admin.id, "source": "web", "batch_id": batch.id,
                       "created": 3, "failed": 1, "users_in_session": 3}


def test_file_import_from_the_command_line_says_cli(runner, org, admin):
    with caught(signals.import_finished) as finished:
        result = runner.invoke(args=["users", "import", str(DATA / "import_mixed.csv"), "--org", "acme", "--json"])
    assert json.loads(result.stdout)["created"] == 3
    [(_, payload)] = finished
    assert (payload["source"], payload["created"], len(payload["user_ids"])) == ("cli", 3, 3)


def test_an_orm_insert_event_misses_every_imported_person(signed_in, org, admin):
    """Why the hook is a signal: File Import's bulk insert skips the ORM's per-object events."""
    seen = []

    def on_insert(mapper, connection, target):
        seen.append(target.email)

    event.listen(User, "after_insert", on_insert)
    try:
        batch = staging.stage_upload(org.id, admin.id, "import_mixed.csv",
                                     (DATA / "import_mixed.csv").read_bytes(), max_bytes=10**6, ttl_days=7)
        with caught(signals.users_created) as created:
            signed_in.post(f"/users/import/{batch.id}/create")
    finally:
        event.remove(User, "after_insert", on_insert)
    assert seen == []
    assert len(created[0][1]["user_ids"]) == 3


def test_editing_a_user_sends_users_updated_with_the_changes(signed_in, admin, make_user):
    user = make_user(first_name="Amara", last_name="Okafor")
    with caught(signals.users_updated) as calls:
        signed_in.post(f"/users/{user.id}", data={"first_name": "Amara", "last_name": "Okafor-Reid",
                                                  "account_type": "user"})
    [(_, payload)] = calls
    assert payload == {"org_id": admin.org_id, "user_ids": [user.id], "actor_id": admin.id, "source": "web",
                       "changes": {"last_name": ["Okafor", "Okafor-Reid"]}, "users_in_session": 1}


def test_saving_without_changes_sends_nothing(signed_in, make_user):
    user = make_user(first_name="Amara", last_name="Okafor")
    with caught(signals.users_updated) as calls:
        signed_in.post(f"/users/{user.id}", data={"first_name": "Amara", "last_name": "Okafor",
                                                  "account_type": "user"})
    assert calls == []


def test_deactivating_sends_users_deactivated_and_reactivating_users_updated(signed_in, admin, make_user):
    user = make_user()
    with caught(signals.users_deactivated) as deactivated, caught(signals.users_updated) as updated:
        signed_in.post(f"/users/{user.id}/deactivate")
        assert [p for _, p in deactivated] == [{"org_id": admin.org_id, "user_ids": [user.id],
                                               "actor_id": admin.id, "source": "web", "users_in_session": 1}]
        assert updated == []
        signed_in.post(f"/users/{user.id}/reactivate")
    assert len(deactivated) == 1
    [(_, payload)] = updated
    assert payload["changes"] == {"active": [False, True]} and payload["user_ids"] == [user.id]


def test_enrolling_on_the_web_sends_enrolled_for_the_newly_enrolled_only(signed_in, admin, make_user):
    series = enrolment_services.create_series(admin.org_id, admin, name="Safety", description="")
    first, second = make_user(), make_user()
    signed_in.post("/enrolments/new", data={"series": series.id, "send_invite": "yes", "source": "selection",
                                            "user_id": [str(first.id)]})
    with caught(signals.enrolled) as calls:
        signed_in.post("/enrolments/new", data={"series": series.id, "send_invite": "no", "source": "selection",
                                                "user_id": [str(first.id), str(second.id)]})
    [(_, payload)] = calls
    assert payload == {"org_id": admin.org_id, "user_ids": [second.id], "actor_id": admin.id, "source": "web",
                       "series_id": series.id, "send_invite": False, "users_in_session": 1}


def test_enrolling_in_a_background_job_says_job(app, admin, make_user):
    series = enrolment_services.create_series(admin.org_id, admin, name="Safety", description="")
    learner = make_user()
    with caught(signals.enrolled) as calls:
        job = jobs.submit("enrolment", "webapp.enrolments.jobs.enrol_job", org_id=admin.org_id, total=1,
                          actor_id=admin.id, series_id=series.id, source={"user_ids": [learner.id]},
                          send_invite=True, due_date=None, problems=[])
    assert db.session.get(type(job), job.id).status == "done"
    [(_, payload)] = calls
    assert (payload["source"], payload["user_ids"], payload["series_id"]) == ("job", [learner.id], series.id)


@pytest.mark.parametrize("how", ["job", "cli"])
def test_a_refused_message_sends_mail_failed_for_its_recipient(org, admin, smtp_server, runner, how):
    smtp_server.handler.reject.add("ghost@example.com")
    ghost = create_user(org, admin, first_name="Gus", last_name="Ghost", email="ghost@example.com",
                        send_invite=True).user
    org_id, ghost_id = org.id, ghost.id  # the command ends the session, detaching these objects
    with caught(signals.mail_failed) as calls:
        if how == "cli":
            assert runner.invoke(args=["mail", "send"]).exit_code == 0
        else:
            sender.send_queued()
    [(_, payload)] = calls
    reason = payload.pop("reason")
    assert "550" in reason and "No such user here" in reason
    assert payload == {"org_id": org_id, "user_ids": [ghost_id], "actor_id": None, "source": how,
                       "message_id": payload["message_id"], "kind": "welcome", "users_in_session": 1}


def test_a_receiver_that_raises_undoes_the_action(signed_in, admin):
    """Receivers run inside the transaction: when one fails, nothing of the action is kept."""
    def refuse(sender, **payload):
        raise RuntimeError("the directory sync is down")

    with signals.users_created.connected_to(refuse), pytest.raises(RuntimeError):
        create_user(admin.org, admin, first_name="Nina", last_name="Newcomer", email="nina@example.com")
    db.session.rollback()
    assert user_id("nina@example.com") is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "user.create")) == 0



def managers_join_their_group(app, *, org_id, user_ids, **payload):
    """The worked example in docs/EXTENDING.md: new Team Managers join the "Managers" group."""
    group_id = db.session.scalar(select(Group.id).where(Group.org_id == org_id, Group.name == "Managers"))
    if group_id is None:
        return
    managers = select(literal(group_id), User.id).where(
        User.org_id == org_id, User.id.in_(user_ids), User.account_type == AccountType.TEAM_MANAGER.value)
    db.session.execute(insert(GroupMember).from_select(["group_id", "user_id"], managers))


def test_the_guide_s_receiver_writes_in_the_same_transaction(signed_in, admin):
    managers = Group(org_id=admin.org_id, name="Managers")
    db.session.add(managers)
    db.session.commit()
    group_id = managers.id
    with signals.users_created.connected_to(managers_join_their_group):
        for email, account_type in (("tm@example.com", "team_manager"), ("u@example.com", "user")):
            signed_in.post("/users/new", data={"first_name": "T", "last_name": "M", "email": email,
                                               "account_type": account_type})
        # A failing action takes the receiver's write with it.
        with pytest.raises(RuntimeError), signals.users_created.connected_to(explode):
            create_user(admin.org, admin, first_name="Gone", last_name="Again", email="gone@example.com",
                        account_type=AccountType.TEAM_MANAGER)
        db.session.rollback()
    members = db.session.scalars(select(User.email).join(GroupMember, GroupMember.user_id == User.id)
                                 .where(GroupMember.group_id == group_id)).all()
    assert members == ["tm@example.com"]


def explode(sender, **payload):
    raise RuntimeError("a later receiver failed")
