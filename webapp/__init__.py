"""The learner onboarding console: create_app() builds the Flask app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from webapp import collection
from webapp.config import Config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config layers, extensions, blueprints, CLI, error pages."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("WEBAPP_INSTANCE_PATH", str(ROOT / "instance")),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure(app, test_config)
    register_extensions(app)
    register_import_fields(app)
    register_blueprints(app)
    register_cli(app)
    register_errorhandlers(app)
    register_hooks(app)
    install_extensions(app)
    if app.config.get("PROXY_FIX_X_FOR"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy the client address (used by sign-in throttling) and the
        # scheme come from X-Forwarded-* headers, trusted only for this many proxies.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"],
                                x_proto=app.config["PROXY_FIX_X_FOR"])
    collection.keep_startup_objects()
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Class defaults, then instance/config.py, then FLASK_* environment variables."""
    app.config.from_object(Config)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'webapp.db'}"
    if app.config.get("SQLITE_CHECKPOINT_SECONDS") is None:
        app.config["SQLITE_CHECKPOINT_SECONDS"] = 0 if app.testing else 0.25
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    # Database errors never quote their parameters (password hashes) into messages and logs.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
    }
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        # Background threads and the web share the file: wait for locks instead of failing.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"timeout": 30}, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        }
    elif app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # No JIT: PostgreSQL compiles a statement it expects to cost much (an UPDATE of 11,000 staged rows
        # with a subquery per row), spending 150-250 ms compiling for a request that takes less to run.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"options": "-c jit=off"}, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})
        }


def _instance_secret_key(instance: Path) -> str:
    """A random secret kept in instance/secret_key, made on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    from webapp.extensions import csrf, db, htmx, login_manager, mail
    from webapp import dbsetup, migrating

    db.init_app(app)
    migrating.init_app(app, ROOT / "migrations")
    mail.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.user_loader(_load_user)
    dbsetup.init_app(app)


def install_extensions(app: Flask) -> None:
    """Import each module named in EXTENSIONS and call its init_app(app) (docs/EXTENDING.md)."""
    import importlib

    for name in app.config.get("EXTENSIONS") or ():
        importlib.import_module(name).init_app(app)


def _load_user(session_id: str):
    from webapp.auth.sessions import load_session_user

    return load_session_user(session_id)


def register_import_fields(app: Flask) -> None:
    from webapp.imports import sync_fields

    sync_fields.register(app)  # the optional Group, Series and Status columns


def register_blueprints(app: Flask) -> None:
    from webapp.auth import reset  # noqa: F401  (forgot-password routes on the auth blueprint)
    from webapp.imports import table_views  # noqa: F401  (the staged table's change routes on the imports blueprint)
    from webapp.auth.views import bp as auth_bp
    from webapp.enrolments.views import bp as enrolments_bp
    from webapp.imports.views import bp as imports_bp
    from webapp.learners.views import bp as learners_bp
    from webapp.mail.views import bp as mail_bp
    from webapp.users.views import bp as users_bp

    for blueprint in (auth_bp, users_bp, imports_bp, enrolments_bp, mail_bp, learners_bp):
        app.register_blueprint(blueprint)
    from webapp.imports.sync_views import bp as imports_sync_bp  # modes, changes, leavers, undo
    app.register_blueprint(imports_sync_bp)


def register_cli(app: Flask) -> None:
    from webapp import jobs_cli
    from webapp.auth import cli as auth_cli
    from webapp.imports import cli as imports_cli
    from webapp.mail import cli as mail_cli

    for module in (auth_cli, imports_cli, mail_cli, jobs_cli):
        module.register(app)
    from webapp.imports import sync_cli  # adds undo-import to the `users` group
    sync_cli.register(app)


def register_errorhandlers(app: Flask) -> None:
    from webapp.errors import register

    register(app)


def register_hooks(app: Flask) -> None:
    from webapp import formatting, links, security_headers
    from webapp.access import enforce_own_password
    from webapp.nav import inject_nav

    formatting.register(app)
    security_headers.register(app)
    links.init_app(app)

    app.before_request(enforce_own_password)
    app.context_processor(inject_nav)
