"""Credit insurance and guarantees against the exposure (docs/credit-insurance.md).

- a cover counts on a day when it is granted (fully, partly or reduced),
  decided on or before that day and not expired (expiry date included);
- a guarantee counts on a day between its validity dates (both included);
- insured share = min(exposure, cover) x indemnity % (what the insurer pays
  if the customer defaults; the rest of the covered part is the company's
  own share);
- secured amount = cover + guarantees valid on the day;
- uncovered exposure = max(0, exposure - secured amount);
- suggested credit limit = cover + guarantees + internal margin;
- the cover rule fails when the exposure, rounded to the currency, exceeds
  the secured amount.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

#: Statuses under which an insurer's cover protects the receivables.
COVERING_STATES = frozenset({"granted", "partial", "reduced"})


def valid_on(day: datetime.date, start: datetime.date | None, end: datetime.date | None) -> bool:
    """Whether ``day`` is within ``[start, end]``; an empty bound is open."""
    return (not start or start <= day) and (not end or day <= end)


def cover_counts(state: str, decision_date, expiry_date, day: datetime.date) -> bool:
    """Whether a cover in ``state``, decided and expiring on these dates, protects on ``day``."""
    return state in COVERING_STATES and valid_on(day, decision_date, expiry_date)


def insured_share(exposure: float, cover: float, indemnity_percent: float) -> float:
    """What the insurer pays on a default: the covered exposure x the indemnity percentage."""
    covered = min(max(exposure, 0.0), max(cover, 0.0))
    return covered * indemnity_percent / 100.0


def insured_share_of_covers(exposure: float, covers: Iterable[tuple[float, float]]) -> float:
    """Insured share under several covers ``(amount, indemnity %)``, filled in the given order.

    The exposure is placed on the first cover up to its amount, the rest on
    the next one, and so on: a euro of exposure is never insured twice.
    """
    covers = list(covers)
    covered = fill_covers(exposure, [amount for amount, _percent in covers])
    return sum(part * percent / 100.0 for part, (_amount, percent) in zip(covered, covers, strict=True))


def fill_covers(exposure: float, amounts: Iterable[float]) -> list[float]:
    """The part of the exposure placed on each cover, in the given order (first filled first).

    The parts never exceed their cover and sum to min(exposure, total cover).
    """
    left = max(exposure, 0.0)
    parts = []
    for amount in amounts:
        part = min(left, max(amount, 0.0))
        parts.append(part)
        left -= part
    return parts


def secured_amount(cover: float, guarantees: float) -> float:
    """Insurance cover plus the guarantees valid on the day."""
    return max(cover, 0.0) + max(guarantees, 0.0)


def uncovered_exposure(exposure: float, cover: float, guarantees: float = 0.0) -> float:
    """The exposure above the cover and the guarantees, never below 0."""
    return max(0.0, exposure - secured_amount(cover, guarantees))


def suggested_limit(cover: float, guarantees: float, margin: float) -> float:
    """The credit limit the cover supports: cover + guarantees + the company's internal margin."""
    return secured_amount(cover, guarantees) + max(margin, 0.0)


def exceeds_cover(exposure: float, cover: float, guarantees: float, precision_digits: int = 2) -> bool:
    """Whether the exposure, to the cent, is above the cover and the guarantees."""
    return round(exposure - secured_amount(cover, guarantees), precision_digits) > 0


def declaration_deadline(due_date: datetime.date, max_days: int) -> datetime.date:
    """Last day to declare a threat of loss on an item: its due date + the contract's delay."""
    return due_date + datetime.timedelta(days=max_days)


def declaration_alert_due(due_date: datetime.date, max_days: int, notice_days: int, today: datetime.date) -> bool:
    """Whether the declaration deadline of an item is within ``notice_days`` of ``today`` and not past."""
    deadline = declaration_deadline(due_date, max_days)
    return today <= deadline <= today + datetime.timedelta(days=notice_days)
