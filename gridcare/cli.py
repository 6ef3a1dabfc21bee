"""The `gridcare` command: Flask's own commands (run, shell, db …) plus gridcare's."""

import click
from flask import Flask
from flask.cli import FlaskGroup

from gridcare import create_app


@click.group(cls=FlaskGroup, create_app=create_app)
def cli():
    """gridcare: case tracking for community grid workers."""


users_cli = click.Group("users", help="Manage accounts.")


@users_cli.command("create")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["grid_worker", "officer", "civil_affairs", "admin"]),
    required=True,
)
@click.option("--area", "area_codes", multiple=True, help="Area code; repeat for several.")
@click.option("--full-name", default="")
@click.option("--phone", default="")
@click.password_option(help="At least 12 characters; asked for when not given.")
def create_user_command(username, role, area_codes, full_name, phone, password):
    """Create an account."""
    from gridcare.accounts.models import Role
    from gridcare.accounts.services import SYSTEM, AccountError, create_user
    from gridcare.areas.services import area_by_code

    area_ids = []
    for code in area_codes:
        area = area_by_code(code)
        if area is None:
            raise click.BadParameter(f"no area has the code {code}", param_hint="--area")
        area_ids.append(area.id)
    try:
        user = create_user(
            SYSTEM,
            username=username,
            password=password,
            role=Role(role),
            area_ids=area_ids,
            full_name=full_name,
            phone=phone,
        )
    except AccountError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(f"Created {user.username} ({user.role.value}).")


def register(app: Flask) -> None:
    from gridcare.registry.demo import demo_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
