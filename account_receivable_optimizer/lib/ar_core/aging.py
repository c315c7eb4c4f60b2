"""Aging of open receivable items.

Source: the receivables formulas reference (``docs/formulas.md``).
Days overdue = report date - due date; buckets "not due" (<= 0 days),
then one bucket per configured limit, then "over the last limit".
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
