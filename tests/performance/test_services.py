"""Indicator sets, ratings and points, straight through the services."""

from datetime import date

import pytest

from gridcare.accounts.services import actor_for
from gridcare.performance import services
from gridcare.performance.models import IndicatorSource, RaterKind
from tests.performance.conftest import standard_set


@pytest.fixture
def people(make, test_day):
    tree = make.tree()
    return {
        "tree": tree,
        "admin": actor_for(make.user("admin")),
        "officer": actor_for(make.user("officer", areas=[tree["community1"]])),
        "leader": actor_for(make.user("officer", areas=[tree["street1"]])),
        "stranger": actor_for(make.user("officer", areas=[tree["community2"]])),
        "worker": make.user("grid_worker", areas=[tree["grid1"]]),
        "today": test_day,
    }


def test_a_new_version_applies_from_its_start_and_past_quarters_keep_theirs(people, make):
    admin, today = people["admin"], people["today"]
    current = standard_set(make.user("admin"))
    later = services.create_set(
        admin,
        name="2027年上半年",
        year=2027,
        half=1,
        bonus_limit=3,
        deduction_limit=6,
        copy_from=current,
        today=today,
    )
    assert services.set_for(date(2026, 12, 31)).id == current.id
    assert services.set_for(date(2027, 1, 1)).id == later.id
    assert [i.name for i in services.get_set(later.id).indicators] == [
        i.name for i in current.indicators
    ]
    assert services.applies_until(current) == date(2026, 12, 31)
    page = services.performance_page(people["tree"]["community1"], "2026-Q3", today)
    assert page.set_name == current.name


def test_a_set_is_refused_before_the_current_half_year_or_twice_for_one_start(people):
    admin, today = people["admin"], people["today"]
    with pytest.raises(services.PerformanceError) as past:
        services.create_set(
            admin, name="旧", year=2026, half=1, bonus_limit=5, deduction_limit=5, today=today
        )
    assert past.value.field == "year"
    services.create_set(
        admin, name="新", year=2026, half=2, bonus_limit=5, deduction_limit=5, today=today
    )
    with pytest.raises(services.PerformanceError) as twice:
        services.create_set(
            admin, name="又", year=2026, half=2, bonus_limit=5, deduction_limit=5, today=today
        )
    assert twice.value.field == "half"
    with pytest.raises(services.PerformanceError) as limit:
        services.create_set(
            admin, name="限", year=2027, half=1, bonus_limit=500, deduction_limit=5, today=today
        )
    assert limit.value.field == "bonus_limit"


def test_a_set_a_closed_quarter_used_stays_as_it_was(people, make):
    chosen = standard_set(make.user("admin"))
    services.close_quarter(people["admin"], "2026-Q3", people["today"])
    with pytest.raises(services.PerformanceError):
        services.update_set(people["admin"], chosen, name="改", bonus_limit=1, deduction_limit=1)
    first = services.get_set(chosen.id).indicators[0]
    with pytest.raises(services.PerformanceError):
        services.remove_indicator(people["admin"], services.get_indicator(first.id))


def test_officer_rates_as_officer_and_street_officer_as_street_leader(people, make):
    chosen = standard_set(make.user("admin"))
    rating = next(i for i in chosen.indicators if i.source is IndicatorSource.rating)
    worker, today = people["worker"], people["today"]
    mine = services.rate(people["officer"], worker, rating, "2026-11", 9, today)
    theirs = services.rate(people["leader"], worker, rating, "2026-11", 7, today)
    assert (mine.rater_kind, theirs.rater_kind) == (RaterKind.officer, RaterKind.street_leader)
    again = services.rate(people["officer"], worker, rating, "2026-11", 8, today)
    assert again.id == mine.id and again.value == 8.0  # changed, not a second rating
    with pytest.raises(services.PerformanceError):
        services.rate(people["stranger"], worker, rating, "2026-11", 5, today)
    timeliness = chosen.indicators[0]
    with pytest.raises(services.PerformanceError) as not_rated:
        services.rate(people["officer"], worker, timeliness, "2026-11", 5, today)
    assert not_rated.value.field == "indicator"


def test_a_rating_nobody_weights_the_rater_for_is_refused(people, make):
    chosen = standard_set(make.user("admin"))
    only_officer = services.add_indicator(
        people["admin"],
        chosen,
        kind="key",
        name="急难任务",
        source="rating",
        weight=10,
        full_mark=5,
        rater_weights={"officer": 100},
    )
    with pytest.raises(services.PerformanceError) as refused:
        services.rate(
            people["leader"], people["worker"], only_officer, "2026-11", 4, people["today"]
        )
    assert refused.value.field == "value"


def test_points_need_a_reason_stay_within_the_monthly_limit_and_rest_on_records_in_scope(
    people, make
):
    standard_set(make.user("admin"))
    officer, worker, today = people["officer"], people["worker"], people["today"]

    def add(**fields):
        values = {"month": "2026-11", "kind": "deduction", "points": 1.0, "reason": "迟报"}
        return services.add_points(officer, worker, today=today, **{**values, **fields})

    add(points=6)
    with pytest.raises(services.PerformanceError) as over:
        add(points=4.5)
    assert over.value.field == "points"
    add(points=4)  # exactly the limit of 10
    for fields, field in [
        ({"reason": "  "}, "reason"),
        ({"points": 0}, "points"),
        ({"points": 0.25}, "points"),
        ({"kind": "gift"}, "kind"),
        ({"month": "2026-Q4"}, "month"),
        ({"month": "2026-12"}, "month"),
        ({"basis_kind": "hazard", "basis_id": None}, "basis_id"),
        ({"basis_kind": None, "basis_id": 5}, "basis_kind"),
        ({"basis_kind": "hazard", "basis_id": 987654}, "basis_id"),
    ]:
        with pytest.raises(services.PerformanceError) as refused:
            add(**{"kind": "bonus", **fields})
        assert refused.value.field == field, fields
    assert services.adjustments_for([worker.id], ["2026-11"])[-1].points == 4


def test_an_indicator_needs_a_weight_a_full_mark_and_for_ratings_a_rater(people, make):
    chosen = standard_set(make.user("admin"))
    base = {
        "kind": "common",
        "name": "覆盖",
        "source": "coverage",
        "weight": 10,
        "full_mark": 100,
        "rater_weights": {},
    }
    for change, field in [
        ({"weight": 0}, "weight"),
        ({"full_mark": 101}, "full_mark"),
        ({"name": ""}, "name"),
        ({"source": "mileage"}, "source"),
        ({"source": "rating"}, "officer_weight"),
    ]:
        with pytest.raises(services.PerformanceError) as refused:
            services.add_indicator(people["admin"], chosen, **{**base, **change})
        assert refused.value.field == field
    assert len(services.get_set(chosen.id).indicators) == 4


def test_no_source_counts_mileage_tracks_or_the_time_of_day():
    names = {source.value for source in IndicatorSource}
    assert not any(word in name for name in names for word in ("mile", "track", "hour", "gps"))
