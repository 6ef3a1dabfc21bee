"""The renovation forms. Each POST form carries a `client_uuid`, so a resent form is
stored once; amounts are non-negative numbers, checked here and again in the services."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FieldList,
    FloatField,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import UUID, DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from gridcare.forms import BaseForm, BaseSubform
from gridcare.registry.models import DisabilityCategory
from gridcare.renovation.models import AcceptancePoint, Satisfaction
from gridcare.renovation.services import MEASUREMENTS
from gridcare.visits.models import new_client_uuid

CAMERA = {"accept": "image/*", "capture": "environment"}
NOT_NEGATIVE = _l("An amount cannot be negative.")
PLAN_ROWS = 6


def _client_uuid():
    return HiddenField(validators=[DataRequired(), UUID()], default=new_client_uuid)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


TOO_LARGE = _l("An amount this large cannot be right: at most 9,999,999,999.99 yuan.")


def _money(label, required: bool = False):
    return DecimalField(
        label,
        places=2,
        validators=[
            InputRequired(_l("Give the amount in yuan.")) if required else Optional(),
            NumberRange(min=0, message=NOT_NEGATIVE),
            # The column holds 12 digits, two of them after the point.
            NumberRange(max=Decimal("9999999999.99"), message=TOO_LARGE),
        ],
    )


class ProgrammeForm(BaseForm):
    client_uuid = _client_uuid()
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    area_id = SelectField(_l("Area"), coerce=int, validators=[DataRequired()])
    year = IntegerField(
        _l("Year"),
        validators=[
            InputRequired(),
            NumberRange(2000, 2100, _l("Give a year between 2000 and 2100.")),
        ],
    )
    budget = _money(_l("Budget (yuan)"), required=True)

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area_id.choices = [SelectChoice(a.id, f"{'· ' * a.depth}{a.name}") for a in areas]


class CandidateForm(BaseForm):
    """The filters of the household picker; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    grades = CheckboxesField(
        _l("Disability grade"),
        coerce=int,
        choices=[SelectChoice(g, str(g)) for g in (1, 2, 3, 4)],
        validators=[Optional()],
    )
    categories = CheckboxesField(
        _l("Disability category"),
        coerce=int,
        choices=[SelectChoice(c.value, c.label) for c in DisabilityCategory],
        validators=[Optional()],
    )
    lives_alone = BooleanField(_l("Lives alone"))
    care_levels = CheckboxesField(
        _l("Care level"),
        coerce=int,
        choices=[SelectChoice(n, str(n)) for n in (1, 2, 3)],
        validators=[Optional()],
    )
    text = StringField(_l("Address contains"), validators=[Optional(), Length(max=100)])


class AddCasesForm(BaseForm):
    # The service refuses a household outside the programme's area with a message.
    household_ids = SelectMultipleField(coerce=int, validate_choice=False)


class AssessForm(BaseForm):
    client_uuid = _client_uuid()
    needs = CheckboxesField(_l("Needs"), validate_choice=False)
    door_width = FloatField(
        MEASUREMENTS["door_width"], validators=[Optional(), NumberRange(0, 10_000)]
    )
    threshold_height = FloatField(
        MEASUREMENTS["threshold_height"], validators=[Optional(), NumberRange(0, 10_000)]
    )
    corridor_width = FloatField(
        MEASUREMENTS["corridor_width"], validators=[Optional(), NumberRange(0, 10_000)]
    )
    note = TextAreaField(_l("What you found"), validators=[Optional(), Length(max=2000)])
    photos = MultipleFileField(_l("Photos of the home"), render_kw={**CAMERA, "multiple": True})

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.needs.choices = [SelectChoice(code, label) for code, label in needs]


class PlanItemForm(BaseSubform):
    need_code = SelectField(_l("Item"), validate_choice=False)
    description = StringField(_l("What will be done"), validators=[Optional(), Length(max=500)])
    estimated_cost = _money(_l("Estimated cost (yuan)"))


