import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import d441

CLOSING = datetime.date(2026, 12, 31)


@pytest.mark.parametrize(
    ("days", "code"),
    [
        (-5, "0"),
        (0, "0"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91"),
        (400, "91"),
    ],
)
def test_band_boundaries(days, code):
    assert d441.band(days) == code


def test_table_worked_example():
    # docs/credit-insurance.md: turnover 100,000.00 excl. tax
    invoices = [
        (datetime.date(2027, 1, 15), 1200.0, False),  # not late
        (datetime.date(2026, 12, 16), 2400.0, False),  # 15 days
        (datetime.date(2026, 11, 16), 3600.0, False),  # 45 days
        (datetime.date(2026, 11, 6), 600.0, False),  # 55 days
        (datetime.date(2026, 9, 2), 1800.0, False),  # 120 days
        (datetime.date(2026, 10, 1), 960.0, True),  # disputed: excluded
    ]
    table = d441.table(invoices, CLOSING, 100000.0)
    cells = table.cells
    assert (cells["0"].count, cells["0"].amount, cells["0"].percent) == (1, 1200.0, pytest.approx(1.2))
    assert (cells["1_30"].count, cells["1_30"].amount) == (1, 2400.0)
    assert (cells["31_60"].count, cells["31_60"].amount) == (2, 4200.0)
    assert cells["31_60"].percent == pytest.approx(4.2)
    assert (cells["61_90"].count, cells["61_90"].amount, cells["61_90"].percent) == (0, 0.0, 0.0)
    assert (cells["91"].count, cells["91"].amount) == (1, 1800.0)
    assert (cells["late"].count, cells["late"].amount) == (4, 8400.0)
    assert cells["late"].percent == pytest.approx(8.4)
    assert (table.excluded.count, table.excluded.amount) == (1, 960.0)


def test_no_turnover_gives_no_percentage():
    table = d441.table([(datetime.date(2026, 12, 1), 100.0, False)], CLOSING, 0.0)
    assert table.cells["1_30"].percent is None


@given(st.lists(st.tuples(st.integers(-100, 500), st.floats(0.01, 1e6), st.booleans()), max_size=30))
def test_late_total_is_the_sum_of_the_late_bands(rows):
    invoices = [(CLOSING - datetime.timedelta(days=days), amount, disputed) for days, amount, disputed in rows]
    table = d441.table(invoices, CLOSING, 1000.0)
    late = table.cells["late"]
    assert late.count == sum(table.cells[code].count for code in d441.LATE_BANDS)
    assert late.amount == pytest.approx(sum(table.cells[code].amount for code in d441.LATE_BANDS))
    assert late.count + table.cells["0"].count + table.excluded.count == len(invoices)


# --- Article D441-6 II: invoices paid late during the year -------------------------------------

START = datetime.date(2026, 1, 1)


def _d(text):
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("due", "paid", "days", "code"),
    [
        ("2026-06-30", "2026-06-20", 0, "0"),  # paid before the due date
        ("2026-06-30", "2026-06-30", 0, "0"),  # paid on the due date: not late
        ("2026-06-30", "2026-07-01", 1, "1_30"),
        ("2026-06-30", "2026-07-30", 30, "1_30"),
        ("2026-06-30", "2026-07-31", 31, "31_60"),
        ("2026-06-30", "2026-08-29", 60, "31_60"),
        ("2026-06-30", "2026-08-30", 61, "61_90"),
        ("2026-06-30", "2026-09-28", 90, "61_90"),
        ("2026-06-30", "2026-09-29", 91, "91"),
    ],
)
def test_paid_late_boundaries(due, paid, days, code):
    assert d441.days_paid_late(_d(due), _d(paid)) == days
    table = d441.paid_late_table([([(_d(due), _d(paid))], 100.0, None)], START, CLOSING, 1000.0)
    assert table.cells[code].count == 1
    assert sum(table.cells[c].count for c in d441.BANDS) == 1
    assert table.cells["late"].count == (0 if code == "0" else 1)


def test_no_due_date_is_never_late():
    assert d441.days_paid_late(None, _d("2026-06-30")) == 0


