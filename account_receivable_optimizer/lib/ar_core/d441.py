"""The statutory late-payment tables of French management reports (Code de commerce, Article D441-6).

"Factures reçues et émises non réglées à la date de clôture de l'exercice
dont le terme est échu": the invoices still unpaid at the closing date, by
days past their due date (docs/credit-insurance.md):

- bands: not late (0 day), 1-30, 31-60, 61-90, 91 days and more, and the
  total of 1 day and more;
- per band: number of invoices, amount still due at closing incl. tax, and
  that amount as a percentage of the year's turnover (customers) or
  purchases (suppliers) excl. tax, from the band's sum (ratios from sums);
- invoices under an open dispute at closing are excluded and counted apart.

The alternative variant (Article D441-6 II, :func:`paid_late_table`):
"factures reçues et émises ayant connu un retard de paiement au cours de
l'exercice", the invoices settled during the financial year, by the days
between their due date and their payment; the percentages are of the total
amount of the invoices received or issued in the year.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from .aging import days_overdue

#: Band codes, in the order of the official model; ``late`` is the total of 1 day and more.
BANDS = ("0", "1_30", "31_60", "61_90", "91")
LATE_BANDS = BANDS[1:]
TOTAL_LATE = "late"


def band(days: int) -> str:
    """The lateness band of an invoice ``days`` past due at closing."""
    if days <= 0:
        return "0"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "91"


@dataclass
class Cell:
    count: int = 0
    amount: float = 0.0
    percent: float | None = None


@dataclass
class Table:
    """One side of the table (invoices issued or received)."""

    cells: dict[str, Cell] = field(default_factory=dict)
    excluded: Cell = field(default_factory=Cell)
    base: float = 0.0


def percent_of(amount: float, base: float) -> float | None:
    """``amount`` as a percentage of ``base``; ``None`` when there is no base."""
    if not base:
        return None
    return amount * 100.0 / base


def _count(result: Table, code: str, amount: float) -> None:
    """Count an invoice of ``amount`` in band ``code``, and in the total of 1 day and more when late."""
    for target in (code, TOTAL_LATE) if code != "0" else (code,):
        result.cells[target].count += 1
        result.cells[target].amount += amount


def _with_percents(result: Table) -> Table:
    for cell in result.cells.values():
        cell.percent = percent_of(cell.amount, result.base)
    return result


def table(
    invoices: Iterable[tuple[datetime.date | None, float, bool]],
    closing: datetime.date,
    base: float,
) -> Table:
    """The table of invoices ``(due date, amount due at closing, disputed)``.

    :param base: the year's turnover (or purchases) excl. tax, for the percentages
    """
    result = Table(cells={code: Cell() for code in (*BANDS, TOTAL_LATE)}, base=base)
    for due_date, amount, disputed in invoices:
        if not amount:
            continue
        if disputed:
            result.excluded.count += 1
            result.excluded.amount += amount
            continue
        _count(result, band(days_overdue(due_date, closing)), amount)
    return _with_percents(result)


def days_paid_late(due_date: datetime.date | None, payment_date: datetime.date) -> int:
    """Days between an item's due date and its payment; 0 when paid on or before the due date."""
    return max(days_overdue(due_date, payment_date), 0)


def paid_late_table(
    invoices: Iterable[tuple[Iterable[tuple[datetime.date | None, datetime.date | None]], float, datetime.date | None]],
    start: datetime.date,
    closing: datetime.date,
    base: float,
) -> Table:
    """The table of the invoices paid during the year ``start``-``closing`` (Article D441-6 II).

    ``invoices`` holds ``(items, amount, disputed on)``: ``items`` the
    ``(due date, payment date)`` of each receivable (or payable) item of the
    invoice, the payment date being its last reconciliation on or before the
    closing, ``None`` while it is still open at closing; ``amount`` the
    invoice's total incl. tax; ``disputed on`` the day its first dispute was
    opened, ``None`` if never.

    An invoice counts when every item is paid at closing and the last payment
    falls in the year. Its lateness is the largest of its items' (each
    instalment against its own due date). It is excluded, and counted apart,
    when a dispute was opened on or before its payment.

    :param base: the total amount of the invoices received (or issued) in the year,
        on the same tax basis as ``amount``
    """
    result = Table(cells={code: Cell() for code in (*BANDS, TOTAL_LATE)}, base=base)
    for invoice_items, amount, disputed_on in invoices:
        items = list(invoice_items)
        if not amount or not items or any(paid is None for _due, paid in items):
            continue
        paid_on = max(paid for _due, paid in items)
        if not start <= paid_on <= closing:
            continue
        if disputed_on is not None and disputed_on <= paid_on:
            result.excluded.count += 1
            result.excluded.amount += amount
            continue
        _count(result, band(max(days_paid_late(due, paid) for due, paid in items)), amount)
    return _with_percents(result)
