"""Coverage as CSV, XLSX (one sheet per breakdown; both through the one export writer) and
JSON (what the CLI prints, the same figures the page shows)."""

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from gridcare.reports.coverage import Coverage, Figures, Row
from gridcare.spreadsheets import Table, csv_bytes, xlsx_bytes

COLUMNS = [
    ("target", _l("Target households")),
    ("visited", _l("Visited in person")),
    ("coverage", _l("Coverage %")),
    ("target_residents", _l("Target residents")),
    ("reached_residents", _l("Residents reached (any method)")),
    ("visit_rate", _l("Monthly visit rate %")),
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
PERCENT = {"coverage", "visit_rate", "safety_coverage", "timeliness", "closed_in_time_share"}
# What the visit rate is, word for word as DESIGN.md's coverage section has it.
VISIT_RATE_HELP = _l(
    "Monthly visit rate (月探访率): target residents (active residents who meet a care-level "
    "rule, in target households) whose household had at least one done home visit in the "
    "period, in person, by phone or by video, over the target residents. Out-of-hours "
    "visits count like any other. It is never below the in-person coverage of the same "
    "residents."
)


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


def row_cells(figures: Figures, layout: list[tuple[str, str]]) -> Markup:
    """A table row's figure cells as the page shows them (`<td>`s with each column's
    classes, in the order of `layout`: `column_groups.cell_classes`), as one string: a
    city's tables hold 11,000 cells, and escaping each in the template took a tenth of
    the page's time. The classes are the page's own; the values are numbers."""
    return Markup(
        "".join(
            f'<td class="{classes}">{_cell_text(value(figures, name))}</td>'
            for name, classes in layout
        )
    )


def _cell_text(number) -> str:
    if number is None:
        return "–"
    return str(number) if isinstance(number, int | float) else escape(number)


def _tables(report: Coverage) -> list[Table]:
    header = [str(_l("Area / worker")), *(str(label) for _, label in COLUMNS)]
    breakdowns = [
        (str(_l("By area")), [*report.children, Row(str(_l("Total")), report.total)]),
        (str(_l("By worker")), report.workers),
    ]
    return [
        Table(
            title,
            header,
            [[row.label, *(value(row.figures, name) for name, _ in COLUMNS)] for row in rows],
            caption=f"{report.area.name} {report.period.key} — {title}",
            widths=[22],
            frozen_columns=1,
        )
        for title, rows in breakdowns
    ]


def to_csv(report: Coverage) -> bytes:
    return csv_bytes(*_tables(report))


def to_xlsx(report: Coverage) -> bytes:
    return xlsx_bytes(*_tables(report))


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
