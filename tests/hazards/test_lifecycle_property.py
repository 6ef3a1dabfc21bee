"""No sequence of actions, by anyone, reaches a state the lifecycle does not allow, and
every change leaves a FollowUp."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.hazards import services
from gridcare.hazards.models import FollowUp, HazardCategory, HazardStatus, Severity

# The lifecycle as a table: (status, action) -> the status it leads to.
ALLOWED = {
    (HazardStatus.open, "start_fixing"): HazardStatus.rectifying,
    (HazardStatus.open, "report_fixed"): HazardStatus.awaiting_review,
    (HazardStatus.rectifying, "report_fixed"): HazardStatus.awaiting_review,
    (HazardStatus.awaiting_review, "approve"): HazardStatus.closed,
    (HazardStatus.awaiting_review, "reject"): HazardStatus.rectifying,
}
OFFICER_ONLY = {"approve", "reject", "reassign"}
pytestmark = pytest.mark.usefixtures("test_day")
PHOTO = b""  # filled in lazily: one small JPEG reused


def tiny_jpeg() -> bytes:
    global PHOTO
    if not PHOTO:
        from tests.hazards.conftest import jpeg

        PHOTO = jpeg(40, 30)
    return PHOTO


steps = st.lists(
    st.tuples(
        st.sampled_from(["worker", "officer"]),
        st.sampled_from(sorted({a for _, a in ALLOWED} | {"reassign", "comment", "bogus"})),
        st.booleans(),  # with a note
        st.booleans(),  # with a photo
    ),
    max_size=12,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_any_sequence_of_actions_stays_inside_the_lifecycle(people, sequence):
    actors = {"worker": actor_for(people["worker"]), "officer": actor_for(people["officer"])}
    hazard = services.raise_hazard(
        actors["worker"],
        people["household"],
        category=HazardCategory.fire,
        severity=Severity.minor,
        description="电热毯老化",
        today=date(2026, 11, 23),
    )

    def follow_ups() -> int:
        return db.session.scalar(select(func.count()).where(FollowUp.hazard_id == hazard.id))

    for who, action, with_note, with_photo in sequence:
        before_status, before_count = hazard.status, follow_ups()
        try:
            services.move_hazard(
                actors[who],
                hazard,
                action,
                note="说明" if with_note else "",
                photo=tiny_jpeg() if with_photo else None,
                assignee_id=people["worker"].id,
            )
        except services.HazardError:
            db.session.refresh(hazard)
            assert hazard.status == before_status, "a refused move changed the hazard"
            assert follow_ups() == before_count, "a refused move left a follow-up"
            continue
        assert follow_ups() == before_count + 1, "a change left no follow-up"
        if action in ("comment", "reassign"):
            assert hazard.status == before_status
        else:
            assert ALLOWED[(before_status, action)] == hazard.status
        if action in OFFICER_ONLY:
            assert who == "officer"
    assert hazard.status in set(HazardStatus)
