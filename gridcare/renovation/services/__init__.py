"""Renovation services, one module per concern, re-exported here.

- `programmes`: opening a programme and picking its households;
- `steps`: who may make which move, and the history row each leaves;
- `moves`: assessment, plan and consent, construction, supervision, acceptance, decline;
- `satisfaction`: answers, follow-up rounds and their visits;
- `catalogue`: the needs an assessment chooses from;
- `reading`: what the pages show; `report`: the figures for an area and year.
"""

from gridcare.renovation.services.catalogue import add_need, catalogue, update_need
from gridcare.renovation.services.errors import RenovationError, RenovationForbidden
from gridcare.renovation.services.moves import (
    MEASUREMENTS,
    PlannedItem,
    PointResult,
    accept,
    assess,
    decline,
    plan,
    start_construction,
    supervise,
)
from gridcare.renovation.services.programmes import (
    DEFAULT_GRADES,
    CandidateFilter,
    add_cases,
    candidate_households,
    open_programme,
    programme_in_reach,
    programmes_in_scope,
)
from gridcare.renovation.services.reading import (
    STAGE_DAYS,
    FollowUpRow,
    ProgrammeOverview,
    case_detail,
    follow_up_in_scope,
    household_cases,
    open_follow_ups,
    overdue_days,
    programme_overview,
)
from gridcare.renovation.services.report import RenovationReport, renovation_report
from gridcare.renovation.services.satisfaction import (
    Answer,
    add_answer,
    answer_follow_up,
    request_follow_up_round,
)
from gridcare.renovation.services.steps import ACTION_LABELS, MOVES, allowed_moves

__all__ = [
    "ACTION_LABELS",
    "DEFAULT_GRADES",
    "MEASUREMENTS",
    "MOVES",
    "STAGE_DAYS",
    "Answer",
    "CandidateFilter",
    "FollowUpRow",
    "PlannedItem",
    "PointResult",
    "ProgrammeOverview",
    "RenovationError",
    "RenovationForbidden",
    "RenovationReport",
    "accept",
    "add_answer",
    "add_cases",
    "add_need",
    "allowed_moves",
    "answer_follow_up",
    "assess",
    "candidate_households",
    "case_detail",
    "catalogue",
    "decline",
    "follow_up_in_scope",
    "household_cases",
    "open_follow_ups",
    "open_programme",
    "overdue_days",
    "plan",
    "programme_in_reach",
    "programme_overview",
    "programmes_in_scope",
    "renovation_report",
    "request_follow_up_round",
    "start_construction",
    "supervise",
    "update_need",
]
