import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import aging

AS_OF = datetime.date(2026, 3, 31)


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (-5, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91_120"),
        (120, "91_120"),
        (121, "over_120"),
        (4000, "over_120"),
    ],
)
def test_bucket_boundaries(days, bucket):
    assert aging.bucket_for(days) == bucket


def test_days_overdue_counts_calendar_days_and_ignores_missing_due_dates():
    assert aging.days_overdue(datetime.date(2026, 2, 28), AS_OF) == 31
    assert aging.days_overdue(datetime.date(2026, 4, 30), AS_OF) == -30
    assert aging.days_overdue(None, AS_OF) == 0


def test_custom_limits():
    assert aging.bucket_keys((15, 45)) == ["not_due", "1_15", "16_45", "over_45"]
    assert aging.bucket_for(16, (15, 45)) == "16_45"
    assert aging.bucket_for(46, (15, 45)) == "over_45"


@pytest.mark.parametrize("limits", [(), (0, 30), (30, 30), (60, 30), (30.5,)])
def test_bad_limits_are_refused(limits):
    with pytest.raises(ValueError):
        aging.validate_limits(limits)


def test_age_items_worked_example():
    items = [
        (datetime.date(2026, 4, 15), 100.0),  # not due
        (datetime.date(2026, 3, 1), 250.0),  # 30 days
        (datetime.date(2026, 1, 30), 80.5),  # 60 days
        (datetime.date(2025, 11, 1), 19.5),  # 150 days
        (datetime.date(2026, 3, 30), -40.0),  # unapplied payment, 1 day
    ]
    assert aging.age_items(items, AS_OF) == {
        "not_due": 100.0,
        "1_30": 210.0,
        "31_60": 80.5,
        "61_90": 0.0,
        "91_120": 0.0,
        "over_120": 19.5,
    }


@given(
    st.lists(
        st.tuples(
            st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 1, 1)),
            st.integers(min_value=-(10**8), max_value=10**8),
        ),
        max_size=50,
    )
)
def test_buckets_partition_the_total(items):
    cents = [(due, amount / 100) for due, amount in items]
    result = aging.age_items(cents, AS_OF)
    assert round(sum(result.values()), 2) == round(sum(a for _, a in cents), 2)
    assert list(result) == aging.bucket_keys()


def test_bucket_bounds_and_labels():
    assert aging.bucket_bounds() == [
        ("not_due", None, 0),
        ("1_30", 1, 30),
        ("31_60", 31, 60),
        ("61_90", 61, 90),
        ("91_120", 91, 120),
        ("over_120", 121, None),
    ]
    assert [aging.bucket_label(key) for key, _low, _high in aging.bucket_bounds((15, 45))] == [
        "Not due",
        "1-15",
        "16-45",
        "> 45",
    ]


@given(st.integers(min_value=-1000, max_value=5000))
def test_bucket_bounds_agree_with_bucket_for(days):
    for key, low, high in aging.bucket_bounds():
        if (low is None or days >= low) and (high is None or days <= high):
            assert aging.bucket_for(days) == key


def test_open_amount_as_of_undoes_later_reconciliations():
    # 1,000 invoice, 300 paid before D, 700 paid after D: open 700 on D
    assert aging.open_amount_as_of(0.0, [700.0]) == 700.0
    # a payment of -500 partly matched (-200) after D
    assert aging.open_amount_as_of(-300.0, [-200.0]) == -500.0
