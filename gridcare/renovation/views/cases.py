"""A case's page and its moves, each a form of its own; follow-up answers; photos."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.clock import today
from gridcare.hazards.photos import photo_path
from gridcare.renovation import services
from gridcare.renovation.forms import (
    AcceptForm,
    AssessForm,
    ConstructionForm,
    DeclineForm,
    FollowUpAnswerForm,
    PlanForm,
    SuperviseForm,
)
from gridcare.renovation.models import AcceptancePoint, CasePhoto, RenovationCase, Satisfaction
from gridcare.renovation.services.steps import check_move
from gridcare.renovation.views.blueprint import bp, need_choices, need_labels, refuse, uploads


def _case(case_id: int) -> RenovationCase:
    return services.case_detail(case_id, current_actor().scope) or abort(404)


@bp.route("/cases/<int:case_id>")
@require(Permission.view_registry)
def case(case_id: int):
    case = _case(case_id)
    return render_template(
        "renovation/case.html",
        case=case,
        moves=services.allowed_moves(current_actor(), case),
        labels=services.ACTION_LABELS,
        needs=need_labels(),
        measurements=services.MEASUREMENTS,
        overdue=services.overdue_days(case, today()),
    )


def _guard(case: RenovationCase, action: str):
    """A page for a move the role may not make is a 403; one the stage does not allow
    sends the user back to the case with the reason."""
    try:
        check_move(current_actor(), case, action, "action")
    except services.RenovationForbidden as exc:
        abort(403, description=str(exc.message))
    except services.RenovationError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("renovation.case", case_id=case.id))
    return None


def _done(case: RenovationCase, message: str):
    flash(message, "success")
    return redirect(url_for("renovation.case", case_id=case.id))


def _form_page(case, form, action, title):
    # A refused move may have rolled back and expired the case: load it afresh.
    case = _case(case.id)
    return render_template(
        f"renovation/{action}.html", case=case, form=form, title=title, points=AcceptancePoint
    )


@bp.route("/cases/<int:case_id>/assess", methods=["GET", "POST"])
@require(Permission.view_registry)
def assess(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "assess")) is not None:
        return away
    form = AssessForm(needs=need_choices())
    if form.validate_on_submit():
        try:
            services.assess(
                current_actor(),
                case,
                needs=form.needs.data or [],
                measurements={name: form[name].data for name in services.MEASUREMENTS},
                note=form.note.data or "",
                photos=uploads(form.photos),
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            return _done(case, _("Assessment recorded."))
    return _form_page(case, form, "assess", _("Home assessment"))


@bp.route("/cases/<int:case_id>/plan", methods=["GET", "POST"])
@require(Permission.view_registry)
def plan(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "plan")) is not None:
        return away
    form = PlanForm(needs=need_choices())
    if request.method == "GET":
        for entry, code in zip(form.items, case.needs, strict=False):
            entry.form.need_code.data = code
    if form.validate_on_submit():
        try:
            services.plan(
                current_actor(),
                case,
                items=[
                    services.PlannedItem(
                        entry.form.need_code.data or "",
                        entry.form.description.data or "",
                        entry.form.estimated_cost.data,
                    )
                    for entry in form.items
                ],
                consent_by=form.consent_by.data,
                consent_relation=form.consent_relation.data or "",
                consent_on=form.consent_on.data,
                today=today(),
                note=form.note.data or "",
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            return _done(case, _("Plan and consent recorded."))
    return _form_page(case, form, "plan", _("Plan and consent"))


@bp.route("/cases/<int:case_id>/construction", methods=["GET", "POST"])
@require(Permission.view_registry)
def construction(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "start_construction")) is not None:
        return away
    form = ConstructionForm()
    if form.validate_on_submit():
        try:
            services.start_construction(
                current_actor(),
                case,
                contractor=form.contractor.data,
                note=form.note.data or "",
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            return _done(case, _("Construction started."))
    return _form_page(case, form, "construction", _("Start construction"))


@bp.route("/cases/<int:case_id>/supervise", methods=["GET", "POST"])
@require(Permission.view_registry)
def supervise(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "supervise")) is not None:
        return away
    form = SuperviseForm()
    if form.validate_on_submit():
        try:
            services.supervise(
                current_actor(),
                case,
                note=form.note.data,
                photos=uploads(form.photos),
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            return _done(case, _("Supervision visit recorded."))
    return _form_page(case, form, "supervise", _("Supervision visit"))


@bp.route("/cases/<int:case_id>/accept", methods=["GET", "POST"])
@require(Permission.view_registry)
def accept(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "accept")) is not None:
        return away
    form = AcceptForm()
    if form.validate_on_submit():
        points = {}
        for point in AcceptancePoint:
            passed, note, photos = form.point_fields(point)
            points[point] = services.PointResult(
                passed.data == "pass", note.data or "", uploads(photos)
            )
        answer = (
            services.Answer(
                Satisfaction(form.answer.data), form.comment.data or "", form.answered_by.data or ""
            )
            if form.answer.data
            else None
        )
        try:
            services.accept(
                current_actor(),
                case,
                points=points,
                actual_cost=form.actual_cost.data,
                answer=answer,
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            accepted = all(p.passed for p in points.values())
            return _done(
                case,
                _("The home is accepted.")
                if accepted
                else _("Acceptance failed: the work goes on until it passes."),
            )
    return _form_page(case, form, "accept", _("Acceptance"))


@bp.route("/cases/<int:case_id>/decline", methods=["GET", "POST"])
@require(Permission.view_registry)
def decline(case_id: int):
    case = _case(case_id)
    if (away := _guard(case, "decline")) is not None:
        return away
    form = DeclineForm()
    if form.validate_on_submit():
        try:
            services.decline(
                current_actor(), case, reason=form.reason.data, client_uuid=form.client_uuid.data
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            return _done(case, _("The case is declined."))
    return _form_page(case, form, "decline", _("Decline"))


@bp.route("/follow-ups/<int:follow_up_id>", methods=["GET", "POST"])
@require(Permission.log_visits)
def follow_up(follow_up_id: int):
    follow_up = services.follow_up_in_scope(follow_up_id, current_actor().scope) or abort(404)
    case = follow_up.case
    form = FollowUpAnswerForm()
    if request.method == "POST" and follow_up.answered_at is not None:
        # Answered already (this form sent twice, or someone else was quicker).
        return _done(case, _("Follow-up answer recorded."))
    if form.validate_on_submit():
        try:
            services.answer_follow_up(
                current_actor(),
                follow_up,
                case.household,
                answer=services.Answer(
                    Satisfaction(form.answer.data),
                    form.comment.data or "",
                    form.answered_by.data or "",
                ),
                notes=form.notes.data or "",
                client_uuid=form.client_uuid.data,
            )
        except services.RenovationError as exc:
            refuse(form, exc)
            follow_up = services.follow_up_in_scope(follow_up_id, current_actor().scope)
            case = follow_up.case
        else:
            return _done(case, _("Follow-up answer recorded."))
    return render_template("renovation/follow_up.html", follow_up=follow_up, case=case, form=form)


@bp.route("/photos/<int:photo_id>")
@bp.route("/photos/<int:photo_id>/thumb", defaults={"thumbnail": True}, endpoint="thumbnail")
@require(Permission.view_registry)
def photo(photo_id: int, thumbnail: bool = False):
    picture = get_in_scope_or_404(CasePhoto, photo_id, current_actor().scope)
    response = send_file(photo_path(picture.filename, thumbnail), mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response
