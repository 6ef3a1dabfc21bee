"""An area's figures: the shares they give, how they add up, and how they are stored."""

from gridcare.reports.coverage import Figures


def test_shares_are_none_when_there_is_nothing_to_divide_by():
    empty = Figures()
    assert (empty.coverage, empty.safety_coverage, empty.timeliness) == (None, None, None)
    assert (empty.closed_in_time_share, empty.median_days_to_close) == (None, None)


def test_shares_follow_the_design_definitions():
    f = Figures(target=4, visited=3, checked=1, on_time=2, late=1, missed=1)
    f.hazards_closed, f.hazards_closed_in_time, f.days_to_close = 2, 1, [1, 4, 9]
    assert (f.coverage, f.safety_coverage, f.timeliness) == (0.75, 0.25, 0.5)
    assert (f.closed_in_time_share, f.median_days_to_close) == (0.5, 4)


def test_adding_figures_sums_counts_merges_breakdowns_and_joins_closing_times():
    total = Figures(target=2, hazards_by_kind={"gas/minor": 1}, days_to_close=[3])
    total.add(
        Figures(target=5, hazards_by_kind={"gas/minor": 2, "fire/major": 1}, days_to_close=[7])
    )
    assert total.target == 7
    assert total.hazards_by_kind == {"gas/minor": 3, "fire/major": 1}
    assert total.days_to_close == [3, 7]


def test_figures_survive_a_snapshot_and_ignore_keys_they_no_longer_know():
    f = Figures(target=3, visited=2, disabled_by_grade={"1": 2})
    stored = f.to_dict() | {"a_retired_figure": 9}
    assert Figures.from_dict(stored) == f
