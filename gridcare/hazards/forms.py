from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import UUID, DataRequired, InputRequired, Length, Optional

from gridcare.forms import BaseForm
from gridcare.hazards.models import HazardCategory, Severity
from gridcare.visits.models import ChecklistItem, new_client_uuid

# On a phone this opens the camera straight away; elsewhere it picks a file.
CAMERA = {"accept": "image/*", "capture": "environment"}


class HazardForm(BaseForm):
    client_uuid = HiddenField(validators=[DataRequired(), UUID()], default=new_client_uuid)
    visit_id = HiddenField()
    checklist_code = HiddenField(
        validators=[
            Optional(),
            Length(
                max=ChecklistItem.code.type.length,
                message=_l(
                    "This checklist item is unknown: report the hazard again from the visit."
                ),
            ),
        ]
    )
    category = SelectField(
        _l("Kind of hazard"),
        choices=[SelectChoice(c.value, c.label) for c in HazardCategory],
        validators=[DataRequired()],
    )
    severity = RadioField(
        _l("Severity"),
        choices=[SelectChoice(s.value, s.label) for s in Severity],
        default=Severity.minor.value,
        validators=[InputRequired()],
    )
    description = TextAreaField(
        _l("What is wrong"),
        validators=[DataRequired(_l("Say in a sentence what the hazard is.")), Length(max=2000)],
    )
    before_photo = FileField(_l("Photo"), render_kw=CAMERA)
    fixed_on_spot = BooleanField(_l("Fixed on the spot (即查即改)"))
    after_photo = FileField(_l("Photo after the fix"), render_kw=CAMERA)
    deadline = DateField(_l("Fix by (empty: from the severity)"), validators=[Optional()])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # A hidden field has no place on the page: its message shows with the description.
        self.description.errors = [*self.description.errors, *self.checklist_code.errors]
        return valid


class MoveForm(BaseForm):
    action = HiddenField(validators=[DataRequired()])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])
    photo = FileField(_l("Photo"), render_kw=CAMERA)
    # Offered: the workers who can open the household; the service refuses anyone else
    # with a message, which a choice check here would hide.
    assignee_id = SelectField(
        _l("Worker"), coerce=int, validators=[Optional()], validate_choice=False
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee_id.choices = [SelectChoice(0, "—"), *(SelectChoice(i, n) for i, n in workers)]


class ChecklistItemForm(BaseForm):
    """A safety-check item as the admin edits it; the code is set once, when it is added."""

    code = StringField(_l("Code"), validators=[Optional(), Length(max=32)])
    label_zh = StringField(_l("Chinese label"), validators=[Optional(), Length(max=100)])
    label_en = StringField(_l("English label"), validators=[Optional(), Length(max=100)])
    hazard_category = SelectField(
        _l("Hazard category of a failed answer"),
        choices=[SelectChoice(c.value, c.label) for c in HazardCategory],
        validators=[InputRequired(_l("Choose a hazard category."))],
    )
    active = BooleanField(_l("Asked in checks (untick to retire)"), default=True)
