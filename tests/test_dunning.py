import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import dunning

TODAY = datetime.date(2026, 6, 30)
D = datetime.timedelta
# courtesy 5 days before the due date, then 10, 30 (7 days after the previous one) and 60 days late
LEVELS = [
    dunning.Level(key=1, offset_days=-5),
    dunning.Level(key=2, offset_days=10),
    dunning.Level(key=3, offset_days=30, min_interval_days=7),
    dunning.Level(key=4, offset_days=60, min_interval_days=15),
]


def invoice(key, days_late, amount=100.0, **kwargs):
    return dunning.Invoice(key=key, due_date=TODAY - D(days=days_late), amount_due=amount, **kwargs)


@pytest.mark.parametrize(
    ("days_late", "expected"),
    [(-6, None), (-5, 0), (0, 0), (9, 0), (10, 1), (29, 1), (30, 2), (59, 2), (60, 3), (400, 3)],
)
def test_level_reached_boundaries(days_late, expected):
    assert dunning.level_reached(days_late, LEVELS) == expected


def test_level_order_does_not_depend_on_the_input_order():
    assert dunning.level_reached(35, list(reversed(LEVELS))) == 2


def test_validate_levels():
    dunning.validate_levels(LEVELS)
    with pytest.raises(ValueError, match="offset 10"):
        dunning.validate_levels([*LEVELS, dunning.Level(key=9, offset_days=10)])
    with pytest.raises(ValueError, match="negative"):
        dunning.validate_levels([dunning.Level(key=9, offset_days=3, min_interval_days=-1)])


def test_one_communication_at_the_highest_level_reached():
    plan = dunning.plan_customer(
        [invoice(11, 12, last_level=1), invoice(12, 45, last_level=2), invoice(13, -20)], LEVELS, TODAY
    )
    assert plan.send
    assert plan.level == 3
    assert plan.invoices == (11, 12)
    assert plan.levels == {11: 2, 12: 3}


def test_a_first_run_on_an_old_ledger_starts_at_the_first_level():
    # never reminded: the first reminder after the due date, whatever the days late
    plan = dunning.plan_customer([invoice(11, 12), invoice(12, 45), invoice(13, 300)], LEVELS, TODAY)
    assert plan.levels == {11: 2, 12: 2, 13: 2}
    assert plan.level == 2
    # the courtesy reminder only before the due date
    assert dunning.plan_customer([invoice(14, -3)], LEVELS, TODAY).levels == {14: 1}
    assert dunning.plan_customer([invoice(15, 5)], LEVELS, TODAY).levels == {}


@pytest.mark.parametrize(
    ("days_late", "last_offset", "expected"),
    [
        (-5, None, 0),  # courtesy, before the due date
        (3, None, None),  # late, but the first reminder comes at 10 days
        (3, -5, None),
        (45, None, 1),  # one level at a time
        (45, -5, 1),
        (45, 10, 2),
        (90, 10, 2),
        (90, 30, 3),
        (90, 60, 3),  # already at the last level
        (20, 60, 1),  # reminded higher under other levels: the level it reached
    ],
)
def test_level_for_item_one_level_at_a_time(days_late, last_offset, expected):
    assert dunning.level_for_item(days_late, LEVELS, last_offset) == expected


def test_skipping_levels_when_the_policy_allows_it():
    assert dunning.level_for_item(90, LEVELS, None, skip_levels=True) == 3
    assert dunning.level_for_item(3, LEVELS, None, skip_levels=True) is None
    plan = dunning.plan_customer([invoice(1, 45)], LEVELS, TODAY, skip_levels=True)
    assert plan.levels == {1: 3}


def test_nothing_new_nothing_sent():
    # both invoices were already reminded at the level they reach
    plan = dunning.plan_customer(
        [invoice(11, 12, last_level=2), invoice(12, 45, last_level=3)], LEVELS, TODAY, last_reminder=TODAY
    )
    assert not plan.send
    assert plan.skip_reason == dunning.SKIP_NOTHING_DUE


def test_same_day_rerun_sends_nothing_even_with_a_new_invoice():
    plan = dunning.plan_customer([invoice(11, 12, last_level=2), invoice(12, 10)], LEVELS, TODAY, last_reminder=TODAY)
    assert plan.skip_reason == dunning.SKIP_INTERVAL


def test_minimum_interval_since_the_previous_reminder():
    invoices = [invoice(11, 31, last_level=2)]
    too_soon = dunning.plan_customer(invoices, LEVELS, TODAY, last_reminder=TODAY - D(days=6))
    assert too_soon.skip_reason == dunning.SKIP_INTERVAL
    on_time = dunning.plan_customer(invoices, LEVELS, TODAY, last_reminder=TODAY - D(days=7))
    assert on_time.level == 3


