"""Early-payment discounts (escompte): cost, eligibility and outcome.

Sources: the receivables formulas reference ("Early-payment discount"):
for a discount d (0.02 for 2 %), discount days D and net days N,

- nominal annual cost of not taking it = d / (1 - d) x 365 / (N - D)
- effective annual cost = (1 + d / (1 - d)) ^ (365 / (N - D)) - 1

"2 % 10 net 30" costs 37.2 % nominal and 44.6 % effective per year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

#: Outcomes of a discount offer (analytics and short payments).
OPEN = "open"  # not (fully) paid and the deadline has not passed
TAKEN_IN_TIME = "in_time"  # paid by the deadline with the discount
MISSED = "missed"  # paid in full: the customer did not take the discount
TAKEN_LATE = "taken_late"  # discount deducted after the deadline
OVER_DEDUCTED = "over_deducted"  # more deducted than the discount allows
UNPAID = "unpaid"  # deadline passed, not paid

#: A shortfall counts as a discount deduction up to this multiple of the discount.
DEDUCTION_BOUND = 2.0


def validate_terms(discount_percent: float, discount_days: int, net_days: int) -> None:
    """Raise ``ValueError`` unless 0 < d < 100 % and 0 < D < N."""
    if not 0 < discount_percent < 100:
        raise ValueError("the discount must be more than 0 % and less than 100 %")
    if discount_days <= 0 or discount_days >= net_days:
        raise ValueError("the discount days must be positive and fewer than the net days")


def nominal_annual_cost(discount_percent: float, discount_days: int, net_days: int) -> float:
    """Nominal annual rate, as a fraction (0.372 for 37.2 %)."""
    validate_terms(discount_percent, discount_days, net_days)
    d = discount_percent / 100.0
    return d / (1.0 - d) * 365.0 / (net_days - discount_days)


def effective_annual_cost(discount_percent: float, discount_days: int, net_days: int) -> float:
    """Effective (compounded) annual rate, as a fraction (0.446 for 44.6 %)."""
    validate_terms(discount_percent, discount_days, net_days)
    d = discount_percent / 100.0
    return (1.0 + d / (1.0 - d)) ** (365.0 / (net_days - discount_days)) - 1.0


def validate_reminder_offset(reminder_days: int, discount_days: int) -> None:
    """A reminder N days before the deadline must fall after the invoice date."""
    if reminder_days < 0:
        raise ValueError("the reminder offset cannot be negative")
    if reminder_days >= discount_days:
        raise ValueError("the reminder offset must be fewer days than the discount period")


def reminder_date(discount_date: datetime.date, reminder_days: int) -> datetime.date:
    """The day the "pay by ... and save ..." reminder is due."""
    return discount_date - datetime.timedelta(days=reminder_days)


def reminder_due(
    *,
    discount_date: datetime.date | None,
    reminder_days: int,
    today: datetime.date,
    residual: float,
    total: float,
) -> bool:
    """Whether a discount reminder goes out today.

    Only for invoices still eligible: a deadline not passed, nothing paid
    yet (a partly paid invoice no longer qualifies for the whole discount),
    and the reminder day reached.
    """
    if not discount_date or today > discount_date:
        return False
    if residual <= 0 or round(residual - total, 2) != 0:
        return False
    return today >= reminder_date(discount_date, reminder_days)


@dataclass(frozen=True)
class DiscountOutcome:
    state: str
    #: amount the customer deducted that the company did not grant (short payment)
    shortfall: float
    #: discount granted (taken in time), 0 otherwise
    granted: float


def outcome(
    *,
    total: float,
    discount: float,
    paid: float,
    last_payment_date: datetime.date | None,
    discount_date: datetime.date,
    today: datetime.date,
    precision_digits: int = 2,
) -> DiscountOutcome:
    """Classify a discount offer from what was paid and when.

    ``total`` is the invoice total, ``discount`` the discount offered,
    ``paid`` what the customer paid (excluding any discount written off),
    ``last_payment_date`` the date of the last payment.

    - paid in full: ``missed`` (discount not taken);
    - nothing paid: ``open`` until the deadline, ``unpaid`` after;
    - paid at least the discounted total: ``in_time`` when paid by the
      deadline, ``taken_late`` after it (the shortfall is the deduction);
    - paid less than the discounted total but the shortfall is within
      ``DEDUCTION_BOUND`` x the discount: ``over_deducted``;
    - any other partial payment is an ordinary partial payment: ``open``
      or ``unpaid``.
    """

    def rnd(value: float) -> float:
        return round(value, precision_digits)

    shortfall = rnd(total - paid)
    past_deadline = today > discount_date
    if shortfall <= 0:
        return DiscountOutcome(MISSED, 0.0, 0.0)
    if paid <= 0 or last_payment_date is None:
        return DiscountOutcome(UNPAID if past_deadline else OPEN, 0.0, 0.0)
    in_time = last_payment_date <= discount_date
    if shortfall <= rnd(discount):
        if in_time:
            return DiscountOutcome(TAKEN_IN_TIME, 0.0, shortfall)
        return DiscountOutcome(TAKEN_LATE, shortfall, 0.0)
    if shortfall <= rnd(discount * DEDUCTION_BOUND):
        excess = rnd(shortfall - discount) if in_time else shortfall
        return DiscountOutcome(OVER_DEDUCTED, excess, 0.0)
    return DiscountOutcome(UNPAID if past_deadline else OPEN, 0.0, 0.0)


def days_gained(due_date: datetime.date, payment_date: datetime.date) -> int:
    """Days the payment came before its net due date (negative when late)."""
    return (due_date - payment_date).days


def realised_annual_cost(discount: float, total: float, days_early: int) -> float | None:
    """Effective annual cost of a discount actually granted.

    The customer kept ``discount`` to pay ``days_early`` days before the net
    due date: (1 + discount / (total - discount)) ^ (365 / days_early) - 1.
    ``None`` when it cannot be computed (no days gained, nothing granted).
    """
    if days_early <= 0 or discount <= 0 or total <= discount:
        return None
    return (1.0 + discount / (total - discount)) ** (365.0 / days_early) - 1.0
