"""Late-payment charges that follow the law: interest for the days actually late, fixed compensation.

Sources (formulas reference, "late-payment charges"):

- Code de commerce L441-10: late-payment penalties are due from the day after
  the due date, without a reminder, at the ECB refinancing rate + 10 points
  unless the contract says otherwise; "le taux applicable pendant le premier
  semestre de l'année concernée est le taux en vigueur au 1er janvier de
  l'année considérée" and, for the second half-year, the rate in force on
  1 July. Directive 2011/7/EU: at least the ECB reference rate + 8 points.
- D441-5 and CJEU C-78/22: a fixed compensation for recovery costs (40 EUR) is
  due once per invoice paid late. CJEU C-585/20: interest runs on the amount
  including taxes.
- Simple interest: amount x annual rate x days late / 365.

Conventions of this module:

- A rate table is a list of ``(date_from, annual_rate_percent)``: a day bears
  the rate of the last row dated on or before it (days before the first row
  bear no interest). The statutory table holds one row per half-year, dated
  1 January and 1 July, with the rate in force on that day: every day of a
  half-year thus bears the rate fixed for that half-year, as L441-10 says,
  even when the ECB changes its rate during the half-year.
- The days late of an amount are the days after its due date up to and
  including the day it is paid (paid the day after the due date: 1 day); a
  payment stops the interest on its own amount only. Every day counts, 29
  February too, and a year is 365 days (formulas reference).
- Interest is summed exactly over the days and rounded once per journal
  item, half-up to the cent (``digits``); nothing is ever negative.
- What was charged is remembered as the day up to which interest was
  invoiced (``charged_until``): a later run only charges the days after it,
  so nothing is charged twice and a re-run the same day charges nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ONE_DAY = datetime.timedelta(days=1)
DAYS_IN_YEAR = 365

RateTable = Sequence[tuple[datetime.date, float]]


def _decimal(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _round(value: Decimal, digits: int) -> float:
    return float(value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def rate_table(rows: Iterable[tuple[datetime.date, float]], margin: float = 0.0) -> list[tuple[datetime.date, float]]:
    """Sorted ``(date_from, rate)`` rows plus ``margin`` points; on one date the last row given wins.

    Raise ``ValueError`` on a negative rate.
    """
    by_date: dict[datetime.date, float] = {}
    for date_from, rate in rows:
        if rate < 0 or rate + margin < 0:
            raise ValueError("negative rate")
        by_date[date_from] = rate + margin
    return sorted(by_date.items())


def fixed_rate_table(rate: float) -> list[tuple[datetime.date, float]]:
    """A table of one rate for every day."""
    return rate_table([(datetime.date.min, rate)])


def half_year_start(day: datetime.date) -> datetime.date:
    """1 January or 1 July of the half-year of ``day`` (the date of its statutory rate)."""
    return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)


def rate_periods(
    start: datetime.date, end: datetime.date, table: RateTable
) -> list[tuple[datetime.date, datetime.date, float]]:
    """The days after ``start`` up to ``end`` included, cut where the rate changes.

    :return: ``[(first_day, last_day, rate), ...]``, days without a rate left out
    """
    periods = []
    ordered = sorted(table)
    for index, (date_from, rate) in enumerate(ordered):
        until = ordered[index + 1][0] - ONE_DAY if index + 1 < len(ordered) else datetime.date.max
        first = max(start + ONE_DAY, date_from)
        last = min(end, until)
        if first <= last:
            periods.append((first, last, rate))
    return periods


def _raw_interest(amount: float, start: datetime.date, end: datetime.date, table: RateTable) -> Decimal:
    """Unrounded interest on ``amount`` for the days after ``start`` up to ``end``."""
    if amount <= 0 or end <= start:
        return Decimal(0)
    total = Decimal(0)
    for first, last, rate in rate_periods(start, end, table):
        total += _decimal(rate) * ((last - first).days + 1)
    return _decimal(amount) * total / Decimal(100 * DAYS_IN_YEAR)


def piecewise_interest(
    amount: float, start: datetime.date, end: datetime.date, table: RateTable, digits: int = 2
) -> float:
    """Interest on ``amount`` for the days after ``start`` up to ``end``, each at the rate in force that day.

    ``amount`` x sum over the days of (rate that day / 100) / 365, rounded
    half-up to ``digits``. Nothing for an amount or a period that is not positive.
    """
    return _round(_raw_interest(amount, start, end, table), digits)


@dataclass(frozen=True)
class LateItem:
    """A receivable journal item of a customer invoice, in its own currency.

    ``payments`` are its partial reconciliations ``(date, amount)``;
    ``charged_until`` the day up to which interest was already invoiced.
    """

    key: int
    invoice: int
    currency: int | str
    due_date: datetime.date
    amount: float
    payments: tuple[tuple[datetime.date, float], ...] = ()
    charged_until: datetime.date | None = None
    fixed_charged: bool = False


@dataclass(frozen=True)
class ItemCharge:
    """The interest of one journal item at one run: for the days after ``start`` up to ``end``."""

    key: int
    invoice: int
    currency: int | str
    start: datetime.date
    end: datetime.date
    interest: float
    rates: tuple[float, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days


@dataclass(frozen=True)
class InvoiceCharge:
    """The charges of one invoice at one run, in its currency."""

    invoice: int
    currency: int | str
    items: tuple[ItemCharge, ...]
    fixed: float

    @property
    def interest(self) -> float:
        return float(sum(_decimal(item.interest) for item in self.items))

    @property
    def total(self) -> float:
        return float(_decimal(self.interest) + _decimal(self.fixed))


def late_until(item: LateItem, today: datetime.date, digits: int = 2) -> datetime.date | None:
    """The last day ``item`` was late up to today, or ``None`` when it never was.

    Still open (payments below the amount): today; paid: the day of the payment
    that settled it. Payments dated after today count from today.
    """
    paid = Decimal(0)
    settled = None
    for date, amount in sorted(item.payments):
        paid += _decimal(amount)
        if _round(_decimal(item.amount) - paid, digits) <= 0:
            settled = min(date, today)
            break
    end = today if settled is None else settled
    return end if end > item.due_date else None


def item_interest(item: LateItem, today: datetime.date, table: RateTable, digits: int = 2) -> ItemCharge | None:
    """Interest still to charge on ``item``: its open amount day by day, after its due date and what was charged.

    On a day D the amount late is the item's amount less the payments dated
    before D; the days run from the later of the due date and ``charged_until``
    to ``late_until`` (today or the day it was settled).
    """
    end = late_until(item, today, digits)
    start = max(item.due_date, item.charged_until or item.due_date)
    if end is None or end <= start:
        return None
    total = Decimal(0)
    outstanding = _decimal(item.amount)
    cursor = start
    for date, amount in sorted(item.payments):
        # the day of a payment is still late for the amount it pays
        stop = min(date, end)
        if stop > cursor:
            total += _raw_interest(float(outstanding), cursor, stop, table)
            cursor = stop
        outstanding -= _decimal(amount)
    if end > cursor:
        total += _raw_interest(float(outstanding), cursor, end, table)
    rates = tuple(dict.fromkeys(rate for _first, _last, rate in rate_periods(start, end, table)))
    return ItemCharge(
        key=item.key,
        invoice=item.invoice,
        currency=item.currency,
        start=start,
        end=end,
        interest=max(_round(total, digits), 0.0),
        rates=rates,
    )


def late_charges(
    items: Iterable[LateItem],
    today: datetime.date,
    table: RateTable,
    fixed_amounts: Mapping[int | str, float] | None = None,
    digits: int = 2,
) -> list[InvoiceCharge]:
    """Charges still to invoice, per invoice: interest per item and the fixed compensation once.

    The fixed compensation (``fixed_amounts[currency]``, already in the
    invoice's currency) is due once per invoice with an item late up to today
    or paid late, unless already charged. Every :class:`ItemCharge` is
    returned, also a zero interest, so that the caller records the days as
    charged; invoices with nothing to charge at all are left out.
    """
    fixed_amounts = fixed_amounts or {}
    by_invoice: dict[int, list[LateItem]] = {}
    for item in items:
        by_invoice.setdefault(item.invoice, []).append(item)
    result = []
    for invoice, invoice_items in by_invoice.items():
        charges = tuple(
            charge for item in invoice_items if (charge := item_interest(item, today, table, digits)) is not None
        )
        late = any(late_until(item, today, digits) for item in invoice_items)
        currency = invoice_items[0].currency
        fixed = 0.0
        if late and not any(item.fixed_charged for item in invoice_items):
            fixed = max(_round(_decimal(fixed_amounts.get(currency, 0.0)), digits), 0.0)
        if fixed or any(charge.interest for charge in charges):
            result.append(InvoiceCharge(invoice=invoice, currency=currency, items=charges, fixed=fixed))
    return result
