"""Sane bounds of what users type, and date arithmetic that never overflows.

A real company never reaches these bounds; they keep NaN, infinities, 2^31
integers and dates of year 1 or 9999 out of the formulas and the database
(docs/security.md, "Bad input and nightly jobs").
"""

from __future__ import annotations

import datetime
import math

#: Amounts (limits, fees, tolerances, promises) stay below a thousand billion.
MAX_AMOUNT = 999_999_999_999.0
#: A share of something (tolerance over the limit).
MAX_PERCENT = 100.0
#: A yearly rate (interest, penalty, cost of capital) may exceed 100 %, not 1000 %.
MAX_RATE_PERCENT = 1000.0
#: Relative weights of the risk factors.
MAX_WEIGHT = 1000.0
#: Day counts (grace, offsets, intervals, target DSO, aging periods): ten years.
MAX_DAYS = 3650
#: Month counts (credit review period): ten years.
MAX_MONTHS = 120
#: Display order of configuration lists.
MAX_SEQUENCE = 1_000_000
#: Earliest date anybody enters in receivables.
MIN_DATE = datetime.date(1900, 1, 1)


def within(value, low: float, high: float) -> bool:
    """True when ``value`` is a finite number between ``low`` and ``high`` (inclusive).

    ``False`` and ``None`` count as 0, as an empty number field; text is
    read as a number, as Odoo reads the values of data files. Anything that
    is not a number (other text, NaN, infinities, integers too large for a
    float) is out of bounds.
    """
    try:
        number = float(value or 0)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isfinite(number) and low <= number <= high


def add_days(day: datetime.date, days: int) -> datetime.date:
    """``day`` + ``days``, held at the first or last representable date instead of overflowing."""
    try:
        return day + datetime.timedelta(days=days)
    except OverflowError:
        return datetime.date.max if days > 0 else datetime.date.min


def date_within(day: datetime.date | None, low: datetime.date, high: datetime.date) -> bool:
    """True when ``day`` is empty or between ``low`` and ``high`` (inclusive)."""
    return not day or low <= day <= high
