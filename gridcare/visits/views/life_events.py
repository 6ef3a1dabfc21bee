"""Recording a life event (重大变故) for a resident: the urgent visit follows."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.forms import show_field_error
from gridcare.registry.models import Household
from gridcare.registry.services.lookups import HOUSEHOLD_WITH_RESIDENTS
from gridcare.visits import services
from gridcare.visits.forms import LifeEventForm
from gridcare.visits.models import LifeEventKind
from gridcare.visits.views.blueprint import bp


@bp.route("/household/<int:household_id>/event", methods=["GET", "POST"])
@require(Permission.log_visits)
def record_event(household_id: int):
    household = get_in_scope_or_404(
        Household, household_id, current_actor().scope, *HOUSEHOLD_WITH_RESIDENTS
    )
    names = {r.id: r.name for r in household.active_residents}
    form = LifeEventForm(residents=list(names.items()))
    if len(household.active_residents) == 1 and not form.is_submitted():
        form.resident_id.data = household.active_residents[0].id
    if form.validate_on_submit():
        try:
            event = services.record_life_event(
                current_actor(),
                household,
                resident_id=form.resident_id.data,
                kind=LifeEventKind(form.kind.data),
                occurred_on=form.occurred_on.data,
                client_uuid=form.client_uuid.data,
                notes=form.notes.data or "",
            )
        except services.VisitError as exc:
            show_field_error(form, exc)
        else:
            flash(
                _(
                    "%(kind)s recorded for %(name)s. An urgent visit is due within "
                    "%(hours)d hours.",
                    kind=event.kind.label,
                    name=names.get(event.resident_id, ""),
                    hours=services.event_visit_hours(),
                ),
                "success",
            )
            return redirect(url_for("visits.household", household_id=household_id))
    return render_template(
        "visits/life_event_form.html",
        form=form,
        household=household,
        hours=services.event_visit_hours(),
    )