class PlanForm(BaseForm):
    client_uuid = _client_uuid()
    items = FieldList(FormField(PlanItemForm), min_entries=PLAN_ROWS, max_entries=20)
    consent_by = StringField(
        _l("Agreed by (resident or family member)"),
        validators=[DataRequired(_l("Say who agreed to the plan.")), Length(max=50)],
    )
    consent_relation = StringField(
        _l("Relation to the resident"), validators=[Optional(), Length(max=30)]
    )
    consent_on = DateField(
        _l("Agreed on"), validators=[InputRequired(_l("Give the day the plan was agreed."))]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, needs=(), **kwargs):
        super().__init__(*args, **kwargs)
        for entry in self.items:
            entry.form.need_code.choices = [SelectChoice("", "—")] + [
                SelectChoice(code, label) for code, label in needs
            ]


class ConstructionForm(BaseForm):
    client_uuid = _client_uuid()
    contractor = StringField(
        _l("Contractor"), validators=[DataRequired(_l("Name the contractor.")), Length(max=100)]
    )
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class SuperviseForm(BaseForm):
    client_uuid = _client_uuid()
    note = TextAreaField(
        _l("What you saw"),
        validators=[DataRequired(_l("Say in a sentence what you saw.")), Length(max=2000)],
    )
    photos = MultipleFileField(_l("Photos of the work"), render_kw={**CAMERA, "multiple": True})


SATISFACTION_CHOICES = [SelectChoice(s.value, s.label) for s in Satisfaction]
PASS_CHOICES = [SelectChoice("pass", _l("Passed")), SelectChoice("fail", _l("Failed"))]


class AcceptForm(BaseForm):
    client_uuid = _client_uuid()
    actual_cost = _money(_l("Money spent (yuan)"))
    answer = RadioField(_l("Satisfaction"), choices=SATISFACTION_CHOICES, validators=[Optional()])
    comment = TextAreaField(_l("What they said"), validators=[Optional(), Length(max=2000)])
    answered_by = StringField(_l("Answered by"), validators=[Optional(), Length(max=50)])

    def point_fields(self, point: AcceptancePoint):
        return self[f"{point}_passed"], self[f"{point}_note"], self[f"{point}_photos"]


for _point in AcceptancePoint:
    setattr(
        AcceptForm,
        f"{_point}_passed",
        RadioField(
            _point.label,
            choices=PASS_CHOICES,
            validators=[InputRequired(_l("Say whether this point passed."))],
        ),
    )
    setattr(
        AcceptForm,
        f"{_point}_note",
        TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)]),
    )
    setattr(
        AcceptForm,
        f"{_point}_photos",
        MultipleFileField(_l("Photos"), render_kw={**CAMERA, "multiple": True}),
    )


class DeclineForm(BaseForm):
    client_uuid = _client_uuid()
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(_l("Give the reason.")), Length(max=2000)]
    )


class FollowUpRoundForm(BaseForm):
    client_uuid = _client_uuid()
    due_date = DateField(_l("Visit by"), validators=[InputRequired()])


class FollowUpAnswerForm(BaseForm):
    client_uuid = _client_uuid()
    answer = RadioField(
        _l("Satisfaction"),
        choices=SATISFACTION_CHOICES,
        validators=[InputRequired(_l("Choose the answer."))],
    )
    comment = TextAreaField(_l("What they said"), validators=[Optional(), Length(max=2000)])
    answered_by = StringField(_l("Answered by"), validators=[Optional(), Length(max=50)])
    notes = TextAreaField(_l("Visit notes"), validators=[Optional(), Length(max=2000)])


class NeedForm(BaseForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=32)])
    label_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    label_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("In use"), default=True)


class ReportForm(BaseForm):
    """The report's area, year and programme; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), coerce=int, validators=[DataRequired()])
    year = IntegerField(_l("Year"), validators=[Optional(), NumberRange(2000, 2100)])
    programme = SelectField(_l("Programme"), coerce=int, validators=[Optional()])

    def __init__(self, *args, areas=(), programmes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(a.id, f"{'· ' * a.depth}{a.name}") for a in areas]
        self.programme.choices = [SelectChoice(0, _l("All programmes"))] + [
            SelectChoice(p.id, f"{p.year} {p.name}") for p in programmes
        ]
