"""Suggestion logic of each GRADE domain on constructed results, at the thresholds' edges."""

from __future__ import annotations

import math

import pytest
from test_grade_fixtures import effect, four, pooled, single

from livingmeta.appraisal import Decision, GradeSettings, grade_outcome
from livingmeta.appraisal._grade_domains import (
    I2_SERIOUS,
    I2_VERY_SERIOUS,
    optimal_information_size,
)
from livingmeta.appraisal._grade_evidence import evidence_from
from livingmeta.appraisal._grade_types import certainty_level
from livingmeta.errors import ParameterError


def suggested(result, domain, *, rob=None, **settings):
    a = grade_outcome(result, rob=rob, settings=GradeSettings(**settings), decisions={})
    return a.domain(domain).suggested


# --- risk of bias: share of weight (> 50% High: very serious; > 50% High + Some: serious)

@pytest.mark.parametrize(("weights", "rob", "expected"), [
    ((50, 50), {"A": "High", "B": "Low"}, "not serious"),      # 50% is not > 50%...
    ((51, 49), {"A": "High", "B": "Low"}, "very serious"),     # ...51% is
    ((50, 50), {"A": "Some concerns", "B": "Low"}, "not serious"),
    ((51, 49), {"A": "Some concerns", "B": "Low"}, "serious"),
    ((30, 70), {"A": "High", "B": "Low"}, "not serious"),
])
def test_risk_of_bias_thresholds(weights, rob, expected):
    r = pooled([effect("A", -0.2, 0.04), effect("B", -0.3, 0.04)], estimate=-0.25,
               ci=(-0.5, -0.1), weights=weights)
    assert suggested(r, "risk_of_bias", rob=rob) == expected


def test_risk_of_bias_without_judgments_has_no_suggestion():
    a = grade_outcome(four(), settings=GradeSettings(), decisions={})
    d = a.domain("risk_of_bias")
    assert d.suggested is None and d.decision is None
    assert "risk_of_bias" in a.incomplete


def test_risk_of_bias_rejects_unknown_judgment():
    with pytest.raises(ParameterError, match="Low"):
        grade_outcome(four(), rob={"A": "medium"}, settings=GradeSettings())


# --- inconsistency: I2 >= 50 serious; >= 75 with both directions very serious; PI

@pytest.mark.parametrize(("i2", "expected"), [
    (I2_SERIOUS - 0.01, "not serious"), (I2_SERIOUS, "serious"),
    (I2_VERY_SERIOUS, "serious"),  # all four estimates below the null
])
def test_inconsistency_i2_edges(i2, expected):
    assert suggested(four(i2=i2), "inconsistency") == expected


def test_inconsistency_very_serious_needs_both_directions():
    effects = [effect("A", -0.5, 0.04), effect("B", 0.4, 0.04)]
    r = pooled(effects, estimate=0.0, ci=(-0.6, 0.6), i2=I2_VERY_SERIOUS)
    assert suggested(r, "inconsistency") == "very serious"


def test_inconsistency_prediction_interval_changing_the_conclusion():
    assert suggested(four(pi=(-0.9, 0.3)), "inconsistency") == "serious"
    assert suggested(four(pi=(-0.9, -0.01)), "inconsistency") == "not serious"


def test_inconsistency_single_study_not_serious():
    r = single(effect("A", -0.2, 0.04))
    assert suggested(r, "inconsistency") == "not serious"


# --- imprecision: CI against the MID, then the OIS

@pytest.mark.parametrize(("ci", "expected"), [
    ((-0.5, 0.3), "very serious"),     # beyond -0.2 and beyond +0.2
    ((-0.5, 0.2), "serious"),          # reaching +0.2 exactly is not beyond it
    ((-0.2, 0.2), "not serious"),      # edges are not beyond
    ((-0.9, -0.21), "not serious"),    # wholly an important benefit
    ((-0.5, -0.1), "serious"),         # important and unimportant benefit
])
def test_imprecision_against_mid(ci, expected):
    # 4 x 100 participants >= OIS for SMD 0.2? No (786): use ois_delta 0.5 -> OIS 128
    assert suggested(four(ci=ci), "imprecision", mid=0.2, ois_delta=0.5) == expected


