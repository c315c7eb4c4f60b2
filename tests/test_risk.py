import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ar_core import risk

WORKED = risk.RiskFactors(days_late=12.0, overdue_share=0.30, max_overdue=45.0, utilisation=0.80)


def test_worked_example_from_the_docs():
    assessment = risk.assess(WORKED)
    assert assessment.risks == {
        "days_late": 0.2,
        "overdue_share": 0.3,
        "max_overdue": 0.375,
        "utilisation": 0.8,
        "broken_promises": 0.0,
    }
    assert assessment.contributions() == pytest.approx(
        {"days_late": 7.0, "overdue_share": 7.5, "max_overdue": 9.375, "utilisation": 12.0, "broken_promises": 0.0}
    )
    assert assessment.score == 64.13  # 64.125 rounded half-up
    assert assessment.grade == "B"


def test_perfect_and_worst_customers():
    assert risk.risk_score(risk.RiskFactors()) == 100.0
    worst = risk.RiskFactors(days_late=999, overdue_share=5, max_overdue=999, utilisation=9)
    assert risk.risk_score(worst) == 0.0
    assert risk.risk_grade(0.0) == "E"


def test_only_weighted_factors_count():
    factors = risk.RiskFactors(days_late=30.0, utilisation=1.0)
    only_days = {"days_late": 1.0, "overdue_share": 0.0, "max_overdue": 0.0, "utilisation": 0.0}
    assert risk.risk_score(factors, only_days) == 50.0
    only_util = {"days_late": 0.0, "overdue_share": 0.0, "max_overdue": 0.0, "utilisation": 3.0}
    assert risk.risk_score(factors, only_util) == 0.0


def test_broken_promises_count_only_when_weighted():
    factors = risk.RiskFactors(broken_promises=2.0)
    assert risk.risk_score(factors) == 100.0  # default weight 0
    weights = {**risk.DEFAULT_WEIGHTS, "broken_promises": 20.0}
    # 2 of 3 promises: risk 2/3 x 20 / 120 of the total weight = 11.11 points
    assert risk.risk_score(factors, weights) == 88.89
    assert risk.risk_score(risk.RiskFactors(broken_promises=7.0), weights) == 83.33  # saturates at 3


def test_from_amounts():
    factors = risk.RiskFactors.from_amounts(
        days_late=4.5, exposure=2000.0, overdue_amount=500.0, max_days_overdue=17, limit=4000.0
    )
    assert factors == risk.RiskFactors(days_late=4.5, overdue_share=0.25, max_overdue=17.0, utilisation=0.5)
    no_limit = risk.RiskFactors.from_amounts(
        days_late=0, exposure=-50.0, overdue_amount=0.0, max_days_overdue=0, limit=0.0
    )
    assert no_limit == risk.RiskFactors()


def test_average_days_late_is_amount_weighted_and_ignores_early_payments():
    due = datetime.date(2026, 1, 31)
    payments = [
        (due, datetime.date(2026, 2, 10), 300.0),  # 10 days late
        (due, datetime.date(2026, 1, 20), 100.0),  # early: counts 0
        (due, datetime.date(2026, 3, 2), 100.0),  # 30 days late
    ]
    assert risk.average_days_late(payments) == pytest.approx((300 * 10 + 100 * 30) / 500)
    assert risk.average_days_late([]) == 0.0


@pytest.mark.parametrize(
    ("score", "grade"),
    [(100, "A"), (80, "A"), (79.99, "B"), (60, "B"), (59.99, "C"), (40, "C"), (20, "D"), (19.99, "E")],
)
def test_grade_boundaries(score, grade):
    assert risk.risk_grade(score) == grade


@pytest.mark.parametrize(
    "thresholds",
    [(80, 80, 40, 20), (60, 80, 40, 20), (101, 60, 40, 20), (80, 60, 40, -1), (80, 60, 40)],
)
def test_bad_thresholds(thresholds):
    with pytest.raises(ValueError):
        risk.validate_thresholds(thresholds)


@pytest.mark.parametrize(
    "weights",
    [
        {"days_late": 0, "overdue_share": 0, "max_overdue": 0, "utilisation": 0},
        {"days_late": -1, "overdue_share": 5, "max_overdue": 0, "utilisation": 0},
        {"days_late": 1, "color": 2},
    ],
)
def test_bad_weights(weights):
    with pytest.raises(ValueError):
        risk.validate_weights(weights)


def test_trust_mapping():
    assert [risk.trust_for_grade(g) for g in risk.GRADES] == ["good", "good", "normal", "bad", "bad"]
    with pytest.raises(ValueError):
        risk.trust_for_grade("F")


def test_round_half_up():
    assert risk.round_half_up(64.125) == 64.13
    assert risk.round_half_up(0.005) == 0.01
    assert risk.round_half_up(-1.005) == -1.01


factor_values = st.floats(min_value=0, max_value=1000, allow_nan=False)
weights_st = st.fixed_dictionaries({name: st.floats(min_value=0, max_value=100) for name in risk.FACTORS}).filter(
    lambda w: any(v > 0 for v in w.values())
)
factors_st = st.builds(
    risk.RiskFactors,
    days_late=factor_values,
    overdue_share=st.floats(min_value=0, max_value=10),
    max_overdue=factor_values,
    utilisation=st.floats(min_value=0, max_value=10),
    broken_promises=st.integers(min_value=0, max_value=20).map(float),
)


@given(factors_st, weights_st)
def test_score_is_within_bounds(factors, weights):
    assert 0.0 <= risk.risk_score(factors, weights) <= 100.0


@given(st.floats(min_value=0, max_value=100), st.floats(min_value=0, max_value=100))
def test_grade_is_monotone_in_score(s1, s2):
    low, high = sorted((s1, s2))
    assert risk.GRADES.index(risk.risk_grade(high)) <= risk.GRADES.index(risk.risk_grade(low))


@given(factors_st, weights_st, st.sampled_from(risk.FACTORS), st.floats(min_value=0, max_value=100))
def test_a_worse_factor_never_improves_the_score(factors, weights, name, extra):
    worse = risk.RiskFactors(**{**factors.__dict__, name: getattr(factors, name) + extra})
    assert risk.risk_score(worse, weights) <= risk.risk_score(factors, weights)


@given(factors_st, st.sampled_from(risk.FACTORS), st.floats(min_value=0, max_value=100))
def test_a_factor_with_zero_weight_has_no_effect(factors, name, extra):
    weights = dict.fromkeys(risk.FACTORS, 1.0)
    weights[name] = 0.0
    changed = risk.RiskFactors(**{**factors.__dict__, name: getattr(factors, name) + extra})
    assert risk.risk_score(changed, weights) == risk.risk_score(factors, weights)


@given(factors_st, weights_st)
def test_contributions_add_up_to_the_lost_points(factors, weights):
    assessment = risk.assess(factors, weights)
    assert sum(assessment.contributions().values()) == pytest.approx(100 - assessment.score, abs=0.006)
