"""Every coverage figure against a hand-built city with known answers (DESIGN.md)."""

import json
from datetime import date, datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gridcare.audit.models import AuditEvent
from gridcare.extensions import db
from gridcare.hazards.models import Hazard, HazardCategory, HazardStatus, Severity
from gridcare.registry.models import ResidentStatus
from gridcare.reports.coverage import coverage, coverage_page, unvisited_households
from gridcare.reports.periods import parse
from gridcare.visits.models import Visit, VisitKind, VisitMethod, VisitStatus

pytestmark = pytest.mark.usefixtures("test_day")
OCTOBER = parse("2026-10")
LONG_AGO = datetime(2025, 1, 1)
EN = {"Accept-Language": "en"}


def utc(y, m, d, hour=2):
    """A stored (naive UTC) time; 02:00 UTC is 10:00 in Shanghai."""
    return datetime(y, m, d, hour)


def visit(household, kind, status, due, window_end, completed=None, method=VisitMethod.in_person):
    row = Visit(
        household_id=household.id,
        kind=kind,
        status=status,
        due_date=due,
        window_end=window_end,
        completed_at=completed,
        method=method if completed else None,
    )
    db.session.add(row)
    return row


def hazard(household, category, severity, reported, deadline, closed=None):
    row = Hazard(
        household_id=household.id,
        category=category,
        severity=severity,
        description="x",
        reported_at=reported,
        deadline=deadline,
        status=HazardStatus.closed if closed else HazardStatus.open,
        closed_at=closed,
    )
    db.session.add(row)
    return row


@pytest.fixture
def city(make):
    tree = make.tree()
    worker1 = make.user("grid_worker", areas=[tree["grid1"]], full_name="一号网格员")
    make.user("grid_worker", areas=[tree["grid3"]], full_name="三号网格员")

    def home(grid, **resident):
        household = make.household(tree[grid], created_at=LONG_AGO)
        make.resident(household, created_at=LONG_AGO, **resident)
        return household

    h1 = home("grid1", birth_date=date(1940, 1, 1), lives_alone=True)  # 86, alone
    h2 = home("grid1", birth_date=date(1961, 1, 1), empty_nest=True)  # 65, empty nest
    h3 = home("grid1", birth_date=date(1986, 1, 1))  # 40: not a target
    h4 = home(
        "grid2",
        birth_date=date(1956, 1, 1),
        status=ResidentStatus.moved_out,
        status_date=date(2026, 9, 15),
    )
    h5 = home(
        "grid2",
        birth_date=date(1954, 1, 1),
        status=ResidentStatus.moved_out,
        status_date=date(2026, 11, 10),
    )  # still there at the end of October
    h6 = home("grid3", birth_date=date(1996, 1, 1), disability_category=4, disability_grade=2)

    hv, sc = VisitKind.home_visit, VisitKind.safety_check
    done, missed, not_home = VisitStatus.done, VisitStatus.missed, VisitStatus.not_home
    visit(h1, hv, done, date(2026, 10, 5), date(2026, 10, 8), utc(2026, 10, 5))
    visit(h1, sc, done, date(2026, 10, 10), date(2026, 10, 17), utc(2026, 10, 10))
    visit(h2, hv, not_home, date(2026, 10, 3), date(2026, 10, 6), utc(2026, 10, 3))
    visit(
        h2,
        hv,
        done,
        date(2026, 10, 12),
        date(2026, 10, 15),
        utc(2026, 10, 12),
        method=VisitMethod.phone,
    )
    visit(h3, hv, done, date(2026, 10, 7), date(2026, 10, 7), utc(2026, 10, 7))
    visit(h5, hv, missed, date(2026, 10, 13), date(2026, 10, 20))
    visit(h5, hv, done, date(2026, 10, 22), date(2026, 10, 25), utc(2026, 10, 27))
    # 23:30 on 31 October in Shanghai is October; 00:30 on 1 November is not.
    visit(h6, hv, done, date(2026, 10, 31), date(2026, 11, 3), datetime(2026, 10, 31, 15, 30))
    visit(h6, sc, done, date(2026, 11, 1), date(2026, 11, 3), datetime(2026, 10, 31, 16, 30))

    hazard(
        h6,
        HazardCategory.fire,
        Severity.minor,
        utc(2026, 10, 2),
        date(2026, 10, 17),
        closed=utc(2026, 10, 10),
    )
    hazard(h1, HazardCategory.gas, Severity.major, utc(2026, 10, 20), date(2026, 10, 23))
    hazard(
        h5,
        HazardCategory.fall,
        Severity.minor,
        utc(2026, 9, 28),
        date(2026, 10, 13),
        closed=utc(2026, 10, 30),
    )
    db.session.commit()
    return {"tree": tree, "worker1": worker1, "h": [None, h1, h2, h3, h4, h5, h6]}


