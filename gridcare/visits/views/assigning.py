"""One-off checks by filter: the officer says which households, sees how many will get a
task and why the others will not, then confirms."""

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.services import grids_in_scope
from gridcare.clock import today
from gridcare.converters import as_id
from gridcare.forms import show_field_error
from gridcare.visits import services
from gridcare.visits.forms import AssignForm, TargetFields, TargetForm
from gridcare.visits.models import VisitKind
from gridcare.visits.views.blueprint import bp

# The form's fields that say which households and which check, carried from the count to
# the confirmation as hidden copies.
TARGET_FIELDS = (
    "grid",
    "care_levels",
    "flags",
    "overdue",
    "not_visited_since",
    "kind",
    "worker_id",
)


def _carried(form: TargetFields) -> list[tuple[str, str]]:
    """The target's values as (name, value) pairs for hidden inputs."""
    pairs = []
    for name in TARGET_FIELDS:
        data = form[name].data
        for value in data if isinstance(data, list) else [data]:
            if value in (None, "", False):
                continue
            pairs.append((name, "y" if value is True else str(value)))
    return pairs


def _target(form: TargetFields) -> services.HouseholdTarget:
    return services.HouseholdTarget(
        grid_id=form.grid.data,
        care_levels=tuple(form.care_levels.data or ()),
        flags=tuple(form.flags.data or ()),
        overdue=bool(form.overdue.data),
        not_visited_since=form.not_visited_since.data,
    )


def _target_is_valid(form: TargetFields) -> bool:
    return not any(form[name].errors for name in TARGET_FIELDS)


def _preview(form: TargetFields) -> services.AssignmentPreview | None:
    """The count for the form's target, or None with the refusal next to its field."""
    try:
        return services.preview_assignment(
            current_actor().scope,
            _target(form),
            kind=VisitKind(form.kind.data),
            today=today(),
            worker_id=form.worker_id.data or None,
        )
    except services.VisitError as exc:
        show_field_error(form, exc)
        return None


def _assigned(done: services.FilteredAssignment, due_date, worker_name: str | None) -> str:
    """What the assignment did, and why some households got no new task."""
    added = done.added
    said = [_("%(n)d tasks assigned.", n=added.created)]
    if added.already_open:
        said.append(
            ngettext(
                "%(num)d household already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s.",
                "%(num)d households already had an open task of this kind and got no second "
                "one; that task is now due by %(date)s.",
                added.already_open,
                date=format_date(due_date, "medium"),
            )
        )
    if done.outside_worker:
        said.append(
            ngettext(
                "%(num)d household is outside the grids of %(worker)s and got no task.",
                "%(num)d households are outside the grids of %(worker)s and got no task.",
                done.outside_worker,
                worker=worker_name,
            )
        )
    return " ".join(said)


@bp.route("/assign", methods=["GET", "POST"])
@require(Permission.assign_visits)
def assign():
    scope = current_actor().scope
    grids = [(g.id, g.name) for g in grids_in_scope(scope)]
    # The worker list follows the grid chosen, on the count and on the confirmation.
    grid_id = as_id(request.values.get("grid"))
    in_reach = grid_id if grid_id in dict(grids) else None
    workers = [(w.id, w.display_name) for w in services.workers_for(scope, in_reach)]
    preview = None
    if request.method == "POST":
        form = confirm = AssignForm(grids=grids, workers=workers)
        if form.validate_on_submit():
            try:
                done = services.assign_by_target(
                    current_actor(),
                    _target(form),
                    kind=VisitKind(form.kind.data),
                    due_date=form.due_date.data,
                    today=today(),
                    worker_id=form.worker_id.data or None,
                    expected=form.expected.data,
                )
            except services.VisitError as exc:
                show_field_error(form, exc)
            else:
                named = dict(workers).get(form.worker_id.data)
                flash(_assigned(done, form.due_date.data, named), "success")
                return redirect(url_for("visits.workload"))
    else:
        form = TargetForm(request.args, grids=grids, workers=workers)
        confirm = AssignForm(formdata=None, grids=grids, workers=workers)
        confirm.due_date.data = today() + timedelta(days=7)
        # Choosing a task asks for the count; the first visit shows the filters only.
        if "kind" in request.args and form.validate():
            preview = _preview(form)
    if request.method == "POST" and _target_is_valid(form):
        preview = _preview(form)  # the count again, next to the message that stopped it
    if preview is not None:
        confirm.expected.data = preview.to_create
    return render_template(
        "visits/assign.html",
        form=form,
        confirm=confirm,
        preview=preview,
        carried=_carried(form),
        worker_name=dict(workers).get(form.worker_id.data),
    )