def test_imprecision_ois_downgrades_a_narrow_ci():
    # CI wholly within the trivial region, 400 participants < OIS 786 (SMD 0.2)
    assert suggested(four(ci=(-0.15, 0.15)), "imprecision", mid=0.2) == "serious"


def test_imprecision_without_mid_uses_the_null():
    assert suggested(four(ci=(-0.5, 0.01)), "imprecision", ois_delta=0.5) == "serious"
    assert suggested(four(ci=(-0.5, 0.0)), "imprecision", ois_delta=0.5) == "not serious"


def test_imprecision_ratio_thresholds_follow_direction():
    e = [effect("A", math.log(1.5), 0.05, n1=500, n2=500, ai=150, ci=100, measure="RR")]
    r = pooled(e * 1, estimate=math.log(1.5), ci=(math.log(1.1), math.log(2.0)),
               measure="RR")
    # higher is better: 1.25 is the benefit threshold; the CI includes 1.1 (trivial)
    assert suggested(r, "imprecision", mid=0.25, direction="higher") == "serious"
    # lower is better: the CI includes an important harm (> 1.25) and a trivial one
    assert suggested(r, "imprecision", mid=0.25, direction="lower") == "serious"
    wide = pooled(e, estimate=0.0, ci=(math.log(0.5), math.log(2.0)), measure="RR")
    assert suggested(wide, "imprecision", mid=0.25) == "very serious"


def test_optimal_information_size_by_hand():
    # continuous: 2 arms x ceil(2 (1.959964 + 0.841621)^2 / 0.2^2) = 2 x 393
    ev = evidence_from(four())
    assert optimal_information_size(ev, GradeSettings(mid=0.2))[0] == 786
    # binary: p1 0.2, p2 0.15: 7.84887 x (0.16 + 0.1275) / 0.0025 = 902.6 -> 903 per arm
    e = [effect("A", 0.0, 0.05, n1=100, n2=100, ai=20, ci=20, measure="RR")]
    ev = evidence_from(pooled(e, estimate=0.0, ci=(-0.5, 0.5), measure="RR"))
    assert optimal_information_size(ev, GradeSettings())[0] == 1806
    # MD needs an SD
    md = evidence_from(pooled([effect("A", 0, 1, measure="MD")], estimate=0, ci=(-1, 1),
                              measure="MD"))
    assert optimal_information_size(md, GradeSettings(mid=1.0))[0] is None
    assert optimal_information_size(md, GradeSettings(mid=1.0, ois_sd=2.0))[0] == 2 * 63


# --- publication bias

def test_publication_bias_small_industry_trials():
    r = four()  # four studies of 100 participants
    industry = {s: "industry" for s in "ABCD"}
    assert suggested(r, "publication_bias", funding=industry, small_study_n=101) == "serious"
    # a study of >= small_study_n participants is not small: the pattern is broken
    assert suggested(r, "publication_bias", funding=industry, small_study_n=100) \
        == "not serious"
    mixed = industry | {"A": "not reported"}
    assert suggested(r, "publication_bias", funding=mixed, small_study_n=101) \
        == "not serious"
    assert suggested(r, "publication_bias") == "not serious"


def test_publication_bias_k10_uses_eggers_test():
    from livingmeta.review.results import AnalysisStep

    effects = [effect(f"S{i}", -0.1 * i, 0.01 * (i + 1)) for i in range(10)]
    base = pooled(effects, estimate=-0.3, ci=(-0.5, -0.1))

    class Egger:
        def __init__(self, pval):
            self.pval = pval

    def with_p(p):
        from dataclasses import replace
        return replace(base, diagnostics=(AnalysisStep("regtest", "f", Egger(p), ""),))

    assert suggested(with_p(0.099), "publication_bias") == "serious"
    assert suggested(with_p(0.10), "publication_bias") == "not serious"
    assert suggested(base, "publication_bias") is None


