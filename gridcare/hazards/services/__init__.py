"""Hazards and their follow-ups, one module per kind of work:

- `lifecycle`: raising a hazard and every move of it, with the rules for who may move it;
- `escalation`: officers told about hazards past their deadline;
- `digest`: each worker's morning message;
- `review_notices`: the workers told when a review closes their hazard or sends it back;
- `reading`: a hazard's timeline, a household's hazards, a worker's list, an officer's queue.

Everything is re-exported here, so `from gridcare.hazards import services` keeps working.
"""

from gridcare.hazards.services.digest import worker_digest
from gridcare.hazards.services.escalation import escalate_hazards
from gridcare.hazards.services.lifecycle import (
    ACTION_LABELS,
    MOVES,
    OPEN_STATUSES,
    HazardError,
    HazardForbidden,
    Move,
    allowed_moves,
    assignable_workers,
    deadline_for,
    move_hazard,
    raise_hazard,
)
from gridcare.hazards.services.reading import (
    Queue,
    hazard_detail,
    household_hazards,
    my_hazards,
    officer_queue,
    photo_count,
    prefill_from_check,
    visit_by_client_uuid,
)

__all__ = [
    "ACTION_LABELS",
    "MOVES",
    "OPEN_STATUSES",
    "HazardError",
    "HazardForbidden",
    "Move",
    "Queue",
    "allowed_moves",
    "assignable_workers",
    "deadline_for",
    "escalate_hazards",
    "hazard_detail",
    "household_hazards",
    "move_hazard",
    "my_hazards",
    "officer_queue",
    "photo_count",
    "prefill_from_check",
    "raise_hazard",
    "visit_by_client_uuid",
    "worker_digest",
]
