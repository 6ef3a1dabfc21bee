"""The quarter's table as JSON (the CLI) and as a workbook (the page's download)."""

from flask_babel import gettext as _

from gridcare.performance.services import PerformancePage
from gridcare.spreadsheets import Table, xlsx_bytes


def to_json(page: PerformancePage) -> dict:
    """The page's figures: indicators, then each worker's score, ranks, marks and months."""
    return {
        "area": {"code": page.area.code, "name": page.area.name},
        "quarter": page.quarter.key,
        "closed": page.closed,
        "indicator_set": page.set_name,
        "indicators": [line.to_dict() for line in page.indicators],
        "workers": [result.to_dict() for result in page.results],
    }


def _number(value):
    return "" if value is None else value


def to_xlsx(page: PerformancePage) -> bytes:
    """Two sheets: the quarter's table, and every worker's monthly records."""
    header = [_("Community rank"), _("Street rank"), _("Worker"), _("Score")]
    for line in page.indicators:
        header += [f"{line.name} ({line.kind.label})", _("Points of %(n)s", n=line.weight)]
    header += [_("Bonus"), _("Deduction")]
    rows = []
    for result in page.results:
        row = [
            _number(result.community_rank),
            _number(result.street_rank),
            result.name,
            _number(result.score),
        ]
        for line in page.indicators:
            mark = result.mark(line.id)
            row += [_number(mark and mark.figure), _number(mark and mark.points)]
        row += [result.bonus, result.deduction]
        rows.append(row)
    monthly = []
    for result in page.results:
        for record in result.months:
            row = [result.name, record.month, _number(record.base), _number(record.score)]
            for position, _line in enumerate(page.indicators):
                mark = record.marks[position] if position < len(record.marks) else None
                row += [_number(mark and mark.figure), _number(mark and mark.points)]
            row += [record.bonus, record.deduction]
            monthly.append(row)
    month_header = [_("Worker"), _("Month"), _("Before points"), _("Score")]
    for line in page.indicators:
        month_header += [line.name, _("Points of %(n)s", n=line.weight)]
    month_header += [_("Bonus"), _("Deduction")]
    caption = f"{page.area.name} · {page.quarter.key}" + (
        f" · {_('closed')}" if page.closed else ""
    )
    return xlsx_bytes(
        Table(_("Quarter"), header, rows, caption=caption, frozen_columns=3),
        Table(_("Months"), month_header, monthly, caption=caption, frozen_columns=2),
    )