# --- indirectness, decisions and certainty arithmetic

def test_indirectness_is_entered():
    assert suggested(four(), "indirectness") is None
    assert suggested(four(), "indirectness", indirectness="serious",
                     indirectness_reason="x") == "serious"


def test_override_keeps_the_suggestion():
    a = grade_outcome(four(ci=(-0.5, 0.3)), rob={s: "Low" for s in "ABCD"},
                      settings=GradeSettings(mid=0.2, ois_delta=0.5,
                                             indirectness="not serious"),
                      decisions={"imprecision": Decision("serious", "upper limit trivial")})
    d = a.domain("imprecision")
    assert (d.suggested, d.decision, d.overridden) == ("very serious", "serious", True)
    assert d.decision_reason == "upper limit trivial" and "important benefit" in d.suggested_reason
    assert a.certainty == "Moderate" and a.symbols == "⊕⊕⊕◯"
    assert any("Suggested from the analysis: very serious" in f for f in a.footnotes)


def test_accept_keeps_reason_and_unknown_domain_is_refused():
    a = grade_outcome(four(), rob={s: "Low" for s in "ABCD"},
                      settings=GradeSettings(indirectness="not serious"),
                      decisions={"inconsistency": Decision(None, "agree")})
    d = a.domain("inconsistency")
    assert d.decision == d.suggested and d.decision_reason == "agree" and not d.overridden
    with pytest.raises(ParameterError):
        grade_outcome(four(), decisions={"bias": Decision(None, "x")})
    with pytest.raises(ParameterError):
        Decision("serious-ish", "x")


def test_certainty_floors_at_very_low_and_non_randomized_starts_low():
    assert [certainty_level(4, d) for d in range(6)] == [4, 3, 2, 1, 1, 1]
    every = {n: Decision("very serious", "x") for n in
             ("risk_of_bias", "inconsistency", "imprecision")}
    a = grade_outcome(four(), settings=GradeSettings(), decisions=every)
    assert (a.certainty, a.symbols, a.downgrades) == ("Very low", "⊕◯◯◯", 6)
    low = grade_outcome(four(ci=(-0.9, -0.21)), design="non-randomized",
                        rob={s: "Low" for s in "ABCD"},
                        settings=GradeSettings(mid=0.2, ois_delta=0.5,
                                               indirectness="not serious"))
    assert (low.start, low.certainty) == ("Low", "Low")
    with pytest.raises(ParameterError):
        grade_outcome(four(), design="cohort")


def test_vectorized_imprecision_rule_matches_the_scalar_judgment():
    # The what-if simulation rates thousands of updated CIs with imprecision_levels; it
    # must give the judgment imprecision() gives each CI one at a time.
    from livingmeta.appraisal._grade_domains import IMPRECISION_JUDGMENTS, imprecision_levels

    cis = [(-0.5, 0.3), (-0.5, 0.2), (-0.2, 0.2), (-0.9, -0.21), (-0.5, -0.1), (-0.15, 0.15),
           (0.05, 0.4), (0.25, 0.9), (-0.05, 0.05)]
    for settings, thresholds, ois_short in (
            ({"mid": 0.2, "ois_delta": 0.5}, (-0.2, 0.2), False),
            ({"mid": 0.2}, (-0.2, 0.2), True),
            ({"ois_delta": 0.5}, None, False)):
        levels = imprecision_levels([c[0] for c in cis], [c[1] for c in cis], thresholds,
                                    ois_short)
        scalar = [suggested(four(ci=c), "imprecision", **settings) for c in cis]
        assert [IMPRECISION_JUDGMENTS[v] for v in levels] == scalar
