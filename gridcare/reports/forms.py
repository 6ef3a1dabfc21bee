from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length

from gridcare.forms import BaseForm


class CoverageForm(BaseForm):
    """The area and period pickers; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    area = SelectField(_l("Area"), coerce=int, validators=[DataRequired()])
    period = StringField(
        _l("Period"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("2026-11, 2026-Q4, 2026, or 2026-11-01..2026-11-20"),
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = [SelectChoice(a.id, f"{'· ' * a.depth}{a.name}") for a in areas]
