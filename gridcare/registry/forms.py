"""Registry forms. They give early, per-field messages; the services re-check everything."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FloatField,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from gridcare.clock import today
from gridcare.forms import BaseForm, BaseSubform
from gridcare.phones import PHONE_MESSAGE, PHONE_PATTERN
from gridcare.registry import id_numbers
from gridcare.registry.models import CareLevel, DisabilityCategory
from gridcare.registry.rules import MAX_CONTACTS

PHONE_RULE = Regexp(PHONE_PATTERN, message=PHONE_MESSAGE)


def _int_or_none(value):
    if value in (None, ""):
        return None
    return int(value)


def _choices(kinds, blank):
    return [("", blank), *((str(kind.value), kind.label) for kind in kinds)]


def _valid_id_number(form, field):
    if field.data:
        try:
            id_numbers.parse(field.data)
        except id_numbers.IdNumberError as exc:
            raise ValidationError(str(exc.message)) from exc


def _not_in_future(form, field):
    if field.data and field.data > today():
        raise ValidationError(_l("The date cannot be in the future."))


class OfferedChoiceField(SelectField):
    """A select that refuses any value it did not offer with a message of our own."""

    def __init__(self, *args, not_offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.not_offered = not_offered

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError as exc:
            raise ValidationError(self.not_offered or str(exc)) from exc


class IdLookupForm(BaseForm):
    """Find a resident by ID number: posted, so the number never sits in an address."""

    id_number = StringField(
        _l("ID number"),
        validators=[DataRequired(), Length(min=15, max=30)],  # room for spaces
        render_kw={"autocomplete": "off", "inputmode": "text"},
    )


class HouseholdFilterForm(BaseForm):
    """The list's filters, read from the query string."""

    class Meta:
        csrf = False

    area_id = SelectField(_l("Area"), validators=[Optional()])
    care_level = SelectField(_l("Care level"), validators=[Optional()])
    flag = SelectField(_l("Who lives there"), validators=[Optional()])
    q = StringField(
        _l("Search"),
        validators=[Optional(), Length(max=100)],
        render_kw={"type": "search", "placeholder": _l("Name, address or phone")},
    )
    include_inactive = BooleanField(_l("Include closed households"))

    def validate_q(self, field):
        # This form travels in the web address, which proxies and browsers keep.
        if field.data and id_numbers.looks_like_id_number(field.data):
            field.data = ""
            raise ValidationError(
                _l("Look up ID numbers with the ID number box: it keeps them out of web addresses.")
            )

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area_id.choices = [("", _l("All my areas")), *area_choices]
        self.care_level.choices = _choices(CareLevel, _l("Any level"))
        self.flag.choices = [
            ("", _l("Anyone")),
            ("lives_alone", _l("Lives alone")),
            ("empty_nest", _l("Empty nest")),
            ("disabled", _l("Disabled")),
        ]

    def value(self, name: str):
        """A filter's value, or None when it is empty or failed validation."""
        field = self[name]
        if field.errors or field.data in (None, ""):
            return None
        if name in ("area_id", "care_level"):
            return int(field.data)
        return field.data


