from flask_babel import lazy_gettext as _l
from wtforms import (
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from gridcare.forms import BaseForm
from gridcare.performance.models import (
    AdjustmentKind,
    IndicatorKind,
    IndicatorSource,
)


def _choices(enum_type, members=None):
    return [SelectChoice(m.value, m.label) for m in (members or list(enum_type))]


class QuarterForm(BaseForm):
    """The area and quarter pickers; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), coerce=int, validators=[DataRequired()])
    quarter = StringField(
        _l("Quarter"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("Give a quarter, such as 2026-Q4."),
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(a.id, f"{'· ' * a.depth}{a.name}") for a in areas]


class IndicatorSetForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(1950, 2100)])
    half = SelectField(
        _l("Half year"),
        coerce=int,
        choices=[
            SelectChoice(1, _l("First half (from 1 January)")),
            SelectChoice(2, _l("Second half (from 1 July)")),
        ],
    )
    bonus_limit = DecimalField(
        _l("Bonus points a month, at most"), places=1, validators=[InputRequired()]
    )
    deduction_limit = DecimalField(
        _l("Deducted points a month, at most"), places=1, validators=[InputRequired()]
    )
    copy_from = SelectField(_l("Start from the indicators of"), coerce=int)


class SetEditForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    bonus_limit = DecimalField(
        _l("Bonus points a month, at most"), places=1, validators=[InputRequired()]
    )
    deduction_limit = DecimalField(
        _l("Deducted points a month, at most"), places=1, validators=[InputRequired()]
    )


class IndicatorForm(BaseForm):
    kind = SelectField(_l("Kind"), choices=_choices(IndicatorKind))
    name = StringField(_l("Indicator"), validators=[DataRequired(), Length(max=100)])
    source = SelectField(_l("Figure"), choices=_choices(IndicatorSource))
    weight = IntegerField(_l("Weight"), validators=[InputRequired(), NumberRange(1, 100)])
    full_mark = IntegerField(
        _l("Full mark"),
        default=100,
        validators=[InputRequired(), NumberRange(1, 100)],
        description=_l(
            "The figure that earns the whole weight: a rate in per cent, or the top of the "
            "rating scale."
        ),
    )
    officer_weight = IntegerField(
        _l("Community officer's weight"), validators=[Optional(), NumberRange(0, 100)]
    )
    street_leader_weight = IntegerField(
        _l("Street leader's weight"), validators=[Optional(), NumberRange(0, 100)]
    )

    def rater_weights(self) -> dict:
        return {
            "officer": self.officer_weight.data or 0,
            "street_leader": self.street_leader_weight.data or 0,
        }


class PointsForm(BaseForm):
    month = StringField(
        _l("Month"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("Give a month, such as 2026-10."),
    )
    kind = SelectField(_l("Bonus or deduction"), choices=_choices(AdjustmentKind))
    points = DecimalField(
        _l("Points"), places=1, validators=[InputRequired(), NumberRange(0.1, 100)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])
    basis_kind = SelectField(_l("Rests on"), validators=[Optional()])
    basis_id = IntegerField(
        _l("Record number"),
        validators=[Optional(), NumberRange(1, 2**31 - 1)],
        description=_l("The number shown on the hazard's or visit's page."),
    )

    def __init__(self, *args, basis_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.basis_kind.choices = [
            SelectChoice("", _l("No record")),
            *_choices(None, list(basis_kinds)),
        ]


class RatingForm(BaseForm):
    month = StringField(
        _l("Month"),
        validators=[DataRequired(), Length(max=10)],
        description=_l("Give a month, such as 2026-10."),
    )
    indicator = SelectField(_l("Indicator"), coerce=int)
    value = DecimalField(_l("Rating"), places=1, validators=[InputRequired()])


class ReopenForm(BaseForm):
    reason = TextAreaField(_l("Why re-open it"), validators=[DataRequired(), Length(max=500)])
