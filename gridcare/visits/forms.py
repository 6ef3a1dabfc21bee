from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import (
    UUID,
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from gridcare.clock import today
from gridcare.converters import as_id
from gridcare.forms import BaseForm
from gridcare.visits.models import LifeEventKind, Outcome, VisitKind, VisitMethod, new_client_uuid

EARLIEST_VISIT = datetime(2000, 1, 1)
OUTCOME_CHOICES = [
    SelectChoice(Outcome.well.value, _l("All well")),
    SelectChoice(Outcome.concerns.value, _l("Concerns")),
    SelectChoice("not_home", _l("Not home")),
]
CHECK_CHOICES = [
    SelectChoice("pass", _l("Pass")),
    SelectChoice("fail", _l("Fail")),
    SelectChoice("na", _l("Not applicable")),
]
KIND_CHOICES = [SelectChoice(k.value, k.label) for k in VisitKind]
FLAG_CHOICES = [
    SelectChoice("lives_alone", _l("Living alone")),
    SelectChoice("empty_nest", _l("Empty nest")),
    SelectChoice("disabled", _l("Disabled")),
]


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def optional_int(value) -> int | None:
    """An id from a select whose blank first choice means "not chosen yet"."""
    return None if value in ("", None) else int(value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PositionMixin:
    """Where and when the phone was, filled in by the page's scripts (position only when the
    worker allows it)."""

    lat = FloatField(
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(-90, 90, _l("The position is out of range."))],
    )
    lon = FloatField(
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(-180, 180, _l("The position is out of range."))],
    )
    accuracy = FloatField(widget=HiddenInput(), validators=[Optional(), NumberRange(0, 100000)])
    # The phone's clock when the worker tapped (ISO 8601, UTC), set by the outbox: a
    # record sent hours later keeps the time it happened.
    phone_time = HiddenField(validators=[Optional(), Length(max=40)])

    def validate_phone_time(self, field):
        if field.data and phone_time(field.data) is None:
            raise ValidationError(_l("The phone's time could not be read."))


def phone_time(value: str | None) -> datetime | None:
    """The outbox's ISO 8601 time as the naive UTC the database stores; None if unreadable."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if moment.tzinfo is None or moment.year < EARLIEST_VISIT.year:
        return None
    try:
        return moment.astimezone(UTC).replace(tzinfo=None)
    except OverflowError:  # 9999-12-31 in a zone east of UTC
        return None


class QuickLogForm(PositionMixin, BaseForm):
    """The one-tap "all well, in person" from the day's list."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()], default=new_client_uuid)
    visit_id = HiddenField(validators=[DataRequired()])


