from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from gridcare.accounts.models import Role
from gridcare.accounts.services import MIN_PASSWORD_LENGTH
from gridcare.forms import BaseForm

PHONE_PATTERN = r"^1[3-9]\d{9}$"


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
    from gridcare.templating import ROLE_LABELS

    return [SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()]


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
            Regexp(
                PHONE_PATTERN, message=_l("A mobile number has 11 digits and starts with 13–19.")
            ),
        ],
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    area_ids = SelectMultipleField(_l("Areas"), coerce=int)
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("Passwords need at least 12 characters.")),
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


class PasswordForm(BaseForm):
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("Passwords need at least 12 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(PasswordForm):
    # Asked again so that a phone left unlocked cannot have its owner's password changed.
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
