"""`gridcare demo load`: the demo city, then some weeks of its visits."""

import time

import click

from gridcare.demo.city import SchemaMissing, load_demo
from gridcare.demo.history import simulate_history
from gridcare.demo.names import DISTRICT_NAME
from gridcare.demo.plan import DEMO_PASSWORD, SCALES
from gridcare.renovation.demo import load_renovation_demo

demo_cli = click.Group("demo", help="Demo data.")


@demo_cli.command("load")
@click.option(
    "--scale",
    type=click.Choice(list(SCALES)),
    default="small",
    show_default=True,
    help="small: 12 grids, about 600 households; city: about ten times that.",
)
@click.option(
    "--history-days",
    type=click.IntRange(0, 365),
    default=14,
    show_default=True,
    help="Days of visits to simulate before today (0: only plan from today).",
)
def load_command(scale: str, history_days: int) -> None:
    """Load the demo city into an empty database (run `gridcare db upgrade` first)."""
    started = time.perf_counter()
    try:
        result = load_demo(scale)
    except SchemaMissing as exc:
        raise click.ClickException(str(exc)) from exc
    if result.skipped_because:
        click.echo(f"Demo not loaded: {result.skipped_because}. Nothing was changed.")
        return
    elapsed = time.perf_counter() - started
    size = SCALES[scale]
    communities = size.streets * size.communities_per_street
    grids = communities * size.grids_per_community
    click.echo(
        f"Loaded the demo city {DISTRICT_NAME} ({scale}) in {elapsed:.1f} s: "
        f"{result.areas} areas, {result.households} households, "
        f"{result.residents} residents, {result.users} accounts."
    )

    history = simulate_history(days=history_days)
    click.echo(
        f"Simulated {history_days} days of visits: {history.done} done, "
        f"{history.not_home} not home, {history.missed} missed, {history.planned} planned now."
    )
    click.echo(load_renovation_demo().summary)
    click.echo(f"Every demo account has the password: {DEMO_PASSWORD}")
    accounts = (
        (f"worker1 … worker{grids}", "grid workers (网格员), one grid each"),
        (f"officer1 … officer{communities}", "community officers, one community each"),
        ("civil1", "civil-affairs staff (民政), the whole district"),
    )
    for usernames, who in accounts:
        click.echo(f"  {usernames:<22}{who}")
    click.echo(f"  {'admin':<22}administrator")