def test_every_october_figure_matches_the_hand_count(city):
    total = coverage(city["tree"]["district"], OCTOBER).total
    assert total.target == 4  # h1, h2, h5, h6
    # h1, h5 (done late still reaches them) and h6 (31 Oct 23:30 local is October).
    assert (total.visited, total.coverage) == (3, 0.75)
    assert (total.phone_contacted, total.not_home) == (1, 1)  # h2 apart
    assert (total.checked, total.safety_coverage) == (1, 0.25)  # h6's check fell in November
    # In time: h1's visit and check, h2's phone call, h3's extra visit; h5 late and missed.
    assert (total.on_time, total.late, total.missed) == (4, 1, 1)
    assert total.timeliness == pytest.approx(4 / 6)
    assert total.hazards_found == 2
    assert total.hazards_by_kind == {"fire/minor": 1, "gas/major": 1}
    assert (total.hazards_closed, total.hazards_closed_in_time) == (2, 1)
    assert total.closed_in_time_share == 0.5
    assert total.median_days_to_close == 20  # 8 and 32 days
    assert (total.hazards_open_at_end, total.hazards_open_past_deadline) == (1, 1)
    assert (total.living_alone, total.empty_nest, total.disabled) == (1, 1, 1)
    assert total.disabled_by_category == {"4": 1}
    assert total.disabled_by_grade == {"2": 1}


def test_breakdowns_by_child_area_and_by_worker(city):
    report = coverage(city["tree"]["district"], OCTOBER)
    streets = {row.label: row.figures for row in report.children}
    assert streets[city["tree"]["street1"].name].target == 3
    assert streets[city["tree"]["street1"].name].visited == 2
    assert streets[city["tree"]["street2"].name].target == 1
    workers = {row.label: row.figures for row in report.workers}
    assert workers["一号网格员"].target == 2  # grid1: h1, h2
    assert workers["三号网格员"].visited == 1
    assert workers["—"].target == 1  # grid2 has no worker: h5


def test_previous_period_and_not_yet_visited(city):
    september = OCTOBER.previous()
    assert september.key == "2026-09"
    assert coverage(city["tree"]["district"], september).total.target == 4  # h1 h2 h5 h6
    todo = unvisited_households(city["tree"]["grid1"], OCTOBER)
    assert [h.id for h in todo] == [city["h"][2].id]


def test_periods_parse_and_step_back():
    assert parse("2026-Q4").start == date(2026, 10, 1) and parse("2026-Q4").end == date(
        2026, 12, 31
    )
    assert parse("2026-Q1").previous().key == "2025-Q4"
    assert parse("2026").previous().key == "2025"
    assert parse("2026-11-01..2026-11-10").previous().key == "2026-10-22..2026-10-31"


