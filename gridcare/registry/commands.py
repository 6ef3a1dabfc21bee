"""`gridcare import residents FILE --as USERNAME [--dry-run]`: the registry import, from a shell."""

from pathlib import Path

import click

import_cli = click.Group("import", help="Import records from spreadsheets.")


@import_cli.command("residents")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--as",
    "username",
    required=True,
    help="Import as this user: their role and areas apply, and the audit trail names them.",
)
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@click.option("--verbose", "-v", is_flag=True, help="List every row that changes something.")
def import_residents_command(file: Path, username: str, dry_run: bool, verbose: bool):
    """Import households and residents from an XLSX or CSV file in the template's columns.

    All or nothing: any problem in any row blocks the import. Exits with status 1 when
    the file has problems or cannot be read.
    """
    from sqlalchemy import func, select

    from gridcare.accounts.models import User
    from gridcare.accounts.services import actor_for
    from gridcare.command_errors import InputError
    from gridcare.extensions import db
    from gridcare.registry.imports import MAX_IMPORT_BYTES, ImportFileError, import_residents
    from gridcare.registry.services import RegistryPermissionError

    try:
        with file.open("rb") as stream:
            content = stream.read(MAX_IMPORT_BYTES + 1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {file}: {exc.strerror}") from exc
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is None or not user.active:
        raise InputError(f"--as: no active user is called {username}")
    try:
        report = import_residents(actor_for(user, "cli"), content, dry_run=dry_run)
    except ImportFileError as exc:
        raise click.ClickException(str(exc.message)) from exc
    except RegistryPermissionError as exc:
        raise click.ClickException(f"{user.username} may not edit the registry") from exc

    for problem in report.problems:
        click.echo(str(problem), err=True)
    if verbose:
        for row in report.changes:
            fields = f" ({', '.join(row.changed_columns)})" if row.fields else ""
            click.echo(
                f"row {row.row}: {row.address} {row.name}: household {row.household}, "
                f"resident {row.resident}{fields}"
            )
    if report.problems:
        click.echo(f"{len(report.problems)} problems: nothing was imported.", err=True)
        raise SystemExit(1)
    done = "imported" if report.applied else "dry run, nothing written"
    click.echo(
        f"{done}: {report.created} created ({report.households_created} households, "
        f"{report.residents_created} residents), {report.updated} updated, "
        f"{report.unchanged} unchanged."
    )
