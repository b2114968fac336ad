"""Flask-Migrate bound on first use: Alembic loads only in a process that migrates, not on every start."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app, g


def init_app(app: Flask, directory: Path) -> None:
    """Give the app `flask db` and app.extensions["migrate"]; each imports Flask-Migrate when first used."""
    app.extensions["migrate"] = _Pending(app, directory)
    app.cli.add_command(database)


class _Pending:
    """app.extensions["migrate"] until something reads it (upgrade(), env.py): then Flask-Migrate's own."""

    def __init__(self, app: Flask, directory: Path):
        self.app, self.directory = app, directory

    def __getattr__(self, name: str):
        from flask_migrate import Migrate

        from webapp.extensions import db

        migrate = Migrate(self.app, db, directory=str(self.directory), render_as_batch=True)
        migrate.configure(_migration_locations)
        return getattr(self.app.extensions["migrate"], name)


def _migration_locations(config):
    """Alembic also reads the migrations folders extensions list (MIGRATION_LOCATIONS): `db upgrade heads`."""
    extra = current_app.config.get("MIGRATION_LOCATIONS") or []
    if extra:
        config.set_main_option("path_separator", "os")
        config.set_main_option("version_locations", os.pathsep.join(
            [str(Path(config.get_main_option("script_location")) / "versions"), *map(str, extra)]))
    return config


class _MigrationCommands(click.Group):
    """Flask-Migrate's `db` subcommands, imported when one is listed or run."""

    def list_commands(self, ctx):
        from flask_migrate.cli import db

        return db.list_commands(ctx)

    def get_command(self, ctx, name):
        from flask_migrate.cli import db

        return db.get_command(ctx, name)


@click.group("db", cls=_MigrationCommands)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
def database(directory, x_arg) -> None:
    """Perform database migrations."""
    g.directory = directory  # read by Flask-Migrate's get_config, as its own group does
    g.x_arg = x_arg
