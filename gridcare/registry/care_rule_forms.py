"""The care-level rules form: ages, grades, groups, and each level's cadences."""

import hashlib
import json
from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectMultipleField,
)
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from gridcare.forms import BaseForm
from gridcare.registry.care_levels import TASK_KINDS, Cadence, CareRules
from gridcare.registry.models import CARE_LEVELS, DISABILITY_GRADES
from gridcare.registry.services.care_rules import cadence_field

NOT_A_NUMBER = _l("Give a whole number of days.")
KIND_LABELS = {"home_visit": _l("Home visit"), "safety_check": _l("Safety check")}
PART_LABELS = {"interval": _l("every (days)"), "window": _l("days to do it")}


class GradesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CareRulesForm(BaseForm):
    effective_from = DateField(
        _l("In force from"), validators=[InputRequired(_l("Give the date the rules take effect."))]
    )
    elderly_age = IntegerField(
        _l("Elderly from age"),
        validators=[InputRequired(_l("Give an age.")), NumberRange(40, 120)],
    )
    very_old_age = IntegerField(
        _l("Level 1 when living alone from age"),
        validators=[InputRequired(_l("Give an age.")), NumberRange(40, 120)],
    )
    severe_grades = GradesField(
        _l("Level 1 when living alone with disability grade"),
        coerce=int,
        choices=[SelectChoice(grade, str(grade)) for grade in DISABILITY_GRADES],
    )
    empty_nest_is_key = BooleanField(_l("Empty-nest elderly are level 2, like those living alone"))
    # What the admin last saw previewed: saving other values shows their preview first.
    previewed = HiddenField()

    def digest(self) -> str:
        """A fingerprint of the rules and date as typed."""
        typed = {"from": str(self.effective_from.data), **asdict(self.rules())}
        return hashlib.sha256(json.dumps(typed, sort_keys=True, default=str).encode()).hexdigest()

    def rules(self) -> CareRules:
        """The rules as typed; the service checks them."""
        return CareRules(
            elderly_age=self.elderly_age.data,
            very_old_age=self.very_old_age.data,
            severe_grades=tuple(sorted(self.severe_grades.data or ())),
            empty_nest_is_key=bool(self.empty_nest_is_key.data),
            cadences={
                level: {
                    kind: Cadence(
                        self[cadence_field(level, kind, "interval")].data,
                        self[cadence_field(level, kind, "window")].data,
                    )
                    for kind in TASK_KINDS
                }
                for level in CARE_LEVELS
            },
        )

    def fill(self, rules: CareRules) -> None:
        self.elderly_age.data, self.very_old_age.data = rules.elderly_age, rules.very_old_age
        self.severe_grades.data = list(rules.severe_grades)
        self.empty_nest_is_key.data = rules.empty_nest_is_key
        for level in CARE_LEVELS:
            for kind in TASK_KINDS:
                cadence = rules.cadence(level, kind)
                self[cadence_field(level, kind, "interval")].data = cadence.interval_days
                self[cadence_field(level, kind, "window")].data = cadence.window_days

    def cadence_fields(self, level: int):
        """The level's fields, as (kind label, interval field, window field)."""
        return [
            (
                KIND_LABELS[kind],
                self[cadence_field(level, kind, "interval")],
                self[cadence_field(level, kind, "window")],
            )
            for kind in TASK_KINDS
        ]


# An empty field is left to the service, which says the level has no rule.
for _level in CARE_LEVELS:
    for _kind in TASK_KINDS:
        for _part in ("interval", "window"):
            setattr(
                CareRulesForm,
                cadence_field(_level, _kind, _part),
                IntegerField(
                    PART_LABELS[_part],
                    validators=[Optional(), NumberRange(0, 366, NOT_A_NUMBER)],
                ),
            )
