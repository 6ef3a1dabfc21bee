"""The admin's care-level rules: the version in force, a new version previewed (how many
households would change level) and then saved, and the versions saved before."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.clock import today
from gridcare.forms import show_field_error
from gridcare.registry import services
from gridcare.registry.care_levels import care_rules
from gridcare.registry.care_rule_forms import CareRulesForm
from gridcare.registry.models import CARE_LEVELS
from gridcare.registry.views.blueprint import bp


@bp.route("/rules", methods=["GET", "POST"])
@require(Permission.manage_rules)
def care_rules_page():
    form = CareRulesForm()
    in_force = care_rules(today())
    if request.method == "GET":
        form.fill(in_force)
        form.effective_from.data = today()
    preview = None
    if form.validate_on_submit():
        rules = form.rules()
        try:
            unseen = form.previewed.data != form.digest()
            if request.form.get("action") == "save" and unseen:
                flash(
                    _("The values changed since the preview: check this preview, then save."),
                    "warning",
                )
            if request.form.get("action") == "save" and not unseen:
                saved = services.save_care_rules(
                    current_actor(), rules, form.effective_from.data, today()
                )
                flash(_saved_message(saved, form.effective_from.data), "success")
                return redirect(url_for("registry.care_rules_page"))
            services.check_care_rules(rules, form.effective_from.data, today())
            preview = services.preview_care_rules(rules, form.effective_from.data)
            form.previewed.data = form.digest()
        except services.RegistryError as exc:
            show_field_error(form, exc)
    return render_template(
        "registry/care_rules.html",
        form=form,
        preview=preview,
        in_force=in_force,
        levels=CARE_LEVELS,
        versions=services.rule_versions(),
        today=today(),
    )


def _saved_message(saved: services.RulesSaved, effective_from) -> str:
    if saved.rule_set is None:
        return _("These are already the rules in force on that date; nothing was saved.")
    if effective_from == today():
        return ngettext(
            "The rules are saved and in force: %(num)d household changed level.",
            "The rules are saved and in force: %(num)d households changed level.",
            saved.levels_changed,
        )
    return _("The rules are saved; they take effect on their date, with that night's plan.")
