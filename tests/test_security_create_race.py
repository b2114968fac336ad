"""Two imports creating overlapping people at the same moment (PostgreSQL): both finish, the
overlap fails person by person, and no log line carries a password or a password hash."""
import logging
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from webapp.extensions import db
from webapp.imports import creating, staging
from webapp.models import ImportBatch, StagedRow, User

DATA = Path(__file__).parent / "data"
GENERATED_PASSWORD = re.compile(r"\b[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{5}-[a-z0-9]{5}\b")


@pytest.fixture
def postgres(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("Needs PostgreSQL (set FLASK_TEST_DATABASE_URL): SQLite serialises writes, so "
                    "two imports can never insert at the same moment there.")


@pytest.fixture
def logs(caplog, monkeypatch):
    """Every log record of the app, at every level (Alembic's logging set-up disables loggers)."""
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.startswith(("webapp", "sqlalchemy", "flask")):
            monkeypatch.setattr(logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    return lambda: "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)


def stage(org, admin, name):
    return staging.stage_upload(org.id, admin.id, name, (DATA / name).read_bytes(),
                                max_bytes=10**6, ttl_days=7).id


def test_overlapping_imports_at_the_same_moment_both_finish(postgres, app, org, admin, logs, monkeypatch):
    batch_ids = [stage(org, admin, "race_batch_a.csv"), stage(org, admin, "race_batch_b.csv")]
    admin_id = admin.id
    # Both runs check for taken emails before either inserts: the race the constraint decides.
    both_checked = threading.Barrier(2, timeout=30)
    real_mark_taken = creating._mark_taken

    def mark_taken_then_wait(batch):
        real_mark_taken(batch)
        both_checked.wait()

    monkeypatch.setattr(creating, "_mark_taken", mark_taken_then_wait)
    results = {}

    def run(batch_id):
        with app.app_context():
            results[batch_id] = creating.create_users(batch_id, admin_id)
            db.session.remove()

    threads = [threading.Thread(target=run, args=(batch_id,)) for batch_id in batch_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert all(results[b].ok for b in batch_ids), [(results[b].error, results[b].refused) for b in batch_ids]
    assert sorted((results[b].created, results[b].failed) for b in batch_ids) == [(20, 20), (40, 0)]
    db.session.expire_all()
    emails = set(db.session.scalars(select(User.email).where(User.email.like("%@race.example"))))
    assert emails == {f"person{i:02d}@race.example" for i in range(60)}
    loser = next(b for b in batch_ids if results[b].failed)
    failed = db.session.scalars(select(StagedRow).where(StagedRow.batch_id == loser,
                                                        StagedRow.status == "failed")).all()
    assert {row.email for row in failed} == {f"person{i:02d}@race.example" for i in range(20, 40)}
    assert {row.failure_reason for row in failed} == {creating.ALREADY_HAS_ACCOUNT}
    # Each failed person points at nobody; each created one at their own account.
    assert all(row.user_id is None for row in failed)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)
                             .where(ImportBatch.status == "done")) == 2

    logged = logs()
    assert "pbkdf2:" not in logged and "scrypt:" not in logged
    assert not GENERATED_PASSWORD.search(logged)


def test_a_database_error_is_neither_shown_nor_logged_with_its_parameters(signed_in, app, org, admin,
                                                                          logs):
    batch_id = stage(org, admin, "race_batch_a.csv")
    # A row that breaks a database rule (lower-case emails) in the middle of the insert.
    db.session.execute(db.update(StagedRow).where(StagedRow.batch_id == batch_id, StagedRow.line == 5)
                       .values(email="Person03@RACE.example"))
    db.session.commit()
    response = signed_in.post(f"/users/import/{batch_id}/create")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "No users were created" in page
    assert "IntegrityError" not in page and "INSERT" not in page and "pbkdf2:" not in page
    logged = logs()
    assert "Create Users failed" in logged
    assert "pbkdf2:" not in logged and not GENERATED_PASSWORD.search(logged)


def test_a_person_created_by_another_admin_during_an_import_fails_alone(postgres, app, org, admin, logs,
                                                                        monkeypatch):
    from webapp.users.services import create_user

    batch_id = stage(org, admin, "race_batch_a.csv")
    admin_id = admin.id
    checked, created = threading.Event(), threading.Event()
    real_mark_taken = creating._mark_taken

    def mark_taken_then_wait(batch):
        real_mark_taken(batch)  # person05 has no account yet
        checked.set()
        assert created.wait(30)

    monkeypatch.setattr(creating, "_mark_taken", mark_taken_then_wait)
    results = {}

    def run():
        with app.app_context():
            results["import"] = creating.create_users(batch_id, admin_id)
            db.session.remove()

    importing = threading.Thread(target=run)
    importing.start()
    assert checked.wait(30)
    create_user(org, admin, first_name="Frances", last_name="Racer05", email="person05@race.example")
    created.set()
    importing.join(timeout=60)

    result = results["import"]
    assert result.ok and (result.created, result.failed) == (39, 1)
    db.session.expire_all()
    row = db.session.scalar(select(StagedRow).where(StagedRow.batch_id == batch_id,
                                                    StagedRow.email == "person05@race.example"))
    assert (row.status, row.failure_reason, row.user_id) == ("failed", creating.ALREADY_HAS_ACCOUNT, None)
    logged = logs()
    assert "pbkdf2:" not in logged and not GENERATED_PASSWORD.search(logged)
