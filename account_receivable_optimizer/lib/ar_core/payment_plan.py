"""Payment plans (échéanciers): a dated schedule of instalments for overdue invoices.

Rules (docs/dunning.md, "Payment plans"):

- the instalments add up to the amount the plan covers, each is positive,
  their dates strictly increase and the first is today or later;
- the proposal from a customer's request is equal monthly instalments, the
  last one taking the rounding remainder;
- payments count against the instalments in date order: an instalment is
  missed when, its date plus the grace period passed, what was paid does not
  cover it and those before it; a missed instalment breaks the plan; a plan
  paid in full is done;
- while a plan is active, its invoices are not reminded until the next
  instalment not covered yet, plus the grace period.
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections.abc import Sequence
from itertools import pairwise

from .bounds import add_days
from .risk import round_half_up


def add_months(date: datetime.date, months: int) -> datetime.date:
    """``date`` moved by ``months`` months, on the last day of the month when it has fewer days."""
    month_index = date.month - 1 + months
    year, month = date.year + month_index // 12, month_index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def equal_instalments(
    total: float, count: int, first_date: datetime.date, precision_digits: int = 2
) -> list[tuple[datetime.date, float]]:
    """``count`` monthly instalments from ``first_date`` that add up to ``total`` to the cent."""
    if count < 1:
        raise ValueError("count")
    share = round_half_up(total / count, precision_digits)
    amounts = [share] * (count - 1) + [round_half_up(total - share * (count - 1), precision_digits)]
    return [(add_months(first_date, index), amount) for index, amount in enumerate(amounts)]


def validate_schedule(
    instalments: Sequence[tuple[datetime.date, float]],
    total: float,
    today: datetime.date,
    precision_digits: int = 2,
) -> None:
    """Raise ``ValueError`` (``empty``, ``amount``, ``order``, ``past``, ``sum``) on a schedule that is not one."""
    if not instalments:
        raise ValueError("empty")
    if any(not math.isfinite(amount) or round(amount, precision_digits) <= 0 for _date, amount in instalments):
        raise ValueError("amount")
    dates = [date for date, _amount in instalments]
    if any(later <= earlier for earlier, later in pairwise(dates)):
        raise ValueError("order")
    if dates[0] < today:
        raise ValueError("past")
    if round(sum(amount for _date, amount in instalments) - total, precision_digits) != 0:
        raise ValueError("sum")


def next_due(
    instalments: Sequence[tuple[datetime.date, float]], paid: float, precision_digits: int = 2
) -> datetime.date | None:
    """Date of the first instalment that ``paid`` does not cover (payments go to instalments in date order)."""
    covered = 0.0
    for date, amount in instalments:
        covered += amount
        if round(paid - covered, precision_digits) < 0:
            return date
    return None


def plan_outcome(
    instalments: Sequence[tuple[datetime.date, float]],
    paid: float,
    today: datetime.date,
    *,
    grace_days: int = 0,
    precision_digits: int = 2,
) -> str:
    """``done`` once everything is paid, ``broken`` once an instalment is missed, else ``active``."""
    due = next_due(instalments, paid, precision_digits)
    if due is None:
        return "done"
    if today > add_days(due, grace_days):
        return "broken"
    return "active"
