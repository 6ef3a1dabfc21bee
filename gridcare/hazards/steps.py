"""The hazard page's next step: of the moves the rules allow, the one that fits the
hazard's state and the reader's role, and the others kept out of the way."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.hazards.models import Hazard, HazardStatus
from gridcare.hazards.services import allowed_moves
from gridcare.hazards.services.lifecycle import MOVES

# What each button says: an instruction, unlike the timeline's labels of what was done.
BUTTON_LABELS = {
    "start_fixing": _l("Mark as being fixed"),
    "report_fixed": _l("Report it fixed"),
    "approve": _l("Accept the fix and close"),
    "reject": _l("Send back to be fixed again"),
    "reassign": _l("Give to this worker"),
    "comment": _l("Add to the timeline"),
}
# The text box of each step, each with its own label.
NOTE_LABELS = {
    "report_fixed": _l("What was done"),
    "review": _l("Review note (say what is still wrong when you send it back)"),
    "comment": _l("Note for the timeline"),
}
STEP_TITLES = {
    "report_fixed": _l("Report the fix"),
    "review": _l("Review the fix"),
    "start_fixing": _l("Start fixing"),
    "reassign": _l("Give it to another worker"),
    "comment": _l("Add a note or photo"),
}


@dataclass(frozen=True)
class Step:
    """One form on the page: its key and the actions its buttons send."""

    key: str
    actions: tuple[str, ...]

    @property
    def title(self) -> str:
        return str(STEP_TITLES[self.key])

    @property
    def from_the_field(self) -> bool:
        """A worker's step, taken on the phone: its form goes through the outbox."""
        return all(MOVES[action].permission == Permission.log_visits for action in self.actions)


@dataclass(frozen=True)
class NextSteps:
    """The step to take now (None: it is someone else's turn, said by `waiting_for`), and
    the other moves allowed, offered apart."""

    main: Step | None
    others: list[Step]
    waiting_for: str | None = None


def next_steps(actor: Actor, hazard: Hazard) -> NextSteps:
    """The page's steps for this reader: a worker reports the fix, an officer reviews it."""
    allowed = {move.action for move in allowed_moves(actor, hazard)}
    reviews = actor.can(Permission.assign_visits)
    main = None
    if {"approve", "reject"} <= allowed:
        main = Step("review", ("approve", "reject"))
    elif "report_fixed" in allowed and not reviews:
        main = Step("report_fixed", ("report_fixed",))
    taken = set(main.actions) if main else set()
    # An officer may also log visits, but fixing is the worker's part: not offered to them.
    order = ("reassign", "comment") if reviews else ("report_fixed", "start_fixing", "comment")
    others = [Step(action, (action,)) for action in order if action in allowed - taken]
    return NextSteps(main, others, None if main else _waiting_for(hazard, reviews))


def _waiting_for(hazard: Hazard, reviews: bool) -> str | None:
    if hazard.status == HazardStatus.closed:
        return None
    if hazard.status == HazardStatus.awaiting_review:
        return str(_l("Reported fixed: waiting for an officer's review."))
    if reviews:
        return str(_l("Waiting for the worker to fix it and report the fix."))
    return None
