"""The monthly visit rate (月探访率) against a city counted by hand (DESIGN.md, coverage).

Target residents of October 2026 in 明珠1网格, and who reached them:
  A: aged 86 alone and 81 (both targets) and 30 (not)  in person     2 reached, 2 in person
  B: aged 65                                           by phone      1 reached
  C: disabled, aged 40                                 not home      -
  D: aged 70                    in person at 23:10 on a Sunday       1 reached, 1 in person
  E: aged 90                                   a safety check only   -
  F: aged 75                                   visited in September  -
  G: aged 30 (no target)                               in person     not counted
  H: aged 40, an officer's override (level 1)          nothing       -
8 target residents, 4 reached: 50 %. In person 3 of 8 (37.5 %); households 2 of 7.
"""

import json
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from gridcare.extensions import db
from gridcare.reports.coverage import coverage
from gridcare.reports.periods import parse
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus
from tests.test_cli import gridcare

pytestmark = pytest.mark.usefixtures("test_day")
OCTOBER = parse("2026-10")
LONG_AGO = datetime(2025, 1, 1)


def done(household, completed, kind=VisitKind.home_visit, method=VisitMethod.in_person, **kw):
    day = completed.date()
    db.session.add(
        Visit(
            household_id=household.id,
            kind=kind,
            status=kw.get("status", VisitStatus.done),
            due_date=day,
            window_end=day,
            completed_at=completed,
            method=method,
        )
    )


@pytest.fixture
def city(make):
    tree = make.tree()
    grid = tree["grid1"]

    def home(*births, **household):
        row = make.household(grid, created_at=LONG_AGO, **household)
        for born, extra in births:
            make.resident(row, birth_date=born, created_at=LONG_AGO, **extra)
        return row

    a = home(
        (date(1940, 1, 1), {"lives_alone": True}), (date(1945, 3, 1), {}), (date(1996, 1, 1), {})
    )
    b = home((date(1961, 1, 1), {}))
    c = home((date(1986, 1, 1), {"disability_category": 4, "disability_grade": 2}))
    d = home((date(1956, 1, 1), {}))
    e = home((date(1936, 1, 1), {}))
    f = home((date(1951, 1, 1), {}))
    g = home((date(1996, 6, 1), {}))
    home((date(1986, 6, 1), {}), care_level_override=1, care_level_override_reason="独居高风险")

    done(a, datetime(2026, 10, 5, 2))
    done(b, datetime(2026, 10, 6, 2), method=VisitMethod.phone)
    done(c, datetime(2026, 10, 7, 2), status=VisitStatus.not_home)
    done(d, datetime(2026, 10, 18, 15, 10))  # Sunday 23:10 in Shanghai
    done(e, datetime(2026, 10, 9, 2), kind=VisitKind.safety_check)
    done(f, datetime(2026, 9, 20, 2))
    done(g, datetime(2026, 10, 9, 2))
    db.session.commit()
    return tree


def test_the_visit_rate_counts_residents_reached_by_any_method(city):
    total = coverage(city["district"], OCTOBER).total

    assert (total.target_residents, total.reached_residents, total.visited_residents) == (8, 4, 3)
    assert total.visit_rate == 0.5
    assert total.resident_coverage == 0.375 <= total.visit_rate
    assert (total.target, total.visited, total.phone_contacted, total.not_home) == (7, 2, 1, 1)


def test_the_cli_json_carries_visit_rate_beside_coverage(app, city):
    result = gridcare(
        app, "report", "coverage", "--area", city["district"].code, "--period", "2026-10"
    )
    assert result.exit_code == 0, result.output
    total = json.loads(result.output)["total"]
    assert (total["visit_rate"], total["coverage"]) == (50.0, 28.6)
    assert (total["target_residents"], total["reached_residents"]) == (8, 4)
    (grid,) = [c for c in json.loads(result.output)["children"] if c["target_residents"]]
    assert grid["visit_rate"] == 50.0


def test_the_page_csv_and_xlsx_show_the_visit_rate(client, login, make, city):
    login(make.user("civil_affairs", areas=[city["district"]]))
    query = f"area={city['district'].id}&period=2026-10"
    en = {"Accept-Language": "en"}

    page = client.get(f"/reports/coverage?{query}", headers=en).get_data(as_text=True)
    assert "Monthly visit rate" in page and "4 / 8 (50.0%)" in page
    assert "in person, by phone or by video" in page

    csv = client.get(f"/reports/coverage.csv?{query}", headers=en).get_data(as_text=True)
    header, *rows = [line.split(",") for line in csv.splitlines() if line]
    at = next(i for i, label in enumerate(rows[0]) if label == "Monthly visit rate %")
    total_row = next(r for r in rows if r[0] == "Total")
    assert total_row[at] == "50.0"

    book = load_workbook(BytesIO(client.get(f"/reports/coverage.xlsx?{query}", headers=en).data))
    sheet = book.worksheets[0]
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    head = next(r for r in cells if "Monthly visit rate %" in r)
    total_row = next(r for r in cells if r[0] == "Total")
    assert total_row[head.index("Monthly visit rate %")] == 50.0
