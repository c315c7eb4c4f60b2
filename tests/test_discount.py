import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import discount

DEADLINE = datetime.date(2026, 3, 11)


def test_worked_example_2_10_net_30():
    assert round(discount.nominal_annual_cost(2.0, 10, 30) * 100, 1) == 37.2
    assert round(discount.effective_annual_cost(2.0, 10, 30) * 100, 1) == 44.6
    assert discount.nominal_annual_cost(2.0, 10, 30) == pytest.approx(0.02 / 0.98 * 365 / 20)


def test_other_terms():
    # 1 % 10 net 60: 1/99 x 365/50 = 7.37 %
    assert discount.nominal_annual_cost(1.0, 10, 60) == pytest.approx(0.073737, abs=1e-6)
    assert discount.effective_annual_cost(1.0, 10, 60) == pytest.approx((1 + 1 / 99) ** (365 / 50) - 1)


@pytest.mark.parametrize(
    ("percent", "days", "net"),
    [(0, 10, 30), (-1, 10, 30), (100, 10, 30), (150, 10, 30), (2, 30, 30), (2, 31, 30), (2, 0, 30)],
)
def test_bad_terms_are_refused(percent, days, net):
    with pytest.raises(ValueError):
        discount.nominal_annual_cost(percent, days, net)
    with pytest.raises(ValueError):
        discount.effective_annual_cost(percent, days, net)


@given(
    st.floats(min_value=0.1, max_value=20),
    st.integers(min_value=1, max_value=60),
    st.integers(min_value=1, max_value=120),
)
def test_effective_cost_is_at_least_nominal_and_falls_with_a_longer_net_period(percent, days, extra):
    net = days + extra
    nominal = discount.nominal_annual_cost(percent, days, net)
    effective = discount.effective_annual_cost(percent, days, net)
    # Bernoulli: (1 + r)^n - 1 >= n r for n = 365 / (N - D) >= 1
    assert effective >= nominal * (1 - 1e-12)
    assert discount.nominal_annual_cost(percent, days, net + 1) < nominal


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (9, True), (10, False), (-1, False)])
def test_reminder_offset(offset, ok):
    if ok:
        discount.validate_reminder_offset(offset, 10)
    else:
        with pytest.raises(ValueError):
            discount.validate_reminder_offset(offset, 10)


@pytest.mark.parametrize(
    ("today", "residual", "due"),
    [
        (datetime.date(2026, 3, 7), 1000.0, False),  # before the reminder day
        (datetime.date(2026, 3, 8), 1000.0, True),  # 3 days before the deadline
        (datetime.date(2026, 3, 11), 1000.0, True),  # deadline day
        (datetime.date(2026, 3, 12), 1000.0, False),  # after the deadline: never
        (datetime.date(2026, 3, 9), 0.0, False),  # paid
        (datetime.date(2026, 3, 9), 400.0, False),  # partly paid
    ],
)
def test_reminder_due(today, residual, due):
    assert (
        discount.reminder_due(discount_date=DEADLINE, reminder_days=3, today=today, residual=residual, total=1000.0)
        is due
    )


def _outcome(paid, paid_on, today=datetime.date(2026, 4, 30)):
    return discount.outcome(
        total=1000.0, discount=20.0, paid=paid, last_payment_date=paid_on, discount_date=DEADLINE, today=today
    )


def test_outcomes():
    on_time = datetime.date(2026, 3, 10)
    late = datetime.date(2026, 3, 20)
    assert _outcome(980.0, on_time) == discount.DiscountOutcome("in_time", 0.0, 20.0)
    assert _outcome(1000.0, late) == discount.DiscountOutcome("missed", 0.0, 0.0)
    assert _outcome(980.0, late) == discount.DiscountOutcome("taken_late", 20.0, 0.0)
    assert _outcome(970.0, on_time) == discount.DiscountOutcome("over_deducted", 10.0, 0.0)
    assert _outcome(970.0, late) == discount.DiscountOutcome("over_deducted", 30.0, 0.0)
    assert _outcome(500.0, late) == discount.DiscountOutcome("unpaid", 0.0, 0.0)
    assert _outcome(0.0, None) == discount.DiscountOutcome("unpaid", 0.0, 0.0)
    assert _outcome(0.0, None, today=datetime.date(2026, 3, 1)) == discount.DiscountOutcome("open", 0.0, 0.0)


def test_days_gained_and_realised_cost():
    assert discount.days_gained(datetime.date(2026, 3, 31), datetime.date(2026, 3, 11)) == 20
    assert discount.days_gained(datetime.date(2026, 3, 31), datetime.date(2026, 4, 5)) == -5
    assert discount.realised_annual_cost(20.0, 1000.0, 20) == pytest.approx(discount.effective_annual_cost(2, 10, 30))
    assert discount.realised_annual_cost(20.0, 1000.0, 0) is None
    assert discount.realised_annual_cost(0.0, 1000.0, 20) is None
