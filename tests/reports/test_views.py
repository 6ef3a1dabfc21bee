"""Report pages given bad input: a message next to the field, never a server error."""

from datetime import date

import pytest

EN = {"Accept-Language": "en"}
OUT_OF_RANGE = ["9999-12", "9999-Q4", "0001", "0001-01-01..0001-01-05"]


@pytest.fixture
def district_reader(make, login):
    tree = make.tree()
    worker = make.user("grid_worker", areas=[tree["grid1"]])
    make.resident(make.household(tree["grid1"]), birth_date=date(1938, 1, 1), lives_alone=True)
    login(make.user("civil_affairs", areas=[tree["district"]]))
    return {"tree": tree, "worker": worker}


@pytest.mark.parametrize("period", OUT_OF_RANGE)
@pytest.mark.parametrize(
    "url",
    [
        "/reports/coverage",
        "/reports/coverage.csv",
        "/reports/coverage.xlsx",
        "/reports/coverage/unvisited",
        "/reports/scorecards",
        "/reports/scorecards/{worker}/tasks_due",
    ],
)
def test_a_period_outside_the_records_shows_its_message_next_to_the_period_field(
    client, district_reader, url, period
):
    url = url.format(worker=district_reader["worker"].id)
    response = client.get(url, query_string={"period": period}, headers=EN)
    assert response.status_code in (200, 400)
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "Choose a period between 1950 and 2100." in page
    assert f'value="{period}"' in page, "the period typed stays in its field"
