"""Collection forecast: when open invoices are expected to be paid.

Source: the issue's definition, built on the formulas reference ("average
days late"): an open invoice is expected on its promise date if it has
one, else on its due date plus the customer's amount-weighted average
delay over the last 12 months (early payments count 0 days, so a
customer is never expected before the due date). An invoice already later
than that is expected the customer's delay after today, not "now".
Invoices disputed, handed over to collection, or later than the
customer's delay by more than a policy threshold are *doubtful*: they
are not expected in any week.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from .bounds import add_days
from .risk import average_days_late, round_half_up

WEEKS = 13
LATER = "later"
DOUBTFUL = "doubtful"
#: Days beyond the customer's usual delay after which an overdue item is doubtful.
DEFAULT_DOUBTFUL_DAYS = 90


def customer_delay(payments: Iterable[tuple[datetime.date | None, datetime.date, float]]) -> float:
    """Amount-weighted average delay in days of ``(due date, payment date, amount)``.

    The same measure as the risk score's "average days late"
    (formulas reference): a payment on or before its due date counts 0.
    """
    return average_days_late(payments)


def expected_payment_date(
    due_date: datetime.date,
    delay_days: float,
    promise_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> datetime.date:
    """The promise date if any, else the due date plus the delay rounded to whole days.

    An item already past that date on ``today`` is expected the same delay
    after ``today``: a customer who pays 20 days late, 30 days late already,
    is expected in 20 days, not this week.
    """
    if promise_date:
        return promise_date
    delay = int(round_half_up(delay_days, 0))
    expected = add_days(due_date, delay)
    if today is not None and expected < today:
        return add_days(today, delay)
    return expected


def is_doubtful(
    due_date: datetime.date,
    delay_days: float,
    today: datetime.date,
    threshold_days: int = DEFAULT_DOUBTFUL_DAYS,
    *,
    disputed: bool = False,
    handed_over: bool = False,
    promised: bool = False,
) -> bool:
    """Whether an open item is doubtful: disputed, handed over, or overdue
    by more than the customer's usual delay plus ``threshold_days``.

    A pending promise to pay keeps a late item expected (on its promised
    date), not a disputed or handed-over one.
    """
    if disputed or handed_over:
        return True
    if promised:
        return False
    return (today - due_date).days - delay_days > threshold_days


def week_start(day: datetime.date) -> datetime.date:
    """Monday of the week of ``day`` (ISO weeks)."""
    return day - datetime.timedelta(days=day.weekday())


def week_keys(weeks: int = WEEKS) -> list[int | str]:
    """Bucket keys of a forecast: ``0`` (this week) ... ``weeks - 1``, then ``later``."""
    return [*range(weeks), LATER]


def week_index(expected: datetime.date, first_week: datetime.date, weeks: int = WEEKS) -> int | str:
    """Forecast bucket of a payment expected on ``expected``.

    ``first_week`` is the Monday of the current week. A payment expected
    before it (already late on its forecast) is expected this week, bucket 0.
    """
    index = max(0, (expected - first_week).days // 7)
    return index if index < weeks else LATER


def weekly_forecast(
    items: Iterable[tuple[datetime.date, float]],
    first_week: datetime.date,
    weeks: int = WEEKS,
) -> dict[int | str, float]:
    """Spread ``(expected date, open amount)`` over the weeks and "later".

    Every bucket is present; the buckets add up to the total of the items.
    """
    result: dict[int | str, float] = dict.fromkeys(week_keys(weeks), 0.0)
    for expected, amount in items:
        result[week_index(expected, first_week, weeks)] += amount
    return result


def past_week_totals(
    items: Iterable[tuple[datetime.date, float]],
    first_week: datetime.date,
    weeks: int,
) -> list[float]:
    """Totals of ``(date, amount)`` for ``weeks`` weeks starting at ``first_week``.

    Items outside those weeks are ignored. Used for both sides of
    "forecast against actual" of past weeks.
    """
    totals = [0.0] * weeks
    for day, amount in items:
        index = (day - first_week).days // 7
        if 0 <= index < weeks:
            totals[index] += amount
    return totals


#: Past weeks over which the forecast's error is measured.
ACCURACY_WEEKS = 13


def forecast_errors(weeks: Iterable[tuple[float, float]]) -> dict[str, float | int | None]:
    """Error of stored weekly forecasts against what was collected.

    ``weeks`` holds ``(forecast, actual)`` of each measured week (a week is
    measured when a forecast was stored before it started). Returns:

    - ``mape``: mean absolute percentage error, mean of ``|forecast -
      actual| / actual`` x 100 over the weeks with something collected;
      a week with nothing collected has no percentage error and is skipped;
      ``None`` when no week has any;
    - ``wape``: weighted absolute percentage error, ``sum |forecast -
      actual| / sum actual`` x 100 over all the measured weeks (weeks with
      nothing collected count through their absolute error); ``None`` when
      nothing was collected at all;
    - ``weeks``: the number of measured weeks, ``skipped``: those left out of
      the MAPE.

    Source: the forecasting accuracy measures of the issue (MAPE, with WAPE
    for the weeks where MAPE is undefined).
    """
    weeks = list(weeks)
    errors = [abs(expected - actual) for expected, actual in weeks]
    defined = [error / actual for error, (_expected, actual) in zip(errors, weeks, strict=True) if actual > 0]
    collected = sum(actual for _expected, actual in weeks)
    return {
        "mape": sum(defined) / len(defined) * 100.0 if defined else None,
        "wape": sum(errors) / collected * 100.0 if collected > 0 else None,
        "weeks": len(weeks),
        "skipped": len(weeks) - len(defined),
    }
