import itertools
import random

import pytest

from gridcare import geo

START = (39.7700, 98.2900)


def test_distance_is_geodesic_in_metres():
    # 0.001 degrees of latitude is about 111 m.
    assert geo.distance_m((39.770, 98.29), (39.771, 98.29)) == pytest.approx(111, abs=1)


def test_walking_order_visits_points_along_a_street_in_order():
    street = [(39.7700 + 0.0005 * i, 98.2900) for i in range(1, 8)]
    shuffled = [street[i] for i in (4, 0, 6, 2, 1, 5, 3)]
    order = geo.walking_order(START, shuffled)
    assert [shuffled[i] for i in order] == street


def test_walking_order_is_a_permutation_and_never_worse_than_nearest_neighbour():
    rng = random.Random(7)
    points = [
        (39.77 + rng.uniform(-0.005, 0.005), 98.29 + rng.uniform(-0.005, 0.005)) for _ in range(25)
    ]
    order = geo.walking_order(START, points)
    assert sorted(order) == list(range(25))
    route = geo.route_length_m(START, [points[i] for i in order])
    # Plain nearest neighbour, for comparison.
    left, here, greedy = set(range(25)), START, []
    while left:
        nearest = min(left, key=lambda j: geo.distance_m(here, points[j]))
        greedy.append(nearest)
        left.remove(nearest)
        here = points[nearest]
    assert route <= geo.route_length_m(START, [points[i] for i in greedy]) + 1e-6


def test_walking_order_is_optimal_on_small_sets():
    rng = random.Random(3)
    points = [
        (39.77 + rng.uniform(-0.003, 0.003), 98.29 + rng.uniform(-0.003, 0.003)) for _ in range(6)
    ]
    best = min(
        geo.route_length_m(START, [points[i] for i in perm])
        for perm in itertools.permutations(range(6))
    )
    order = geo.walking_order(START, points)
    assert geo.route_length_m(START, [points[i] for i in order]) <= best * 1.05


def test_check_in_verdicts():
    home = (39.77, 98.29)
    assert geo.check_in_verdict(None, None, home, 150) == (None, geo.Verdict.unknown)
    assert geo.check_in_verdict((39.77, 98.29), 5, None, 150) == (None, geo.Verdict.unknown)
    distance, verdict = geo.check_in_verdict((39.7705, 98.29), 10, home, 150)
    assert verdict == geo.Verdict.near and 50 < distance < 60
    # A vague fix widens the radius, but only so far.
    assert geo.check_in_verdict((39.7760, 98.29), 5000, home, 150)[1] == geo.Verdict.far


def test_geocoding_is_off_unless_configured(app):
    with app.app_context():
        assert geo.geocode("甘肃省嘉峪关市新华路1号") is None


def test_walking_order_measures_no_geodesics(monkeypatch):
    # Ordering compares hundreds of distances per list: geopy is kept for the verdict.
    def refuse(*_):
        raise AssertionError("walking order called geodesic")

    monkeypatch.setattr(geo, "geodesic", refuse)
    rng = random.Random(5)
    points = [
        (39.77 + rng.uniform(-0.01, 0.01), 98.29 + rng.uniform(-0.01, 0.01)) for _ in range(30)
    ]
    assert sorted(geo.walking_order(START, points)) == list(range(30))


def test_plane_distances_stay_within_a_percent_of_geodesic_across_a_grid():
    rng = random.Random(9)
    points = [
        (39.77 + rng.uniform(-0.02, 0.02), 98.29 + rng.uniform(-0.02, 0.02)) for _ in range(20)
    ]
    plane = geo._plane_matrix(points)
    for i, j in itertools.combinations(range(20), 2):
        assert plane[i][j] == pytest.approx(geo.distance_m(points[i], points[j]), rel=0.01)


def test_the_legs_of_a_route_are_measured_on_the_plane_within_a_percent(monkeypatch):
    rng = random.Random(3)
    route = [
        (39.77 + rng.uniform(-0.01, 0.01), 98.29 + rng.uniform(-0.01, 0.01)) for _ in range(12)
    ]
    stops = [START, *route]
    expected = [geo.distance_m(a, b) for a, b in itertools.pairwise(stops)]

    monkeypatch.setattr(geo, "geodesic", lambda *_: pytest.fail("legs measured by geodesic"))
    legs = geo.legs_m(START, route)

    assert legs == pytest.approx(expected, rel=0.01)
