"""`gridcare demo load`: the demo city, then a year of its visits and hazards."""

import time
from datetime import timedelta

import click

from gridcare.clock import today
from gridcare.demo.bulk import vacuum
from gridcare.demo.city import BULK_TABLES, SchemaMissing, load_demo
from gridcare.demo.names import DISTRICT_NAME
from gridcare.demo.plan import DEMO_PASSWORD, SCALES, scale_for
from gridcare.extensions import db
from gridcare.renovation.demo import load_renovation_demo
from gridcare.reports.coverage import snapshot_month
from gridcare.reports.jobs import closed_since
from gridcare.visits.services import store_months

demo_cli = click.Group("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--scale",
    type=click.Choice(["small", "city"]),
    default="small",
    show_default=True,
    help="small: 12 grids, 600 households. city: 480 grids, 120,000 households on "
    "PostgreSQL; on SQLite a district of 120 grids, 6,000 households.",
)
@click.option(
    "--history-days",
    type=click.IntRange(0, 365),
    default=365,
    show_default=True,
    help="Days of visits and hazards before today (0: only plan from today).",
)
def load_command(scale: str, history_days: int) -> None:
    """Load the demo city into an empty database (run `gridcare db upgrade` first)."""
    started = time.perf_counter()
    size = scale_for(scale, db.session.get_bind().dialect.name)
    bar = _ProgressBar()
    try:
        result = load_demo(scale, history_days=history_days, progress=bar)
    except SchemaMissing as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bar.close()
    if result.skipped_because:
        click.echo(f"Demo not loaded: {result.skipped_because}. Nothing was changed.")
        return
    vacuum(db.engine, BULK_TABLES)
    elapsed = time.perf_counter() - started
    communities = size.streets * size.communities_per_street
    name = next(n for n, s in SCALES.items() if s == size)
    click.echo(
        f"Loaded the demo city {DISTRICT_NAME} ({name}) in {elapsed:.1f} s: "
        f"{result.areas} areas, {result.households} households, "
        f"{result.residents} residents, {result.users} accounts."
    )
    history = result.history
    click.echo(
        f"History of {history_days} days: {history.done} visits done, "
        f"{history.not_home} not home, {history.missed} missed, {history.planned} planned now; "
        f"{history.hazards} hazards."
    )
    click.echo(load_renovation_demo().summary)
    _store_reports(history_days)
    click.echo(f"Every demo account has the password: {DEMO_PASSWORD}")
    accounts = (
        (f"worker1 … worker{size.grids}", "grid workers (网格员), one grid each"),
        (f"officer1 … officer{communities}", "community officers, one community each"),
        ("civil1", "civil-affairs staff (民政), the whole district"),
    )
    for usernames, who in accounts:
        click.echo(f"  {usernames:<22}{who}")
    click.echo(f"  {'admin':<22}administrator")


def _store_reports(history_days: int) -> None:
    """What the nightly and monthly jobs would have stored (each household's months,
    through yesterday; the snapshots of each 1st of the history), so that the report
    page reads months, quarters and years as a city running gridcare for a year would."""
    store_months()
    periods = closed_since(today() - timedelta(days=history_days), today())
    if not periods:  # a history shorter than a month may close none
        return
    with click.progressbar(periods, label="Storing the reports of closed periods") as bar:
        for period in bar:
            snapshot_month(period)
    click.echo(
        f"Reports stored for {len(periods)} closed months, quarters and years "
        f"({periods[0].key} … {periods[-1].key})."
    )


class _ProgressBar:
    """Click's progress bar, shown from the first grid written: a database that cannot
    be used, or is already used, gets its one line and no bar."""

    def __init__(self):
        self._bar = None

    def __call__(self, grids: int, of: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=of, label="Writing the city, grid by grid", show_pos=True, show_eta=True
            )
            self._bar.__enter__()
        self._bar.update(grids)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
