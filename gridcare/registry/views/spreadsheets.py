"""Spreadsheets in and out: the import with its template, and the export."""

import io

from flask import (
    abort,
    render_template,
    request,
    send_file,
)

from gridcare.accounts.access import current_actor, require
from gridcare.accounts.models import Permission
from gridcare.forms import show_field_error
from gridcare.registry import exports, imports, services
from gridcare.registry.forms import (
    ExportForm,
    ImportForm,
)
from gridcare.registry.views.blueprint import area_choices, bp
from gridcare.spreadsheets import XLSX_MIMETYPE


def _download(content: bytes, mimetype: str, filename: str):
    response = send_file(
        io.BytesIO(content), mimetype=mimetype, as_attachment=True, download_name=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.edit_registry)
def import_residents():
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = imports.import_residents(
                current_actor(),
                form.file.data.read(imports.MAX_IMPORT_BYTES + 1),
                dry_run=not form.apply.data,
            )
        except imports.ImportFileError as exc:
            show_field_error(form, exc)
    return render_template(
        "registry/import.html",
        form=form,
        report=report,
        columns=imports.COLUMNS,
        rules=imports.import_rules(),
        ignored=imports.EXPORT_ONLY_HEADERS,
    )


@bp.route("/import/template.xlsx")
@require(Permission.edit_registry)
def import_template():
    return _download(imports.import_template(), XLSX_MIMETYPE, imports.TEMPLATE_FILENAME)


@bp.route("/export", methods=["GET", "POST"])
@require(Permission.view_registry)
def export():
    if not exports.may_export(current_actor()):
        abort(403)
    # The households list links here with its filters in the query string.
    formdata = request.form if request.method == "POST" else request.args
    form = ExportForm(formdata=formdata, area_choices=area_choices())
    if form.validate_on_submit():
        try:
            exported = exports.export_registry(
                current_actor(),
                form.fmt.data,
                area_id=form.value("area_id"),
                care_level=form.value("care_level"),
                flag=form.value("flag"),
                q=form.value("q"),
                include_inactive=bool(form.value("include_inactive")),
                full_ids=form.full_ids.data,
            )
        except services.RegistryPermissionError:
            abort(403)
        return _download(exported.content, exported.mimetype, exported.filename)
    return render_template("registry/export.html", form=form)
