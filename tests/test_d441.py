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
