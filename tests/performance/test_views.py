"""The performance pages through the test client: who sees what, forms, links, export."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from gridcare.extensions import db
from gridcare.performance.models import Indicator, IndicatorSet, PointAdjustment, Rating

EN = {"Accept-Language": "en"}
Q3 = "quarter=2026-Q3"


def html(response) -> str:
    return response.get_data(as_text=True)


def test_officer_sees_score_rank_and_every_indicator_with_links(quarter, client, login):
    community = quarter["tree"]["community1"]
    login(quarter["officer"])
    page = client.get(f"/performance/areas/{community.id}?{Q3}", headers=EN)
    text = html(page)
    assert page.status_code == 200
    assert text.index("网格员甲") < text.index("网格员乙")
    assert "81.3" in text and "65.9" in text
    for name in ("按时走访", "走访覆盖", "隐患按期整改", "工作态度"):
        assert name in text
    w1 = quarter["w1"]
    assert f"/performance/workers/{w1.id}?quarter=2026-Q3#indicator-" in text
    assert f"/performance/workers/{w1.id}?quarter=2026-Q3#points-given" in text

    own = html(client.get(f"/performance/workers/{w1.id}?{Q3}", headers=EN))
    assert "雨夜排查独居老人燃气隐患" in own and f"/hazards/{quarter['hazard'].id}" in own
    assert "3 / 4 = 75.0 %" in own
    assert f"/performance/workers/{w1.id}/records/2026-07/timeliness" in own
    assert "away from the home" in own  # shown to the officer, never deducted

    tasks = client.get(f"/performance/workers/{w1.id}/records/2026-07/timeliness", headers=EN)
    assert tasks.status_code == 200 and html(tasks).count("/visits/") >= 4
    ratings = client.get(
        f"/performance/workers/{w1.id}/records/2026-07/rating?indicator={quarter['rating'].id}",
        headers=EN,
    )
    assert "社区书记" in html(ratings) and "街道领导" in html(ratings)
    far = client.get(f"/performance/workers/{w1.id}/records/2026-07/far_check_ins", headers=EN)
    assert "2400 m from the home" in html(far)


def test_a_worker_sees_their_own_page_and_the_communitys_table_only(quarter, client, login):
    w1, w2, w3 = quarter["w1"], quarter["w2"], quarter["w3"]
    tree = quarter["tree"]
    login(w2)
    table = html(client.get(f"/performance/areas/{tree['community1'].id}?{Q3}", headers=EN))
    assert "网格员甲" in table and "81.3" in table
    assert f"/performance/workers/{w1.id}" not in table  # others' figures, not their records
    assert f"/performance/workers/{w2.id}" in table
    mine = html(client.get(f"/performance/workers/{w2.id}?{Q3}", headers=EN))
    assert "65.9" in mine and "Add a bonus" not in mine
    assert "away from the home" not in mine
    assert client.get(f"/performance/workers/{w1.id}?{Q3}").status_code == 404
    assert (
        client.get(f"/performance/workers/{w2.id}/records/2026-07/far_check_ins").status_code == 404
    )
    assert client.get(f"/performance/areas/{tree['community2'].id}").status_code == 404
    assert client.get(f"/performance/areas/{tree['street1'].id}").status_code == 404
    assert client.get(f"/performance/workers/{w3.id}").status_code == 404
    assert client.post(f"/performance/workers/{w2.id}/points", data={}).status_code == 403


def test_the_street_leader_sees_the_street(quarter, client, login):
    login(quarter["leader"])
    page = client.get(f"/performance/areas/{quarter['tree']['street1'].id}?{Q3}", headers=EN)
    assert page.status_code == 200 and "网格员乙" in html(page) and "网格员丙" not in html(page)
    other = client.get(f"/performance/areas/{quarter['tree']['community2'].id}?{Q3}")
    assert other.status_code == 404


def test_officer_adds_points_with_a_basis_and_a_refusal_changes_nothing(quarter, client, login):
    w2 = quarter["w2"]
    login(quarter["officer"])
    added = client.post(
        f"/performance/workers/{w2.id}/points?{Q3}",
        data={
            "month": "2026-09",
            "kind": "bonus",
            "points": "2.5",
            "reason": "协助处置独居老人摔倒",
            "basis_kind": "hazard",
            "basis_id": str(quarter["hazard"].id),
        },
    )
    assert added.status_code == 302
    row = db.session.scalar(select(PointAdjustment).where(PointAdjustment.worker_id == w2.id))
    assert (row.points, row.basis_id) == (2.5, quarter["hazard"].id)

    over = client.post(
        f"/performance/workers/{w2.id}/points?{Q3}",
        data={"month": "2026-09", "kind": "bonus", "points": "3", "reason": "再加"},
        headers=EN,
    )
    assert over.status_code == 400 and "At most 5.0 points a month" in html(over)
    no_reason = client.post(
        f"/performance/workers/{w2.id}/points?{Q3}",
        data={"month": "2026-09", "kind": "deduction", "points": "1", "reason": ""},
        headers=EN,
    )
    assert no_reason.status_code == 400
    future = client.post(
        f"/performance/workers/{w2.id}/points?{Q3}",
        data={"month": "2027-01", "kind": "bonus", "points": "1", "reason": "x"},
        headers=EN,
    )
    assert "not begun" in html(future)
    count = db.session.query(PointAdjustment).filter_by(worker_id=w2.id).count()
    assert count == 1


def test_officer_rates_a_worker_and_a_rating_above_full_mark_is_refused(quarter, client, login):
    w2, rating = quarter["w2"], quarter["rating"]
    login(quarter["officer"])
    saved = client.post(
        f"/performance/workers/{w2.id}/ratings?{Q3}",
        data={"month": "2026-08", "indicator": rating.id, "value": "7"},
    )
    assert saved.status_code == 302
    refused = client.post(
        f"/performance/workers/{w2.id}/ratings?{Q3}",
        data={"month": "2026-08", "indicator": rating.id, "value": "11"},
        headers=EN,
    )
    assert refused.status_code == 400 and "A rating is from 0 to 10" in html(refused)
    values = db.session.scalars(
        select(Rating.value).where(Rating.worker_id == w2.id, Rating.month == "2026-08")
    ).all()
    assert values == [7.0]
    page = html(client.get(f"/performance/workers/{w2.id}?{Q3}", headers=EN))
    assert "7.0" in page


def test_admin_defines_a_set_and_bad_input_is_shown_by_its_field(make, client, login, test_day):
    login(make.user("admin"))
    created = client.post(
        "/performance/sets",
        data={
            "name": "2027年上半年",
            "year": "2027",
            "half": "1",
            "bonus_limit": "5",
            "deduction_limit": "10",
            "copy_from": "0",
        },
    )
    assert created.status_code == 302
    chosen = db.session.scalar(select(IndicatorSet).where(IndicatorSet.name == "2027年上半年"))
    added = client.post(
        f"/performance/sets/{chosen.id}/indicators",
        data={
            "kind": "key",
            "name": "急难任务",
            "source": "rating",
            "weight": "20",
            "full_mark": "10",
            "officer_weight": "60",
            "street_leader_weight": "40",
        },
    )
    assert added.status_code == 302
    no_rater = client.post(
        f"/performance/sets/{chosen.id}/indicators",
        data={
            "kind": "common",
            "name": "评分",
            "source": "rating",
            "weight": "10",
            "full_mark": "10",
        },
        headers=EN,
    )
    assert no_rater.status_code == 400 and "at least one rater" in html(no_rater)
    zero = client.post(
        f"/performance/sets/{chosen.id}/indicators",
        data={
            "kind": "common",
            "name": "覆盖",
            "source": "coverage",
            "weight": "0",
            "full_mark": "100",
        },
    )
    assert zero.status_code == 400
    stored = db.session.scalars(select(Indicator).where(Indicator.set_id == chosen.id)).all()
    assert [(i.name, i.rater_weights) for i in stored] == [
        ("急难任务", {"officer": 60, "street_leader": 40})
    ]
    past = client.post(
        "/performance/sets",
        data={
            "name": "旧",
            "year": "2025",
            "half": "1",
            "bonus_limit": "5",
            "deduction_limit": "10",
            "copy_from": "0",
        },
        headers=EN,
    )
    assert past.status_code == 400 and "current half year or later" in html(past)
    assert client.get(f"/performance/sets/{chosen.id}", headers=EN).status_code == 200


def test_only_admins_edit_sets_and_close_quarters(quarter, client, login):
    login(quarter["officer"])
    assert client.get("/performance/sets").status_code == 403
    assert client.post("/performance/quarters/2026-Q3/close").status_code == 403


def test_closing_and_reopening_through_the_pages(quarter, client, login):
    community = quarter["tree"]["community1"]
    login(quarter["admin"])
    closed = client.post(
        "/performance/quarters/2026-Q3/close",
        data={"area": community.id},
        follow_redirects=True,
        headers=EN,
    )
    assert "Closed: these results are frozen" in html(closed)
    no_reason = client.post("/performance/quarters/2026-Q3/reopen", data={"reason": ""})
    assert no_reason.status_code == 400
    reopened = client.post(
        f"/performance/quarters/2026-Q3/reopen?area={community.id}",
        data={"reason": "复核"},
        follow_redirects=True,
        headers=EN,
    )
    assert "Open: the figures follow the records" in html(reopened)


def test_the_table_downloads_as_xlsx(quarter, client, login, new_events):
    community = quarter["tree"]["community1"]
    login(quarter["officer"])
    response = client.get(f"/performance/areas/{community.id}.xlsx?{Q3}", headers=EN)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
    rows = list(sheet.values)
    assert rows[2][:4] == (1, 1, "网格员甲", 81.3)
    assert new_events("export", "performance")


def test_a_bad_quarter_is_shown_by_the_field(quarter, client, login):
    login(quarter["officer"])
    page = client.get(
        f"/performance/areas/{quarter['tree']['community1'].id}?quarter=2026-13", headers=EN
    )
    assert page.status_code == 400 and "has-error" in html(page)


def _table_queries(client, count_queries, community) -> int:
    with count_queries() as counted:
        assert client.get(f"/performance/areas/{community.id}?{Q3}").status_code == 200
    return counted.n


def test_the_table_makes_as_many_queries_for_six_workers_as_for_two(
    quarter, client, login, make, count_queries
):
    community = quarter["tree"]["community1"]
    login(quarter["officer"])
    _table_queries(client, count_queries, community)  # the first request loads the catalog
    two = _table_queries(client, count_queries, community)
    for _ in range(4):
        make.user("grid_worker", areas=[quarter["tree"]["grid2"]])
    _table_queries(client, count_queries, community)  # the commits above expired the session
    assert _table_queries(client, count_queries, community) == two


HOSTILE = ["", " ", "\x00", "-1", "1e400", "NaN", "inf", "9" * 40, "2147483648", "x" * 600]


def test_hostile_values_in_the_officers_forms_are_refused_by_their_field(quarter, client, login):
    w2 = quarter["w2"]
    login(quarter["officer"])
    valid_points = {"month": "2026-09", "kind": "bonus", "points": "1", "reason": "理由"}
    valid_rating = {"month": "2026-09", "indicator": str(quarter["rating"].id), "value": "5"}
    for url, valid in (
        (f"/performance/workers/{w2.id}/points", valid_points),
        (f"/performance/workers/{w2.id}/ratings", valid_rating),
    ):
        for name in [*valid, "basis_kind", "basis_id"]:
            for value in HOSTILE:
                response = client.post(url, data={**valid, name: value})
                assert response.status_code in (302, 400), (url, name, value)
    given = db.session.scalars(select(PointAdjustment.points).filter_by(worker_id=w2.id)).all()
    assert sum(given) <= 5  # the set's monthly limit held whatever was sent


def test_hostile_values_in_the_admins_forms_are_refused_by_their_field(quarter, client, login):
    login(quarter["admin"])
    chosen = quarter["set"]
    valid = {
        "kind": "common",
        "name": "覆盖",
        "source": "coverage",
        "weight": "10",
        "full_mark": "100",
    }
    for name in [*valid, "officer_weight", "street_leader_weight"]:
        for value in HOSTILE:
            response = client.post(
                f"/performance/sets/{chosen.id}/indicators", data={**valid, name: value}
            )
            assert response.status_code in (302, 400), (name, value)
    for name in ("name", "year", "half", "bonus_limit", "deduction_limit", "copy_from"):
        for value in HOSTILE:
            data = {
                "name": "新",
                "year": "2027",
                "half": "2",
                "bonus_limit": "5",
                "deduction_limit": "5",
                "copy_from": "0",
                name: value,
            }
            assert client.post("/performance/sets", data=data).status_code in (302, 400)
    for value in HOSTILE:
        assert client.post(
            "/performance/quarters/2026-Q3/reopen", data={"reason": value}
        ).status_code in (400, 302)
        assert client.get(
            f"/performance/areas/{quarter['tree']['community1'].id}?quarter={value}"
        ).status_code in (200, 400)


def test_every_figure_has_a_records_page(quarter, client, login):
    w1 = quarter["w1"]
    login(quarter["officer"])
    base = f"/performance/workers/{w1.id}/records/2026-07"
    coverage = html(client.get(f"{base}/coverage", headers=EN))
    assert coverage.count("Reached in person") == 1 and coverage.count("Not reached yet") == 1
    hazards = html(client.get(f"{base}/hazards_in_time", headers=EN))
    assert hazards.count("counts in the worker’s favour") == 1
    assert hazards.count("does not count yet") == 1
    follow_ups = html(client.get(f"{base}/follow_ups", headers=EN))
    assert f"/hazards/{quarter['hazard'].id}" in follow_ups
    assert follow_ups.count("does not count yet") == 1  # the late one had no follow-up
    for what in ("safety_coverage", "urgent_visits_in_time"):
        assert client.get(f"{base}/{what}").status_code == 200
    assert client.get(f"{base}/mileage").status_code == 404
    assert client.get(f"/performance/workers/{w1.id}/records/2026-13/coverage").status_code == 404
