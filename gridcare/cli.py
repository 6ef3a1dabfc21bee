"""The `gridcare` command: Flask's own commands (run, shell, db …) plus gridcare's."""

import logging
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, get_debug_flag
from flask.cli import run_command as flask_run_command
from sqlalchemy.exc import OperationalError, ProgrammingError

from gridcare import create_app
from gridcare.command_errors import InputError
from gridcare.config import MissingKeysError
from gridcare.privacy import DataKeyError


class GridcareGroup(FlaskGroup):
    """FlaskGroup, plus one clear line instead of a traceback when the database is down.

    Every command, Flask-Migrate's `db` ones included, runs through here: cron and systemd
    log the reason, and the operator is not left reading SQLAlchemy's internals.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            raise click.ClickException(_database_failure(exc)) from exc
        except (MissingKeysError, DataKeyError) as exc:  # a key missing or not a valid key
            raise click.ClickException(str(exc)) from exc


def _database_failure(exc: OperationalError | ProgrammingError) -> str:
    from gridcare.extensions import db

    url = db.engine.url.render_as_string(hide_password=True)
    lines = str(exc.orig or exc).strip().splitlines() or [type(exc).__name__]
    said = f"the database {url} cannot be used: {lines[0]}"
    if "no such table" in lines[0] or "does not exist" in lines[0]:
        said += " (a new database? run `gridcare db upgrade` first)"
    return said


@click.group(cls=GridcareGroup, create_app=create_app)
def cli():
    """gridcare: case tracking for community grid workers."""


def _run(scheduler: bool, **options):
    """Flask's development server, and the scheduler in it when asked for."""
    ctx = click.get_current_context()
    if scheduler:
        from gridcare.scheduling import embedded

        reload = options["reload"] if options["reload"] is not None else get_debug_flag()
        if embedded.serves_here(reload):
            embedded.start(ctx.ensure_object(ScriptInfo).load_app())
    ctx.invoke(flask_run_command, **options)


# Flask's `run`, with one more option: --scheduler embeds the jobs (off by default).
cli.add_command(
    click.Command(
        "run",
        callback=_run,
        params=[
            *flask_run_command.params,
            click.Option(
                ["--scheduler/--no-scheduler"],
                default=False,
                envvar="GRIDCARE_RUN_SCHEDULER",
                show_envvar=True,
                help="Also run the scheduled jobs in this process (a one-process install; "
                "started once, in the serving process, even under the reloader).",
            ),
        ],
        help=flask_run_command.help,
        short_help=flask_run_command.short_help,
    )
)


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
            raise InputError(f"--area {code}: no area has this code")
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
def scheduler_run_command():
    """Run scheduled jobs in this process until stopped (a second one waits as standby)."""
    from gridcare.extensions import db
    from gridcare.scheduling.runner import run_forever
    from gridcare.scheduling.services import current_leader

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Fail at once, in one line, if the database is down or not migrated: the loop would
    # otherwise start and log a failed heartbeat every few seconds. The check's
    # transaction ends here, or SQLite would keep the scheduler's threads from writing.
    current_leader()
    db.session.rollback()
    run_forever(current_app._get_current_object())


jobs_cli = click.Group("jobs", help="Run or inspect scheduled jobs.")


@jobs_cli.command("run")
@click.argument("name")
def jobs_run_command(name):
    """Run one job now, e.g. `gridcare jobs run generate_visits`; exits 1 if it fails."""
    from gridcare.scheduling.runner import JOBS, run_now

    if name not in JOBS:
        raise InputError(f"no job is called {name}; choose one of: {', '.join(JOBS)}")
    outcome = run_now(name)
    click.echo(f"{name}: {'ok' if outcome.ok else 'FAILED'} {outcome.summary}")
    if not outcome.ok:
        raise SystemExit(1)


@jobs_cli.command("list")
def jobs_list_command():
    """The jobs, when they run, and their latest runs."""
    from gridcare.scheduling.runner import JOBS
    from gridcare.scheduling.services import current_leader, recent_runs

    leader, runs = current_leader(), recent_runs()  # before any output: all or one error
    for name, spec in JOBS.items():
        click.echo(f"{name:18} cron {spec.cron}")
    click.echo(f"leader: {leader or '-'}")
    for run in runs:
        state = {True: "ok", False: "FAILED", None: "running"}[run.ok]
        click.echo(f"{run.started_at:%Y-%m-%d %H:%M:%S}Z {run.job:18} {state:7} {run.summary}")


report_cli = click.Group("report", help="Reports: coverage for civil affairs, performance.")


