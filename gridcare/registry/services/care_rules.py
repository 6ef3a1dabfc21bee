"""Care-level rules an admin edits: checked, previewed, saved as a new version and applied.

A version is never changed once saved, and takes effect today or later, never earlier:
what a past period was counted with stays what it was. A version in force today is
applied at once through the registry's own re-derivation (levels), and the visits domain
follows through `care_rules_changed` (cadences); a later one is applied by the nightly
job on its date, which re-derives with the rules of the day it runs.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from gridcare.accounts.models import Permission
from gridcare.accounts.services import Actor
from gridcare.extensions import db
from gridcare.registry.care_levels import (
    TASK_KINDS,
    CareRules,
    care_rules,
    forget_care_rules,
    household_care_level,
)
from gridcare.registry.models import (
    CARE_LEVELS,
    DISABILITY_GRADES,
    CareLevelRule,
    CareRuleSet,
    Household,
)
from gridcare.registry.rules import RegistryError, require
from gridcare.registry.services.care_levels import refresh_care_levels

# Sent inside the transaction after a version in force today was applied, with the day;
# the visits domain gives every schedule that follows its level the new cadence.
care_rules_changed = Namespace().signal("care-rules-changed")

# How far ahead a version may be dated: a year is enough to prepare a change.
MAX_DAYS_AHEAD = 366


def cadence_field(level: int, kind: str, part: str) -> str:
    """The form field holding one number of a level's cadence, e.g. `level1_home_visit_interval`."""
    return f"level{level}_{kind}_{part}"


def check_care_rules(rules: CareRules, effective_from: date, today: date) -> None:
    """Refuse rules that cannot work, naming the field: ages out of order, unknown grades,
    a level without a rule, a window as long as its interval, a date in the past."""
    if not 40 <= rules.elderly_age <= 120:
        raise RegistryError("elderly_age", _l("The age is 40 to 120."))
    if not rules.elderly_age <= rules.very_old_age <= 120:
        raise RegistryError(
            "very_old_age", _l("This age is at least the elderly age, and at most 120.")
        )
    if any(grade not in DISABILITY_GRADES for grade in rules.severe_grades):
        raise RegistryError("severe_grades", _l("Disability grades are 1 to 4."))
    unknown = set(rules.cadences) - set(CARE_LEVELS)
    if unknown:
        raise RegistryError("effective_from", _l("Care levels are 1, 2 and 3."))
    for level in CARE_LEVELS:
        for kind in TASK_KINDS:
            cadence = rules.cadences.get(level, {}).get(kind)
            interval = cadence_field(level, kind, "interval")
            window = cadence_field(level, kind, "window")
            if cadence is None or cadence.interval_days is None:
                raise RegistryError(interval, _l("Every level needs a rule: give the interval."))
            if cadence.window_days is None:
                raise RegistryError(window, _l("Every level needs a rule: give the window."))
            if not 1 <= cadence.interval_days <= 366:
                raise RegistryError(interval, _l("The interval is 1 to 366 days."))
            if not 0 <= cadence.window_days < cadence.interval_days:
                raise RegistryError(
                    window, _l("The window must be shorter than the interval (and not negative).")
                )
    if effective_from < today:
        raise RegistryError(
            "effective_from",
            _l("Rules take effect today or later: past periods keep the rules they had."),
        )
    if effective_from > today + timedelta(days=MAX_DAYS_AHEAD):
        raise RegistryError("effective_from", _l("Give a date within the coming year."))


@dataclass(frozen=True)
class LevelChanges:
    """What a version would do to the households' levels on its date."""

    households: int = 0  # active households whose level would change
    moves: tuple[tuple[int | None, int | None, int], ...] = ()  # (from, to, how many)


def preview_care_rules(rules: CareRules, on: date, batch_size: int = 500) -> LevelChanges:
    """How many active households would change level if these rules were in force on `on`.

    Compared with what the rules in force then would give (not the stored level, which a
    birthday may have left behind until tonight), so the count is the rules' own effect.
    """
    current = care_rules(on)
    moves: Counter = Counter()
    last_id = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Household)
                .where(Household.active.is_(True), Household.id > last_id)
                .order_by(Household.id)
                .limit(batch_size)
                .options(selectinload(Household.residents))
            )
        )
        if not batch:
            break
        for household in batch:
            override = household.care_level_override
            before = household_care_level(household.residents, override, on, current)
            after = household_care_level(household.residents, override, on, rules)
            if before != after:
                moves[(before, after)] += 1
        last_id = batch[-1].id
    return LevelChanges(
        sum(moves.values()),
        tuple((a, b, n) for (a, b), n in sorted(moves.items(), key=lambda m: str(m[0]))),
    )


@dataclass(frozen=True)
class RulesSaved:
    rule_set: CareRuleSet | None  # None: the rules were the same as those in force
    levels_changed: int = 0  # households whose level changed now (a version in force today)


def save_care_rules(
    actor: Actor, rules: CareRules, effective_from: date, today: date
) -> RulesSaved:
    """Save the rules as a new version from `effective_from`; in force today, apply them now.

    Idempotent: rules equal to those already in force on that date save nothing, and
    applying twice changes no level the second time.
    """
    require(actor, Permission.manage_rules)
    check_care_rules(rules, effective_from, today)
    if care_rules(effective_from).same_rules_as(rules):
        return RulesSaved(None)
    rule_set = CareRuleSet(
        effective_from=effective_from,
        elderly_age=rules.elderly_age,
        very_old_age=rules.very_old_age,
        severe_grades=sorted(rules.severe_grades),
        empty_nest_is_key=rules.empty_nest_is_key,
        created_by_id=actor.user_id,
    )
    db.session.add(rule_set)
    db.session.flush()
    db.session.add_all(
        CareLevelRule(
            rule_set_id=rule_set.id,
            level=level,
            home_visit_interval_days=kinds["home_visit"].interval_days,
            home_visit_window_days=kinds["home_visit"].window_days,
            safety_check_interval_days=kinds["safety_check"].interval_days,
            safety_check_window_days=kinds["safety_check"].window_days,
        )
        for level, kinds in sorted(rules.cadences.items())
    )
    actor.audit("create", "care_rule_set", rule_set.id, ["effective_from", "rules"])
    db.session.flush()
    forget_care_rules()
    changed = 0
    if effective_from == today:
        care_rules_changed.send(rule_set.id, on=today)
        changed = refresh_care_levels(today, actor)  # commits
    db.session.commit()
    return RulesSaved(rule_set, changed)


def rule_versions(limit: int = 50) -> list[CareRuleSet]:
    """The saved versions, newest date first, with their levels."""
    return list(
        db.session.scalars(
            select(CareRuleSet)
            .order_by(CareRuleSet.effective_from.desc(), CareRuleSet.id.desc())
            .options(selectinload(CareRuleSet.levels))
            .limit(limit)
        )
    )
