"""Credit exposure and the credit check made when an invoice is posted.

Definitions (docs/credit-policies.md):

- exposure = open posted receivables (company currency)
  + draft customer invoices and sales receipts, each counted only when its
  total is positive: a draft never lowers the exposure (a draft credit note,
  or a draft invoice with a negative total, could otherwise make room for
  an invoice and then be deleted);
- available credit = credit limit - exposure (only when a limit is set);
- overdue amount = open amount of the items past their due date
  (items with a negative open amount, such as unapplied payments, are
  never overdue);
- an invoice is blocked when the exposure after posting exceeds
  limit x (1 + tolerance %), when the customer has an item overdue by more
  than the policy's number of days, or when the customer is on hold.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from . import insurance
from .aging import days_overdue

REASON_LIMIT = "limit"
REASON_OVERDUE = "overdue"
REASON_HOLD = "hold"
#: The exposure exceeds the credit insurance cover plus guarantees (core: insurance).
REASON_COVER = "cover"


def draft_exposure(draft_totals: Iterable[float]) -> float:
    """What drafts add to the exposure: their positive totals, never less than 0.

    A draft is only an intention: it may add exposure (an invoice about to
    be posted), never remove it.
    """
    return sum(total for total in draft_totals if total and total > 0)


def exposure(open_receivable: float, draft_totals: Iterable[float] = ()) -> float:
    """Exposure: open posted receivables plus what the drafts add (``draft_exposure``)."""
    return open_receivable + draft_exposure(draft_totals)


def available_credit(limit: float, exposure_amount: float) -> float | None:
    """Credit still available, or ``None`` when no limit is set (limit <= 0)."""
    if not limit or limit <= 0:
        return None
    return limit - exposure_amount


def is_over_limit(available: float | None, precision_digits: int = 2) -> bool:
    """Whether an available credit (``None``: no limit) is negative, to the cent."""
    return available is not None and round(available, precision_digits) < 0


def allowed_exposure(limit: float, tolerance_percent: float) -> float:
    """The exposure that may be reached before the limit check fails."""
    return limit * (1.0 + tolerance_percent / 100.0)


@dataclass(frozen=True)
class OverdueSummary:
    amount: float
    max_days: int


def overdue_summary(
    items: Iterable[tuple[datetime.date | None, float]],
    as_of: datetime.date,
) -> OverdueSummary:
    """Overdue amount and maximum days overdue of ``(due_date, open_amount)`` items."""
    amount = 0.0
    max_days = 0
    for due_date, open_amount in items:
        days = days_overdue(due_date, as_of)
        if days > 0 and open_amount > 0:
            amount += open_amount
            max_days = max(max_days, days)
    return OverdueSummary(amount=amount, max_days=max_days)


@dataclass(frozen=True)
class CreditCheck:
    """The outcome of a credit check: empty ``reasons`` means it passes."""

    reasons: tuple[str, ...]
    exposure: float
    limit: float
    allowed: float | None
    #: cover plus guarantees checked against (``None``: the cover rule is off)
    secured: float | None = None

    @property
    def passed(self) -> bool:
        return not self.reasons


def credit_check(
    *,
    exposure_amount: float,
    limit: float,
    tolerance_percent: float,
    max_days_overdue: int,
    overdue_block_days: int,
    hold: bool,
    precision_digits: int = 2,
    secured: float | None = None,
) -> CreditCheck:
    """Check an exposure (after posting) against the customer's credit terms.

    - the limit applies when it is set (> 0): the exposure, rounded to the
      currency, must not exceed ``limit x (1 + tolerance %)``;
    - the overdue rule applies when ``overdue_block_days`` > 0: no item may
      be overdue by more than that many days;
    - a manual hold always blocks;
    - the cover rule applies when ``secured`` (insurance cover plus
      guarantees) is given: the exposure, rounded to the currency, must not
      exceed it.
    """
    reasons = []
    allowed = None
    if limit and limit > 0:
        allowed = allowed_exposure(limit, tolerance_percent)
        if round(exposure_amount - allowed, precision_digits) > 0:
            reasons.append(REASON_LIMIT)
    if overdue_block_days and overdue_block_days > 0 and max_days_overdue > overdue_block_days:
        reasons.append(REASON_OVERDUE)
    if hold:
        reasons.append(REASON_HOLD)
    if secured is not None and insurance.exceeds_cover(exposure_amount, secured, 0.0, precision_digits):
        reasons.append(REASON_COVER)
    return CreditCheck(
        reasons=tuple(reasons),
        exposure=exposure_amount,
        limit=limit or 0.0,
        allowed=allowed,
        secured=secured,
    )
