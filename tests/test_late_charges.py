import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import late_charges as lc

D = datetime.date
# the statutory rates shipped with the addon (ECB refinancing rate + 10 points)
TABLE = lc.rate_table([(D(2025, 1, 1), 13.15), (D(2025, 7, 1), 12.15), (D(2026, 1, 1), 12.15)])


DUE = D(2025, 6, 1)


def item(key=1, due=DUE, amount=1200.0, payments=(), **kwargs):
    invoice = kwargs.pop("invoice", key)
    return lc.LateItem(key, invoice, "EUR", due, amount, payments=tuple(payments), **kwargs)


def test_worked_example_of_the_guide():
    # docs/dunning.md: 1,200.00 due 1 June 2025; 500.00 paid 21 June, 700.00 paid 31 July.
    # 1,200 x 13.15 % x 20 / 365 = 8.6466   (2-21 June)
    #   700 x 13.15 % x  9 / 365 = 2.2697   (22-30 June)
    #   700 x 12.15 % x 31 / 365 = 7.2234   (1-31 July, the rate of the second half-year)
    #                              18.1397 -> 18.14
    invoice = item(payments=[(D(2025, 6, 21), 500.0), (D(2025, 7, 31), 700.0)])
    charge = lc.item_interest(invoice, D(2025, 12, 3), TABLE)
    assert (charge.start, charge.end, charge.days) == (D(2025, 6, 1), D(2025, 7, 31), 60)
    assert charge.interest == 18.14
    assert charge.rates == (13.15, 12.15)
    [total] = lc.late_charges([invoice], D(2025, 12, 3), TABLE, {"EUR": 40.0})
    assert (total.interest, total.fixed, total.total) == (18.14, 40.0, 58.14)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 6, 1), D(2025, 6, 1), 0.0),  # not late
        (D(2025, 6, 1), D(2025, 5, 1), 0.0),  # end before start: nothing, never negative
        (D(2025, 6, 1), D(2025, 6, 2), 0.43),  # 1 day: 1,200 x 13.15 % / 365 = 0.4323
        (D(2025, 6, 29), D(2025, 6, 30), 0.43),  # last day at 13.15 %
        (D(2025, 6, 30), D(2025, 7, 1), 0.40),  # first day at 12.15 %: 0.3995
        (D(2025, 6, 29), D(2025, 7, 1), 0.83),  # 0.4323 + 0.3995 = 0.8318
    ],
)
def test_piecewise_interest_boundaries(start, end, expected):
    assert lc.piecewise_interest(1200.0, start, end, TABLE) == expected


def test_a_year_across_a_rate_change():
    # 1 Jan - 30 Jun 2025: 181 days at 13.15 %; 1 Jul - 31 Dec: 184 days at 12.15 %
    # 10,000 x (13.15 x 181 + 12.15 x 184) / 36,500 = 1,264.5890...
    assert lc.piecewise_interest(10000.0, D(2024, 12, 31), D(2025, 12, 31), TABLE) == 1264.59
    assert lc.rate_periods(D(2024, 12, 31), D(2025, 12, 31), TABLE) == [
        (D(2025, 1, 1), D(2025, 6, 30), 13.15),
        (D(2025, 7, 1), D(2025, 12, 31), 12.15),
        # the 2026 row starts after the period
    ]


def test_leap_year_counts_29_february_over_365():
    table = lc.fixed_rate_table(10.0)
    # 28 Feb -> 1 Mar 2028: 2 days (29 Feb and 1 Mar); 36,500 x 10 % x 2 / 365 = 20.00
    assert lc.piecewise_interest(36500.0, D(2028, 2, 28), D(2028, 3, 1), table) == 20.0
    # a whole leap year is 366 days over a year of 365
    assert lc.piecewise_interest(36500.0, D(2027, 12, 31), D(2028, 12, 31), table) == 3660.0


def test_rounding_half_up_to_the_cent():
    table = lc.fixed_rate_table(36.5)
    # 0.5 x 36.5 % x 1 / 365 = 0.0005 -> 0.00; 5 x 36.5 % / 365 = 0.005 -> 0.01 (half-up, not banker's)
    assert lc.piecewise_interest(0.5, D(2025, 1, 1), D(2025, 1, 2), table) == 0.0
    assert lc.piecewise_interest(5.0, D(2025, 1, 1), D(2025, 1, 2), table) == 0.01
    assert lc.piecewise_interest(25.0, D(2025, 1, 1), D(2025, 1, 2), table) == 0.03  # 0.025
    assert lc.piecewise_interest(25.0, D(2025, 1, 1), D(2025, 1, 2), table, digits=0) == 0.0


def test_days_before_the_first_rate_bear_nothing():
    assert lc.piecewise_interest(1000.0, D(2024, 12, 1), D(2025, 1, 1), TABLE) == 0.36  # 1 January only


def test_rate_table_margin_and_last_row_wins():
    table = lc.rate_table([(D(2025, 1, 1), 13.0), (D(2025, 1, 1), 13.15)], margin=1.0)
    assert table == [(D(2025, 1, 1), 14.15)]
    with pytest.raises(ValueError):
        lc.rate_table([(D(2025, 1, 1), -1.0)])


def test_half_year_start():
    assert lc.half_year_start(D(2025, 6, 30)) == D(2025, 1, 1)
    assert lc.half_year_start(D(2025, 7, 1)) == D(2025, 7, 1)


