import datetime
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import bounds, dunning, forecast

TODAY = datetime.date(2026, 6, 30)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, True),
        (False, True),
        (None, True),
        (100, True),
        (100.0001, False),
        (-0.01, False),
        (math.nan, False),
        (math.inf, False),
        (-math.inf, False),
        (2**31, False),
        (10**400, False),
        ("12", True),
        ("1e400", False),
        ("nan", False),
        ("twelve", False),
        ([], True),
    ],
)
def test_within_percent(value, expected):
    assert bounds.within(value, 0, bounds.MAX_PERCENT) is expected


def test_within_amounts_and_huge_values():
    assert bounds.within(bounds.MAX_AMOUNT, 0, bounds.MAX_AMOUNT)
    assert not bounds.within(1e12, 0, bounds.MAX_AMOUNT)
    assert not bounds.within(1e300, 0, bounds.MAX_AMOUNT)
    assert bounds.within(-3650, -bounds.MAX_DAYS, bounds.MAX_DAYS)
    assert not bounds.within(2**31 - 1, 0, bounds.MAX_DAYS)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_within_only_accepts_finite_numbers_in_range(value):
    assert bounds.within(value, -1e6, 1e6) == (math.isfinite(value) and -1e6 <= value <= 1e6)


@pytest.mark.parametrize(
    ("day", "days", "expected"),
    [
        (TODAY, 3, datetime.date(2026, 7, 3)),
        (TODAY, -30, datetime.date(2026, 5, 31)),
        (datetime.date.max, 3, datetime.date.max),
        (datetime.date(9999, 12, 29), 3650, datetime.date.max),
        (datetime.date.min, -1, datetime.date.min),
    ],
)
def test_add_days_never_overflows(day, days, expected):
    assert bounds.add_days(day, days) == expected


def test_date_within():
    assert bounds.date_within(None, bounds.MIN_DATE, TODAY)
    assert bounds.date_within(TODAY, bounds.MIN_DATE, TODAY)
    assert not bounds.date_within(datetime.date(1, 1, 1), bounds.MIN_DATE, TODAY)
    assert not bounds.date_within(TODAY + datetime.timedelta(days=1), bounds.MIN_DATE, TODAY)


def test_promise_of_year_9999_stays_pending_without_crashing():
    far = datetime.date.max
    assert dunning.promise_outcome(100.0, 0.0, far, TODAY, grace_days=3) == "pending"
    assert dunning.promise_outcome(100.0, 0.0, far, far, grace_days=3) == "pending"


def test_invoice_promised_in_year_9999_is_skipped_without_crashing():
    item = dunning.Invoice(
        key=1, due_date=TODAY - datetime.timedelta(days=40), amount_due=100.0, promised_until=datetime.date.max
    )
    assert dunning.skip_reason(item, TODAY, grace_days=3) == dunning.SKIP_PROMISED
    levels = [dunning.Level(key=1, offset_days=10)]
    plan = dunning.plan_customer([item], levels, TODAY, grace_days=3650)
    assert not plan.send
    assert plan.skipped == {1: dunning.SKIP_PROMISED}


def test_expected_payment_date_near_the_end_of_time():
    assert forecast.expected_payment_date(datetime.date(9999, 12, 30), 45.0) == datetime.date.max


@pytest.mark.parametrize(
    ("amount", "promised_date", "reason"),
    [
        (100.0, datetime.date.max, "far"),
        (100.0, TODAY + datetime.timedelta(days=bounds.MAX_DAYS + 1), "far"),
        (math.nan, TODAY, "amount"),
        (math.inf, TODAY, "amount"),
        (-math.inf, TODAY, "amount"),
        (-5.0, TODAY, "amount"),
    ],
)
def test_validate_promise_refuses_far_dates_and_non_finite_amounts(amount, promised_date, reason):
    with pytest.raises(ValueError, match=reason):
        dunning.validate_promise(amount, promised_date, 1000.0, TODAY)


def test_validate_promise_accepts_the_last_allowed_day():
    dunning.validate_promise(100.0, TODAY + datetime.timedelta(days=bounds.MAX_DAYS), 1000.0, TODAY)
