"""`flask org create`: make an organisation and its first admin from the command line."""
import click
from flask import Flask

from webapp.addresses import InvalidEmail


def register(app: Flask) -> None:
    @app.cli.group("org")
    def org_group():
        """Organisations."""

    @org_group.command("create")
    @click.option("--name", required=True, help="The organisation's name.")
    @click.option("--slug", required=True, help="A short unique name used by other commands.")
    @click.option("--admin-email", required=True)
    @click.option("--admin-first-name", required=True)
    @click.option("--admin-last-name", required=True)
    def create(name, slug, admin_email, admin_first_name, admin_last_name):
        """Create an organisation and its first admin; print the admin's password once."""
        from webapp.auth.services import SetupError, create_organisation

        try:
            created, password = create_organisation(
                name=name, slug=slug, admin_email=admin_email,
                admin_first_name=admin_first_name, admin_last_name=admin_last_name,
            )
        except (SetupError, InvalidEmail) as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Created organisation {created.org.name} ({created.org.slug}).")
        click.echo(f"Admin: {created.admin.email}")
        click.echo(f"Password (shown once; the admin must change it at first sign-in): {password}")