def test_excluded_invoices():
    invoices = [
        invoice(1, 40, payment_state="paid"),
        invoice(2, 40, payment_state="in_payment"),
        invoice(3, 40, disputed=True),
        invoice(4, 40, promised_until=TODAY - D(days=2)),  # within 3 days of grace
        invoice(5, 40, promised_until=TODAY - D(days=4)),  # grace over
        invoice(6, 40, amount=0.0),
    ]
    plan = dunning.plan_customer(invoices, LEVELS, TODAY, grace_days=3)
    assert plan.invoices == (5,)
    assert plan.skipped == {
        1: dunning.SKIP_PAID,
        2: dunning.SKIP_IN_PAYMENT,
        3: dunning.SKIP_DISPUTED,
        4: dunning.SKIP_PROMISED,
        6: dunning.SKIP_PAID,
    }


def test_no_dunning_customer():
    plan = dunning.plan_customer([invoice(1, 40)], LEVELS, TODAY, no_dunning=True)
    assert plan.skip_reason == dunning.SKIP_NO_DUNNING
    assert not plan.invoices


def test_broken_promise_escalates_by_one_level_up_to_the_last():
    invoices = [invoice(1, 12, last_level=2), invoice(2, 70, last_level=4)]
    plan = dunning.plan_customer(invoices, LEVELS, TODAY, broken_promise=True, last_reminder=TODAY - D(days=20))
    assert plan.levels == {1: 3, 2: 4}
    assert plan.level == 4
    # an invoice not due yet and before any courtesy reminder gets the first level
    early = dunning.plan_customer([invoice(3, -30)], LEVELS, TODAY, broken_promise=True)
    assert early.level == 1


def test_levels_by_grade():
    levels = [
        dunning.Level(key=1, offset_days=-5, grades="ABC"),
        dunning.Level(key=2, offset_days=10),
        dunning.Level(key=5, offset_days=20, grades="DE"),
    ]
    assert [lv.key for lv in dunning.levels_for_grade(levels, "A")] == [1, 2]
    assert [lv.key for lv in dunning.levels_for_grade(levels, "E")] == [2, 5]
    assert [lv.key for lv in dunning.levels_for_grade(levels, None)] == [2]
    dunning.validate_grades("D, E")
    for bad in ("F", "DD", "A1"):
        with pytest.raises(ValueError):
            dunning.validate_grades(bad)


def test_levels_compare_by_offset_across_grades():
    # reminded at a level of grades A-C (offset 30); now graded E, whose level is at 20: nothing new
    offsets = {7: 30}
    levels = [dunning.Level(key=5, offset_days=20)]
    plan = dunning.plan_customer([invoice(1, 35, last_level=7)], levels, TODAY, offsets=offsets)
    assert not plan.send


def test_late_interest_worked_example():
    # 1,200.00 including taxes, 13.15 % a year, 45 days: 1200 x 0.1315 x 45 / 365 = 19.4547... -> 19.45
    assert dunning.late_interest(1200.0, 13.15, 45) == 19.45
    # 365 x 1.25 % x 1 / 365 = 0.0125 -> 0.01 (half-up at the cent, third decimal 2)
    assert dunning.late_interest(365.0, 1.25, 1) == 0.01
    assert dunning.late_interest(1460.0, 12.5, 1) == 0.5
    assert dunning.late_interest(730.0, 2.5, 1) == 0.05  # 0.05 exactly
    assert dunning.late_interest(1000.0, 10.0, 0) == 0.0
    assert dunning.late_interest(-5.0, 10.0, 10) == 0.0


def test_invoice_charges_fixed_once_and_interest_on_new_days_only():
    rows = [
        (1, TODAY - D(days=45), 1200.0, 0, False),  # first time: 45 days + 40 fixed
        (2, TODAY - D(days=45), 1200.0, 30, True),  # 15 more days, fixed already charged
        (3, TODAY - D(days=45), 1200.0, 45, True),  # nothing new
        (4, TODAY + D(days=3), 500.0, 0, False),  # not late
    ]
    charges = dunning.invoice_charges(rows, TODAY, annual_rate_percent=13.15, fixed_amount=40.0)
    assert charges == [
        dunning.Charge(key=1, interest_days=45, interest=19.45, fixed=40.0),
        dunning.Charge(key=2, interest_days=15, interest=6.48, fixed=0.0),
    ]
    assert charges[0].total == 59.45


