from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from gridcare.areas.models import AreaKind
from gridcare.forms import BaseForm

CODE_RULE = Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Use letters, digits, - or _."))


class AreaForm(BaseForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, kind.label) for kind in AreaKind],
        validators=[DataRequired()],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_RULE])
    parent_id = SelectField(_l("Parent area"), coerce=int, validators=[Optional()])

    def __init__(self, *args, parent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [
            SelectChoice(0, _l("— none (a district) —")),
            *(SelectChoice(value, label) for value, label in parent_choices),
        ]


class RenameAreaForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=32), CODE_RULE])


class MoveAreaForm(BaseForm):
    parent_id = SelectField(_l("New parent area"), coerce=int, validators=[DataRequired()])

    def __init__(self, *args, parent_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.parent_id.choices = [SelectChoice(value, label) for value, label in parent_choices]
