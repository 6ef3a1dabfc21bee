"""Months of made-up visits and hazards for the demo city, so every page has something
to show: a 12-month trend, a previous period with figures, hazards at every stage.

Each schedule is followed as the scheduling rule of DESIGN.md would have run it night by
night: its first task somewhere in its first interval, the next one interval after the last
was done (or after a missed one was due); the worker does most tasks within a few days,
sometimes finds nobody home, sometimes calls instead, sometimes lets a task slip. A
failed safety-check item raises a hazard, which is fixed and reviewed in time, or not.
The rows are written in bulk: replaying the services visit by visit would take hours for
a city's 2.8 million visits.
"""

import itertools
import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gridcare.clock import day_start_utc
from gridcare.demo.bulk import BulkWriter
from gridcare.hazards.models import FollowUp, Hazard, HazardCategory, HazardStatus, Severity
from gridcare.hazards.services import deadline_for
from gridcare.visits.models import (
    CareSchedule,
    ChecklistItem,
    LocationVerdict,
    Outcome,
    Visit,
    VisitKind,
    VisitMethod,
    VisitStatus,
)
from gridcare.visits.plans import care_plan

NOTES = ["", "", "", "身体状况良好", "血压偏高，已提醒按时服药", "子女本周来探望过", "需要助餐服务"]
# How many days after its due date a worker gets to a task: mostly at once.
DELAYS = ((0, 55), (1, 20), (2, 10), (3, 6), (4, 3), (5, 2), (6, 1), (8, 1))
SLIPS = 0.05  # a task nobody gets to within its window
NOT_HOME = 0.06  # a visit that found nobody at home first
PHONE_CALL = 0.05  # a call besides the home visit
FAILED_ITEM = 0.0011  # each checklist item: about 1 % of checks find a hazard
NOT_APPLICABLE = 0.06  # an item that does not apply in a home
MAJOR = 0.15
STUCK, STUCK_WEIGHTS = (None, "start_fixing", "report_fixed", "approve"), (88, 4, 4, 4)


@dataclass
class History:
    done: int = 0
    not_home: int = 0
    missed: int = 0
    planned: int = 0
    hazards: int = 0


@dataclass(frozen=True)
class Home:
    """What the history needs of a household: where it is, its level, who looks after it."""

    id: int
    lat: float | None
    lon: float | None
    care_level: int | None
    worker_id: int | None
    officer_id: int | None


