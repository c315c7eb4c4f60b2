"""Collection forecast: expected dates and weekly buckets."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import forecast

MONDAY = datetime.date(2026, 6, 29)


def test_delay_is_amount_weighted_and_early_payments_count_zero():
    payments = [
        (datetime.date(2026, 1, 31), datetime.date(2026, 2, 20), 3000.0),  # 20 days late
        (datetime.date(2026, 2, 28), datetime.date(2026, 2, 20), 1000.0),  # early: 0
    ]
    assert forecast.customer_delay(payments) == pytest.approx(15.0)
    assert forecast.customer_delay([]) == 0.0


def test_expected_date_promise_first_then_due_plus_delay():
    due = datetime.date(2026, 7, 10)
    assert forecast.expected_payment_date(due, 12.5) == datetime.date(2026, 7, 23)
    assert forecast.expected_payment_date(due, 12.4) == datetime.date(2026, 7, 22)
    promise = datetime.date(2026, 8, 1)
    assert forecast.expected_payment_date(due, 12.5, promise) == promise


def test_week_start_and_index():
    assert forecast.week_start(datetime.date(2026, 7, 2)) == MONDAY
    assert forecast.week_start(MONDAY) == MONDAY
    assert forecast.week_index(datetime.date(2026, 6, 1), MONDAY) == 0  # late: this week
    assert forecast.week_index(datetime.date(2026, 7, 5), MONDAY) == 0
    assert forecast.week_index(datetime.date(2026, 7, 6), MONDAY) == 1
    assert forecast.week_index(MONDAY + datetime.timedelta(days=7 * 13 - 1), MONDAY) == 12
    assert forecast.week_index(MONDAY + datetime.timedelta(days=7 * 13), MONDAY) == forecast.LATER


def test_weekly_forecast_worked_example():
    items = [
        (datetime.date(2026, 6, 10), 400.0),  # overdue on its forecast: this week
        (datetime.date(2026, 7, 1), 100.0),
        (datetime.date(2026, 7, 14), 250.0),  # week 2
        (datetime.date(2026, 12, 1), 1000.0),  # later
    ]
    result = forecast.weekly_forecast(items, MONDAY)
    assert list(result) == [*range(13), "later"]
    assert result[0] == 500.0
    assert result[2] == 250.0
    assert result["later"] == 1000.0
    assert sum(result.values()) == 1750.0


def test_past_week_totals_ignore_outside_items():
    items = [(datetime.date(2026, 6, 1), 10.0), (datetime.date(2026, 6, 9), 5.0), (datetime.date(2026, 7, 1), 99.0)]
    assert forecast.past_week_totals(items, datetime.date(2026, 6, 1), 2) == [10.0, 5.0]


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2028, 1, 1)),
            st.integers(min_value=-(10**8), max_value=10**8),
        ),
        max_size=40,
    )
)
def test_weeks_partition_the_total(items):
    cents = [(day, amount / 100) for day, amount in items]
    result = forecast.weekly_forecast(cents, MONDAY)
    assert round(sum(result.values()), 2) == round(sum(a for _, a in cents), 2)


# ----------------------------------------------------------------------
# Overdue items and doubtful receivables
# ----------------------------------------------------------------------

TODAY = datetime.date(2026, 6, 30)


def test_an_item_later_than_usual_is_expected_the_usual_delay_after_today():
    # pays 20 days late on average; due 1 June: expected 21 June, already past on 30 June
    assert forecast.expected_payment_date(datetime.date(2026, 6, 1), 20.0, today=TODAY) == datetime.date(2026, 7, 20)
    # due 20 June: expected 10 July, still ahead
    assert forecast.expected_payment_date(datetime.date(2026, 6, 20), 20.0, today=TODAY) == datetime.date(2026, 7, 10)
    # a customer who pays on time, 30 days late already: expected today
    assert forecast.expected_payment_date(datetime.date(2026, 5, 31), 0.0, today=TODAY) == TODAY
    # a promise wins
    promise = datetime.date(2026, 7, 3)
    assert forecast.expected_payment_date(datetime.date(2026, 1, 1), 5.0, promise, today=TODAY) == promise


@pytest.mark.parametrize(
    ("due", "delay", "expected"),
    [
        (datetime.date(2026, 4, 1), 0.0, False),  # 90 days late: at the threshold
        (datetime.date(2026, 3, 31), 0.0, True),  # 91 days
        (datetime.date(2026, 2, 9), 60.0, False),  # 141 days, 81 beyond a 60-day habit
        (datetime.date(2025, 9, 3), 0.0, True),  # 300 days
    ],
)
def test_doubtful_beyond_the_usual_delay_plus_threshold(due, delay, expected):
    assert forecast.is_doubtful(due, delay, TODAY, 90) is expected


def test_disputed_or_handed_over_is_doubtful_even_when_not_due():
    not_due = datetime.date(2026, 7, 31)
    assert not forecast.is_doubtful(not_due, 0.0, TODAY)
    assert forecast.is_doubtful(not_due, 0.0, TODAY, disputed=True)
    assert forecast.is_doubtful(not_due, 0.0, TODAY, handed_over=True)


def test_a_promise_keeps_a_late_item_expected_but_not_a_disputed_one():
    very_late = datetime.date(2025, 9, 3)
    assert not forecast.is_doubtful(very_late, 0.0, TODAY, promised=True)
    assert forecast.is_doubtful(very_late, 0.0, TODAY, promised=True, disputed=True)


def test_forecast_errors_worked_example():
    # forecast 100, 50, 80 against 80, 0, 100 collected
    errors = forecast.forecast_errors([(100.0, 80.0), (50.0, 0.0), (80.0, 100.0)])
    # MAPE skips the week with nothing collected: (20 / 80 + 20 / 100) / 2
    assert errors["mape"] == pytest.approx(22.5)
    # WAPE: (20 + 50 + 20) / 180
    assert errors["wape"] == pytest.approx(50.0)
    assert (errors["weeks"], errors["skipped"]) == (3, 1)


def test_forecast_errors_undefined_without_collections():
    assert forecast.forecast_errors([]) == {"mape": None, "wape": None, "weeks": 0, "skipped": 0}
    errors = forecast.forecast_errors([(10.0, 0.0)])
    assert (errors["mape"], errors["wape"], errors["skipped"]) == (None, None, 1)


@given(st.lists(st.tuples(st.floats(0, 1e6), st.floats(0, 1e6)), max_size=13))
def test_perfect_forecast_has_no_error(weeks):
    errors = forecast.forecast_errors([(actual, actual) for _expected, actual in weeks])
    assert errors["mape"] in (None, 0.0)
    assert errors["wape"] in (None, 0.0)