class LogVisitForm(PositionMixin, BaseForm):
    client_uuid = HiddenField(validators=[DataRequired(), UUID()], default=new_client_uuid)
    visit_id = HiddenField()
    kind = HiddenField(validators=[DataRequired()])
    # "today": the form was opened from the day's list, and returns there once saved.
    back = HiddenField(validators=[Optional(), Length(max=10)])
    outcome = RadioField(
        _l("How did it go?"),
        choices=OUTCOME_CHOICES,
        default=Outcome.well.value,
        validators=[InputRequired(_l("Choose how the visit went."))],
    )
    method = RadioField(
        _l("How"),
        choices=[SelectChoice(m.value, m.label) for m in VisitMethod],
        default=VisitMethod.in_person.value,
        validators=[InputRequired()],
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])
    completed_at = DateTimeLocalField(
        _l("When (leave empty for now)"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )

    def validate_completed_at(self, field):
        # A mistyped year (0001) would be stored, or overflow on the way to UTC.
        if field.data and field.data < EARLIEST_VISIT:
            raise ValidationError(_l("Give a time after 1 January 2000."))


CARE_LEVEL_CHOICES = choices([(1, _l("Level 1")), (2, _l("Level 2")), (3, _l("Level 3"))])


def as_count(value):
    """A non-negative whole number from a hidden field, or None."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 <= number <= 10**9 else None


def _a_count(form, field):
    if field.data is None:
        raise ValidationError(_l("The form arrived incomplete. Count the households again."))


class TargetFields(BaseForm):
    """Which households one-off checks go to, and which check."""

    grid = SelectField(_l("Grid"), coerce=optional_int, validators=[Optional()])
    care_levels = MultiCheckboxField(
        _l("Care levels (none: all levels)"), coerce=int, choices=CARE_LEVEL_CHOICES
    )
    flags = MultiCheckboxField(_l("Only households with (none: any)"), choices=FLAG_CHOICES)
    overdue = BooleanField(_l("Only households with an overdue task"))
    not_visited_since = DateField(_l("No visit done since"), validators=[Optional()])
    kind = SelectField(_l("Task"), choices=KIND_CHOICES, validators=[DataRequired()])
    worker_id = SelectField(_l("Worker"), coerce=int, validators=[Optional()])

    def __init__(self, *args, grids=(), workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.grid.choices = choices([("", _l("All my grids")), *grids])
        self.worker_id.choices = choices([(0, _l("The grid's worker")), *workers])


class TargetForm(TargetFields):
    """The target asked for on a GET form (no CSRF token): its answer is a count."""

    class Meta:
        csrf = False


class AssignForm(TargetFields):
    """The target again (as hidden copies), the due date, and the count the officer saw."""

    due_date = DateField(_l("Due by"), validators=[DataRequired()])
    # Hidden, so a service's refusal naming it shows at the top of the form.
    expected = HiddenField(filters=[as_count], validators=[_a_count])

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # A hidden field has no place on the page: its message shows at the top of the form.
        self.form_errors.extend(self.expected.errors)
        return valid


class CampaignForm(BaseForm):
    client_uuid = HiddenField(validators=[Optional(), UUID()], default=new_client_uuid)
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(_l("Task"), choices=KIND_CHOICES, validators=[DataRequired()])
    area_id = SelectField(_l("Area"), coerce=int, validators=[DataRequired()])
    care_levels = MultiCheckboxField(
        _l("Care levels (none: all levels)"),
        coerce=int,
        choices=choices([(1, _l("Level 1")), (2, _l("Level 2")), (3, _l("Level 3"))]),
    )
    flags = MultiCheckboxField(_l("Only households with (none: any)"), choices=FLAG_CHOICES)
    due_date = DateField(_l("Due by"), validators=[DataRequired()])

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area_id.choices = choices(areas)


def _possible_ids(ids):
    # A number no id can reach names no task: dropped like any other task not in reach.
    return [i for i in ids or () if as_id(i) is not None]


class ReassignForm(BaseForm):
    # Any task id may be posted; the service keeps only planned tasks in the caller's areas.
    visit_ids = MultiCheckboxField(
        _l("Tasks"), coerce=int, validate_choice=False, filters=[_possible_ids]
    )
    # No worker is preselected: the officer picks one of those who can open the homes.
    worker_id = SelectField(
        _l("Give to"),
        coerce=optional_int,
        validators=[InputRequired(_l("Choose the worker to give the tasks to."))],
    )

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.worker_id.choices = choices([("", _l("Choose a worker")), *workers])


class ScheduleForm(BaseForm):
    interval_days = IntegerField(
        _l("Every how many days"), validators=[InputRequired(), NumberRange(1, 366)]
    )
    window_days = IntegerField(
        _l("Days allowed after the due date"), validators=[InputRequired(), NumberRange(0, 365)]
    )
    worker_id = SelectField(_l("Worker"), coerce=int, validators=[Optional()])

    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.worker_id.choices = choices([(0, _l("The grid's worker")), *workers])


class LifeEventForm(BaseForm):
    """A resident's major change (重大变故): it calls for an urgent visit."""

    client_uuid = HiddenField(validators=[DataRequired(), UUID()], default=new_client_uuid)
    resident_id = SelectField(
        _l("Who"),
        coerce=optional_int,
        validators=[InputRequired(_l("Choose the resident."))],
    )
    kind = RadioField(
        _l("What happened"),
        choices=[SelectChoice(k.value, k.label) for k in LifeEventKind],
        validators=[InputRequired(_l("Choose what happened."))],
    )
    occurred_on = DateField(
        _l("When"), default=today, validators=[InputRequired(_l("Give the date."))]
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def __init__(self, *args, residents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.resident_id.choices = choices([("", _l("Choose a resident")), *residents])


def log_form_for(kind: VisitKind, items, locale: str) -> type[LogVisitForm]:
    """The log form, with one pass / fail / n.a. question per checklist item for safety checks."""
    if kind != VisitKind.safety_check:
        return LogVisitForm

    class SafetyCheckForm(LogVisitForm):
        # Every item not marked otherwise passes: a check with no exceptions is one tap,
        # one with an exception three (mark it, then this).
        all_pass = SubmitField(_l("All other items pass: save"))

    for item in items:
        setattr(
            SafetyCheckForm,
            f"check_{item.code}",
            RadioField(item.label(locale), choices=CHECK_CHOICES, validators=[Optional()]),
        )
    return SafetyCheckForm
