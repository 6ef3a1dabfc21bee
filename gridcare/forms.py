"""The base of every form: text arrives without control characters.

PostgreSQL refuses a NUL character in text, and the other C0 control characters (a
vertical tab pasted from a word processor, an escape sequence) are invisible on screen
and break the XLSX exports. So every text field of every form is cleaned once, on the
way in: a NUL is refused with a message next to the field (it only comes from broken or
hostile clients), the others are dropped. Multi-line fields keep tabs and line breaks.
Passwords are hashed, never stored or shown, and are left exactly as typed.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import StopValidation

from gridcare.errors import FieldError

NUL_MESSAGE = _l("This text contains a character that cannot be stored (NUL).")
SINGLE_LINE_CONTROLS = re.compile(r"[\x01-\x1f]")
MULTI_LINE_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


def drop_controls(pattern: re.Pattern):
    def clean(value):
        return pattern.sub("", value) if isinstance(value, str) else value

    return clean


def strip_choice(value):
    # A choice of " " is no choice: without this, Optional() lets it through as a value.
    return value.strip() if isinstance(value, str) else value


def refuse_nul(form, field):
    if isinstance(field.data, str) and "\x00" in field.data:
        raise StopValidation(NUL_MESSAGE)


class CleanInputMeta:
    """Adds the cleaning to each field as the form binds it, so no form can forget it."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)
        if isinstance(field, StringField) and not isinstance(field, PasswordField):
            multi_line = isinstance(field, TextAreaField)
            clean = drop_controls(MULTI_LINE_CONTROLS if multi_line else SINGLE_LINE_CONTROLS)
            field.filters = (*field.filters, clean)
            field.validators = [refuse_nul, *field.validators]
        elif isinstance(field, SelectField):
            field.filters = (*field.filters, strip_choice)
        return field


class BaseForm(FlaskForm):
    class Meta(CleanInputMeta):
        pass


class BaseSubform(Form):
    """A group of fields repeated inside a form (FormField), cleaned the same way."""

    class Meta(CleanInputMeta):
        pass


def show_field_error(form, exc: FieldError) -> None:
    """Put a service's refusal where the user sees it: next to the field it names
    ("contacts.1.phone" walks into the rows), or at the top of the form when the form has
    no such visible field, so a name the form lacks never turns into a server error."""
    target = form
    try:
        for part in exc.field.split("."):
            target = target[int(part)] if part.isdigit() else target[part]
    except (KeyError, IndexError, TypeError, ValueError):
        target = None
    visible = getattr(target, "type", "") not in ("HiddenField", "CSRFTokenField")
    if target is form or not visible or not isinstance(target, Field):
        form.form_errors.append(str(exc.message))
    else:
        # A form read without validate() (a report's filters) still has the class's tuple.
        target.errors = [*target.errors, str(exc.message)]
