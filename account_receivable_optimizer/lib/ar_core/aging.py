"""Aging of open receivable items.

Source: the receivables formulas reference ("Aging").
Days overdue = report date - due date (or invoice date when aging by
invoice date); buckets "not due" (<= 0 days), then one bucket per
configured limit, then "over the last limit".

Aging as of a past date D: an item counts if its accounting date is on or
before D, and its open amount on D is its current residual plus every
partial reconciliation that touched it dated after D
(:func:`open_amount_as_of`).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

DEFAULT_LIMITS: tuple[int, ...] = (30, 60, 90, 120)
NOT_DUE = "not_due"


def days_overdue(due_date: datetime.date | None, as_of: datetime.date) -> int:
    """Days between ``due_date`` and ``as_of``; 0 or less means not due.

    An item without a due date is never overdue.
    """
    if due_date is None:
        return 0
    return (as_of - due_date).days


def validate_limits(limits: Sequence[int]) -> None:
    """Raise ``ValueError`` unless the limits are positive and increasing."""
    if not limits:
        raise ValueError("at least one aging limit is required")
    previous = 0
    for limit in limits:
        if int(limit) != limit or limit <= previous:
            raise ValueError("aging limits must be strictly increasing positive whole numbers")
        previous = limit


def bucket_keys(limits: Sequence[int] = DEFAULT_LIMITS) -> list[str]:
    """The bucket keys, in order: ``not_due``, ``1_30``, ..., ``over_120``."""
    validate_limits(limits)
    keys = [NOT_DUE]
    lower = 1
    for limit in limits:
        keys.append(f"{lower}_{limit}")
        lower = limit + 1
    keys.append(f"over_{limits[-1]}")
    return keys


def bucket_for(days: int, limits: Sequence[int] = DEFAULT_LIMITS) -> str:
    """The bucket key of an item overdue by ``days`` days."""
    keys = bucket_keys(limits)
    if days <= 0:
        return NOT_DUE
    for key, limit in zip(keys[1:], limits, strict=False):
        if days <= limit:
            return key
    return keys[-1]


def age_items(
    items: Iterable[tuple[datetime.date | None, float]],
    as_of: datetime.date,
    limits: Sequence[int] = DEFAULT_LIMITS,
) -> dict[str, float]:
    """Spread ``(due_date, open_amount)`` items over the aging buckets.

    Every bucket is present in the result (0.0 when empty) and the buckets
    add up to the total of the items: they partition the open amount.
    """
    result = dict.fromkeys(bucket_keys(limits), 0.0)
    for due_date, amount in items:
        result[bucket_for(days_overdue(due_date, as_of), limits)] += amount
    return result


def bucket_bounds(limits: Sequence[int] = DEFAULT_LIMITS) -> list[tuple[str, int | None, int | None]]:
    """``(key, lowest days, highest days)`` of each bucket, ``None`` for no bound.

    The same partition as :func:`bucket_for`, handed to SQL so that the
    database can aggregate by bucket: ``[("not_due", None, 0), ("1_30", 1, 30),
    ..., ("over_120", 121, None)]``.
    """
    keys = bucket_keys(limits)
    bounds: list[tuple[str, int | None, int | None]] = [(NOT_DUE, None, 0)]
    lower = 1
    for key, limit in zip(keys[1:], limits, strict=False):
        bounds.append((key, lower, int(limit)))
        lower = int(limit) + 1
    bounds.append((keys[-1], lower, None))
    return bounds


def bucket_label(key: str) -> str:
    """Human label of a bucket key: ``1_30`` -> ``1-30``, ``over_120`` -> ``> 120``."""
    if key == NOT_DUE:
        return "Not due"
    if key.startswith("over_"):
        return "> " + key[len("over_") :]
    return key.replace("_", "-")


def open_amount_as_of(residual: float, later_partials: Iterable[float]) -> float:
    """Open amount of an item on a past date D.

    ``residual`` is its open amount today (signed, company currency);
    ``later_partials`` are the signed amounts of the partial reconciliations
    that touched it dated after D (positive for a debit item, negative for
    a credit item). Source: formulas reference, "Aging as of a past date".
    """
    return residual + sum(later_partials)