def test_open_item_late_up_to_today():
    today = D(2025, 6, 11)
    charge = lc.item_interest(item(), today, TABLE)
    # 1,200 x 13.15 % x 10 / 365 = 4.3232
    assert (charge.days, charge.interest) == (10, 4.32)


def test_partial_payment_stops_interest_on_its_amount_only():
    today = D(2025, 6, 11)
    charge = lc.item_interest(item(payments=[(D(2025, 6, 6), 1000.0)]), today, TABLE)
    # 1,200 for 2-6 June (5 days) + 200 for 7-11 June (5 days) = 2.1616 + 0.3603 = 2.5219
    assert charge.interest == 2.52
    assert charge.end == today


def test_paid_on_time_or_early_is_not_late():
    assert lc.late_until(item(payments=[(D(2025, 6, 1), 1200.0)]), D(2025, 12, 1)) is None
    assert lc.late_until(item(payments=[(D(2025, 5, 1), 1200.0)]), D(2025, 12, 1)) is None
    assert lc.item_interest(item(payments=[(D(2025, 6, 1), 1200.0)]), D(2025, 12, 1), TABLE) is None
    assert lc.late_charges([item(payments=[(D(2025, 6, 1), 1200.0)])], D(2025, 12, 1), TABLE, {"EUR": 40}) == []


def test_not_due_yet_is_not_late():
    assert lc.late_charges([item(due=D(2025, 12, 1))], D(2025, 12, 1), TABLE, {"EUR": 40.0}) == []


def test_paid_late_before_any_reminder():
    # paid 20 July, 49 days late: 1,200 x (13.15 % x 29 + 12.15 % x 20) / 365 = 20.5266
    paid = item(payments=[(D(2025, 6, 1) + datetime.timedelta(days=49), 1200.0)])
    [charge] = lc.late_charges([paid], D(2025, 12, 1), TABLE, {"EUR": 40.0})
    assert charge.items[0].days == 49
    assert (charge.interest, charge.fixed) == (20.53, 40.0)


def test_nothing_charged_twice():
    today = D(2025, 7, 11)
    first = lc.item_interest(item(), D(2025, 6, 11), TABLE)
    later = lc.item_interest(item(charged_until=first.end), today, TABLE)
    whole = lc.item_interest(item(), today, TABLE)
    assert (later.start, later.days) == (D(2025, 6, 11), 30)
    # the runs add up to the whole, within the rounding of each run
    assert abs(first.interest + later.interest - whole.interest) <= 0.01
    # a re-run the same day: nothing
    assert lc.item_interest(item(charged_until=today), today, TABLE) is None
    assert lc.late_charges([item(charged_until=today, fixed_charged=True)], today, TABLE, {"EUR": 40.0}) == []


def test_fixed_compensation_once_per_invoice_in_its_currency():
    today = D(2025, 7, 1)
    items = [
        item(key=1, invoice=10, due=D(2025, 6, 1)),
        item(key=2, invoice=10, due=D(2025, 6, 15)),  # two instalments of one invoice
        lc.LateItem(key=3, invoice=11, currency="USD", due_date=D(2025, 6, 1), amount=100.0),
        item(key=4, invoice=12, fixed_charged=True),
    ]
    charges = {charge.invoice: charge for charge in lc.late_charges(items, today, TABLE, {"EUR": 40.0, "USD": 46.5})}
    assert [item.key for item in charges[10].items] == [1, 2]
    assert charges[10].fixed == 40.0
    assert (charges[11].currency, charges[11].fixed) == ("USD", 46.5)
    assert charges[12].fixed == 0.0
    assert charges[12].interest > 0


def test_payments_after_today_count_from_today():
    assert lc.late_until(item(payments=[(D(2026, 1, 1), 1200.0)]), D(2025, 7, 1)) == D(2025, 7, 1)


@given(
    amount=st.floats(min_value=0.01, max_value=1e7),
    days=st.integers(min_value=0, max_value=2000),
    split=st.integers(min_value=0, max_value=2000),
)
def test_interest_is_positive_monotonic_and_additive(amount, days, split):
    start = D(2024, 11, 1)
    end = start + datetime.timedelta(days=days)
    middle = start + datetime.timedelta(days=min(split, days))
    whole = lc.piecewise_interest(amount, start, end, TABLE)
    assert whole >= 0
    assert lc.piecewise_interest(amount, start, end + datetime.timedelta(days=1), TABLE) >= whole
    parts = lc.piecewise_interest(amount, start, middle, TABLE) + lc.piecewise_interest(amount, middle, end, TABLE)
    assert abs(parts - whole) <= 0.011


@given(
    amount=st.floats(min_value=1.0, max_value=1e6),
    paid=st.lists(st.tuples(st.integers(min_value=-30, max_value=400), st.floats(min_value=0.0, max_value=1.0))),
)
def test_payments_never_raise_the_interest(amount, paid):
    due = D(2025, 3, 1)
    today = D(2026, 6, 1)
    payments = [(due + datetime.timedelta(days=d), round(amount * share, 2)) for d, share in paid]
    unpaid = lc.item_interest(item(due=due, amount=amount), today, TABLE)
    charge = lc.item_interest(item(due=due, amount=amount, payments=payments), today, TABLE)
    assert charge is None or 0 <= charge.interest <= unpaid.interest
