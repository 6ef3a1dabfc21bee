"""Benchmark: the distances behind a day's walking order, geodesic against the plane.

    .venv/bin/python -m tests.benchmarks.geo

Two lists of 30 stops around one start (about 930 distances, as the today list's
overdue and due-today parts): the distance matrix by geopy's geodesic and by
`geo._plane_matrix`, then the whole walking order with each, and how far the plane
strays from the geodesic across a grid.
"""

import itertools
import random
import statistics
import time
from unittest import mock

from gridcare import geo

START = (39.77, 98.29)


def geodesic_matrix(nodes):
    size = len(nodes)
    dist = [[0.0] * size for _ in range(size)]
    for i, j in itertools.combinations(range(size), 2):
        dist[i][j] = dist[j][i] = geo.distance_m(nodes[i], nodes[j])
    return dist


def median_ms(work, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def main() -> None:
    rng = random.Random(1)
    lists = [
        [(39.77 + rng.uniform(-0.01, 0.01), 98.29 + rng.uniform(-0.01, 0.01)) for _ in range(30)]
        for _ in range(2)
    ]
    distances = sum(len(stops) * (len(stops) + 1) // 2 for stops in lists)
    geodesic = median_ms(lambda: [geodesic_matrix([START, *s]) for s in lists], 15)
    plane = median_ms(lambda: [geo._plane_matrix([START, *s]) for s in lists], 200)
    print(f"{distances} distances: geodesic {geodesic:.2f} ms, plane {plane:.3f} ms")

    after = median_ms(lambda: [geo.walking_order(START, s) for s in lists], 15)
    with mock.patch.object(geo, "_plane_matrix", geodesic_matrix):
        before = median_ms(lambda: [geo.walking_order(START, s) for s in lists], 15)
    print(f"walking order of both lists: {before:.1f} ms by geodesic, {after:.1f} ms by plane")

    worst = 0.0
    points = [
        (39.77 + rng.uniform(-0.02, 0.02), 98.29 + rng.uniform(-0.02, 0.02)) for _ in range(40)
    ]
    flat = geo._plane_matrix(points)
    for i, j in itertools.combinations(range(len(points)), 2):
        true = geo.distance_m(points[i], points[j])
        worst = max(worst, abs(flat[i][j] - true) / true)
    print(f"plane against geodesic across a grid (±0.02°): at most {worst * 100:.2f}% apart")


if __name__ == "__main__":
    main()
