import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import dunning, payment_plan

D = datetime.timedelta
TODAY = datetime.date(2026, 1, 31)


def test_add_months_end_of_month():
    assert payment_plan.add_months(TODAY, 1) == datetime.date(2026, 2, 28)
    assert payment_plan.add_months(TODAY, 13) == datetime.date(2027, 2, 28)
    assert payment_plan.add_months(datetime.date(2026, 11, 15), 2) == datetime.date(2027, 1, 15)


def test_equal_instalments_worked_example():
    assert payment_plan.equal_instalments(1000.0, 3, TODAY) == [
        (datetime.date(2026, 1, 31), 333.33),
        (datetime.date(2026, 2, 28), 333.33),
        (datetime.date(2026, 3, 31), 333.34),
    ]


@given(st.integers(min_value=1, max_value=999_999_99), st.integers(min_value=1, max_value=120))
def test_equal_instalments_add_up(cents, count):
    total = cents / 100
    schedule = payment_plan.equal_instalments(total, count, TODAY)
    assert len(schedule) == count
    assert round(sum(amount for _date, amount in schedule), 2) == total
    if all(amount > 0 for _date, amount in schedule):
        payment_plan.validate_schedule(schedule, total, TODAY)


@pytest.mark.parametrize(
    ("schedule", "error"),
    [
        ([], "empty"),
        ([(TODAY, 500.0), (TODAY + D(days=30), 400.0)], "sum"),
        ([(TODAY, 500.0), (TODAY, 500.0)], "order"),
        ([(TODAY + D(days=30), 500.0), (TODAY, 500.0)], "order"),
        ([(TODAY - D(days=1), 500.0), (TODAY + D(days=30), 500.0)], "past"),
        ([(TODAY, 1000.0), (TODAY + D(days=30), 0.0)], "amount"),
        ([(TODAY, float("nan"))], "amount"),
    ],
)
def test_validate_schedule_refuses(schedule, error):
    with pytest.raises(ValueError, match=error):
        payment_plan.validate_schedule(schedule, 1000.0, TODAY)


def test_plan_outcome():
    schedule = [(TODAY, 400.0), (TODAY + D(days=30), 600.0)]
    assert payment_plan.next_due(schedule, 0.0) == TODAY
    assert payment_plan.next_due(schedule, 400.0) == TODAY + D(days=30)
    assert payment_plan.plan_outcome(schedule, 0.0, TODAY + D(days=3), grace_days=3) == "active"
    assert payment_plan.plan_outcome(schedule, 399.99, TODAY + D(days=4), grace_days=3) == "broken"
    assert payment_plan.plan_outcome(schedule, 400.0, TODAY + D(days=33), grace_days=3) == "active"
    assert payment_plan.plan_outcome(schedule, 1000.0, TODAY + D(days=400)) == "done"


def test_planned_invoice_skipped_until_next_instalment_and_grace():
    invoice = dunning.Invoice(key=1, due_date=TODAY - D(days=60), amount_due=100.0, planned_until=TODAY)
    assert dunning.skip_reason(invoice, TODAY + D(days=3), grace_days=3) == dunning.SKIP_PLANNED
    assert dunning.skip_reason(invoice, TODAY + D(days=4), grace_days=3) is None