@dataclass
class HistoryWriter:
    """Collects a batch of households' schedules, visits and hazards, then writes them."""

    writer: BulkWriter
    today: date
    days: int
    checklist: list[ChecklistItem]
    radius_m: float
    rng: random.Random = field(default_factory=lambda: random.Random(2026))
    counts: History = field(default_factory=History)

    def __post_init__(self):
        self.start = self.today - timedelta(days=self.days)
        self._plan = care_plan(self.today)
        self._delays, self._delay_cumulative = zip(*DELAYS, strict=True)
        self._delay_cumulative = list(itertools.accumulate(self._delay_cumulative))
        self._midnights: dict[date, datetime] = {}
        self._checklist_codes = [item.code for item in self.checklist]
        self._any_fails = 1 - (1 - FAILED_ITEM) ** len(self.checklist)
        self._schedules: list[dict] = []
        self._visits: list[dict] = []
        self._hazards: list[dict] = []
        self._follow_ups: list[dict] = []

    def add(self, home: Home) -> None:
        if home.care_level is None:
            return
        # What does not apply in this home (no gas, no heater …) stays so from check to check.
        self._usual_answers = {
            code: "na" if self.rng.random() < NOT_APPLICABLE else "pass"
            for code in self._checklist_codes
        }
        for kind, cadence in self._plan[home.care_level].items():
            schedule_id = self.writer.next_id(CareSchedule.__table__)
            self._schedules.append(
                {
                    "id": schedule_id,
                    "household_id": home.id,
                    "kind": kind,
                    "interval_days": cadence.interval_days,
                    "window_days": cadence.window_days,
                    "adjusted": False,
                    "active": True,
                    "created_at": self._midnight(self.start),
                    "updated_at": self._midnight(self.start),
                }
            )
            self._follow(home, kind, cadence.interval_days, cadence.window_days, schedule_id)

    def flush(self) -> None:
        """Write what was collected, parents first."""
        for model, rows in (
            (CareSchedule, self._schedules),
            (Visit, self._visits),
            (Hazard, self._hazards),
            (FollowUp, self._follow_ups),
        ):
            self.writer.write(model.__table__, rows)
            rows.clear()

    # -- one schedule, night by night -----------------------------------------------------

    def _follow(self, home: Home, kind: VisitKind, interval: int, window: int, schedule_id: int):
        rng = self.rng
        # The city was visited before its history starts: each schedule is somewhere in
        # its interval, so a whole city's visits do not come in one wave per interval.
        due = self.start + timedelta(days=rng.randrange(interval))
        planned_on = self.start
        while True:
            task = {
                "household_id": home.id,
                "kind": kind,
                "schedule_id": schedule_id,
                "due_date": due,
                "window_end": due + timedelta(days=window),
                "worker_id": home.worker_id,
                "created_at": self._midnight(planned_on),
            }
            if due >= self.today:
                return self._planned(task)
            if rng.random() < NOT_HOME:
                self._extra(home, kind, due + timedelta(days=rng.randrange(window + 1)), True)
            if kind == VisitKind.home_visit and rng.random() < PHONE_CALL:
                self._extra(home, kind, due + timedelta(days=rng.randrange(window + 1)), False)
            if rng.random() < SLIPS:
                if task["window_end"] >= self.today:
                    return self._planned(task)  # still open, overdue
                planned_on = task["window_end"] + timedelta(days=1)
                self._visits.append(
                    task | {"status": VisitStatus.missed, "updated_at": self._midnight(planned_on)}
                )
                self.counts.missed += 1
                due = max(due + timedelta(days=interval), planned_on)
                continue
            delay = min(rng.choices(self._delays, cum_weights=self._delay_cumulative)[0], window)
            done_on = due + timedelta(days=delay)
            if done_on >= self.today:
                return self._planned(task)
            task["id"] = self.writer.next_id(Visit.__table__)
            self._visits.append(task | self._done(home, kind, done_on, task["id"]))
            self.counts.done += 1
            planned_on = done_on
            due = done_on + timedelta(days=interval)

    def _planned(self, task: dict) -> None:
        self._visits.append(
            task | {"status": VisitStatus.planned, "updated_at": task["created_at"]}
        )
        self.counts.planned += 1

    def _done(self, home: Home, kind: VisitKind, on: date, visit_id: int) -> dict:
        rng = self.rng
        at = self._moment(on)
        checklist = {}
        failed = []
        if kind == VisitKind.safety_check:
            checklist = dict(self._usual_answers)
            if rng.random() < self._any_fails:
                failed = [rng.choice(self.checklist)]
                checklist[failed[0].code] = "fail"
        values = {
            "status": VisitStatus.done,
            "completed_by_id": home.worker_id,
            "completed_at": at,
            "method": VisitMethod.in_person,
            "outcome": Outcome.concerns if failed or rng.random() < 0.08 else Outcome.well,
            "checklist": checklist,
            "notes": rng.choice(NOTES),
            "client_uuid": self._uuid(),
            "updated_at": at,
            **self._position(home),
        }
        for item in failed:
            self._hazard(home, item, visit_id, on, at)
        return values

    def _extra(self, home: Home, kind: VisitKind, on: date, not_home: bool) -> None:
        """A not-home attempt or a phone call: history beside the task, which stays open."""
        if on >= self.today:
            return
        at = self._moment(on)
        self._visits.append(
            {
                "household_id": home.id,
                "kind": kind,
                "due_date": on,
                "window_end": on,
                "status": VisitStatus.not_home if not_home else VisitStatus.done,
                "worker_id": home.worker_id,
                "completed_by_id": home.worker_id,
                "completed_at": at,
                "method": VisitMethod.in_person if not_home else VisitMethod.phone,
                "outcome": None if not_home else Outcome.well,
                "checklist": {},
                "notes": "",
                "extra": True,
                "client_uuid": self._uuid(),
                "created_by_id": home.worker_id,
                "created_at": at,
                "updated_at": at,
                **(self._position(home) if not_home else _NO_POSITION),
            }
        )
        if not_home:
            self.counts.not_home += 1
        else:
            self.counts.done += 1

    # -- hazards ----------------------------------------------------------------------------

    def _hazard(self, home: Home, item: ChecklistItem, visit_id: int, on: date, at: datetime):
        rng = self.rng
        severity = Severity.major if rng.random() < MAJOR else Severity.minor
        deadline = deadline_for(severity, on)
        hazard_id = self.writer.next_id(Hazard.__table__)
        description = f"安全检查未通过：{item.label_zh}"
        steps = [("raised", None, HazardStatus.open, home.worker_id, at, description)]
        # Started within days, reported fixed mostly before the deadline, reviewed soon.
        # Some are left where they stand, whatever the deadline: an escalation's business.
        stuck_before = rng.choices(STUCK, STUCK_WEIGHTS)[0]
        moment = at
        for action, source, target, who, days in (
            ("start_fixing", HazardStatus.open, HazardStatus.rectifying, home.worker_id, 3),
            (
                "report_fixed",
                HazardStatus.rectifying,
                HazardStatus.awaiting_review,
                home.worker_id,
                int((deadline - on).days * 1.2) + 1,
            ),
            ("approve", HazardStatus.awaiting_review, HazardStatus.closed, home.officer_id, 4),
        ):
            if action == stuck_before:
                break
            moment = moment + timedelta(days=rng.randint(0, days), minutes=rng.randint(5, 600))
            if moment.date() >= self.today:
                break
            steps.append((action, source, target, who, moment, ""))
        status = steps[-1][2]
        self._hazards.append(
            {
                "id": hazard_id,
                "household_id": home.id,
                "visit_id": visit_id,
                "checklist_code": item.code,
                "category": HazardCategory(item.hazard_category),
                "severity": severity,
                "description": description,
                "fixed_on_spot": False,
                "deadline": deadline,
                "status": status,
                "assignee_id": home.worker_id,
                "reported_by_id": home.worker_id,
                "reported_at": at,
                "closed_at": steps[-1][4] if status == HazardStatus.closed else None,
                "escalations": 0,
                "updated_at": steps[-1][4],
            }
        )
        for action, source, target, who, moment, note in steps:
            self._follow_ups.append(
                {
                    "hazard_id": hazard_id,
                    "at": moment,
                    "user_id": who,
                    "action": action,
                    "from_status": source,
                    "to_status": target,
                    "note": note,
                }
            )
        self.counts.hazards += 1

    # -- small pieces -------------------------------------------------------------------------

    def _midnight(self, on: date) -> datetime:
        """The start of a local day, in UTC (remembered: a city asks for it millions of times)."""
        if on not in self._midnights:
            self._midnights[on] = day_start_utc(on)
        return self._midnights[on]

    def _moment(self, on: date) -> datetime:
        """A time in the working day, local, stored as UTC."""
        return self._midnight(on) + timedelta(minutes=540 + self.rng.randrange(480))

    def _uuid(self) -> str:
        """A version-4 UUID from the seeded generator, so the demo is the same every time."""
        h = f"{self.rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:]}"

    def _position(self, home: Home) -> dict:
        rng = self.rng
        if home.lat is None or rng.random() < 0.1:
            return _NO_POSITION
        spread = 0.0004 if rng.random() < 0.9 else 0.01  # now and then far from the door
        lat = home.lat + rng.uniform(-spread, spread)
        lon = home.lon + rng.uniform(-spread, spread)
        accuracy = float(rng.choice((8, 15, 30, 65)))
        distance = _distance_m((lat, lon), (home.lat, home.lon))
        near = distance <= self.radius_m + min(accuracy, self.radius_m * 3)
        return {
            "lat": lat,
            "lon": lon,
            "accuracy_m": accuracy,
            "distance_m": round(distance, 1),
            "location_verdict": LocationVerdict.near if near else LocationVerdict.far,
        }


_NO_POSITION = {
    "lat": None,
    "lon": None,
    "accuracy_m": None,
    "distance_m": None,
    "location_verdict": LocationVerdict.unknown,
}


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two nearby points (equirectangular: within centimetres over the few
    hundred metres of a check-in, and a thousand times cheaper than a geodesic)."""
    mean_lat = math.radians((a[0] + b[0]) / 2)
    north = math.radians(a[0] - b[0])
    east = math.radians(a[1] - b[1]) * math.cos(mean_lat)
    return 6_371_008.8 * math.hypot(north, east)
