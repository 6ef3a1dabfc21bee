from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp
from wtforms.widgets import CheckboxInput, Select

from gridcare.accounts.models import Role
from gridcare.accounts.services import MIN_PASSWORD_LENGTH
from gridcare.forms import BaseForm
from gridcare.phones import PHONE_MESSAGE, PHONE_PATTERN

PASSWORD_LENGTH_MESSAGE = _l("Passwords need at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class LanguageForm(BaseForm):
    # Each language is named in itself, so that anyone can find their own.
    locale = SelectField(
        _l("Language"),
        choices=[SelectChoice("zh_CN", "中文"), SelectChoice("en", "English")],
        validators=[DataRequired()],
    )


def _role_choices() -> list[SelectChoice]:
    return [SelectChoice(role.value, role.label) for role in Role]


class _SentEvenWhenEmpty:
    """A widget followed by a hidden empty input of the same name. A browser sends nothing
    for an unticked box or an empty multiple choice; with this, a POST that leaves the
    field out can be told from "no" and "none" and refused (EditUserForm)."""

    def __init__(self, widget):
        self.widget = widget

    def __call__(self, field, **kwargs):
        hidden = Markup('<input name="{}" type="hidden" value="">').format(escape(field.name))
        return self.widget(field, **kwargs) + hidden


class AreasField(SelectMultipleField):
    widget = _SentEvenWhenEmpty(Select(multiple=True))

    def process_formdata(self, valuelist):
        super().process_formdata([value for value in valuelist if value != ""])


class UserForm(BaseForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Length(max=64),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("Use letters, digits, dots, dashes or _.")),
        ],
    )
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=100)])
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Regexp(PHONE_PATTERN, message=PHONE_MESSAGE),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    area_ids = AreasField(_l("Areas"), coerce=int)
    # The box comes first: an unticked box sends only the empty value, read as False.
    active = BooleanField(_l("Active"), default=True, widget=_SentEvenWhenEmpty(CheckboxInput()))
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only offered choices validate: a posted role or area outside them is refused.
        self.role.choices = _role_choices()
        self.area_ids.choices = [SelectChoice(value, label) for value, label in area_choices]

    @property
    def role_value(self) -> Role:
        return Role(self.role.data)


class EditUserForm(UserForm):
    password = None
    username = None

    def validate(self, extra_validators=None):
        """Every field must arrive: a missing one would otherwise read as "no" or "none"
        and, say, deactivate the account and drop its areas."""
        valid = super().validate(extra_validators)
        if any(not field.raw_data for field in self if field.name != "csrf_token"):
            self.form_errors.append(
                _l("The form arrived incomplete, so nothing was saved. Open the account again.")
            )
            return False
        return valid


class PasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=PASSWORD_LENGTH_MESSAGE),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(PasswordForm):
    # Asked again so that a phone left unlocked cannot have its owner's password changed.
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
