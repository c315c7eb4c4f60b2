"""Dunning: which reminder each customer gets, and the late-payment charges.

Rules (docs/dunning.md):

- the unit of dunning is an open receivable item (an invoice, or one
  instalment of an invoice with several due dates), called "invoice" here;
- a dunning level is reached by an item when its days late (today - due
  date) are at least the level's offset; a negative offset is a courtesy
  reminder before the due date, which an item already late never gets;
- an item escalates one level at a time: its first reminder is the first
  level it may get (the courtesy reminder before its due date, the first
  reminder after it), then each reminder is the next level, at most the
  one its days late reached (unless the policy allows skipping levels), so
  that a first run on an old ledger starts at the first level;
- an invoice is never reminded when it is paid or in payment, under an open
  dispute, covered by a pending promise to pay until the promised date
  plus the grace period, or under an active payment plan until its next
  instalment date plus the grace period; a customer set to "no dunning"
  gets nothing;
- an invoice reminded at a hand-over level was handed over to collection:
  the reminders leave it out from then on (handed over once, never again
  because another invoice of the customer moves on);
- a broken promise escalates the customer's invoices by one level;
- one communication per customer, at the highest level reached by its
  invoices; it is due only when an invoice reached a level higher than the
  last one it was reminded at, and when the days since the customer's
  previous reminder are at least the level's minimum interval;
- late-payment interest is simple interest (formulas reference, "late-payment
  charges"; EU Directive 2011/7/EU, Code de commerce L441-10): amount
  including taxes x annual rate x days late / 365, rounded half-up to the cent;
  the fixed compensation (40 EUR, D441-5, CJEU C-78/22) is due once per late
  invoice.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from . import late_charges
from .aging import days_overdue
from .bounds import MAX_DAYS, add_days
from .risk import round_half_up

SKIP_PAID = "paid"
SKIP_IN_PAYMENT = "in_payment"
SKIP_DISPUTED = "disputed"
SKIP_PROMISED = "promised"
SKIP_PLANNED = "planned"
SKIP_NO_DUNNING = "no_dunning"
SKIP_NOTHING_DUE = "nothing_due"
SKIP_INTERVAL = "interval"
SKIP_HANDED_OVER = "handed_over"


@dataclass(frozen=True)
class Level:
    """A dunning level: ``key`` identifies it (the record id in Odoo)."""

    key: int
    offset_days: int
    min_interval_days: int = 0
    grades: str = ""  # risk grades the level is for ("DE"); empty: every grade
    hand_over: bool = False  # the level hands the customer's invoices over to collection


@dataclass(frozen=True)
class Invoice:
    """An open customer invoice as the dunning sees it."""

    key: int
    due_date: datetime.date
    amount_due: float
    payment_state: str = "not_paid"
    disputed: bool = False
    promised_until: datetime.date | None = None
    last_level: int | None = None  # key of the last level reminded
    planned_until: datetime.date | None = None  # next instalment of an active payment plan


@dataclass(frozen=True)
class Plan:
    """What one customer gets: ``level`` is ``None`` when nothing is sent."""

    level: int | None
    invoices: tuple[int, ...] = ()
    levels: dict[int, int] = field(default_factory=dict)  # invoice key -> level key
    skip_reason: str | None = None
    skipped: dict[int, str] = field(default_factory=dict)  # invoice key -> reason

    @property
    def send(self) -> bool:
        return self.level is not None


def validate_levels(levels: Sequence[Level]) -> None:
    """Raise ``ValueError`` on two levels with one offset or a negative interval."""
    offsets = set()
    for level in levels:
        if level.offset_days in offsets:
            raise ValueError(f"two dunning levels have the offset {level.offset_days}")
        offsets.add(level.offset_days)
        if level.min_interval_days < 0:
            raise ValueError("the minimum interval between reminders cannot be negative")


def validate_grades(grades: str) -> None:
    """Raise ``ValueError`` unless ``grades`` only holds risk grades (A-E), each once."""
    letters = [letter for letter in (grades or "").upper() if not letter.isspace() and letter != ","]
    if any(letter not in "ABCDE" for letter in letters) or len(set(letters)) != len(letters):
        raise ValueError("grades")


def levels_for_grade(levels: Iterable[Level], grade: str | None) -> list[Level]:
    """The levels that apply to a customer of risk ``grade``.

    A level without grades applies to everybody; a level with grades only to
    customers of those grades (a customer not graded yet gets the levels
    without grades).
    """
    grade = (grade or "").upper()
    return [level for level in levels if not level.grades or (grade and grade in level.grades.upper())]


def sorted_levels(levels: Iterable[Level]) -> list[Level]:
    """Levels from the earliest (smallest offset) to the last."""
    return sorted(levels, key=lambda level: (level.offset_days, level.key))


def level_reached(days_late: int, levels: Sequence[Level]) -> int | None:
    """Index in ``sorted_levels(levels)`` of the highest level reached, or ``None``."""
    reached = None
    for index, level in enumerate(sorted_levels(levels)):
        if days_late >= level.offset_days:
            reached = index
    return reached


def level_for_item(
    days_late: int,
    levels: Sequence[Level],
    last_offset: int | None = None,
    *,
    skip_levels: bool = False,
) -> int | None:
    """Index in ``sorted_levels(levels)`` of the level an item gets now, or ``None``.

    ``last_offset`` is the offset of the level the item was last reminded
    at (``None``: never reminded). Courtesy levels (negative offsets) are
    only for items not late yet. Without ``skip_levels`` the item moves at
    most one level past its last one.
    """
    ordered = sorted_levels(levels)
    reached = level_reached(days_late, ordered)
    if reached is None or (days_late > 0 and ordered[reached].offset_days < 0):
        return None
    if skip_levels:
        return reached
    first = 0
    if days_late > 0:
        first = next(index for index, level in enumerate(ordered) if level.offset_days >= 0)
    if last_offset is None:
        cap = first
    else:
        last = max((index for index, level in enumerate(ordered) if level.offset_days <= last_offset), default=-1)
        cap = max(last + 1, first)
    return min(reached, cap)


def skip_reason(invoice: Invoice, today: datetime.date, grace_days: int = 0) -> str | None:
    """Why ``invoice`` must not be reminded today, or ``None`` when it may be."""
    if invoice.payment_state in ("paid", "reversed") or invoice.amount_due <= 0:
        return SKIP_PAID
    if invoice.payment_state == "in_payment":
        return SKIP_IN_PAYMENT
    if invoice.disputed:
        return SKIP_DISPUTED
    if invoice.promised_until and today <= add_days(invoice.promised_until, grace_days):
        return SKIP_PROMISED
    if invoice.planned_until and today <= add_days(invoice.planned_until, grace_days):
        return SKIP_PLANNED
    return None


def plan_customer(
    invoices: Iterable[Invoice],
    levels: Sequence[Level],
    today: datetime.date,
    *,
    last_reminder: datetime.date | None = None,
    no_dunning: bool = False,
    broken_promise: bool = False,
    grace_days: int = 0,
    offsets: dict[int, int] | None = None,
    skip_levels: bool = False,
    hand_over_levels: Iterable[int] = (),
) -> Plan:
    """The communication one customer gets today.

    Every eligible invoice that reached a level is listed, each at the
    level it gets (``level_for_item``: one level at a time unless
    ``skip_levels``; one more after a broken promise, never past the last
    level); the communication is at the highest of them. It is sent
    only when at least one invoice reached a level higher than its last
    one, and when ``today - last_reminder`` is at least that level's
    minimum interval. Levels are compared by offset: ``offsets`` gives the
    offset of every level an invoice may have been reminded at (levels of
    other grades too), by default those of ``levels``. An invoice last
    reminded at a hand-over level (of ``levels``, or listed in
    ``hand_over_levels`` for the levels of other grades) was handed over: it
    is skipped (``SKIP_HANDED_OVER``), so that another invoice moving on never
    repeats the hand-over.
    """
    if no_dunning:
        return Plan(level=None, skip_reason=SKIP_NO_DUNNING)
    ordered = sorted_levels(levels)
    offsets = {**(offsets or {}), **{level.key: level.offset_days for level in ordered}}
    handed_over = {*hand_over_levels, *(level.key for level in ordered if level.hand_over)}
    chosen: dict[int, int] = {}
    skipped: dict[int, str] = {}
    escalates = False
    for invoice in invoices:
        reason = skip_reason(invoice, today, grace_days)
        if not reason and invoice.last_level in handed_over:
            reason = SKIP_HANDED_OVER
        if reason:
            skipped[invoice.key] = reason
            continue
        last = offsets.get(invoice.last_level) if invoice.last_level is not None else None
        index = level_for_item(days_overdue(invoice.due_date, today), ordered, last, skip_levels=skip_levels)
        if broken_promise:
            index = 0 if index is None else min(index + 1, len(ordered) - 1)
        if index is None:
            continue
        chosen[invoice.key] = index
        if last is None or ordered[index].offset_days > last:
            escalates = True
    if not chosen or not escalates:
        return Plan(level=None, skip_reason=SKIP_NOTHING_DUE, skipped=skipped)
    top = ordered[max(chosen.values())]
    if last_reminder is not None and (today - last_reminder).days < max(top.min_interval_days, 1):
        return Plan(level=None, skip_reason=SKIP_INTERVAL, skipped=skipped)
    return Plan(
        level=top.key,
        invoices=tuple(sorted(chosen)),
        levels={key: ordered[index].key for key, index in chosen.items()},
        skipped=skipped,
    )


def late_interest(amount: float, annual_rate_percent: float, days: int) -> float:
    """Simple late-payment interest, rounded half-up to the cent.

    amount (including taxes, CJEU C-585/20) x annual rate x days late / 365
    (formulas reference; L441-10 Code de commerce, Directive 2011/7/EU).
    No interest for an amount, a rate or a number of days that is not positive.
    One formula: :func:`late_charges.piecewise_interest` at one rate.
    """
    if amount <= 0 or annual_rate_percent <= 0 or days <= 0:
        return 0.0
    start = datetime.date(2001, 1, 1)
    end = start + datetime.timedelta(days=days)
    return late_charges.piecewise_interest(amount, start, end, late_charges.fixed_rate_table(annual_rate_percent))


@dataclass(frozen=True)
class Charge:
    """The charges of one invoice at one run."""

    key: int
    interest_days: int
    interest: float
    fixed: float

    @property
    def total(self) -> float:
        return round_half_up(self.interest + self.fixed, 2)


def invoice_charges(
    invoices: Iterable[tuple[int, datetime.date, float, int, bool]],
    today: datetime.date,
    *,
    annual_rate_percent: float,
    fixed_amount: float,
) -> list[Charge]:
    """Charges still to invoice for ``(key, due_date, amount_due, days_charged, fixed_charged)``.

    Interest runs on the days late not charged yet (so a re-run the same day
    charges nothing); the fixed compensation is charged once per invoice.
    Invoices with nothing to charge are left out.
    """
    charges = []
    for key, due_date, amount_due, days_charged, fixed_charged in invoices:
        late = days_overdue(due_date, today)
        if late <= 0:
            continue
        days = max(0, late - (days_charged or 0))
        interest = late_interest(amount_due, annual_rate_percent, days)
        fixed = 0.0 if fixed_charged or fixed_amount <= 0 else round_half_up(fixed_amount, 2)
        if interest or fixed:
            charges.append(Charge(key=key, interest_days=days, interest=interest, fixed=fixed))
    return charges


def validate_promise(
    amount: float,
    promised_date: datetime.date,
    amount_due: float,
    today: datetime.date,
    precision_digits: int = 2,
    *,
    max_days: int = MAX_DAYS,
    min_share_percent: float = 0.0,
) -> None:
    """Raise ``ValueError`` for a promise in the past, more than ``max_days`` ahead, not a positive
    finite amount, above what is due, or below ``min_share_percent`` of what is due (``too_little``)."""
    if promised_date < today:
        raise ValueError("past")
    if promised_date > add_days(today, max_days):
        raise ValueError("far")
    if not math.isfinite(amount) or round(amount, precision_digits) <= 0:
        raise ValueError("amount")
    if round(amount - amount_due, precision_digits) > 0:
        raise ValueError("too_much")
    if round(amount - promise_min_amount(amount_due, min_share_percent, precision_digits), precision_digits) < 0:
        raise ValueError("too_little")


def promise_min_amount(amount_due: float, min_share_percent: float, precision_digits: int = 2) -> float:
    """Smallest amount a customer may promise on its own: ``min_share_percent`` of what is due,
    rounded half-up to the currency's precision."""
    return round_half_up(max(amount_due, 0.0) * max(min_share_percent, 0.0) / 100.0, precision_digits)


def promise_outcome(
    amount: float,
    paid: float,
    promised_date: datetime.date,
    today: datetime.date,
    *,
    grace_days: int = 0,
    precision_digits: int = 2,
) -> str:
    """``kept`` once ``paid`` covers ``amount``; ``broken`` after date + grace; else ``pending``."""
    if round(paid - amount, precision_digits) >= 0:
        return "kept"
    if today > add_days(promised_date, grace_days):
        return "broken"
    return "pending"


def priority(amount_overdue: float, max_days_overdue: int, grade: str | None) -> float:
    """Worklist priority: amount overdue x days overdue x grade factor (A 1 .. E 5).

    Customers without grade count as C.
    """
    factor = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}.get(grade or "C", 3)
    return round_half_up(max(amount_overdue, 0.0) * max(max_days_overdue, 0) * factor, 2)
