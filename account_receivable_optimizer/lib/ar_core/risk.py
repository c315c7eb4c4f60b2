"""Customer risk score (0-100, 100 = no risk) and grade (A best .. E worst).

The score combines payment-behaviour factors, each turned into a risk
between 0 (none) and 1 (full) and weighted by the credit policy:

==================  ==========================================  ==========
factor              raw value                                   full risk
==================  ==========================================  ==========
``days_late``       amount-weighted average days paid late,     60 days
                    rolling 12 months, early payments count 0
``overdue_share``   overdue amount / exposure                   100 %
``max_overdue``     maximum days overdue today                  120 days
``utilisation``     exposure / credit limit (0 without limit)   100 %
``broken_promises`` promises to pay broken in the last 12       3 promises
                    months (default weight 0: off)
==================  ==========================================  ==========

    risk  = sum(weight_i x risk_i) / sum(weight_i)
    score = 100 x (1 - risk), rounded half-up to 2 decimals

The grade is the first letter whose threshold the score reaches:
score >= A threshold gives A, >= B gives B, >= C gives C, >= D gives D,
otherwise E. The worked example is in docs/risk-scoring.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

GRADES = ("A", "B", "C", "D", "E")

#: Raw value at which each factor reaches full risk.
SATURATION = {
    "days_late": 60.0,
    "overdue_share": 1.0,
    "max_overdue": 120.0,
    "utilisation": 1.0,
    "broken_promises": 3.0,
}
FACTORS = tuple(SATURATION)

DEFAULT_WEIGHTS = {
    "days_late": 35.0,
    "overdue_share": 25.0,
    "max_overdue": 25.0,
    "utilisation": 15.0,
    # Off unless the credit policy weighs it: adding it changes no existing score.
    "broken_promises": 0.0,
}
#: Minimum score of grades A, B, C and D (E is everything below D).
DEFAULT_THRESHOLDS = (80.0, 60.0, 40.0, 20.0)


def round_half_up(value: float, digits: int = 2) -> float:
    """Round like an accountant (0.125 -> 0.13), not like binary floats."""
    quantum = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def average_days_late(
    payments: Iterable[tuple[datetime.date | None, datetime.date, float]],
) -> float:
    """Amount-weighted mean of days paid after the due date.

    ``payments`` holds ``(due_date, payment_date, amount)``; a payment on
    or before its due date counts 0 days (formulas reference, "average
    days late"). Returns 0.0 when nothing was paid.
    """
    total = 0.0
    weighted = 0.0
    for due_date, payment_date, amount in payments:
        if amount <= 0:
            continue
        late = max(0, (payment_date - due_date).days) if due_date else 0
        total += amount
        weighted += amount * late
    return weighted / total if total else 0.0


@dataclass(frozen=True)
class RiskFactors:
    """Raw payment-behaviour values of one customer."""

    days_late: float = 0.0
    overdue_share: float = 0.0
    max_overdue: float = 0.0
    utilisation: float = 0.0
    broken_promises: float = 0.0

    @classmethod
    def from_amounts(
        cls,
        *,
        days_late: float,
        exposure: float,
        overdue_amount: float,
        max_days_overdue: int,
        limit: float,
        broken_promises: int = 0,
    ) -> RiskFactors:
        """Build the factors from amounts: shares are computed here."""
        overdue_share = overdue_amount / exposure if exposure > 0 else 0.0
        utilisation = exposure / limit if limit and limit > 0 and exposure > 0 else 0.0
        return cls(
            days_late=days_late,
            overdue_share=overdue_share,
            max_overdue=float(max_days_overdue),
            utilisation=utilisation,
            broken_promises=float(broken_promises),
        )


def validate_weights(weights: Mapping[str, float]) -> None:
    """Raise ``ValueError`` if a weight is negative or all weights are zero."""
    unknown = set(weights) - set(FACTORS)
    if unknown:
        raise ValueError(f"unknown risk factors: {sorted(unknown)}")
    if any(weight < 0 for weight in weights.values()):
        raise ValueError("risk weights cannot be negative")
    if not any(weight > 0 for weight in weights.values()):
        raise ValueError("at least one risk weight must be positive")


def validate_thresholds(thresholds: tuple[float, float, float, float]) -> None:
    """Raise ``ValueError`` unless 100 >= A > B > C > D >= 0."""
    if len(thresholds) != 4:
        raise ValueError("four thresholds are required (A, B, C, D)")
    a, b, c, d = thresholds
    if not (100 >= a > b > c > d >= 0):
        raise ValueError("grade thresholds must satisfy 100 >= A > B > C > D >= 0")


def factor_risks(factors: RiskFactors) -> dict[str, float]:
    """Each factor's risk, between 0 and 1."""
    risks = {}
    for name in FACTORS:
        value = max(0.0, getattr(factors, name))
        risks[name] = min(value / SATURATION[name], 1.0)
    return risks


def risk_score(factors: RiskFactors, weights: Mapping[str, float] | None = None) -> float:
    """Score from 0 (worst) to 100 (best), rounded half-up to 2 decimals."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    validate_weights(weights)
    risks = factor_risks(factors)
    total_weight = sum(weights.values())
    risk = sum(weights.get(name, 0.0) * risks[name] for name in FACTORS) / total_weight
    return round_half_up(100.0 * (1.0 - risk), 2)


def risk_grade(score: float, thresholds: tuple[float, float, float, float] = DEFAULT_THRESHOLDS) -> str:
    """The grade ``A``..``E`` of a score."""
    validate_thresholds(thresholds)
    for grade, threshold in zip(GRADES, thresholds, strict=False):
        if score >= threshold:
            return grade
    return GRADES[-1]


def trust_for_grade(grade: str) -> str:
    """Odoo's native partner ``trust`` matching a grade: A-B good, C normal, D-E bad."""
    if grade not in GRADES:
        raise ValueError(f"unknown grade {grade!r}")
    return {"A": "good", "B": "good", "C": "normal"}.get(grade, "bad")


@dataclass(frozen=True)
class RiskAssessment:
    score: float
    grade: str
    factors: RiskFactors
    risks: dict[str, float]
    weights: dict[str, float]

    def contributions(self) -> dict[str, float]:
        """Points each factor takes off the score (they add up to 100 - score)."""
        total = sum(self.weights.values())
        return {name: 100.0 * self.weights.get(name, 0.0) * self.risks[name] / total for name in FACTORS}


def assess(
    factors: RiskFactors,
    weights: Mapping[str, float] | None = None,
    thresholds: tuple[float, float, float, float] = DEFAULT_THRESHOLDS,
) -> RiskAssessment:
    """Score, grade and breakdown of one customer."""
    weights = dict(DEFAULT_WEIGHTS if weights is None else weights)
    score = risk_score(factors, weights)
    return RiskAssessment(
        score=score,
        grade=risk_grade(score, thresholds),
        factors=factors,
        risks=factor_risks(factors),
        weights=weights,
    )
