"""bayes_meta: validation, defined edge cases, internal consistency and sampling."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate, stats

from livingmeta.errors import DataValidationError, ParameterError
from livingmeta.models import HalfNormalPrior, NormalPrior, bayes_meta

YI = [-0.4857, -0.1113, -0.2206, 0.19]
VI = [0.0399, 0.0173, 0.0407, 0.0410]


@pytest.fixture(scope="module")
def res():
    return bayes_meta(YI, VI, mu_prior="normal:0,1", tau_prior="halfnormal:0.5",
                      threshold=-0.2, study=["a", "b", "c", "d"], measure="SMD")


def test_bad_rows_are_reported_by_study():
    with pytest.raises(DataValidationError, match=r"study 'b' \(row 2\): vi must be > 0"):
        bayes_meta([0.1, 0.2], [0.1, 0.0], mu_prior="flat", tau_prior="halfnormal:1",
                   study=["a", "b"])


@pytest.mark.parametrize("kwargs", [
    {"direction": "down"}, {"threshold": "big"}, {"threshold": math.inf}, {"level": 95},
    {"mu_prior": "normal:0"}, {"tau_prior": 3},
])
def test_bad_arguments(kwargs):
    args = {"mu_prior": "flat", "tau_prior": "halfnormal:1", **kwargs}
    with pytest.raises(ParameterError):
        bayes_meta(YI, VI, **args)


def test_single_study_with_flat_mu_leaves_tau_at_its_prior():
    # k = 1, flat mu: the likelihood of tau is constant, so the posterior is the prior.
    r = bayes_meta([0.3], [0.05], mu_prior="flat", tau_prior="halfnormal:0.5")
    assert r.tau.median == pytest.approx(0.5 * stats.halfnorm.ppf(0.5), rel=1e-9)
    assert r.tau.mean == pytest.approx(stats.halfnorm.mean(scale=0.5), rel=1e-9)
    assert r.mu.median == pytest.approx(0.3, abs=1e-12)
    assert r.warnings == ()


def test_interval_masses_and_ordering(res):
    for name, s in (("mu", res.mu), ("theta_new", res.theta_new), ("tau", res.tau)):
        assert res.cdf(name, s.ci_high) - res.cdf(name, s.ci_low) == pytest.approx(0.95,
                                                                                   abs=1e-9)
        assert res.cdf(name, s.hpd_high) - res.cdf(name, s.hpd_low) == pytest.approx(
            0.95, abs=1e-9)
        assert s.hpd_high - s.hpd_low <= s.ci_high - s.ci_low + 1e-12
        assert res.cdf(name, s.median) == pytest.approx(0.5, abs=1e-10)
    # the shortest interval has equal density at both ends (unimodal)
    assert float(res.density("mu", res.mu.hpd_low)) == pytest.approx(
        float(res.density("mu", res.mu.hpd_high)), rel=1e-6)
    assert res.theta_new.sd > res.mu.sd


def test_densities_integrate_to_one(res):
    x = np.linspace(-3, 3, 6001)
    assert integrate.simpson(res.density("mu", x), x=x) == pytest.approx(1.0, abs=1e-8)
    t = np.linspace(0, 4, 4001)
    assert integrate.simpson(res.density("tau", t), x=t) == pytest.approx(1.0, abs=1e-6)
    assert res.density("tau", -0.1) == 0.0


def test_probabilities_follow_the_direction(res):
    higher = bayes_meta(YI, VI, mu_prior="normal:0,1", tau_prior="halfnormal:0.5",
                        threshold=-0.2, direction="higher")
    assert res.p_benefit + higher.p_benefit == pytest.approx(1.0, abs=1e-12)
    assert res.p_beyond_threshold + higher.p_beyond_threshold == pytest.approx(1.0, abs=1e-12)
    assert res.p_beyond_threshold == pytest.approx(res.cdf("mu", -0.2), abs=1e-14)
    assert res.p_beyond_threshold < res.p_benefit


def test_bayes_factor_needs_a_proper_mu_prior(res):
    prior0 = float(np.exp(NormalPrior(0, 1).logpdf(0.0)))
    assert res.bayes_factor_01 == pytest.approx(float(res.density("mu", 0.0)) / prior0)
    flat = bayes_meta(YI, VI, mu_prior="flat", tau_prior=HalfNormalPrior(0.5))
    assert flat.bayes_factor_01 is None and "improper" in flat.bayes_factor_note
    assert flat.p_beyond_threshold is None


def test_sample_reproduces_the_exact_posterior(res):
    mu, tau, new = res.sample(200_000, np.random.default_rng(20240601))
    n = mu.size
    for draws, name in ((mu, "mu"), (tau, "tau"), (new, "theta_new")):
        for p in (0.1, 0.5, 0.9):
            # the fraction below the exact quantile is Binomial(n, p)/n: 5 SE
            assert np.mean(draws < res.quantile(name, p)) == pytest.approx(
                p, abs=5 * math.sqrt(p * (1 - p) / n))
    again = res.sample(5, 7)
    assert np.array_equal(again[0], res.sample(5, 7)[0])
    with pytest.raises(ParameterError):
        res.sample(0)


def test_to_dict_is_the_json_contract(res):
    out = res.to_dict()
    json.dumps(out, allow_nan=False)
    keys = {"mean", "median", "sd", "ci_low", "ci_high", "hpd_low", "hpd_high"}
    assert keys <= set(out["mu"]) and keys <= set(out["tau"]) and keys <= set(out["theta_new"])
    assert {"p_beyond_threshold", "p_benefit", "bayes_factor_01", "studies", "k", "measure",
            "level", "mu_prior", "tau_prior"} <= set(out)
    assert out["level"] == 95 and out["k"] == 4 and out["measure"] == "SMD"
    assert [s["study"] for s in out["studies"]] == ["a", "b", "c", "d"]
    assert {"study", "mean", "ci_low", "ci_high"} <= set(out["studies"][0])
    assert out["tau_prior"]["description"] == "half-normal(scale=0.5)"


def test_summary_and_provenance(res):
    text = res.summary().as_text()
    assert "P(mu < -0.2)" in text and "half-normal(scale=0.5)" in text and "theta_new" in text
    other = bayes_meta(YI[:3], VI[:3], mu_prior="normal:0,1", tau_prior="halfnormal:0.5")
    assert other.provenance.input_digest != res.provenance.input_digest
    assert res.provenance.options["tau_prior"] == "half-normal(scale=0.5)"
    assert res.posterior.converged


def test_shrinkage_pulls_studies_towards_the_mean(res):
    for y, s in zip(YI, res.studies, strict=True):
        assert min(y, res.mu.mean) - 1e-12 <= s.mean <= max(y, res.mu.mean) + 1e-12


def test_many_precise_studies_concentrate_the_posterior():
    # 400 studies from mu = 0.3, tau = 0.2: the posterior of mu concentrates near the truth.
    rng = np.random.default_rng(1)
    vi = rng.uniform(0.01, 0.05, 400)
    yi = 0.3 + rng.normal(0, 0.2, 400) + rng.normal(0, np.sqrt(vi))
    r = bayes_meta(yi, vi, mu_prior="flat", tau_prior="halfcauchy:1")
    assert r.mu.ci_low < 0.3 < r.mu.ci_high and r.mu.sd < 0.02
    assert r.tau.ci_low < 0.2 < r.tau.ci_high and r.posterior.converged
