"""Unit tests of the Q-profile interval for tau2, I2 and H2."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import MethodNotApplicableError
from livingmeta.models import rma

# BCG vaccine data, log risk ratios (metafor: escalc("RR", ..., data=dat.bcg)), rounded
# to 6 decimals; only used for identities, not for reference values.
YI = np.array([-0.889311, -1.585389, -1.348073, -1.441551, -0.217547, -0.786116,
               -1.620898, 0.011952, -0.469418, -1.371345, -0.339359, 0.445913, -0.017314])
VI = np.array([0.325585, 0.194581, 0.415368, 0.020010, 0.051210, 0.006906, 0.223017,
               0.003962, 0.056434, 0.073025, 0.012412, 0.532506, 0.071405])
ABLAT = np.array([44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33], dtype=float)


def _q(y: np.ndarray, v: np.ndarray, tau2: float, X: np.ndarray | None = None) -> float:
    w = 1 / (v + tau2)
    Xm = np.ones((y.size, 1)) if X is None else X
    beta = np.linalg.solve(Xm.T @ (w[:, None] * Xm), Xm.T @ (w * y))
    return float((w * (y - Xm @ beta) ** 2).sum())


@pytest.mark.parametrize("level", [0.9, 0.95])
def test_bounds_solve_q_equal_chi2_quantiles(level: float) -> None:
    r = rma(YI, VI, method="PM", level=level)
    ci = r.tau2_confidence_interval()
    a = 1 - level
    assert _q(YI, VI, ci.tau2_ci_low) == pytest.approx(stats.chi2.ppf(1 - a / 2, 12), rel=1e-10)
    assert _q(YI, VI, ci.tau2_ci_high) == pytest.approx(stats.chi2.ppf(a / 2, 12), rel=1e-10)
    assert ci.low_status == ci.high_status == "ok" and ci.converged
    assert ci.tau2_ci_low < r.tau2 < ci.tau2_ci_high  # PM lies inside (Q(tau2) = k - 1)


def test_i2_h2_bounds_follow_tau2_bounds() -> None:
    r = rma(YI, VI)
    ci = r.tau2_confidence_interval()
    s2 = r.typical_vi
    assert ci.I2_ci_low == pytest.approx(100 * ci.tau2_ci_low / (s2 + ci.tau2_ci_low))
    assert ci.H2_ci_high == pytest.approx(1 + ci.tau2_ci_high / s2)
    assert ci.tau_ci_low == pytest.approx(np.sqrt(ci.tau2_ci_low))
    assert ci.I2 == pytest.approx(r.I2)


def test_regression_bounds_use_residual_q() -> None:
    X = np.column_stack([np.ones(13), ABLAT])
    r = rma(YI, VI, mods=ABLAT)
    ci = r.tau2_confidence_interval()
    assert _q(YI, VI, ci.tau2_ci_high, X) == pytest.approx(stats.chi2.ppf(0.025, 11), rel=1e-10)


def test_lower_bound_below_zero_is_zero() -> None:
    # metafor 3.8.1: r <- rma(c(0.1,0.52,0.31,0.09), c(0.01,0.02,0.015,0.01));
    # confint(r, control=list(tol=1e-12)) -> tau^2 ci.lb 0, ci.ub 0.561185140935
    r = rma([0.1, 0.52, 0.31, 0.09], [0.01, 0.02, 0.015, 0.01])
    ci = r.tau2_confidence_interval()
    assert ci.tau2_ci_low == 0.0 and ci.low_status == "below"
    assert ci.tau2_ci_high == pytest.approx(0.561185140935, rel=1e-9)
    assert ci.I2_ci_low == 0.0 and ci.H2_ci_low == 1.0


def test_upper_bound_beyond_metafors_default_limit_is_the_true_root() -> None:
    # metafor 3.8.1 with its default limit max(100, 10 tau2) prints ci.ub ">100"; with the
    # limit lifted: confint(rma(c(0.1,1.9), c(0.1,0.2), control=list(threshold=1e-13)),
    #   control=list(tol=1e-13, tau2.max=1e6)) -> ci.lb 0.1724595342328, ci.ub 1649.4283969458654
    r = rma([0.1, 1.9], [0.1, 0.2])
    ci = r.tau2_confidence_interval()
    assert ci.high_status == "ok"
    assert ci.tau2_ci_high == pytest.approx(1649.4283969458654, rel=1e-9)
    assert ci.tau2_ci_low == pytest.approx(0.1724595342328, rel=1e-9)
    # same call on c(0.1, 19), tau2.max=1e8 -> ci.lb 35.40116364916, ci.ub 181865.86826328159
    big = rma([0.1, 19.0], [0.1, 0.2]).tau2_confidence_interval()
    assert big.tau2_ci_high == pytest.approx(181865.86826328159, rel=1e-9)
    assert big.tau2_ci_low == pytest.approx(35.40116364916, rel=1e-9)


def test_common_effect_has_no_tau2_interval() -> None:
    with pytest.raises(MethodNotApplicableError):
        rma(YI, VI, method="EE").tau2_confidence_interval()
