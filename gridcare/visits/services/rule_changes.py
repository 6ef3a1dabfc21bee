"""Schedules follow a new version of the care-level rules the day it takes effect."""

from datetime import date

from gridcare.visits.services.planning import PlanSummary, plan_due_visits, sync_schedules


def follow_care_rules(rule_set_id: int, on: date) -> PlanSummary:
    """Give every schedule that follows its level the cadence of the rules now in force,
    bringing open tasks forward where it tightened. Runs inside the registry's
    transaction, which commits. Connected to `care_rules_changed` by `gridcare.visits.init_app`.
    """
    summary = sync_schedules(on)
    summary.visits_created = plan_due_visits(on)
    return summary
