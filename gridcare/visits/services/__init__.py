"""Care schedules and visits, one module per kind of work:

- `planning`: schedules that follow care levels, and each schedule's next visit;
- `recording`: where a visit is recorded (`log_visit`);
- `assignments`: officers' one-off checks, campaigns, reassignment, schedule adjustments;
- `targeting`: choosing households for one-off checks by filter, counted beforehand;
- `reading`: a worker's day, a household's history, workload, overdue tasks, campaigns;
- `life_events`: a resident's major change and the urgent visit it calls for;
- `campaign_templates`: the rounds an officer starts in two taps;
- `rule_changes`: schedules following a new version of the care-level rules;
- `months`: what each household's visits did in a month, stored nightly for the reports.

Everything is re-exported here, so `from gridcare.visits import services` keeps working.
"""

from gridcare.visits.services.assignments import (
    Reassigned,
    TasksAdded,
    adjust_schedule,
    assign_checks,
    campaign_households,
    create_campaign,
    reassign_visits,
    refresh_campaign,
)
from gridcare.visits.services.errors import VisitError
from gridcare.visits.services.life_events import (
    escalate_event_visits,
    event_visit_hours,
    household_life_events,
    record_life_event,
)
from gridcare.visits.services.months import store_months
from gridcare.visits.services.planning import (
    PlanSummary,
    close_missed,
    follow_households,
    generate_visits,
    insert_ignoring_duplicates,
    plan_due_visits,
    pull_forward,
    sync_schedules,
)
from gridcare.visits.services.reading import (
    UPCOMING_SHOWN,
    WALKING_ORDER_STOPS,
    DayRow,
    Overdue,
    OverdueTask,
    WorkerDay,
    Workload,
    campaigns_in_scope,
    checklist_by_code,
    household_visits,
    households_for_assignment,
    overdue_visits,
    schedules_for,
    worker_day,
    workers_covering,
    workers_who_can_open,
    workload,
)
from gridcare.visits.services.recording import (
    UUID_BROKEN,
    UUID_USED,
    Position,
    checklist_items,
    log_visit,
    recorded_time,
)
from gridcare.visits.services.targeting import (
    AssignmentPreview,
    FilteredAssignment,
    HouseholdTarget,
    assign_by_target,
    matching_households,
    preview_assignment,
    workers_for,
)

__all__ = [
    "AssignmentPreview",
    "FilteredAssignment",
    "HouseholdTarget",
    "assign_by_target",
    "matching_households",
    "preview_assignment",
    "workers_for",
    "UPCOMING_SHOWN",
    "UUID_BROKEN",
    "UUID_USED",
    "WALKING_ORDER_STOPS",
    "DayRow",
    "PlanSummary",
    "Position",
    "Reassigned",
    "TasksAdded",
    "VisitError",
    "WorkerDay",
    "Workload",
    "adjust_schedule",
    "assign_checks",
    "campaign_households",
    "campaigns_in_scope",
    "checklist_items",
    "checklist_by_code",
    "escalate_event_visits",
    "event_visit_hours",
    "household_life_events",
    "record_life_event",
    "close_missed",
    "create_campaign",
    "follow_households",
    "generate_visits",
    "household_visits",
    "households_for_assignment",
    "insert_ignoring_duplicates",
    "log_visit",
    "Overdue",
    "overdue_visits",
    "plan_due_visits",
    "pull_forward",
    "reassign_visits",
    "recorded_time",
    "refresh_campaign",
    "schedules_for",
    "store_months",
    "sync_schedules",
    "worker_day",
    "workers_who_can_open",
    "workers_covering",
    "OverdueTask",
    "workload",
]
