import pytest

from gridcare.reports.periods import PeriodError, parse


@pytest.mark.parametrize("text", ["9999-12", "9999-Q4", "0001", "0001-01-01..0001-01-05"])
def test_period_far_outside_the_records_is_refused_with_a_message(app, text):
    with app.test_request_context(), pytest.raises(PeriodError) as refused:
        parse(text)
    assert "1950" in str(refused.value.message)


@pytest.mark.parametrize("text", ["1950", "1950-01", "1950-Q1", "1950-01-01..1950-01-05"])
def test_the_earliest_periods_have_a_previous_period(app, text):
    with app.test_request_context():
        period = parse(text)
        assert period.previous().end < period.start
