"""The needs catalogue, edited by admins."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.extensions import db
from gridcare.renovation import services
from gridcare.renovation.forms import NeedForm
from gridcare.renovation.models import RenovationNeed
from gridcare.renovation.views.blueprint import bp, refuse


@bp.route("/needs", methods=["GET", "POST"])
@require(Permission.manage_areas)
def needs():
    form = NeedForm()
    if form.validate_on_submit():
        try:
            services.add_need(
                current_actor(), form.code.data or "", form.label_zh.data, form.label_en.data
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            flash(_("Need added to the catalogue."), "success")
            return redirect(url_for("renovation.needs"))
    return render_template(
        "renovation/needs.html", form=form, needs=services.catalogue(include_retired=True)
    )


@bp.route("/needs/<int:need_id>", methods=["GET", "POST"])
@require(Permission.manage_areas)
def edit_need(need_id: int):
    need = db.session.get(RenovationNeed, need_id) or abort(404)
    form = NeedForm(obj=need)
    if form.validate_on_submit():
        try:
            services.update_need(
                current_actor(), need, form.label_zh.data, form.label_en.data, form.active.data
            )
        except services.RenovationError as exc:
            refuse(form, exc)
        else:
            flash(_("Catalogue updated."), "success")
            return redirect(url_for("renovation.needs"))
    return render_template("renovation/need_form.html", form=form, need=need)