def test_paid_late_worked_example():
    # docs/credit-insurance.md, "The alternative table": invoices issued in 2026 for 40,000.00 incl. tax
    invoices = [
        ([(_d("2026-03-31"), _d("2026-03-31"))], 4000.0, None),  # on the due date: 0 day
        ([(_d("2026-04-30"), _d("2026-05-30"))], 2000.0, None),  # 30 days
        ([(_d("2026-04-30"), _d("2026-05-31"))], 3000.0, None),  # 31 days
        ([(_d("2026-06-30"), _d("2026-08-14"))], 1500.0, None),  # paid in two, the last on 14 Aug: 45 days
        ([(_d("2025-11-30"), _d("2026-03-10"))], 1000.0, None),  # 100 days, issued last year
        ([(_d("2026-05-31"), _d("2026-07-15"))], 500.0, _d("2026-06-10")),  # disputed before paid: excluded
        ([(_d("2026-09-30"), None)], 6000.0, None),  # still due at closing: not in this table
        ([(_d("2026-10-31"), _d("2027-01-05"))], 800.0, None),  # paid after the closing
        ([(_d("2027-01-15"), None)], 22200.0, None),  # not paid
        ([(_d("2025-10-31"), _d("2025-12-20"))], 900.0, None),  # and one paid last year
    ]
    table = d441.paid_late_table(invoices, START, CLOSING, 40000.0)
    cells = table.cells
    assert (cells["0"].count, cells["0"].amount, cells["0"].percent) == (1, 4000.0, pytest.approx(10.0))
    assert (cells["1_30"].count, cells["1_30"].amount, cells["1_30"].percent) == (1, 2000.0, pytest.approx(5.0))
    assert (cells["31_60"].count, cells["31_60"].amount) == (2, 4500.0)
    assert cells["31_60"].percent == pytest.approx(11.25)
    assert (cells["61_90"].count, cells["61_90"].amount, cells["61_90"].percent) == (0, 0.0, 0.0)
    assert (cells["91"].count, cells["91"].amount, cells["91"].percent) == (1, 1000.0, pytest.approx(2.5))
    assert (cells["late"].count, cells["late"].amount, cells["late"].percent) == (4, 7500.0, pytest.approx(18.75))
    assert (table.excluded.count, table.excluded.amount) == (1, 500.0)


def test_dispute_opened_after_the_payment_does_not_exclude():
    invoice = ([(_d("2026-05-31"), _d("2026-07-15"))], 500.0, _d("2026-07-16"))
    table = d441.paid_late_table([invoice], START, CLOSING, 40000.0)
    assert (table.excluded.count, table.cells["31_60"].count, table.cells["31_60"].amount) == (0, 1, 500.0)
    on_the_day = (invoice[0], 500.0, _d("2026-07-15"))
    assert d441.paid_late_table([on_the_day], START, CLOSING, 40000.0).excluded.count == 1


def test_paid_late_instalments():
    # two instalments each paid on its own due date are not late; the invoice's lateness is the worst instalment's
    on_time = ([(_d("2026-03-31"), _d("2026-03-31")), (_d("2026-04-30"), _d("2026-04-30"))], 1000.0, None)
    second_late = ([(_d("2026-03-31"), _d("2026-03-31")), (_d("2026-04-30"), _d("2026-06-04"))], 1000.0, None)
    half_open = ([(_d("2026-03-31"), _d("2026-03-31")), (_d("2026-04-30"), None)], 1000.0, None)
    table = d441.paid_late_table([on_time, second_late, half_open], START, CLOSING, 0.0)
    assert table.cells["0"].count == 1
    assert (table.cells["31_60"].count, table.cells["31_60"].amount) == (1, 1000.0)
    assert table.cells["late"].count == 1
    assert table.cells["late"].percent is None  # no invoice in the year: no percentage


@given(
    st.lists(
        st.tuples(st.integers(-100, 500), st.integers(0, 400), st.floats(0.01, 1e6), st.none() | st.integers(0, 400)),
        max_size=30,
    )
)
def test_paid_late_partition(rows):
    invoices = [
        (
            [(START + datetime.timedelta(days=paid - late), START + datetime.timedelta(days=paid))],
            amount,
            None if disputed is None else START + datetime.timedelta(days=disputed),
        )
        for late, paid, amount, disputed in rows
    ]
    table = d441.paid_late_table(invoices, START, CLOSING, 1000.0)
    late = table.cells["late"]
    assert late.count == sum(table.cells[code].count for code in d441.LATE_BANDS)
    assert late.amount == pytest.approx(sum(table.cells[code].amount for code in d441.LATE_BANDS))
    in_year = sum(1 for _late, paid, _amount, _disputed in rows if paid <= 364)
    assert late.count + table.cells["0"].count + table.excluded.count == in_year
