import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import exposure, insurance

DAY = datetime.date(2026, 6, 30)


def test_insured_share_partial_cover():
    # exposure 12,500.00 under a cover of 10,000.00 at 90 %: the insurer pays 9,000.00
    assert insurance.insured_share(12500.0, 10000.0, 90.0) == pytest.approx(9000.0, abs=0.005)
    assert insurance.uncovered_exposure(12500.0, 10000.0) == pytest.approx(2500.0)


def test_insured_share_below_cover():
    assert insurance.insured_share(4000.0, 10000.0, 95.0) == pytest.approx(3800.0)
    assert insurance.uncovered_exposure(4000.0, 10000.0) == 0.0


def test_guarantee_reduces_uncovered_exposure():
    assert insurance.uncovered_exposure(12500.0, 10000.0, 1500.0) == pytest.approx(1000.0)
    assert insurance.uncovered_exposure(12500.0, 10000.0, 5000.0) == 0.0


def test_negative_exposure_is_not_insured():
    assert insurance.insured_share(-500.0, 10000.0, 90.0) == 0.0


def test_several_covers_never_insure_twice():
    share = insurance.insured_share_of_covers(15000.0, [(10000.0, 90.0), (10000.0, 80.0)])
    assert share == pytest.approx(9000.0 + 4000.0)


@pytest.mark.parametrize(
    ("state", "decision", "expiry", "expected"),
    [
        ("granted", datetime.date(2026, 1, 1), None, True),
        ("partial", datetime.date(2026, 1, 1), DAY, True),  # expiry day included
        ("reduced", datetime.date(2026, 1, 1), datetime.date(2026, 6, 29), False),  # expired
        ("granted", datetime.date(2026, 7, 1), None, False),  # not yet decided
        ("requested", None, None, False),
        ("refused", datetime.date(2026, 1, 1), None, False),
        ("cancelled", datetime.date(2026, 1, 1), None, False),
        ("expired", datetime.date(2026, 1, 1), None, False),
    ],
)
def test_cover_counts(state, decision, expiry, expected):
    assert insurance.cover_counts(state, decision, expiry, DAY) is expected


def test_suggested_limit():
    assert insurance.suggested_limit(10000.0, 1500.0, 2000.0) == 13500.0
    assert insurance.suggested_limit(0.0, 0.0, -5.0) == 0.0


def test_exceeds_cover_to_the_cent():
    assert not insurance.exceeds_cover(11500.0, 10000.0, 1500.0)
    assert not insurance.exceeds_cover(11500.004, 10000.0, 1500.0)
    assert insurance.exceeds_cover(11500.01, 10000.0, 1500.0)


def test_credit_check_cover_reason():
    common = {"limit": 0.0, "tolerance_percent": 0.0, "max_days_overdue": 0, "overdue_block_days": 0, "hold": False}
    check = exposure.credit_check(exposure_amount=11500.01, secured=11500.0, **common)
    assert check.reasons == (exposure.REASON_COVER,)
    assert check.secured == 11500.0
    assert exposure.credit_check(exposure_amount=11500.0, secured=11500.0, **common).passed
    # the rule is off when no secured amount is given
    assert exposure.credit_check(exposure_amount=1e9, **common).passed


def test_declaration_deadline():
    due = datetime.date(2026, 3, 31)
    assert insurance.declaration_deadline(due, 90) == datetime.date(2026, 6, 29)
    assert insurance.declaration_alert_due(due, 90, 10, datetime.date(2026, 6, 19))
    assert not insurance.declaration_alert_due(due, 90, 10, datetime.date(2026, 6, 18))
    assert insurance.declaration_alert_due(due, 90, 10, datetime.date(2026, 6, 29))
    assert not insurance.declaration_alert_due(due, 90, 10, datetime.date(2026, 6, 30))


@given(
    st.floats(min_value=-1e9, max_value=1e9),
    st.floats(min_value=0, max_value=1e9),
    st.floats(min_value=0, max_value=100),
)
def test_insured_share_bounds(exposure_amount, cover, percent):
    share = insurance.insured_share(exposure_amount, cover, percent)
    assert 0.0 <= share <= min(max(exposure_amount, 0.0), cover) + 1e-6
