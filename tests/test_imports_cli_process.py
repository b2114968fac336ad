"""`flask users import` as its own process: it ends with its connections closed and everything it wrote in place."""
from __future__ import annotations

import gc
import json
import subprocess
from pathlib import Path

from sqlalchemy import func, select

from tests.scale import PYTHON, ROOT, process_env
from webapp.extensions import db
from webapp.imports import cli
from webapp.models import User


def test_an_import_process_leaves_its_users_in_the_database_file_and_no_write_ahead_log(app, app_config, org,
                                                                                         tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("First Name,Last Name,Email Address\n" +
                    "".join(f"Name{n},Family{n},person{n}@example.com\n" for n in range(300)))
    org_id = org.id
    db.session.remove()
    db.engine.dispose()  # this test's own connections closed, so only the process's could leave a log behind
    url = app_config["SQLALCHEMY_DATABASE_URI"]
    done = subprocess.run([PYTHON, "-m", "flask", "--app", "webapp", "users", "import", str(path), "--org", "acme",
                           "--json"], env=process_env(url, tmp_path / "instance"), cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["created"] == 300
    if url.startswith("sqlite"):
        # The process closed its connection at exit: SQLite folded the log back into the file a copy would take.
        database = Path(url.removeprefix("sqlite:///"))
        assert not database.with_name(database.name + "-wal").exists()
    assert db.session.scalar(select(func.count()).select_from(User).where(User.org_id == org_id)) == 301


def test_no_cycle_collection_runs_during_an_import_and_the_collector_is_on_after(app, org, runner, tmp_path,
                                                                               monkeypatch):
    path = tmp_path / "people.csv"
    path.write_text("First Name,Last Name,Email Address\n" +
                    "".join(f"Name{n},Family{n},person{n}@example.com\n" for n in range(3000)))
    importing, collections = [], []

    def import_watched(*args):
        importing.append(True)
        try:
            return real_import(*args)
        finally:
            importing.pop()
    real_import = cli._import
    monkeypatch.setattr(cli, "_import", import_watched)

    def count(phase, info):
        if phase == "start" and importing:
            collections.append(info["generation"])
    gc.callbacks.append(count)
    try:
        result = runner.invoke(args=["users", "import", str(path), "--org", "acme", "--json"])
    finally:
        gc.callbacks.remove(count)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["created"] == 3000
    assert collections == [] and gc.isenabled()
