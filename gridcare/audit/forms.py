from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from gridcare.audit.labels import ACTION_LABELS, ENTITY_LABELS

# The trail starts with the app; a date outside these years is a typo, not a question.
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


def _plausible_day(form, field) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise ValidationError(_l("Choose a date between 2000 and 2100."))


class AuditFilterForm(FlaskForm):
    """The audit trail's filters; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    who = StringField(
        _l("Who (username)"),
        validators=[
            Optional(),
            Length(max=80),
            Regexp(r"^[^\x00-\x1f\x7f]*$", message=_l("A username has no control characters.")),
        ],
    )
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("All actions"))]
        + [SelectChoice(value, label) for value, label in ACTION_LABELS.items()],
        validators=[Optional()],
    )
    entity = SelectField(
        _l("Record"),
        choices=[SelectChoice("", _l("All records"))]
        + [SelectChoice(value, label) for value, label in ENTITY_LABELS.items()],
        validators=[Optional()],
    )
    since = DateField(_l("From"), validators=[Optional(), _plausible_day])
    until = DateField(_l("To"), validators=[Optional(), _plausible_day])

    def filters(self) -> dict:
        """The filters that passed validation; a wrong one is shown with its message."""
        self.validate()
        names = {"who": "username", "action": "action", "entity": "entity"}
        names |= {"since": "since", "until": "until"}
        return {
            names[name]: self[name].data
            for name in names
            if not self[name].errors and self[name].data
        }
