from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.areas import services
from gridcare.areas.forms import AreaForm, MoveAreaForm, RenameAreaForm
from gridcare.areas.models import Area, AreaKind
from gridcare.areas.scope import get_in_scope_or_404
from gridcare.forms import show_field_error

bp = Blueprint("areas", __name__)


def _choices(kinds):
    areas = services.areas_in_scope(current_actor().scope, kinds)
    return [(a.id, f"{'· ' * a.depth}{a.name} ({a.code})") for a in areas]


def _parent_choices(area: Area):
    # A district has no parent: offer nothing, rather than every area.
    return _choices([area.kind.parent_kind]) if area.kind.parent_kind else []


@bp.route("/")
@require(Permission.manage_areas)
def index():
    return render_template("areas/index.html", areas=services.areas_in_scope(current_actor().scope))


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.manage_areas)
def create():
    form = AreaForm(parent_choices=_choices([k for k in AreaKind if k != AreaKind.grid]))
    if request.method == "GET" and request.args.get("parent", "").isdigit():
        parent = get_in_scope_or_404(Area, request.args["parent"], current_actor().scope)
        form.parent_id.data = parent.id
        form.kind.data = parent.kind.child_kind.value if parent.kind.child_kind else None
    if form.validate_on_submit():
        scope = current_actor().scope
        parent = (
            get_in_scope_or_404(Area, form.parent_id.data, scope) if form.parent_id.data else None
        )
        try:
            area = services.create_area(
                AreaKind(form.kind.data),
                form.name.data,
                form.code.data,
                parent,
                actor=current_actor(),
            )
        except services.AreaError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Area %(name)s created.", name=area.name), "success")
            return redirect(url_for("areas.index"))
    return render_template("areas/form.html", form=form)


@bp.route("/<int:area_id>", methods=["GET", "POST"])
@require(Permission.manage_areas)
def edit(area_id: int):
    area = get_in_scope_or_404(Area, area_id, current_actor().scope)
    form = RenameAreaForm(obj=area)
    move_form = MoveAreaForm(prefix="move", parent_choices=_parent_choices(area))
    if form.validate_on_submit():
        try:
            services.rename_area(area, form.name.data, form.code.data, actor=current_actor())
        except services.AreaError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Area %(name)s saved.", name=area.name), "success")
            return redirect(url_for("areas.index"))
    return render_template("areas/edit.html", area=area, form=form, move_form=move_form)


@bp.route("/<int:area_id>/move", methods=["POST"])
@require(Permission.manage_areas)
def move(area_id: int):
    scope = current_actor().scope
    area = get_in_scope_or_404(Area, area_id, scope)
    move_form = MoveAreaForm(prefix="move", parent_choices=_parent_choices(area))
    if move_form.validate_on_submit():
        new_parent = get_in_scope_or_404(Area, move_form.parent_id.data, scope)
        try:
            services.move_area(area, new_parent, actor=current_actor())
        except services.AreaError as exc:
            show_field_error(move_form, exc)
        else:
            flash(_("Area %(name)s moved.", name=area.name), "success")
            return redirect(url_for("areas.index"))
    return render_template(
        "areas/edit.html", area=area, form=RenameAreaForm(obj=area), move_form=move_form
    ), 400
