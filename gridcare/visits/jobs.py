"""Scheduled work of the visits domain. Each job derives its work from the database."""

from gridcare.clock import today
from gridcare.registry.services import refresh_care_levels
from gridcare.visits import services
from gridcare.visits.services.life_events import escalate_event_visits as escalate_events


def generate_visits() -> str:
    """Nightly: re-derive care levels (birthdays), then give every schedule its next visit."""
    on = today()
    levels_changed = refresh_care_levels(on)
    return f"care_levels_changed={levels_changed}, {services.generate_visits(on)}"


def close_missed() -> str:
    """Nightly, before generation: planned visits whose window has closed become missed."""
    return f"missed={services.close_missed(today())}"


def store_visit_months() -> str:
    """Nightly, after the missed windows are closed: what each household's visits did in
    the running month through yesterday (and any closed month not stored in full), which
    the reports then read instead of those days' visits."""
    return f"household months={len(services.store_months(today()))}"


def escalate_event_visits() -> str:
    """Hourly: officers hear once about each urgent visit after a life event not done in time."""
    return f"escalated={escalate_events()}"