class HouseholdForm(BaseForm):
    grid_id = OfferedChoiceField(
        _l("Grid"),
        coerce=_int_or_none,
        validators=[DataRequired(message=_l("Choose one of the grids in your areas."))],
        not_offered=_l("Choose one of the grids in your areas."),
    )
    address = StringField(_l("Street address"), validators=[DataRequired(), Length(max=200)])
    building = StringField(_l("Building"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=20)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=20)])
    lat = FloatField(
        _l("Latitude"),
        validators=[
            Optional(),
            NumberRange(-90, 90, message=_l("Latitude lies between -90 and 90.")),
        ],
    )
    lon = FloatField(
        _l("Longitude"),
        validators=[
            Optional(),
            NumberRange(-180, 180, message=_l("Longitude lies between -180 and 180.")),
        ],
    )

    def __init__(self, *args, grid_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Only offered grids validate: a posted id outside the caller's areas is refused.
        self.grid_id.choices = [("", _l("— choose a grid —")), *grid_choices]


class ContactForm(BaseSubform):
    """One emergency contact row; a fully empty row is ignored."""

    name = StringField(_l("Contact name"), validators=[Optional(), Length(max=50)])
    relation = StringField(
        _l("Relation"),
        validators=[Optional(), Length(max=30)],
        render_kw={"placeholder": _l("e.g. son, daughter, neighbour")},
    )
    phone = StringField(
        _l("Contact phone"), validators=[Optional(), PHONE_RULE], render_kw={"type": "tel"}
    )

    def validate_name(self, field):
        if not field.data and self.phone.data:
            raise ValidationError(_l("Give the contact's name."))

    def validate_phone(self, field):
        if not field.data and self.name.data:
            raise ValidationError(_l("Give a phone number."))


def _contacts_field():
    return FieldList(
        FormField(ContactForm),
        label=_l("Emergency contacts"),
        min_entries=MAX_CONTACTS,
        max_entries=MAX_CONTACTS,
    )


class ContactDetailsForm(BaseForm):
    """What a grid worker may correct on a visit: phone, health notes, emergency contacts."""

    phone = StringField(_l("Phone"), validators=[Optional(), PHONE_RULE], render_kw={"type": "tel"})
    health_notes = TextAreaField(_l("Health notes"), validators=[Optional(), Length(max=2000)])
    contacts = _contacts_field()

    def contact_rows(self) -> list[tuple[str, str, str]]:
        return [
            (row.form.name.data or "", row.form.relation.data or "", row.form.phone.data or "")
            for row in self.contacts
        ]


class ResidentForm(ContactDetailsForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=50)])
    id_number = StringField(
        _l("ID number"),
        validators=[DataRequired(), _valid_id_number],
        render_kw={"autocomplete": "off"},
    )
    lives_alone = BooleanField(_l("Lives alone"))
    empty_nest = BooleanField(_l("Empty nest (children live elsewhere)"))
    disability_category = SelectField(_l("Disability category"), coerce=_int_or_none)
    disability_grade = SelectField(_l("Disability grade"), coerce=_int_or_none)
    disability_certificate = StringField(
        _l("Disability certificate number"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "off"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.disability_category.choices = [
            ("", _l("None")),
            *((c.value, f"{c.value} · {c.label}") for c in DisabilityCategory),
        ]
        self.disability_grade.choices = [
            ("", _l("None")),
            *((grade, _l("Grade %(n)d", n=grade)) for grade in (1, 2, 3, 4)),
        ]

    def validate_disability_grade(self, field):
        if (self.disability_category.data is None) != (field.data is None):
            raise ValidationError(_l("Choose both the category and the grade, or neither."))


class EditResidentForm(ResidentForm):
    """An officer's correction: an empty ID or certificate number keeps the stored one."""

    id_number = StringField(
        _l("New ID number"),
        validators=[Optional(), _valid_id_number],
        render_kw={"autocomplete": "off"},
    )
    disability_certificate = StringField(
        _l("New disability certificate number"),
        validators=[Optional(), Length(max=30)],
        render_kw={"autocomplete": "off"},
    )


class StatusDateForm(BaseForm):
    on = DateField(
        _l("Date"),
        validators=[DataRequired(message=_l("Give the date.")), _not_in_future],
    )


class CareLevelOverrideForm(BaseForm):
    level = SelectField(_l("Care level"), coerce=_int_or_none, validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=1000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.level.choices = [
            ("", _l("No override: follow the residents")),
            *((level.value, level.label) for level in CareLevel),
        ]

    def validate_reason(self, field):
        if self.level.data is not None and not (field.data or "").strip():
            raise ValidationError(_l("Say why this household needs a different level."))


class ImportForm(BaseForm):
    """A spreadsheet to check (dry run) or to import; the file itself is checked by the service."""

    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"),
        validators=[FileRequired(message=_l("Choose the file to import."))],
        render_kw={"accept": ".xlsx,.csv,text/csv"},
    )
    check = SubmitField(_l("Check only"))
    apply = SubmitField(_l("Import"))


class ExportForm(HouseholdFilterForm):
    """The list's filters, the file format and, for roles that may see them, full ID numbers."""

    class Meta:
        # The list's filters travel without a CSRF token; a download is posted with one,
        # wherever the app asks for one (as every other FlaskForm does).
        csrf = FlaskForm.Meta.csrf

    fmt = SelectField(
        _l("File format"),
        choices=[
            SelectChoice("xlsx", _l("Excel workbook (.xlsx)")),
            SelectChoice("csv", _l("CSV (UTF-8)")),
        ],
        default="xlsx",
    )
    full_ids = BooleanField(_l("Include full ID numbers"))


class PlateSheetForm(BaseForm):
    """Which grid's door plates to print, read from the query string."""

    class Meta:
        csrf = False

    grid_id = OfferedChoiceField(
        _l("Grid"),
        coerce=_int_or_none,
        validators=[DataRequired(message=_l("Choose one of the grids in your areas."))],
        not_offered=_l("Choose one of the grids in your areas."),
    )

    def __init__(self, *args, grid_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grid_id.choices = [("", _l("— choose a grid —")), *grid_choices]
