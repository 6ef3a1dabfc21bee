"""Care levels: who needs a weekly, monthly or quarterly visit, under the rules in force.

The defaults are DESIGN.md's; admins save new versions (`CareRuleSet`), each in force
from its date. The rules are read once through `care_rules(on)`, and every evaluation is
a function of a `CareRules` value, so a batch reads them once and a test can pass its own.

| level | who (defaults) |
|---|---|
| 1 | aged 80+ living alone; living alone with disability grade 1–2; officer-flagged |
| 2 | other living-alone or empty-nest residents aged 60+; any disabled resident |
| 3 | other residents aged 60+ |
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.clock import age_on
from gridcare.extensions import db
from gridcare.registry.models import CareRuleSet, Resident, ResidentStatus

# The two kinds of task a care level sets a rhythm for (the visits domain's VisitKind
# values; named here as plain strings, since the registry sits below visits).
TASK_KINDS = ("home_visit", "safety_check")


@dataclass(frozen=True)
class Cadence:
    """Every how many days a task falls due, and how many days after that it may be done."""

    interval_days: int
    window_days: int


DEFAULT_CADENCES: dict[int, dict[str, Cadence]] = {
    1: {"home_visit": Cadence(7, 3), "safety_check": Cadence(30, 7)},
    2: {"home_visit": Cadence(30, 7), "safety_check": Cadence(90, 14)},
    3: {"home_visit": Cadence(90, 14), "safety_check": Cadence(180, 30)},
}


@dataclass(frozen=True)
class CareRules:
    """One version of the rules, as plain values: who is at which level, and how often."""

    elderly_age: int = 60
    very_old_age: int = 80
    severe_grades: tuple[int, ...] = (1, 2)
    empty_nest_is_key: bool = True
    cadences: dict[int, dict[str, Cadence]] = field(default_factory=lambda: DEFAULT_CADENCES)
    # The saved version these rules come from; None for the built-in defaults.
    version: int | None = None
    effective_from: date | None = None

    def cadence(self, level: int, kind: str) -> Cadence:
        return self.cadences[level][kind]

    @classmethod
    def from_rule_set(cls, rule_set: CareRuleSet) -> "CareRules":
        return cls(
            elderly_age=rule_set.elderly_age,
            very_old_age=rule_set.very_old_age,
            severe_grades=tuple(sorted(rule_set.severe_grades or ())),
            empty_nest_is_key=rule_set.empty_nest_is_key,
            cadences={
                rule.level: {
                    "home_visit": Cadence(
                        rule.home_visit_interval_days, rule.home_visit_window_days
                    ),
                    "safety_check": Cadence(
                        rule.safety_check_interval_days, rule.safety_check_window_days
                    ),
                }
                for rule in rule_set.levels
            },
            version=rule_set.id,
            effective_from=rule_set.effective_from,
        )

    def same_rules_as(self, other: "CareRules") -> bool:
        """Whether two versions say the same thing (whatever their number and date)."""
        fields = ("elderly_age", "very_old_age", "severe_grades", "empty_nest_is_key", "cadences")
        return all(getattr(self, f) == getattr(other, f) for f in fields)


DEFAULT_RULES = CareRules()

# Rule sets read in this session, by day: a nightly batch over every household reads them
# once. A session lives for one request or job; saving a version clears it.
_CACHE_KEY = "gridcare.care_rules"


def care_rules(on: date) -> CareRules:
    """The rules in force on `on`: the latest version effective by then (the defaults if none)."""
    cache = db.session.info.setdefault(_CACHE_KEY, {})
    if on not in cache:
        rule_set = db.session.scalar(
            select(CareRuleSet)
            .where(CareRuleSet.effective_from <= on)
            .order_by(CareRuleSet.effective_from.desc(), CareRuleSet.id.desc())
            .options(selectinload(CareRuleSet.levels))
            .limit(1)
        )
        cache[on] = CareRules.from_rule_set(rule_set) if rule_set else DEFAULT_RULES
    return cache[on]


def forget_care_rules() -> None:
    """Read the rules afresh next time (a version was saved)."""
    db.session.info.pop(_CACHE_KEY, None)


def resident_care_level(resident: Resident, on: date, rules: CareRules | None = None) -> int | None:
    """The level one active resident needs on a given day, or None if not a target."""
    rules = rules or care_rules(on)
    if resident.status != ResidentStatus.active:
        return None
    age = age_on(resident.birth_date, on)
    disabled = resident.disability_category is not None
    severe = disabled and resident.disability_grade in rules.severe_grades
    if resident.lives_alone and (age >= rules.very_old_age or severe):
        return 1
    key_group = resident.lives_alone or (rules.empty_nest_is_key and resident.empty_nest)
    if key_group and age >= rules.elderly_age:
        return 2
    if disabled:
        return 2
    if age >= rules.elderly_age:
        return 3
    return None


def derived_care_level(
    residents: Iterable[Resident], on: date, rules: CareRules | None = None
) -> int | None:
    """The most intensive level any active resident needs."""
    rules = rules or care_rules(on)
    levels = [level for r in residents if (level := resident_care_level(r, on, rules))]
    return min(levels, default=None)


def household_care_level(
    residents: Iterable[Resident],
    override: int | None,
    on: date,
    rules: CareRules | None = None,
) -> int | None:
    """The effective level: an officer's override while anyone still lives there."""
    residents = list(residents)
    if override and any(r.status == ResidentStatus.active for r in residents):
        return override
    return derived_care_level(residents, on, rules)
