"""The `gridcare` command: Flask's own commands (run, shell, db …) plus gridcare's."""

import logging

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

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


scheduler_cli = click.Group("scheduler", help="The scheduler process.")


@scheduler_cli.command("run")
@with_appcontext
def scheduler_run_command():
    """Run scheduled jobs in this process until stopped (a second one waits as standby)."""
    from flask import current_app

    from gridcare.scheduling.runner import run_forever

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_forever(current_app._get_current_object())


jobs_cli = click.Group("jobs", help="Run or inspect scheduled jobs.")


@jobs_cli.command("run")
@click.argument("name")
@with_appcontext
def jobs_run_command(name):
    """Run one job now, e.g. `gridcare jobs run generate_visits`."""
    from flask import current_app

    from gridcare.scheduling.runner import JOBS, run_now

    if name not in JOBS:
        raise click.BadParameter(f"choose one of: {', '.join(JOBS)}", param_hint="NAME")
    run = run_now(current_app._get_current_object(), name)
    click.echo(f"{name}: {'ok' if run.ok else 'FAILED'} {run.summary}")
    if not run.ok:
        raise SystemExit(1)


@jobs_cli.command("list")
@with_appcontext
def jobs_list_command():
    """The jobs, when they run, and their latest runs."""
    from gridcare.scheduling.runner import JOBS
    from gridcare.scheduling.services import current_leader, recent_runs

    for name, spec in JOBS.items():
        click.echo(f"{name:18} cron {spec.cron}")
    click.echo(f"leader: {current_leader() or '-'}")
    for run in recent_runs():
        state = {True: "ok", False: "FAILED", None: "running"}[run.ok]
        click.echo(f"{run.started_at:%Y-%m-%d %H:%M:%S}Z {run.job:18} {state:7} {run.summary}")


report_cli = click.Group("report", help="Reports for civil affairs.")


@report_cli.command("coverage")
@click.option("--area", "area_code", required=True, help="Area code, e.g. 620202.")
@click.option("--period", required=True, help="2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-20")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (csv/xlsx).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN")
@with_appcontext
def report_coverage_command(area_code, period, fmt, output, locale):
    """Coverage of an area for a period: the same figures as the report page."""
    import json

    from flask_babel import force_locale

    from gridcare.accounts.services import SYSTEM
    from gridcare.areas.services import area_by_code
    from gridcare.extensions import db
    from gridcare.reports.coverage import coverage
    from gridcare.reports.exports import to_csv, to_json, to_xlsx
    from gridcare.reports.periods import PeriodError, parse

    area = area_by_code(area_code)
    if area is None:
        raise click.BadParameter(f"no area has the code {area_code}", param_hint="--area")
    try:
        chosen = parse(period)
    except PeriodError as exc:
        raise click.BadParameter(str(exc.message), param_hint="--period") from exc
    report = coverage(area, chosen)
    SYSTEM.audit("export", "coverage", area.id, ["period", fmt])
    db.session.commit()
    if fmt == "json":
        click.echo(json.dumps(to_json(report), ensure_ascii=False, indent=2))
        return
    with force_locale(locale):
        body = to_csv(report) if fmt == "csv" else to_xlsx(report)
    target = output or f"coverage-{area.code}-{chosen.key}.{fmt}"
    with open(target, "wb") as out:
        out.write(body)
    click.echo(f"Wrote {target}")


def register(app: Flask) -> None:
    from gridcare.registry.commands import import_cli
    from gridcare.registry.demo import demo_cli

    for group in (users_cli, demo_cli, import_cli, scheduler_cli, jobs_cli, report_cli):
        app.cli.add_command(group)
