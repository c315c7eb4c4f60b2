"""DSO and collection KPIs.

Source: Credit Research Foundation definitions, as reproduced in the
receivables formulas reference ("DSO and collection KPIs"). Credit sales
are the sales invoiced on account, net of credit notes.

Every function returns ``None`` when the figure is undefined (no credit
sales in the period, no receivables, nothing paid) instead of a made-up 0:
the reports show such a month as empty.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


def month_days(month: datetime.date) -> int:
    """Calendar days of the month of ``month`` (28 to 31)."""
    return calendar.monthrange(month.year, month.month)[1]


def month_end(month: datetime.date) -> datetime.date:
    """Last day of the month of ``month``."""
    return month.replace(day=month_days(month))


def standard_dso(ending_receivables: float, credit_sales: float, days: int) -> float | None:
    """Standard (balance-sheet) DSO = ending receivables / credit sales x days.

    Source: CRF, formulas reference "Standard (balance-sheet) DSO".
    ``None`` when the period has no (or negative) credit sales.
    """
    if credit_sales <= 0:
        return None
    return ending_receivables / credit_sales * days


def countback_dso(ending_receivables: float, months: Sequence[tuple[int, float]]) -> float | None:
    """Countback DSO (méthode par épuisement).

    ``months`` are ``(calendar days, credit sales)``, the most recent month
    first. Start from the ending receivables; walk back month by month:
    while the remaining receivables exceed the month's credit sales,
    subtract them and add the month's days; for the last month add
    remaining / that month's sales x its days. Source: CRF, formulas
    reference "Countback DSO".

    A month with no or negative net sales absorbs nothing and counts its
    full days. Receivables of zero or less give 0 days. When the history
    runs out before the receivables are exhausted, the days of the whole
    history are returned (a lower bound); ``None`` when there is no history.
    """
    if not months:
        return None
    if ending_receivables <= 0:
        return 0.0
    remaining = ending_receivables
    days = 0.0
    for month_length, month_sales in months:
        sales = max(month_sales, 0.0)
        if remaining > sales:
            remaining -= sales
            days += month_length
            continue
        return days + remaining / sales * month_length
    return days


def best_possible_dso(current_receivables: float, credit_sales: float, days: int) -> float | None:
    """Best possible DSO = current (not yet due) receivables / credit sales x days.

    Source: CRF, formulas reference "Best possible DSO (BPDSO)".
    """
    if credit_sales <= 0:
        return None
    return current_receivables / credit_sales * days


def average_days_delinquent(dso: float | None, bpdso: float | None) -> float | None:
    """Average days delinquent = DSO - best possible DSO.

    Source: CRF, formulas reference "Average days delinquent (ADD)".
    """
    if dso is None or bpdso is None:
        return None
    return dso - bpdso


def collection_effectiveness_index(
    beginning_receivables: float,
    credit_sales: float,
    ending_total: float,
    ending_current: float,
    months: int = 1,
) -> float | None:
    """CEI = (begin + sales / N - ending total) / (begin + sales / N - ending current) x 100.

    N is the number of months of the period. Source: CRF, formulas
    reference "Collection effectiveness index (CEI)". ``None`` when the
    denominator (what could be collected) is zero or negative.
    """
    if months < 1:
        raise ValueError("a period has at least one month")
    collectible = beginning_receivables + credit_sales / months
    denominator = collectible - ending_current
    if denominator <= 0:
        return None
    return (collectible - ending_total) / denominator * 100.0


def percent_of(part: float, total: float) -> float | None:
    """``part`` as a percentage of ``total`` (% overdue, % over 90 days).

    Source: formulas reference "% overdue". ``None`` when the total
    receivables are zero or negative (a customer in credit has no overdue
    share).
    """
    if total <= 0:
        return None
    return part / total * 100.0


def payment_sums(payments: Iterable[tuple[datetime.date, datetime.date, float]]) -> tuple[float, float]:
    """``(amount paid, amount x days to pay)`` of ``(invoice_date, payment_date, amount paid)``.

    The two sums from which the average days to pay of any group of
    payments is computed (:func:`days_to_pay_from_sums`); amounts of zero
    or less are ignored.
    """
    total = 0.0
    weighted = 0.0
    for invoice_date, payment_date, amount in payments:
        if amount <= 0:
            continue
        total += amount
        weighted += amount * (payment_date - invoice_date).days
    return total, weighted


def days_to_pay_from_sums(paid_amount: float, paid_days: float) -> float | None:
    """Average days to pay from the sums of :func:`payment_sums`; ``None`` when nothing was paid."""
    if paid_amount <= 0:
        return None
    return paid_days / paid_amount


def average_days_to_pay(payments: Iterable[tuple[datetime.date, datetime.date, float]]) -> float | None:
    """Amount-weighted mean of (payment date - invoice date).

    ``payments`` holds ``(invoice_date, payment_date, amount paid)``.
    Source: formulas reference "Average days to pay". Amounts of zero or
    less are ignored; ``None`` when nothing was paid.
    """
    return days_to_pay_from_sums(*payment_sums(payments))


# ----------------------------------------------------------------------
# Periods of several months: ratios of a group from the group's sums
# ----------------------------------------------------------------------

#: Months of each period granularity.
GRANULARITY_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def add_months(month: datetime.date, count: int) -> datetime.date:
    """First day of the month ``count`` months after the month of ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> int:
    """Number of months from the month of ``first`` to the month of ``last``, both included."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def period_days(first: datetime.date, last: datetime.date, today: datetime.date | None = None) -> int:
    """Calendar days from the first day of ``first``'s month to the last day of ``last``'s month.

    A period that is not over on ``today`` counts its days up to ``today``
    included: the credit sales and receivables of a month in progress are
    those of its days so far.
    """
    end = month_end(last)
    if today is not None and first.replace(day=1) <= today < end:
        end = today
    return (end - first.replace(day=1)).days + 1


def period_months(start: datetime.date, granularity: str) -> tuple[datetime.date, datetime.date]:
    """``(first month, last month)`` of the period of ``granularity`` starting on ``start``."""
    first = start.replace(day=1)
    return first, add_months(first, GRANULARITY_MONTHS[granularity] - 1)


@dataclass(frozen=True)
class PeriodFacts:
    """What a group of monthly facts adds up to over a period of one or more months.

    Flows (credit sales, payments) are summed over the months of the
    period; stocks are taken at its ends: the receivables at the end of
    its last month (``ending_*``) and at the end of the month before its
    first (``beginning_receivables``), each summed over the group's
    customers. ``days`` are the calendar days of the period, ``months``
    its number of months (the N of the CEI).
    """

    credit_sales: float
    beginning_receivables: float
    ending_receivables: float
    ending_current: float
    ending_over_90: float
    paid_amount: float
    paid_days: float
    days: int
    months: int = 1


def period_kpis(facts: PeriodFacts) -> dict[str, float | None]:
    """The KPIs of a period from its summed facts; ``None`` where undefined.

    Source: formulas reference, "DSO and collection KPIs": DSO and BPDSO
    use the receivables at the period's end, the period's credit sales and
    its days; the CEI uses N = the period's months; the percentages use
    the ending receivables; the days to pay weigh every payment of the
    period by its amount. Never an average of monthly ratios.
    """
    dso = standard_dso(facts.ending_receivables, facts.credit_sales, facts.days)
    bpdso = best_possible_dso(facts.ending_current, facts.credit_sales, facts.days)
    return {
        "dso": dso,
        "bpdso": bpdso,
        "add": average_days_delinquent(dso, bpdso),
        "cei": collection_effectiveness_index(
            facts.beginning_receivables,
            facts.credit_sales,
            facts.ending_receivables,
            facts.ending_current,
            facts.months,
        ),
        "percent_overdue": percent_of(facts.ending_receivables - facts.ending_current, facts.ending_receivables),
        "percent_over_90": percent_of(facts.ending_over_90, facts.ending_receivables),
        "days_to_pay": days_to_pay_from_sums(facts.paid_amount, facts.paid_days),
    }
