"""Geography, and the only module that imports geopy.

Distances that decide something (the check-in verdict) are geodesic on WGS-84, as a
phone's GPS reports positions. Walking order only compares distances within one grid, a
few kilometres across, so it projects the stops onto a plane once and measures straight
lines there: at that size they differ from geodesics by well under 1%, and the ~900
distances of a day's two lists cost 0.1 ms instead of 24–80 ms (docs/performance.md).
Geocoding is off unless a geocoder is configured, and then goes through geopy's
RateLimiter.
"""

import enum
import math
from collections.abc import Sequence
from functools import cache
from itertools import pairwise

from flask import current_app
from geopy.distance import geodesic

Point = tuple[float, float]  # (lat, lon)


class Verdict(enum.StrEnum):
    near = "near"
    far = "far"
    unknown = "unknown"


def valid_point(lat: float | None, lon: float | None) -> bool:
    return lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180


# WGS-84's mean radius: the plane of `_projected` is scaled to metres with it.
EARTH_RADIUS_M = 6_371_008.8


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance in metres: what the check-in verdict and route lengths use."""
    return geodesic(a, b).meters


def check_in_verdict(
    phone: Point | None, accuracy_m: float | None, home: Point | None, radius_m: float
) -> tuple[float | None, Verdict]:
    """How far the phone was from the home, and whether that counts as being there.

    The phone's own accuracy widens the radius (capped, so a vague fix cannot pass for
    any distance).
    """
    if phone is None or home is None:
        return None, Verdict.unknown
    distance = distance_m(phone, home)
    slack = min(max(accuracy_m or 0.0, 0.0), radius_m * 3)
    return distance, Verdict.near if distance <= radius_m + slack else Verdict.far


def walking_order(start: Point | None, points: Sequence[Point]) -> list[int]:
    """Indices of `points` in a short walking route from `start`.

    Nearest neighbour gives a first route, which 2-opt (reverse a stretch) and or-opt
    (move one to three stops elsewhere) shorten until neither helps. The route is open:
    it ends at the last stop.
    """
    n = len(points)
    if n <= 1:
        return list(range(n))
    nodes = [start, *points] if start else list(points)
    offset = 1 if start else 0
    dist = _plane_matrix(nodes)

    # Nearest neighbour from the start (or from the first point when there is none).
    route = [0]
    left = set(range(1, len(nodes)))
    while left:
        here = route[-1]
        nearest = min(left, key=lambda j: dist[here][j])
        route.append(nearest)
        left.remove(nearest)

    # Improve until neither move shortens the route; the first node stays first.
    while _two_opt(route, dist) or _or_opt(route, dist):
        pass
    ordered = route[1:] if start else route
    if not start:
        return ordered
    return [node - offset for node in ordered]


def _two_opt(route: list[int], dist: list[list[float]]) -> bool:
    """Reverse the first stretch whose reversal shortens the open path."""
    for i in range(1, len(route) - 1):
        for k in range(i + 1, len(route)):
            a, b, c = route[i - 1], route[i], route[k]
            d = route[k + 1] if k + 1 < len(route) else None
            before = dist[a][b] + (dist[c][d] if d is not None else 0.0)
            after = dist[a][c] + (dist[b][d] if d is not None else 0.0)
            if after + 1e-6 < before:
                route[i : k + 1] = reversed(route[i : k + 1])
                return True
    return False


def _or_opt(route: list[int], dist: list[list[float]]) -> bool:
    """Move the first run of one to three stops whose move elsewhere shortens the path."""
    last = len(route) - 1
    for size in (1, 2, 3):
        for i in range(1, len(route) - size + 1):
            head, tail = route[i], route[i + size - 1]
            before, after = route[i - 1], route[i + size] if i + size <= last else None
            saved = dist[before][head] + (
                dist[tail][after] - dist[before][after] if after is not None else 0.0
            )
            rest = route[:i] + route[i + size :]
            for j in range(1, len(rest) + 1):
                if j == i:
                    continue
                a, b = rest[j - 1], rest[j] if j < len(rest) else None
                for first, end in ((head, tail), (tail, head)):
                    added = dist[a][first] + (dist[end][b] - dist[a][b] if b is not None else 0.0)
                    if added + 1e-6 < saved:
                        piece = route[i : i + size]
                        if first != head:
                            piece.reverse()
                        route[:] = rest[:j] + piece + rest[j:]
                        return True
    return False


def legs_m(start: Point, route: Sequence[Point]) -> list[float]:
    """How far each stop of a route is from the one before it (the first from `start`),
    in metres on the plane of `walking_order`: a distance shown beside a stop, not a verdict."""
    plane = _projected([start, *route])
    return [math.dist(a, b) for a, b in pairwise(plane)]


def route_length_m(start: Point | None, points: Sequence[Point]) -> float:
    stops = [start, *points] if start else list(points)
    return sum(distance_m(a, b) for a, b in zip(stops, stops[1:], strict=False))


def _projected(nodes: Sequence[Point]) -> list[tuple[float, float]]:
    """The stops on a plane in metres (equirectangular about their mean latitude)."""
    mean_lat = math.radians(sum(lat for lat, _ in nodes) / len(nodes))
    east = EARTH_RADIUS_M * math.cos(mean_lat)
    return [(east * math.radians(lon), EARTH_RADIUS_M * math.radians(lat)) for lat, lon in nodes]


def _plane_matrix(nodes: Sequence[Point]) -> list[list[float]]:
    """Distances between every two stops, for ordering them (not for any verdict)."""
    plane = _projected(nodes)
    size = len(plane)
    dist = [[0.0] * size for _ in range(size)]
    for i in range(size):
        xi, yi = plane[i]
        row = dist[i]
        for j in range(i + 1, size):
            xj, yj = plane[j]
            row[j] = dist[j][i] = math.hypot(xj - xi, yj - yi)
    return dist


@cache
def _geocoder(name: str, user_agent: str, min_delay: float):
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import get_geocoder_for_service

    geocoder = get_geocoder_for_service(name)(user_agent=user_agent, timeout=5)
    return RateLimiter(geocoder.geocode, min_delay_seconds=min_delay, max_retries=1)


def geocode(address: str) -> Point | None:
    """Coordinates for an address through the configured geocoder; None when off or unknown."""
    service = current_app.config.get("GRIDCARE_GEOCODER")
    if not service:
        return None
    geocode_once = _geocoder(
        service,
        current_app.config.get("GRIDCARE_GEOCODER_USER_AGENT", "gridcare"),
        float(current_app.config.get("GRIDCARE_GEOCODER_DELAY", 1.0)),
    )
    location = geocode_once(address)
    return (location.latitude, location.longitude) if location else None
