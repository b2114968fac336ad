"""`flask org create` and `flask users reset-password`: organisations and passwords from the command line."""
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

    # `flask users ...` is the group File Import's commands live in.
    from webapp.imports.cli import users

    users.add_command(reset_password)


@click.command("reset-password")
@click.argument("email")
@click.option("--org", "org_slug", required=True, help="The organisation's slug.")
def reset_password(email, org_slug):
    """Give EMAIL's account a new generated password and print it once (when mail does not work)."""
    from webapp.auth.admin_reset import NoSuchAccount, reset_to_generated

    try:
        user, password = reset_to_generated(email, org_slug)
    except NoSuchAccount as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"New password for {user.email} in {user.org.name}: {password}")
    click.echo("It is shown only this once. They choose their own password at their next sign-in.")