def test_validate_promise():
    dunning.validate_promise(100.0, TODAY, 100.0, TODAY)
    with pytest.raises(ValueError, match="past"):
        dunning.validate_promise(100.0, TODAY - D(days=1), 500.0, TODAY)
    with pytest.raises(ValueError, match="too_much"):
        dunning.validate_promise(100.01, TODAY, 100.0, TODAY)
    with pytest.raises(ValueError, match="amount"):
        dunning.validate_promise(0.0, TODAY, 100.0, TODAY)


@pytest.mark.parametrize(
    ("amount", "days", "error"),
    [
        (25.0, 30, None),  # a quarter of 100 on the last day allowed
        (24.99, 30, "too_little"),
        (100.0, 31, "far"),
        (100.01, 1, "too_much"),
        (50.0, -1, "past"),
    ],
)
def test_validate_promise_policy_limits(amount, days, error):
    """The customer's own promise: at most ``max_days`` ahead, at least the policy's share of what is due."""
    args = (amount, TODAY + D(days=days), 100.0, TODAY)
    if error is None:
        dunning.validate_promise(*args, max_days=30, min_share_percent=25.0)
    else:
        with pytest.raises(ValueError, match=error):
            dunning.validate_promise(*args, max_days=30, min_share_percent=25.0)


def test_promise_min_amount():
    assert dunning.promise_min_amount(333.33, 10.0) == 33.33
    assert dunning.promise_min_amount(0.125, 100.0) == 0.13
    assert dunning.promise_min_amount(-5.0, 50.0) == 0.0


def test_promise_outcome():
    date = TODAY - D(days=2)
    assert dunning.promise_outcome(300.0, 300.0, date, TODAY) == "kept"
    assert dunning.promise_outcome(300.0, 299.99, date, TODAY, grace_days=2) == "pending"
    assert dunning.promise_outcome(300.0, 299.99, date, TODAY, grace_days=1) == "broken"


def test_priority():
    assert dunning.priority(1000.0, 30, "E") == 150000.0
    assert dunning.priority(1000.0, 30, None) == 90000.0
    assert dunning.priority(-5.0, 30, "A") == 0.0


@given(
    st.lists(st.integers(min_value=-60, max_value=400), min_size=1, max_size=8),
)
def test_plan_level_is_the_highest_invoice_level(days):
    invoices = [invoice(key, late) for key, late in enumerate(days)]
    plan = dunning.plan_customer(invoices, LEVELS, TODAY)
    reached = [dunning.level_for_item(late, LEVELS) for late in days]
    reached = [index for index in reached if index is not None]
    if not reached:
        assert not plan.send
    else:
        assert plan.level == LEVELS[max(reached)].key
        assert set(plan.levels.values()) <= {level.key for level in LEVELS}


@given(
    st.floats(min_value=0.01, max_value=1e7, allow_nan=False),
    st.floats(min_value=0.01, max_value=50, allow_nan=False),
    st.integers(min_value=1, max_value=2000),
)
def test_interest_grows_with_days(amount, rate, days):
    assert dunning.late_interest(amount, rate, days) <= dunning.late_interest(amount, rate, days + 1)


def test_a_hand_over_is_done_once():
    levels = [*LEVELS[:3], dunning.Level(key=4, offset_days=60, min_interval_days=15, hand_over=True)]
    earlier = TODAY - D(days=20)
    # invoice 11 was handed over; invoice 12 gets its reminder: a reminder, not the hand-over again
    plan = dunning.plan_customer(
        [invoice(11, 80, last_level=4), invoice(12, 10, last_level=1)], levels, TODAY, last_reminder=earlier
    )
    assert (plan.level, plan.invoices, plan.levels) == (2, (12,), {12: 2})
    assert plan.skipped == {11: dunning.SKIP_HANDED_OVER}
    # nothing else moved on, a broken promise included: nothing is sent
    for broken in (False, True):
        plan = dunning.plan_customer(
            [invoice(11, 80, last_level=4)], levels, TODAY, last_reminder=earlier, broken_promise=broken
        )
        assert (plan.send, plan.skip_reason) == (False, dunning.SKIP_NOTHING_DUE)
    # another invoice reaching the hand-over level is handed over in its turn
    plan = dunning.plan_customer(
        [invoice(11, 80, last_level=4), invoice(12, 60, last_level=3)], levels, TODAY, last_reminder=earlier
    )
    assert (plan.level, plan.levels) == (4, {12: 4})
    # a hand-over level of another grade counts too
    plan = dunning.plan_customer(
        [invoice(11, 80, last_level=9), invoice(12, 10, last_level=1)],
        LEVELS,
        TODAY,
        last_reminder=earlier,
        offsets={9: 60},
        hand_over_levels={9},
    )
    assert (plan.level, plan.skipped) == (2, {11: dunning.SKIP_HANDED_OVER})
