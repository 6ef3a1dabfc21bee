"""The renovation report as JSON (what the CLI prints: the page's figures), CSV and XLSX
(through the one export writer)."""

from flask_babel import lazy_gettext as _l

from gridcare.renovation.models import Satisfaction, Stage
from gridcare.renovation.services.report import RenovationReport
from gridcare.spreadsheets import Table, csv_bytes, xlsx_bytes


def percent(rate: float | None) -> float | None:
    """A rate as a percentage rounded to one decimal, as the coverage report gives them."""
    return None if rate is None else round(rate * 100, 1)


def to_json(report: RenovationReport) -> dict:
    return {
        "area": report.area.code,
        "year": report.year,
        "programme": report.programme.id if report.programme else None,
        "households": report.households,
        "by_stage": {stage.value: count for stage, count in report.by_stage.items()},
        "planned": report.planned,
        "accepted": report.accepted,
        "completion_rate": percent(report.completion_rate),
        "answered": report.answered,
        "answers": {kind.value: count for kind, count in report.answers.items()},
        "satisfaction_rate": percent(report.satisfaction_rate),
        "budget": str(report.budget),
        "cost_planned": str(report.cost_planned),
        "cost_spent": str(report.cost_spent),
    }


def _tables(report: RenovationReport) -> list[Table]:
    caption = f"{report.area.name} {report.year}" + (
        f" — {report.programme.name}" if report.programme else ""
    )
    figures = [
        (_l("Households"), report.households),
        (_l("Planned cases"), report.planned),
        (_l("Accepted cases"), report.accepted),
        (_l("Completion rate %"), percent(report.completion_rate)),
        (_l("Answered"), report.answered),
        (_l("Satisfaction rate %"), percent(report.satisfaction_rate)),
        (_l("Budget (yuan)"), float(report.budget)),
        (_l("Cost planned (yuan)"), float(report.cost_planned)),
        (_l("Cost spent (yuan)"), float(report.cost_spent)),
    ]
    return [
        Table(
            str(_l("Figures")),
            [str(_l("Figure")), str(_l("Value"))],
            [[str(label), value] for label, value in figures],
            caption=caption,
            widths=[26, 14],
        ),
        Table(
            str(_l("By stage")),
            [str(_l("Stage")), str(_l("Households"))],
            [[str(Stage(stage).label), count] for stage, count in report.by_stage.items()],
            caption=caption,
            widths=[26, 14],
        ),
        Table(
            str(_l("Satisfaction")),
            [str(_l("Answer")), str(_l("Households"))],
            [[str(Satisfaction(kind).label), count] for kind, count in report.answers.items()],
            caption=caption,
            widths=[26, 14],
        ),
    ]


def to_csv(report: RenovationReport) -> bytes:
    return csv_bytes(*_tables(report))


def to_xlsx(report: RenovationReport) -> bytes:
    return xlsx_bytes(*_tables(report))
