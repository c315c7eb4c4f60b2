import datetime

import pytest

from ar_core import exposure

TODAY = datetime.date(2026, 6, 30)


def test_exposure_adds_draft_invoices():
    assert exposure.exposure(1500.0, [300.0, 200.0]) == 2000.0
    assert exposure.exposure(1500.0) == 1500.0


@pytest.mark.parametrize("drafts", [[-200.0], [300.0, -300.0], [0.0, -1e9]])
def test_drafts_never_lower_the_exposure(drafts):
    # a draft credit note (negative total) or a draft invoice with a negative total
    # would make room for another invoice, then be deleted
    assert exposure.exposure(1500.0, drafts) == 1500.0 + sum(d for d in drafts if d > 0)
    assert exposure.exposure(1500.0, drafts) >= 1500.0


def test_available_credit():
    assert exposure.available_credit(5000.0, 3200.0) == 1800.0
    assert exposure.available_credit(5000.0, 6000.0) == -1000.0
    assert exposure.available_credit(0.0, 3200.0) is None


def test_overdue_summary_ignores_credits_and_items_not_due():
    items = [
        (datetime.date(2026, 6, 30), 100.0),  # due today: not overdue
        (datetime.date(2026, 6, 1), 200.0),  # 29 days
        (datetime.date(2026, 5, 1), 50.0),  # 60 days
        (datetime.date(2026, 4, 1), -70.0),  # unapplied payment: never overdue
        (None, 10.0),
    ]
    summary = exposure.overdue_summary(items, TODAY)
    assert summary.amount == 250.0
    assert summary.max_days == 60


def _check(**kwargs):
    values = {
        "exposure_amount": 1000.0,
        "limit": 1000.0,
        "tolerance_percent": 0.0,
        "max_days_overdue": 0,
        "overdue_block_days": 0,
        "hold": False,
    }
    values.update(kwargs)
    return exposure.credit_check(**values)


def test_limit_is_inclusive_to_the_cent():
    assert _check(exposure_amount=1000.0).passed
    assert _check(exposure_amount=1000.004).passed
    assert _check(exposure_amount=1000.01).reasons == ("limit",)


def test_tolerance_widens_the_limit():
    check = _check(exposure_amount=1100.0, tolerance_percent=10.0)
    assert check.passed
    assert check.allowed == pytest.approx(1100.0)
    assert _check(exposure_amount=1100.01, tolerance_percent=10.0).reasons == ("limit",)


def test_no_limit_means_no_limit_check():
    check = _check(exposure_amount=10**9, limit=0.0)
    assert check.passed
    assert check.allowed is None


@pytest.mark.parametrize(
    ("max_days", "block_days", "blocked"),
    [(30, 30, False), (31, 30, True), (500, 0, False)],
)
def test_overdue_rule(max_days, block_days, blocked):
    check = _check(exposure_amount=0.0, max_days_overdue=max_days, overdue_block_days=block_days)
    assert (check.reasons == ("overdue",)) is blocked


def test_all_reasons_together_in_order():
    check = _check(exposure_amount=2000.0, max_days_overdue=90, overdue_block_days=60, hold=True)
    assert check.reasons == ("limit", "overdue", "hold")
    assert not check.passed


def test_is_over_limit_to_the_cent():
    assert exposure.is_over_limit(-0.01)
    assert not exposure.is_over_limit(-0.004)
    assert not exposure.is_over_limit(0.0)
    assert not exposure.is_over_limit(None)
