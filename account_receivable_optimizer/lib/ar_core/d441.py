"""The statutory late-payment table of French management reports (Code de commerce, Article D441-6 I).

"Factures reçues et émises non réglées à la date de clôture de l'exercice
dont le terme est échu": the invoices still unpaid at the closing date, by
days past their due date (docs/credit-insurance.md):

- bands: not late (0 day), 1-30, 31-60, 61-90, 91 days and more, and the
  total of 1 day and more;
- per band: number of invoices, amount still due at closing incl. tax, and
  that amount as a percentage of the year's turnover (customers) or
  purchases (suppliers) excl. tax, from the band's sum (ratios from sums);
- invoices under an open dispute at closing are excluded and counted apart.
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
        code = band(days_overdue(due_date, closing))
        targets = [code, TOTAL_LATE] if code != "0" else [code]
        for target in targets:
            result.cells[target].count += 1
            result.cells[target].amount += amount
    for cell in result.cells.values():
        cell.percent = percent_of(cell.amount, base)
    return result