@report_cli.command("coverage")
@click.option("--area", "area_code", required=True, help="Area code, e.g. 620202.")
@click.option("--period", required=True, help="2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-20")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (csv/xlsx).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN")
def report_coverage_command(area_code, period, fmt, output, locale):
    """Coverage of an area for a period: the same figures as the report page.

    \b
    visit_rate (月探访率): target residents (active residents who meet a care-level
    rule, in target households) whose household had at least one done home visit in
    the period, in person, by phone or by video, over the target residents; out-of-hours
    visits count like any other. Never below the in-person coverage of the same residents.
    """
    import json

    from flask_babel import force_locale

    from gridcare.accounts.services import SYSTEM
    from gridcare.areas.services import area_by_code
    from gridcare.extensions import db
    from gridcare.reports.coverage import coverage
    from gridcare.reports.exports import to_csv, to_json, to_xlsx
    from gridcare.reports.periods import PeriodError, parse

    try:
        chosen = parse(period)
    except PeriodError as exc:
        raise InputError(f"--period {period}: {exc.message}") from exc
    area = area_by_code(area_code)
    if area is None:
        raise InputError(f"--area {area_code}: no area has this code")
    report = coverage(area, chosen)
    if fmt == "json":
        text = json.dumps(to_json(report), ensure_ascii=False, indent=2)
    else:
        with force_locale(locale):
            body = to_csv(report) if fmt == "csv" else to_xlsx(report)
        target = output or f"coverage-{area.code}-{chosen.key}.{fmt}"
        try:
            with open(target, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror}") from exc
    # Audited once the figures have left: a failed write exported nothing.
    SYSTEM.audit("export", "coverage", area.id, ["period", fmt])
    db.session.commit()
    click.echo(text if fmt == "json" else f"Wrote {target}")


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path), required=False)
def backup_command(target):
    """Write the database and the photos into one file (default: gridcare-backup-TIME.tar)."""
    from gridcare.backups import BackupError, backup

    target = target or Path(f"gridcare-backup-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.tar")
    try:
        made = backup(target)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up the {made.database} database (revision {made.revision}) and "
        f"{made.photos} photos into {made.path}. Keep GRIDCARE_DATA_KEY too, apart from "
        "it: without the key the ID numbers in it cannot be read."
    )


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(source):
    """Restore a backup into an empty database (create it, then run this; no upgrade first)."""
    from gridcare.backups import BackupError, restore

    try:
        made = restore(source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Restored the {made.database} database of {made.made_at} (revision {made.revision}) "
        f"and {made.photos} photos. If this gridcare is newer, run `gridcare db upgrade`."
    )


@report_cli.command("renovation")
@click.option("--area", "area_code", required=True, help="Area code, e.g. 620202.")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="e.g. 2026")
@click.option("--programme", "programme_id", type=int, help="One programme's id (default: all).")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (csv/xlsx).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN")
def report_renovation_command(area_code, year, programme_id, fmt, output, locale):
    """One plan per household: the renovation report's figures, as on its page."""
    from gridcare.renovation.commands import renovation_report_output

    click.echo(renovation_report_output(area_code, year, programme_id, fmt, output, locale))


@report_cli.command("performance")
@click.option("--area", "area_code", required=True, help="Area code of a community or street.")
@click.option("--quarter", "quarter_key", required=True, help="A quarter, e.g. 2026-Q4.")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx"]), default="json")
@click.option("--output", type=click.Path(dir_okay=False), help="File to write (xlsx).")
@click.option("--locale", type=click.Choice(["zh_CN", "en"]), default="zh_CN")
def report_performance_command(area_code, quarter_key, fmt, output, locale):
    """Workers' quarterly scores, ranks and indicators: the figures of the performance page."""
    import json

    from flask_babel import force_locale

    from gridcare.accounts.services import SYSTEM
    from gridcare.areas.services import area_by_code
    from gridcare.clock import today
    from gridcare.extensions import db
    from gridcare.performance.exports import to_json, to_xlsx
    from gridcare.performance.services import PerformanceError, performance_page

    area = area_by_code(area_code)
    if area is None:
        raise InputError(f"--area {area_code}: no area has this code")
    try:
        page = performance_page(area, quarter_key, today())
    except PerformanceError as exc:
        raise InputError(f"--quarter {quarter_key}: {exc.message}") from exc
    if fmt == "json":
        text = json.dumps(to_json(page), ensure_ascii=False, indent=2)
    else:
        with force_locale(locale):
            body = to_xlsx(page)
        target = output or f"performance-{area.code}-{page.quarter.key}.xlsx"
        try:
            with open(target, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror}") from exc
    SYSTEM.audit("export", "performance", area.id, ["quarter", fmt])
    db.session.commit()
    click.echo(text if fmt == "json" else f"Wrote {target}")


def register(app: Flask) -> None:
    from gridcare.demo.commands import demo_cli
    from gridcare.registry.commands import import_cli

    for group in (users_cli, demo_cli, import_cli, scheduler_cli, jobs_cli, report_cli):
        app.cli.add_command(group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
