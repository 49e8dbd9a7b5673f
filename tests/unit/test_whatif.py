"""What-if simulation of a pending trial (livingmeta.sequential.whatif)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from livingmeta.appraisal._grade_domains import IMPRECISION_JUDGMENTS, imprecision_levels
from livingmeta.errors import ParameterError, SimulationWarning
from livingmeta.models import rma
from livingmeta.sequential._trial_simulation import PendingTrial, simulate_trial
from livingmeta.sequential.whatif import SIGNIFICANCE_LABELS, what_if

# Three small trials, SMD (lower is better), as an LDN-like update problem.
YI = np.array([-0.55, -0.35, 0.05])
VI = np.array([0.07, 0.05, 0.04])


def test_same_seed_same_result_other_seed_other_draws():
    a = what_if(YI, VI, PendingTrial(49), measure="SMD", draws=500, seed=11)
    b = what_if(YI, VI, PendingTrial(49), measure="SMD", draws=500, seed=11)
    c = what_if(YI, VI, PendingTrial(49), measure="SMD", draws=500, seed=12)
    assert np.array_equal(a.estimate, b.estimate) and np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.estimate, c.estimate)
    assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize(("method", "test"), [("REML", "knha"), ("DL", "z"), ("EE", "z"),
                                              ("PM", "adhoc")])
def test_each_updated_analysis_is_the_rma_fit_of_the_updated_studies(method, test):
    r = what_if(YI, VI, PendingTrial(30, effect=0.1), measure="SMD", method=method, test=test,
                draws=40, seed=3)
    for j in range(0, 40, 7):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = rma(np.append(YI, r.trial_yi[j]), np.append(VI, r.trial_vi[j]),
                      method=method, test=test)
        assert r.estimate[j] == pytest.approx(float(fit.estimate), rel=1e-9, abs=1e-12)
        assert r.ci_low[j] == pytest.approx(float(fit.ci_low), rel=1e-9, abs=1e-12)
        assert r.ci_high[j] == pytest.approx(float(fit.ci_high), rel=1e-9, abs=1e-12)
        assert r.pval[j] == pytest.approx(float(fit.pval), rel=1e-8)


def test_significance_reading_of_every_draw():
    r = what_if(YI, VI, PendingTrial(60), measure="SMD", test="z", draws=3000, seed=5)
    sig = r.criterion("significance")
    benefit = np.mean(r.ci_high < 0)   # lower is better
    harm = np.mean(r.ci_low > 0)
    assert sig.probabilities["benefit"] == pytest.approx(benefit)
    assert sig.probabilities["harm"] == pytest.approx(harm)
    assert sum(sig.probabilities.values()) == pytest.approx(1.0)
    now = rma(YI, VI, test="z")
    current = ("benefit" if now.ci_high < 0 else "harm" if now.ci_low > 0
               else "no significant difference")
    assert sig.current == current
    assert sig.p_change == pytest.approx(1 - sig.probabilities[current])
    assert set(sig.probabilities) == set(SIGNIFICANCE_LABELS)


def test_direction_higher_mirrors_the_reading():
    lo = what_if(-YI, VI, PendingTrial(60), measure="SMD", draws=800, seed=2,
                 direction="higher")
    hi = what_if(YI, VI, PendingTrial(60), measure="SMD", draws=800, seed=2)
    assert lo.criterion("significance").current == hi.criterion("significance").current
    # the predictive draws mirror too (same seed, symmetric normal): same reading shares
    assert lo.criterion("significance").probabilities == pytest.approx(
        hi.criterion("significance").probabilities, abs=0.03)


def test_a_decisive_trial_makes_the_benefit_certain():
    r = what_if(YI, VI, PendingTrial(2000, effect=-1.0), measure="SMD", test="z", draws=200,
                seed=1)
    assert r.criterion("significance").probabilities["benefit"] == 1.0


def test_imprecision_criterion_reads_every_updated_ci_with_the_grade_rule():
    r = what_if(YI, VI, PendingTrial(49), measure="SMD", mid=0.2, participants=283, ois=786,
                draws=2000, seed=4)
    imp = r.criterion("imprecision")
    after = imprecision_levels(r.ci_low, r.ci_high, (-0.2, 0.2), 283 + 98 < 786)
    for level, name in enumerate(IMPRECISION_JUDGMENTS):
        assert imp.probabilities[name] == pytest.approx(np.mean(after == level))
    now = rma(YI, VI, test="knha")
    assert imp.current == IMPRECISION_JUDGMENTS[int(imprecision_levels(
        now.ci_low, now.ci_high, (-0.2, 0.2), True))]


def test_normal_predictive_draws_match_the_current_fit():
    r = what_if(YI, VI, PendingTrial(49), measure="SMD", draws=20000, seed=8)
    fit = rma(YI, VI, method="REML", test="z")
    sd = math.sqrt(float(fit.se) ** 2 + float(fit.tau2))
    # Monte Carlo SE of the mean is sd / sqrt(20000): allow 5 of them
    assert np.mean(r.theta) == pytest.approx(float(fit.estimate), abs=5 * sd / math.sqrt(20000))
    assert np.std(r.theta) == pytest.approx(sd, rel=0.03)
    assert "normal predictive" in r.effect_source


def test_smd_trial_sampling_distribution():
    # Hedges' g from n = 49 per arm: mean J(96) * theta, variance ~ 2/49 + theta^2/196
    rng = np.random.default_rng(7)
    yi, _, clipped = simulate_trial(PendingTrial(49), "SMD", np.full(40000, -0.4), rng)
    j = 1 - 3 / (4 * 96 - 1)
    assert clipped == 0
    assert np.mean(yi) == pytest.approx(j * -0.4, abs=5 * math.sqrt(0.042 / 40000))
    assert np.var(yi) == pytest.approx(2 / 49 + 0.16 / 196, rel=0.04)


def test_md_and_binary_trials():
    rng = np.random.default_rng(9)
    yi, _, _ = simulate_trial(PendingTrial(100, sd=2.0), "MD", np.full(20000, -1.0), rng)
    assert np.mean(yi) == pytest.approx(-1.0, abs=5 * math.sqrt(0.08 / 20000))
    assert np.var(yi) == pytest.approx(2 * 4 / 100, rel=0.04)
    yi, vi, clipped = simulate_trial(PendingTrial(500, control_risk=0.3), "RR",
                                     np.full(20000, math.log(0.8)), rng)
    assert clipped == 0 and np.all(np.isfinite(vi))
    assert np.mean(yi) == pytest.approx(math.log(0.8), abs=0.01)
    _, _, clipped = simulate_trial(PendingTrial(50, control_risk=0.8), "RR",
                                   np.array([0.0, 0.5, 1.0]), rng)
    assert clipped == 2  # 0.8 e^0.5 and 0.8 e^1 exceed 1


def test_clipped_risks_are_reported_as_a_warning():
    with pytest.warns(SimulationWarning, match="clipped"):
        r = what_if(np.log([0.8, 1.1]), [0.02, 0.03],
                    PendingTrial(50, effect=1.0, control_risk=0.8), measure="RR", draws=10,
                    seed=1)
    assert any("clipped" in w for w in r.warnings)


@pytest.mark.parametrize(("trial", "measure", "match"), [
    (PendingTrial(1), "SMD", "n_per_arm must be an integer >= 2"),
    (PendingTrial(20), "MD", "needs the outcome SD"),
    (PendingTrial(20), "RR", "needs the control-arm risk"),
    (PendingTrial(20, control_risk=1.2), "OR", "needs the control-arm risk"),
    (PendingTrial(20, effect=math.inf), "SMD", "effect must be a finite number"),
])
def test_bad_trials_are_named(trial, measure, match):
    with pytest.raises(ParameterError, match=match):
        what_if(YI, VI, trial, measure=measure, draws=10)


def test_bad_arguments():
    with pytest.raises(ParameterError, match="inverse-variance"):
        what_if(YI, VI, PendingTrial(20), measure="SMD", method="MH")
    with pytest.raises(ParameterError, match="draws"):
        what_if(YI, VI, PendingTrial(20), measure="SMD", draws=0)
    with pytest.raises(ParameterError, match="measure"):
        what_if(YI, VI, PendingTrial(20), measure="IRR")


def test_summary_and_dict():
    r = what_if(YI, VI, PendingTrial(49, label="INNOVA-like"), measure="SMD", mid=0.2,
                draws=300, seed=1)
    text = r.summary().as_text()
    assert "INNOVA-like: 49 per arm (98 participants)" in text
    assert "significance" in text and "imprecision" in text
    d = r.to_dict()
    assert d["updated"]["estimate"]["q50"] == pytest.approx(float(np.median(r.estimate)))
    assert [c["name"] for c in d["criteria"]] == ["significance", "imprecision"]
    assert 0 <= r.percentile_of(0.0) <= 1
    assert r.percentile_of(float(np.max(r.estimate))) == 1.0
