"""The renovation report against a fixture counted by hand:

community1's 2026 programme has eight homes —
  A surveyed; B assessed; C planned (est. 4000); D under construction (est. 4000);
  E accepted (est. 4000, spent 3000), satisfied, then "not satisfied" on a follow-up
    (so followed up, and its latest answer counts);
  F accepted (est. 3000, spent 2000), basically satisfied;
  G accepted (est. 4000, spent 3000), satisfied;
  H declined.
planned = C D E F G = 5, accepted = E F G = 3 → completion 3/5 = 60.0 %;
answered = E F G = 3, satisfied or basically = F G = 2 → satisfaction 2/3 = 66.7 %;
cost planned = 4000 × 4 + 3000 = 19000; spent = 3000 + 2000 + 3000 = 8000.
community2 has one accepted home in its own programme, and a 2025 programme in community1
one more: the district's 2026 figures take the first, no 2026 figure takes the second.
"""

import json
from decimal import Decimal

import pytest

from gridcare.accounts.services import actor_for
from gridcare.extensions import db
from gridcare.renovation import services
from gridcare.renovation.models import RenovationCase, Satisfaction, Stage
from tests.renovation.conftest import walk


def _home(make, grid, address):
    household = make.household(grid, address=address)
    make.resident(household, disability_category=4, disability_grade=1)
    return household


def _case(officer, programme, household) -> RenovationCase:
    services.add_cases(actor_for(officer), programme, [household.id])
    return (
        db.session.query(RenovationCase)
        .filter_by(programme_id=programme.id, household_id=household.id)
        .one()
    )


@pytest.fixture
def counted(make, people, programme, test_day):
    tree, officer = people["tree"], people["officer"]
    plan = {
        "A": (Stage.surveyed, "3000", None),
        "B": (Stage.assessed, "3000", None),
        "C": (Stage.planned, "3000", None),
        "D": (Stage.under_construction, "3000", None),
        "E": (Stage.accepted, "3000", Satisfaction.satisfied),
        "F": (Stage.accepted, "2000", Satisfaction.basically_satisfied),
        "G": (Stage.accepted, "3000", Satisfaction.satisfied),
        "H": (Stage.declined, "3000", None),
    }
    for letter, (stage, cost, answer) in plan.items():
        case = _case(officer, programme, _home(make, tree["grid1"], f"计数路{letter}号"))
        walk(officer, case, stage, cost=cost, answer=answer)
    services.request_follow_up_round(
        actor_for(officer), programme, due_date=test_day, today=test_day
    )
    row = next(
        r
        for r in services.open_follow_ups(actor_for(officer).scope, test_day)
        if r.household.address == "计数路E号"
    )
    services.answer_follow_up(
        actor_for(people["worker"]),
        row.follow_up,
        row.household,
        answer=services.Answer(Satisfaction.not_satisfied, "门槛太高"),
    )
    other = people["other_officer"]
    theirs = services.open_programme(
        actor_for(other), tree["community2"], year=2026, name="朝阳", budget=Decimal(50000)
    )
    walk(other, _case(other, theirs, _home(make, tree["grid3"], "朝阳路1号")), Stage.accepted)
    old = services.open_programme(
        actor_for(officer), tree["community1"], year=2025, name="旧", budget=Decimal(1)
    )
    walk(officer, _case(officer, old, _home(make, tree["grid1"], "旧路1号")), Stage.accepted)
    return people


def test_the_report_matches_the_hand_count(counted, programme):
    report = services.renovation_report(counted["tree"]["community1"], 2026)
    assert report.by_stage == {
        Stage.surveyed: 1,
        Stage.assessed: 1,
        Stage.planned: 1,
        Stage.under_construction: 1,
        Stage.accepted: 2,
        Stage.followed_up: 1,
        Stage.declined: 1,
    }
    assert (report.planned, report.accepted) == (5, 3)
    assert report.completion_rate == pytest.approx(0.6)
    assert (report.answered, report.satisfied) == (3, 2)
    assert report.satisfaction_rate == pytest.approx(2 / 3)
    assert report.cost_planned == Decimal("19000")
    assert report.cost_spent == Decimal("8000")
    assert report.budget == Decimal("100000")
    one = services.renovation_report(counted["tree"]["community1"], 2026, programme)
    assert (one.by_stage, one.answers, one.cost_planned) == (
        report.by_stage,
        report.answers,
        report.cost_planned,
    )


def test_the_district_adds_the_other_community_and_no_other_year(counted):
    report = services.renovation_report(counted["tree"]["district"], 2026)
    assert (report.households, report.planned, report.accepted) == (9, 6, 4)
    assert (report.answered, report.satisfied) == (4, 3)
    assert report.budget == Decimal("150000")


def test_the_cli_gives_the_page_figures(counted, runner, client, login):
    code = counted["tree"]["community1"].code
    result = runner.invoke(
        args=["report", "renovation", "--area", code, "--year", "2026", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["completion_rate"] == 60.0
    assert figures["satisfaction_rate"] == 66.7
    assert figures["cost_planned"] == "19000.00" and figures["cost_spent"] == "8000.00"
    assert figures["by_stage"]["followed_up"] == 1
    login(counted["officer"])
    area_id = counted["tree"]["community1"].id
    page = client.get(f"/renovation/report?area={area_id}&year=2026").get_data(as_text=True)
    assert 'data-figure="completion_rate">60.0<' in page
    assert 'data-figure="satisfaction_rate">66.7<' in page


def test_the_exports_carry_the_same_figures(counted, client, login):
    login(counted["officer"])
    area_id = counted["tree"]["community1"].id
    csv = client.get(f"/renovation/report.csv?area={area_id}&year=2026")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    text = csv.get_data().decode("utf-8-sig")
    assert "60.0" in text and "66.7" in text and "19000.0" in text
    xlsx = client.get(f"/renovation/report.xlsx?area={area_id}&year=2026")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_cli_refuses_an_unknown_area_or_programme(runner, people):
    unknown = runner.invoke(args=["report", "renovation", "--area", "nowhere", "--year", "2026"])
    assert unknown.exit_code != 0 and "no area has this code" in unknown.output
    code = people["tree"]["community1"].code
    bad = runner.invoke(
        args=["report", "renovation", "--area", code, "--year", "2026", "--programme", "999"]
    )
    assert bad.exit_code != 0 and "no programme" in bad.output
    year = runner.invoke(args=["report", "renovation", "--area", code, "--year", "1850"])
    assert year.exit_code == 2


def test_the_cli_writes_csv_and_xlsx(counted, runner, tmp_path):
    code = counted["tree"]["community1"].code
    for fmt in ("csv", "xlsx"):
        target = tmp_path / f"r.{fmt}"
        result = runner.invoke(
            args=[
                "report",
                "renovation",
                "--area",
                code,
                "--year",
                "2026",
                "--format",
                fmt,
                "--output",
                str(target),
            ]
        )
        assert result.exit_code == 0 and target.stat().st_size > 0
