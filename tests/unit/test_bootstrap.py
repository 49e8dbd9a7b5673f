"""Bootstrap confidence intervals (livingmeta.sensitivity.bootstrap).

The BCa and percentile intervals are checked against ``scipy.stats.bootstrap`` on the
same replicates (passed as ``bootstrap_result`` with ``n_resamples=0``: scipy then
computes its interval, its bias correction and its jackknife acceleration itself).
boot (R) is compared in tests/reference/test_metafor_permutest.py.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import ConvergenceWarning, MethodNotApplicableError, ParameterError
from livingmeta.models import fit_batch, rma
from livingmeta.sensitivity import bootstrap as boot_module
from livingmeta.sensitivity.bootstrap import QUANTITIES, bootstrap_ci

# dat.bcg: log risk ratios and sampling variances of the 13 trials (escalc RR).
YI = np.array([-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861, -1.6209, 0.0120,
               -0.4694, -1.3713, -0.3394, 0.4459, -0.0173])
VI = np.array([0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069, 0.2230, 0.0040, 0.0564,
               0.0730, 0.0124, 0.5325, 0.0714])
MONTE_CARLO_SE = 4.5  # tests/tolerances.py MONTE_CARLO_SE (not importable from tests/unit)


class _Replicates:
    """What scipy.stats.bootstrap reads from a previous result."""

    def __init__(self, draws: np.ndarray) -> None:
        self.bootstrap_distribution = draws


def scipy_interval(res, j: int, method: str) -> tuple[float, float]:
    def statistic(idx, axis=-1):
        idx = np.asarray(idx, dtype=int)
        fit = fit_batch(YI[idx], VI[idx], res.method)
        return (fit.estimate, fit.tau2, fit.I2)[j]

    out = stats.bootstrap((np.arange(YI.size),), statistic, vectorized=True, n_resamples=0,
                          bootstrap_result=_Replicates(res.draws[:, j]), method=method,
                          confidence_level=res.level)
    return float(out.confidence_interval.low), float(out.confidence_interval.high)


@pytest.mark.parametrize("kind", ["parametric", "nonparametric"])
@pytest.mark.parametrize(("interval", "scipy_method"), [("bca", "BCa"),
                                                        ("percentile", "percentile")])
def test_intervals_equal_scipy_on_the_same_replicates(kind, interval, scipy_method):
    res = bootstrap_ci(YI, VI, kind=kind, interval=interval, replicates=400, seed=2,
                       level=0.9)
    got = [(res.ci_low, res.ci_high), (res.tau2_ci_low, res.tau2_ci_high),
           (res.I2_ci_low, res.I2_ci_high)]
    for j in range(3):
        assert got[j] == pytest.approx(scipy_interval(res, j, scipy_method), rel=1e-9)


def test_parametric_percentile_interval_contains_the_estimate_and_is_unbiased():
    res = bootstrap_ci(YI, VI, replicates=2000, seed=7)
    assert res.ci_low < res.estimate < res.ci_high
    assert res.tau2_ci_low < res.tau2 < res.tau2_ci_high
    assert res.I2_ci_low < res.I2 < res.I2_ci_high
    est = res.distributions[0]
    # yi* ~ N(mu, vi + tau2): the replicate estimates are centred on mu.
    assert abs(est.mean - res.estimate) < MONTE_CARLO_SE * est.sd / math.sqrt(2000)
    assert est.bias == pytest.approx(est.mean - est.observed)
    # The spread of the replicates is the model's standard error, about.
    se = rma(YI, VI).se
    assert est.sd == pytest.approx(se, rel=0.15)


def test_nonparametric_replicates_are_refits_of_resampled_studies():
    res = bootstrap_ci(YI, VI, kind="nonparametric", replicates=30, seed=5, method="DL")
    # Chunk 0 draws its study indices from SeedSequence(seed, spawn_key=(0,)).
    rng = np.random.default_rng(np.random.SeedSequence(5, spawn_key=(0,)))
    idx = rng.integers(0, YI.size, size=(30, YI.size))
    for r in (0, 17, 29):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = rma(YI[idx[r]], VI[idx[r]], method="DL")
        assert res.draws[r].tolist() == pytest.approx([fit.estimate, fit.tau2, fit.I2],
                                                      rel=1e-10, abs=1e-12)


def test_seeded_and_reproducible():
    a = bootstrap_ci(YI, VI, replicates=50, seed=1)
    b = bootstrap_ci(YI, VI, replicates=50, seed=1)
    c = bootstrap_ci(YI, VI, replicates=50, seed=2)
    assert np.array_equal(a.draws, b.draws) and not np.array_equal(a.draws, c.draws)
    fresh = bootstrap_ci(YI, VI, replicates=50)
    again = bootstrap_ci(YI, VI, replicates=50, seed=fresh.seed)
    assert np.array_equal(fresh.draws, again.draws)


def test_chunks_concatenate_in_order(monkeypatch):
    monkeypatch.setattr(boot_module, "CHUNK_SIZE", 8)
    res = bootstrap_ci(YI, VI, replicates=20, seed=4, kind="nonparametric")
    assert res.draws.shape == (20, 3)
    rng = np.random.default_rng(np.random.SeedSequence(4, spawn_key=(2,)))
    idx = rng.integers(0, YI.size, size=(4, YI.size))  # chunk 2: replicates 16..19
    fit = fit_batch(YI[idx], VI[idx], "REML")
    assert res.draws[16:, 0] == pytest.approx(fit.estimate, rel=1e-12)


def test_confidence_interval_at_other_levels():
    res = bootstrap_ci(YI, VI, replicates=500, seed=3, interval="bca",
                       kind="nonparametric")
    assert res.confidence_interval("tau2") == (res.tau2_ci_low, res.tau2_ci_high)
    lo80, hi80 = res.confidence_interval("estimate", level=0.8)
    assert res.ci_low < lo80 < hi80 < res.ci_high
    with pytest.raises(ParameterError):
        res.confidence_interval("mu")


def test_bca_bias_correction_and_degenerate_distributions():
    draws = np.array([1.0, 2.0, 2.0, 3.0])
    # Ties count half: (1 + 3) / (2 * 4) = 0.5 below the observed 2.
    assert boot_module._bias_correction(draws, 2.0) == 0.0
    assert boot_module._bias_correction(draws, 0.5) == -math.inf
    assert all(math.isnan(b) for b in boot_module._bounds(draws, 0.95, "bca", -math.inf, 0.0))
    assert boot_module._acceleration(np.array([0.3, 0.3, 0.3])) == 0.0


def test_common_effect_tau2_is_zero_without_warning():
    res = bootstrap_ci(YI, VI, method="EE", interval="bca", replicates=50, seed=1,
                       kind="nonparametric")
    assert (res.tau2, res.tau2_ci_low, res.tau2_ci_high) == (0.0, 0.0, 0.0)
    assert res.warnings == ()


def test_replicates_that_fail_to_converge_are_left_out(monkeypatch):
    real = boot_module.fit_batch

    def flaky(yi, vi, method, test):  # replicates 3 and 7 "did not converge"
        fit = real(yi, vi, method, test)
        converged = fit.converged.copy()
        converged[[3, 7]] = False
        return dataclasses.replace(fit, converged=converged)

    full = bootstrap_ci(YI, VI, replicates=12, seed=3)
    monkeypatch.setattr(boot_module, "fit_batch", flaky)
    with pytest.warns(ConvergenceWarning, match="2 of 12 bootstrap replicates"):
        res = bootstrap_ci(YI, VI, replicates=12, seed=3)
    assert res.replicates_used == 10 and res.replicates == 12
    assert np.array_equal(res.draws, np.delete(full.draws, [3, 7], axis=0))
    assert any("did not converge" in w for w in res.warnings)


def test_result_serializes_and_summarizes():
    res = bootstrap_ci(YI, VI, replicates=40, seed=1, study=[f"s{i}" for i in range(13)])
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert "draws" not in d
    assert [x["quantity"] for x in d["distributions"]] == list(QUANTITIES)
    assert d["distributions"][0]["acceleration"] is None  # percentile: no BCa constants
    assert list(res.to_frame().index) == list(QUANTITIES)
    assert "40 replicates (seed 1)" in res.summary().as_text()


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"kind": "jackknife"}, ParameterError),
    ({"interval": "basic"}, ParameterError),
    ({"replicates": 1}, ParameterError),
    ({"seed": 1.5}, ParameterError),
    ({"level": 95}, ParameterError),
])
def test_bad_arguments_raise(kwargs, error):
    with pytest.raises(error):
        bootstrap_ci(YI, VI, **kwargs)


def test_too_few_studies():
    with pytest.raises(MethodNotApplicableError, match="at least 3"):
        bootstrap_ci(YI[:2], VI[:2], interval="bca")
    with pytest.raises(MethodNotApplicableError, match="at least 2"):
        bootstrap_ci(YI[:1], VI[:1])
