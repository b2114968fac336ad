"""Settings come in layers, and the migrations build exactly what the models describe."""
import os
import subprocess
import sys
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Text

from webapp import create_app
from webapp.extensions import db

ROOT = Path(__file__).resolve().parent.parent


def schema_differences(metadata: MetaData) -> list:
    """Alembic's autogenerate diff between the migrated database and `metadata`: tables,
    columns, column types, nullability and indexes (run on SQLite, and on PostgreSQL in CI)."""
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_migrations_match_the_models(app):
    assert schema_differences(db.metadata) == []


def test_the_comparison_sees_a_changed_type_and_nullability(app):
    """The check above can fail: models that drifted from the migrations are reported."""
    drifted = MetaData()
    for table in db.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["users"].c.first_name.type = Text()
    drifted.tables["users"].c.email.nullable = True
    kinds = {(change[0], change[3]) for diff in schema_differences(drifted)
             for change in (diff if isinstance(diff, list) else [diff]) if change[0].startswith("modify_")}
    assert kinds == {("modify_type", "first_name"), ("modify_nullable", "email")}


def test_environment_overrides_instance_config_which_overrides_defaults(tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text("BASE_URL = 'https://from-instance.example.com'\nUSERS_PER_PAGE = 25\n")
    code = (
        "from webapp import create_app; app = create_app(); "
        "print(app.config['BASE_URL'], app.config['USERS_PER_PAGE'], app.config['SQLALCHEMY_DATABASE_URI'], "
        "app.config['SECRET_KEY'] == 'from-env', app.config['SESSION_COOKIE_SECURE'])"
    )
    env = {**os.environ, "WEBAPP_INSTANCE_PATH": str(instance), "FLASK_BASE_URL": "https://from-env.example.com",
           "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/env.db", "FLASK_SECRET_KEY": "from-env",
           "FLASK_SESSION_COOKIE_SECURE": "true"}
    output = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            cwd=ROOT, check=True).stdout.split()
    assert output == ["https://from-env.example.com", "25", f"sqlite:///{tmp_path}/env.db", "True", "True"]


def test_defaults_keep_the_database_and_a_secret_in_instance(tmp_path, monkeypatch):
    monkeypatch.setenv("WEBAPP_INSTANCE_PATH", str(tmp_path / "inst"))
    for name in list(os.environ):
        if name.startswith("FLASK_"):
            monkeypatch.delenv(name)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'inst' / 'webapp.db'}"
    secret = (tmp_path / "inst" / "secret_key").read_text()
    assert app.config["SECRET_KEY"] == secret and len(secret) == 64
    assert create_app().config["SECRET_KEY"] == secret  # stable across restarts
    assert app.config["MAIL_SERVER"] is None


def test_db_upgrade_cli_creates_the_schema_named_by_the_environment(tmp_path):
    url = f"sqlite:///{tmp_path}/cli.db"
    env = {**os.environ, "FLASK_SQLALCHEMY_DATABASE_URI": url, "WEBAPP_INSTANCE_PATH": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "db", "upgrade"], env=env,
                   cwd=ROOT, check=True, capture_output=True)
    import sqlite3

    tables = {row[0] for row in sqlite3.connect(tmp_path / "cli.db").execute("select name from sqlite_master where type='table'")}
    assert {"organisations", "users", "groups", "outbox_messages", "alembic_version"} <= tables


def test_a_started_app_leaves_its_startup_objects_out_of_every_collection(tmp_path):
    """A full collection in a request walks what requests made, not every module's objects (~45 ms each time);
    an app made later in the same process (tests, the CLI) freezes nothing more."""
    code = (
        "import gc; from webapp import create_app; create_app(); frozen = gc.get_freeze_count(); "
        "walked = len(gc.get_objects()); create_app(); "
        "print(frozen, walked, gc.get_freeze_count() == frozen)"
    )
    env = {**os.environ, "WEBAPP_INSTANCE_PATH": str(tmp_path), "FLASK_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/gc.db"}
    frozen, walked, unchanged = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                               cwd=ROOT, check=True).stdout.split()
    assert int(frozen) > 50_000 and int(walked) < int(frozen) // 10
    assert unchanged == "True"
