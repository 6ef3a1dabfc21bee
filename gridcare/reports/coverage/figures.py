"""The figures of one area or worker for one period, and the report that holds them.

Every count adds up across areas, so an area's figures are the sums of its grids'."""

import statistics
from dataclasses import asdict, dataclass, field, fields

from gridcare.accounts.models import User
from gridcare.areas.models import Area
from gridcare.reports.periods import Period


@dataclass
class Figures:
    """One area's (or worker's) figures for one period. All counts add up across areas."""

    target: int = 0
    visited: int = 0
    phone_contacted: int = 0
    not_home: int = 0
    checked: int = 0
    # The monthly visit rate's residents: on the register, reached by any method, in person.
    target_residents: int = 0
    reached_residents: int = 0
    visited_residents: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0
    hazards_found: int = 0
    hazards_by_kind: dict[str, int] = field(default_factory=dict)  # "gas/major": n
    hazards_closed: int = 0
    hazards_closed_in_time: int = 0
    hazards_open_at_end: int = 0
    hazards_open_past_deadline: int = 0
    days_to_close: list[int] = field(default_factory=list)
    living_alone: int = 0
    empty_nest: int = 0
    disabled: int = 0
    disabled_by_category: dict[str, int] = field(default_factory=dict)
    disabled_by_grade: dict[str, int] = field(default_factory=dict)

    @property
    def coverage(self) -> float | None:
        return self.visited / self.target if self.target else None

    @property
    def visit_rate(self) -> float | None:
        """月探访率: target residents whose household had a done home visit of any method
        (in person, phone, video) in the period / target residents."""
        return self.reached_residents / self.target_residents if self.target_residents else None

    @property
    def resident_coverage(self) -> float | None:
        """In-person coverage of the same residents: never above the visit rate."""
        return self.visited_residents / self.target_residents if self.target_residents else None

    @property
    def safety_coverage(self) -> float | None:
        return self.checked / self.target if self.target else None

    @property
    def timeliness(self) -> float | None:
        closed_windows = self.on_time + self.late + self.missed
        return self.on_time / closed_windows if closed_windows else None

    @property
    def closed_in_time_share(self) -> float | None:
        return self.hazards_closed_in_time / self.hazards_closed if self.hazards_closed else None

    @property
    def median_days_to_close(self) -> float | None:
        return statistics.median(self.days_to_close) if self.days_to_close else None

    def add(self, other: "Figures") -> None:
        mine, theirs = self.__dict__, other.__dict__
        for name in _COUNTS:
            mine[name] += theirs[name]
        for name in _TALLIES:
            tally = mine[name]
            for key, value in theirs[name].items():
                tally[key] = tally.get(key, 0) + value
        self.days_to_close.extend(other.days_to_close)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Figures":
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


# Figures.add runs once per grid and per row it adds up into: field kinds found once.
_COUNTS = tuple(f.name for f in fields(Figures) if f.type in (int, "int"))
_TALLIES = tuple(f.name for f in fields(Figures) if str(f.type).startswith("dict"))
if len(_COUNTS) + len(_TALLIES) + 1 != len(fields(Figures)):  # the one list: days_to_close
    raise TypeError("Figures.add knows numbers, dicts and days_to_close only")


@dataclass
class Row:
    label: str
    figures: Figures
    area: Area | None = None
    worker: User | None = None


@dataclass
class Coverage:
    area: Area
    period: Period
    total: Figures
    children: list[Row]
    workers: list[Row]
