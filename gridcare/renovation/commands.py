"""`gridcare report renovation`: the report's figures for an area and year, as JSON, CSV
or XLSX, the same as the page shows."""

import json

import click
from flask_babel import force_locale

from gridcare.accounts.services import SYSTEM
from gridcare.areas.services import area_by_code
from gridcare.command_errors import InputError
from gridcare.extensions import db
from gridcare.renovation.exports import to_csv, to_json, to_xlsx
from gridcare.renovation.models import RenovationProgramme
from gridcare.renovation.services import renovation_report


def renovation_report_output(
    area_code: str, year: int, programme_id: int | None, fmt: str, output: str | None, locale
) -> str:
    """The JSON text, or the line saying which file was written."""
    area = area_by_code(area_code)
    if area is None:
        raise InputError(f"--area {area_code}: no area has this code")
    programme = None
    if programme_id is not None:
        programme = db.session.get(RenovationProgramme, programme_id)
        if programme is None or programme.year != year:
            raise InputError(f"--programme {programme_id}: no programme of {year} has this id")
    report = renovation_report(area, year, programme)
    if fmt == "json":
        text = json.dumps(to_json(report), ensure_ascii=False, indent=2)
    else:
        with force_locale(locale):
            body = to_csv(report) if fmt == "csv" else to_xlsx(report)
        target = output or f"renovation-{area.code}-{year}.{fmt}"
        try:
            with open(target, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise click.ClickException(f"cannot write {target}: {exc.strerror}") from exc
        text = f"Wrote {target}"
    SYSTEM.audit("export", "renovation_report", area.id, ["year", fmt])
    db.session.commit()
    return text