def test_the_page_the_exports_and_the_cli_agree(city, client, login, make, runner):
    civil = make.user("civil_affairs", areas=[city["tree"]["district"]])
    login(civil)
    district = city["tree"]["district"]
    page = client.get(f"/reports/coverage?area={district.id}&period=2026-10", headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<svg" in html and "Coverage by area" in html
    assert "75.0%" in html

    xlsx = client.get(f"/reports/coverage.xlsx?area={district.id}&period=2026-10")
    book = load_workbook(BytesIO(xlsx.data))
    assert book.sheetnames == ["按区域", "按网格员"]  # Chinese is the default language
    rows = list(book["按区域"].iter_rows(values_only=True))
    assert rows[1][0] == "区域 / 网格员"
    total_row = next(r for r in rows if r[0] == "合计")
    assert total_row[1:4] == (4, 3, 75.0)

    csv = client.get(f"/reports/coverage.csv?area={district.id}&period=2026-10").data
    assert csv.startswith("\ufeff".encode())
    exports = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert len(exports) == 2

    result = runner.invoke(
        args=[
            "report",
            "coverage",
            "--area",
            district.code,
            "--period",
            "2026-10",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["total"]["target"] == 4
    assert figures["total"]["coverage"] == 75.0
    assert [c["target"] for c in figures["children"]] == [3, 1]


def test_civil_affairs_sees_no_area_outside_scope(city, client, login, make):
    street_user = make.user("civil_affairs", areas=[city["tree"]["street2"]])
    login(street_user)
    street1 = city["tree"]["street1"]
    assert client.get(f"/reports/coverage?area={street1.id}&period=2026-10").status_code == 404
    assert client.get(f"/reports/coverage.xlsx?area={street1.id}&period=2026-10").status_code == 404
    page = client.get("/reports/coverage?period=2026-10", headers=EN).get_data(as_text=True)
    assert street1.name not in page


def test_a_bad_period_is_refused_next_to_the_field(city, client, login, make):
    login(make.user("civil_affairs", areas=[city["tree"]["district"]]))
    page = client.get("/reports/coverage?period=2026-13", headers=EN)
    assert page.status_code == 200
    assert "This date does not exist." in page.get_data(as_text=True)


def test_timeliness_counts_only_windows_closed_by_today(make):
    tree = make.tree()
    home = make.household(tree["grid1"], created_at=LONG_AGO)
    hv, sc, done = VisitKind.home_visit, VisitKind.safety_check, VisitStatus.done
    visit(home, sc, done, date(2026, 10, 1), date(2026, 10, 3), utc(2026, 10, 2))
    visit(home, hv, done, date(2026, 10, 20), date(2026, 10, 25), utc(2026, 10, 5))  # early
    db.session.commit()
    district = tree["district"]
    # On 10 October the early visit's window is still open: nothing could be missed yet.
    mid = coverage(district, OCTOBER, today=date(2026, 10, 10)).total
    assert (mid.on_time, mid.late, mid.missed) == (1, 0, 0)
    assert coverage(district, OCTOBER, today=date(2026, 10, 25)).total.on_time == 1
    assert coverage(district, OCTOBER, today=date(2026, 10, 26)).total.on_time == 2


def test_a_range_its_previous_stretch_and_twelve_live_months_are_counted_in_one_pass(make):
    # A range that cuts across months: with the stretch before it and the trend's twelve
    # months, the visits fall into 15 stretches of time, more than one mask holds.
    tree = make.tree()
    home = make.household(tree["grid1"], created_at=LONG_AGO)
    make.resident(home, birth_date=date(1940, 1, 1), created_at=LONG_AGO)
    hv, done = VisitKind.home_visit, VisitStatus.done
    phone = VisitMethod.phone
    visit(home, hv, done, date(2025, 12, 15), date(2025, 12, 18), utc(2025, 12, 15), phone)
    for month in range(1, 12):
        day = date(2026, month, 15)
        visit(home, hv, done, day, day, utc(2026, month, 15))
    db.session.commit()
    asked = parse("2026-10-05..2026-11-20")

    page = coverage_page(tree["district"], asked, today=date(2026, 11, 30))

    assert [(m.key, f.visited, f.phone_contacted) for m, f in page.trend] == [
        ("2025-12", 0, 1),
        *((f"2026-{month:02d}", 1, 0) for month in range(1, 12)),
    ]
    assert (page.report.total.visited, page.report.total.phone_contacted) == (1, 0)
    assert page.previous.visited == 1  # 15 September, in 19 August .. 4 October
    # Two home visits' windows closed in the range (15 October and 15 November), in time.
    assert (page.report.total.on_time, page.report.total.late) == (2, 0)


def test_a_visit_done_before_the_period_counts_in_the_timeliness_of_the_window_it_closed(make):
    tree = make.tree()
    home = make.household(tree["grid1"], created_at=LONG_AGO)
    make.resident(home, birth_date=date(1940, 1, 1), created_at=LONG_AGO)
    # Done on 29 September; its window closed on 3 October.
    visit(
        home,
        VisitKind.home_visit,
        VisitStatus.done,
        date(2026, 9, 28),
        date(2026, 10, 3),
        utc(2026, 9, 29),
    )
    db.session.commit()

    total = coverage(tree["district"], OCTOBER).total

    assert (total.visited, total.on_time, total.late, total.missed) == (0, 1, 0, 0)


def test_a_months_page_shows_its_month_and_the_one_before_alike_in_the_trend(city):
    page = coverage_page(city["tree"]["district"], OCTOBER, today=date(2026, 11, 23))
    (september, before), (october, last) = page.trend[-2:]
    assert (september.key, october.key) == ("2026-09", "2026-10")
    assert (last.target, last.visited) == (page.report.total.target, 3)
    assert (before.target, before.visited) == (page.previous.target, page.previous.visited)


def test_the_previous_periods_registry_counts_leave_out_a_home_registered_after_it(make):
    # A resident moved into a new household in October: on September's register the
    # household did not exist yet, so September counts one person living alone, not two.
    tree = make.tree()
    old_home = make.household(tree["grid1"], created_at=LONG_AGO)
    make.resident(old_home, birth_date=date(1940, 1, 1), lives_alone=True, created_at=LONG_AGO)
    new_home = make.household(tree["grid1"], created_at=utc(2026, 10, 10))
    make.resident(new_home, birth_date=date(1941, 1, 1), lives_alone=True, created_at=LONG_AGO)
    db.session.commit()

    page = coverage_page(tree["district"], OCTOBER, today=date(2026, 11, 23))

    september = coverage(tree["district"], OCTOBER.previous()).total
    assert (september.target, september.living_alone) == (1, 1)
    assert (page.previous.target, page.previous.living_alone) == (1, 1)
    assert (page.report.total.target, page.report.total.living_alone) == (2, 2)
