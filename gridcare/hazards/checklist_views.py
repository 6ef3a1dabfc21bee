"""The admin's safety checklist: items added, edited, retired and reordered."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.extensions import db
from gridcare.forms import show_field_error
from gridcare.hazards import checklist
from gridcare.hazards.forms import ChecklistItemForm
from gridcare.hazards.models import HazardCategory
from gridcare.visits.models import ChecklistItem

bp = Blueprint("checklist", __name__)


def _item_or_404(item_id: int) -> ChecklistItem:
    return db.get_or_404(ChecklistItem, item_id)


@bp.route("/", methods=["GET", "POST"])
@require(Permission.manage_rules)
def items():
    form = ChecklistItemForm()
    if form.validate_on_submit():
        try:
            item = checklist.add_checklist_item(
                current_actor(),
                code=form.code.data or "",
                label_zh=form.label_zh.data or "",
                label_en=form.label_en.data or "",
                hazard_category=form.hazard_category.data,
            )
        except checklist.ChecklistError as exc:
            show_field_error(form, exc)
        else:
            flash(
                _("Item %(code)s added: the next safety check asks it.", code=item.code), "success"
            )
            return redirect(url_for("checklist.items"))
    return render_template(
        "hazards/checklist.html",
        form=form,
        items=checklist.all_checklist_items(),
        HazardCategory=HazardCategory,
    )


@bp.route("/<int:item_id>", methods=["GET", "POST"])
@require(Permission.manage_rules)
def edit(item_id: int):
    item = _item_or_404(item_id)
    form = ChecklistItemForm(obj=item)
    if form.validate_on_submit():
        try:
            checklist.update_checklist_item(
                current_actor(),
                item,
                label_zh=form.label_zh.data or "",
                label_en=form.label_en.data or "",
                hazard_category=form.hazard_category.data,
                active=bool(form.active.data),
            )
        except checklist.ChecklistError as exc:
            show_field_error(form, exc)
        else:
            flash(_("Item %(code)s saved.", code=item.code), "success")
            return redirect(url_for("checklist.items"))
    return render_template("hazards/checklist_item.html", form=form, item=item)


@bp.route("/<int:item_id>/move", methods=["POST"])
@require(Permission.manage_rules)
def move(item_id: int):
    item = _item_or_404(item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    checklist.move_checklist_item(current_actor(), item, step)
    return redirect(url_for("checklist.items"))
