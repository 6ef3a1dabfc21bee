"""An area's numerators and denominators are the sums over its children, whatever the data."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardCategory, HazardStatus, Severity
from gridcare.reports.coverage import Figures, coverage
from gridcare.reports.periods import parse
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus

pytestmark = pytest.mark.usefixtures("test_day")
PERIOD = parse("2026-10")
ADDITIVE = [
    "target",
    "visited",
    "phone_contacted",
    "not_home",
    "checked",
    "on_time",
    "late",
    "missed",
    "hazards_found",
    "hazards_closed",
    "hazards_closed_in_time",
    "hazards_open_at_end",
    "hazards_open_past_deadline",
    "living_alone",
    "empty_nest",
    "disabled",
]

days = st.integers(min_value=-40, max_value=40)
homes = st.lists(
    st.fixed_dictionaries(
        {
            "grid": st.sampled_from(["grid1", "grid2", "grid3", "grid4"]),
            "age": st.integers(min_value=20, max_value=95),
            "alone": st.booleans(),
            "disabled": st.booleans(),
            "visits": st.lists(
                st.tuples(
                    st.sampled_from(list(VisitKind)),
                    st.sampled_from([VisitStatus.done, VisitStatus.missed, VisitStatus.not_home]),
                    st.sampled_from(list(VisitMethod)),
                    days,
                    st.integers(min_value=0, max_value=5),
                ),
                max_size=3,
            ),
            "hazard": st.none() | st.tuples(days, st.none() | days),
        }
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=homes)
def test_area_totals_equal_the_sums_over_children(make, data):
    tree = make.tree()  # a fresh city for each example
    middle = date(2026, 10, 15)
    for home in data:
        household = make.household(tree[home["grid"]], created_at=datetime(2025, 1, 1))
        make.resident(
            household,
            birth_date=date(2026 - home["age"], 6, 1),
            lives_alone=home["alone"],
            disability_category=4 if home["disabled"] else None,
            disability_grade=3 if home["disabled"] else None,
            created_at=datetime(2025, 1, 1),
        )
        for kind, status, method, offset, window in home["visits"]:
            due = middle + timedelta(days=offset)
            done = status != VisitStatus.missed
            db.session.add(
                Visit(
                    household_id=household.id,
                    kind=kind,
                    status=status,
                    due_date=due,
                    window_end=due + timedelta(days=window),
                    completed_at=datetime.combine(due, datetime.min.time()) + timedelta(hours=3)
                    if done
                    else None,
                    method=method if done else None,
                )
            )
        if home["hazard"]:
            reported, closed = home["hazard"]
            reported_at = datetime.combine(middle + timedelta(days=reported), datetime.min.time())
            db.session.add(
                Hazard(
                    household_id=household.id,
                    category=HazardCategory.gas,
                    severity=Severity.minor,
                    description="x",
                    reported_at=reported_at,
                    deadline=(middle + timedelta(days=reported + 15)),
                    status=HazardStatus.closed if closed is not None else HazardStatus.open,
                    closed_at=None if closed is None else reported_at + timedelta(days=abs(closed)),
                )
            )
    db.session.commit()

    for area in (tree["district"], tree["street1"], tree["community2"]):
        report = coverage(area, PERIOD)
        summed = Figures()
        for child in report.children:
            summed.add(coverage(child.area, PERIOD).total)
        for name in ADDITIVE:
            assert getattr(report.total, name) == getattr(summed, name), name
        assert sorted(report.total.days_to_close) == sorted(summed.days_to_close)
        assert report.total.visited <= report.total.target
