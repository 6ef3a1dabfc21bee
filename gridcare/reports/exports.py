"""Coverage as CSV (UTF-8 with BOM, so spreadsheet programs show Chinese), XLSX (one sheet
per breakdown) and JSON (what the CLI prints, the same figures the page shows)."""

import csv
from io import BytesIO, StringIO

from flask_babel import lazy_gettext as _l
from openpyxl import Workbook
from openpyxl.styles import Font

from gridcare.reports.coverage import Coverage, Figures, Row

COLUMNS = [
    ("target", _l("Target households")),
    ("visited", _l("Visited in person")),
    ("coverage", _l("Coverage %")),
    ("phone_contacted", _l("Phone contacts")),
    ("not_home", _l("Not home")),
    ("checked", _l("Safety-checked")),
    ("safety_coverage", _l("Safety-check coverage %")),
    ("on_time", _l("Done in time")),
    ("late", _l("Done late")),
    ("missed", _l("Missed")),
    ("timeliness", _l("Timeliness %")),
    ("hazards_found", _l("Hazards found")),
    ("hazards_closed", _l("Hazards closed")),
    ("closed_in_time_share", _l("Closed within deadline %")),
    ("hazards_open_at_end", _l("Open at period end")),
    ("hazards_open_past_deadline", _l("Open past deadline")),
    ("median_days_to_close", _l("Median days to close")),
    ("living_alone", _l("Elderly living alone")),
    ("empty_nest", _l("Empty-nest elderly")),
    ("disabled", _l("Disabled residents")),
]
PERCENT = {"coverage", "safety_coverage", "timeliness", "closed_in_time_share"}


def value(figures: Figures, name: str):
    """A column's value, percentages as numbers 0-100 rounded to one decimal."""
    raw = getattr(figures, name)
    if raw is None:
        return None
    if name in PERCENT:
        return round(raw * 100, 1)
    if isinstance(raw, float):
        return round(raw, 1)
    return raw


def _rows(report: Coverage) -> list[tuple[str, list[Row]]]:
    return [
        (str(_l("By area")), [*report.children, Row(str(_l("Total")), report.total)]),
        (str(_l("By worker")), report.workers),
    ]


def to_csv(report: Coverage) -> bytes:
    out = StringIO()
    writer = csv.writer(out)
    header = [str(_l("Area / worker")), *(str(label) for _, label in COLUMNS)]
    for title, rows in _rows(report):
        writer.writerow([f"{report.area.name} {report.period.key} — {title}"])
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.label, *(value(row.figures, name) for name, _ in COLUMNS)])
        writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(report: Coverage) -> bytes:
    book = Workbook()
    book.remove(book.active)
    header = [str(_l("Area / worker")), *(str(label) for _, label in COLUMNS)]
    for title, rows in _rows(report):
        sheet = book.create_sheet(title[:31])
        sheet.append([f"{report.area.name} · {report.period.key}"])
        sheet.append(header)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([row.label, *(value(row.figures, name) for name, _ in COLUMNS)])
        sheet.column_dimensions["A"].width = 22
        sheet.freeze_panes = "B3"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(report: Coverage) -> dict:
    def figures(f: Figures) -> dict:
        return {name: value(f, name) for name, _ in COLUMNS} | {
            "hazards_by_kind": f.hazards_by_kind,
            "disabled_by_category": f.disabled_by_category,
            "disabled_by_grade": f.disabled_by_grade,
        }

    return {
        "area": {"code": report.area.code, "name": report.area.name},
        "period": {
            "key": report.period.key,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "total": figures(report.total),
        "children": [
            {"code": r.area.code, "name": r.label, **figures(r.figures)} for r in report.children
        ],
        "workers": [
            {
                "username": r.worker.username if r.worker else None,
                "name": r.label,
                **figures(r.figures),
            }
            for r in report.workers
        ],
    }
