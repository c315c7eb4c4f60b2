"""DSO and collection KPIs: worked examples of docs/analytics.md and edge cases."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import kpi

# Worked example (docs/analytics.md): quarter April-June 2026.
# Credit sales: April 30,000, May 40,000, June 50,000 (120,000 over 91 days).
# Receivables: 60,000 on 31 March, 70,000 on 30 June of which 45,500 not yet due.
SALES = {"apr": 30000.0, "may": 40000.0, "jun": 50000.0}


def test_month_days_of_unequal_months():
    assert [kpi.month_days(datetime.date(2026, m, 1)) for m in (1, 2, 4, 6)] == [31, 28, 30, 30]
    assert kpi.month_days(datetime.date(2028, 2, 10)) == 29
    assert kpi.month_end(datetime.date(2028, 2, 10)) == datetime.date(2028, 2, 29)


def test_standard_dso_worked_example():
    assert kpi.standard_dso(70000.0, 120000.0, 91) == pytest.approx(53.083333, abs=1e-6)


def test_best_possible_dso_and_add_worked_example():
    bpdso = kpi.best_possible_dso(45500.0, 120000.0, 91)
    assert bpdso == pytest.approx(34.504167, abs=1e-6)
    add = kpi.average_days_delinquent(kpi.standard_dso(70000.0, 120000.0, 91), bpdso)
    assert add == pytest.approx(18.579167, abs=1e-6)


def test_countback_dso_worked_example():
    # 70,000: June's 50,000 (30 days), then 20,000 of May's 40,000 (half of 31 days)
    months = [(30, SALES["jun"]), (31, SALES["may"]), (30, SALES["apr"])]
    assert kpi.countback_dso(70000.0, months) == pytest.approx(45.5)


def test_countback_exact_exhaustion_and_first_month():
    assert kpi.countback_dso(50000.0, [(30, 50000.0), (31, 40000.0)]) == pytest.approx(30.0)
    assert kpi.countback_dso(10000.0, [(28, 40000.0)]) == pytest.approx(7.0)


def test_countback_with_a_month_without_sales_counts_its_days():
    months = [(30, 0.0), (31, 31000.0)]
    assert kpi.countback_dso(15500.0, months) == pytest.approx(30 + 15.5)
    # net credit notes in a month never add receivables back
    assert kpi.countback_dso(15500.0, [(30, -5000.0), (31, 31000.0)]) == pytest.approx(45.5)


def test_countback_negative_receivables_and_short_history():
    assert kpi.countback_dso(-200.0, [(30, 100.0)]) == 0.0
    assert kpi.countback_dso(1000.0, [(30, 100.0), (31, 100.0)]) == pytest.approx(61.0)
    assert kpi.countback_dso(1000.0, []) is None


def test_no_sales_in_a_month_gives_no_dso():
    assert kpi.standard_dso(5000.0, 0.0, 30) is None
    assert kpi.standard_dso(5000.0, -100.0, 30) is None
    assert kpi.best_possible_dso(5000.0, 0.0, 30) is None
    assert kpi.average_days_delinquent(None, 10.0) is None


def test_negative_receivables_give_a_negative_dso():
    assert kpi.standard_dso(-300.0, 3000.0, 30) == pytest.approx(-3.0)


def test_cei_worked_example():
    # (60,000 + 120,000 / 3 - 70,000) / (60,000 + 40,000 - 45,500) x 100
    cei = kpi.collection_effectiveness_index(60000.0, 120000.0, 70000.0, 45500.0, months=3)
    assert cei == pytest.approx(55.045872, abs=1e-6)


def test_cei_undefined_and_bad_period():
    assert kpi.collection_effectiveness_index(0.0, 0.0, 0.0, 0.0) is None
    with pytest.raises(ValueError):
        kpi.collection_effectiveness_index(1.0, 1.0, 1.0, 1.0, months=0)


def test_percentages():
    assert kpi.percent_of(24500.0, 70000.0) == pytest.approx(35.0)
    assert kpi.percent_of(100.0, 0.0) is None
    assert kpi.percent_of(100.0, -50.0) is None


def test_average_days_to_pay_worked_example():
    payments = [
        (datetime.date(2026, 1, 31), datetime.date(2026, 3, 2), 1000.0),  # 30 days
        (datetime.date(2026, 2, 1), datetime.date(2026, 3, 3), 3000.0),  # 30 days
        (datetime.date(2026, 2, 1), datetime.date(2026, 4, 2), 1000.0),  # 60 days
        (datetime.date(2026, 2, 1), datetime.date(2026, 4, 2), 0.0),  # ignored
    ]
    assert kpi.average_days_to_pay(payments) == pytest.approx(36.0)
    assert kpi.average_days_to_pay([]) is None


amounts = st.floats(min_value=0.01, max_value=1e9, allow_nan=False)


@given(st.lists(st.tuples(st.integers(28, 31), amounts), min_size=1, max_size=30), amounts)
def test_countback_bounded_by_history(months, receivables):
    days = kpi.countback_dso(receivables, months)
    assert 0 <= days <= sum(length for length, _ in months) + 1e-6


@given(st.lists(st.tuples(st.integers(28, 31), amounts), min_size=1, max_size=12), amounts, amounts)
def test_countback_grows_with_receivables(months, low, extra):
    assert kpi.countback_dso(low + extra, months) >= kpi.countback_dso(low, months) - 1e-6


@given(amounts, amounts, amounts, st.integers(28, 366))
def test_add_is_dso_minus_bpdso_and_current_never_exceeds_total(total, share, sales, days):
    current = min(total, share)
    dso = kpi.standard_dso(total, sales, days)
    bpdso = kpi.best_possible_dso(current, sales, days)
    assert bpdso <= dso + 1e-6
    assert kpi.average_days_delinquent(dso, bpdso) >= -1e-6


# ----------------------------------------------------------------------
# Periods: ratios of a group from its sums
# ----------------------------------------------------------------------

QUARTER = kpi.PeriodFacts(
    credit_sales=120000.0,
    beginning_receivables=60000.0,
    ending_receivables=70000.0,
    ending_current=45500.0,
    ending_over_90=7000.0,
    paid_amount=5000.0,
    paid_days=180000.0,
    days=91,
    months=3,
)


def test_period_kpis_of_the_worked_quarter():
    kpis = kpi.period_kpis(QUARTER)
    assert kpis["dso"] == pytest.approx(53.083333, abs=1e-6)
    assert kpis["bpdso"] == pytest.approx(34.504167, abs=1e-6)
    assert kpis["add"] == pytest.approx(18.579167, abs=1e-6)
    assert kpis["cei"] == pytest.approx(55.045872, abs=1e-6)
    assert kpis["percent_overdue"] == pytest.approx(35.0)
    assert kpis["percent_over_90"] == pytest.approx(10.0)
    assert kpis["days_to_pay"] == pytest.approx(36.0)


def test_period_kpis_undefined_are_none_not_zero():
    empty = kpi.PeriodFacts(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, days=30)
    assert kpi.period_kpis(empty) == dict.fromkeys(
        ("dso", "bpdso", "add", "cei", "percent_overdue", "percent_over_90", "days_to_pay")
    )
    no_sales = kpi.period_kpis(kpi.PeriodFacts(0.0, 100.0, 100.0, 0.0, 0.0, 0.0, 0.0, days=30))
    assert no_sales["dso"] is None and no_sales["percent_overdue"] == 100.0
    assert no_sales["cei"] == 0.0  # defined: 100 could be collected, nothing was


def test_quarter_dso_is_not_the_average_of_monthly_dso():
    # receivables 100 / 200 / 300 at the month ends, sales 300 / 100 / 200
    monthly = [kpi.standard_dso(r, s, 30) for r, s in ((100, 300), (200, 100), (300, 200))]
    quarter = kpi.period_kpis(kpi.PeriodFacts(600.0, 0.0, 300.0, 0.0, 0.0, 0.0, 0.0, days=90, months=3))
    assert quarter["dso"] == pytest.approx(45.0)
    assert sum(monthly) / 3 != pytest.approx(quarter["dso"])


@given(
    st.floats(0, 1e6),
    st.floats(0, 1e6),
    st.floats(0.01, 1e6),
    st.floats(0, 1),
    st.integers(28, 31),
)
def test_a_period_of_one_month_gives_the_monthly_kpis(beginning, ending, sales, share, days):
    current = ending * share
    kpis = kpi.period_kpis(kpi.PeriodFacts(sales, beginning, ending, current, 0.0, 0.0, 0.0, days=days))
    assert kpis["dso"] == kpi.standard_dso(ending, sales, days)
    assert kpis["bpdso"] == kpi.best_possible_dso(current, sales, days)
    assert kpis["cei"] == kpi.collection_effectiveness_index(beginning, sales, ending, current)


def test_period_calendar():
    assert kpi.add_months(datetime.date(2026, 11, 15), 3) == datetime.date(2027, 2, 1)
    assert kpi.add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
    assert kpi.months_between(datetime.date(2025, 7, 1), datetime.date(2026, 6, 1)) == 12
    assert kpi.period_days(datetime.date(2026, 7, 1), datetime.date(2026, 9, 1)) == 92
    assert kpi.period_days(datetime.date(2025, 7, 1), datetime.date(2026, 6, 1)) == 365
    assert kpi.period_months(datetime.date(2026, 4, 1), "quarter") == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 1),
    )
    assert kpi.period_months(datetime.date(2026, 1, 1), "year")[1] == datetime.date(2026, 12, 1)


def test_payment_sums_give_the_average_days_to_pay():
    payments = [
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), 1000.0),
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 2), 1000.0),
        (datetime.date(2026, 1, 1), datetime.date(2026, 3, 2), -5.0),
    ]
    assert kpi.payment_sums(payments) == (2000.0, 90000.0)
    assert kpi.days_to_pay_from_sums(*kpi.payment_sums(payments)) == kpi.average_days_to_pay(payments) == 45.0
    assert kpi.days_to_pay_from_sums(0.0, 0.0) is None


def test_a_month_in_progress_counts_its_days_so_far():
    today = datetime.date(2026, 12, 3)
    assert kpi.period_days(datetime.date(2026, 12, 1), datetime.date(2026, 12, 1), today) == 3
    assert kpi.period_days(datetime.date(2026, 10, 1), datetime.date(2026, 12, 1), today) == 31 + 30 + 3
    assert kpi.period_days(datetime.date(2026, 11, 1), datetime.date(2026, 11, 1), today) == 30
    assert kpi.period_days(datetime.date(2026, 6, 1), datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)) == 30
