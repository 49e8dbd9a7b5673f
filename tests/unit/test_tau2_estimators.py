"""Unit tests of the tau2 estimators: closed forms, identities, invariances, batching."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta.models.tau2 import TAU2_ESTIMATORS
from livingmeta.models.tau2._common import newton_q_root

CODES = ["DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"]

# BCG vaccine data, log risk ratios (metafor: escalc("RR", ..., data=dat.bcg)), rounded
# to 6 decimals; only used for identities, not for reference values.
YI = np.array([-0.889311, -1.585389, -1.348073, -1.441551, -0.217547, -0.786116,
               -1.620898, 0.011952, -0.469418, -1.371345, -0.339359, 0.445913, -0.017314])
VI = np.array([0.325585, 0.194581, 0.415368, 0.020010, 0.051210, 0.006906, 0.223017,
               0.003962, 0.056434, 0.073025, 0.012412, 0.532506, 0.071405])
ABLAT = np.array([44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33], dtype=float)


def test_registry_has_every_metafor_code() -> None:
    assert sorted(TAU2_ESTIMATORS) == sorted(CODES)


def test_dl_closed_form_three_studies() -> None:
    # Hand computation: w = 25 each, mean 0.5, Q = 25 * (0.16 + 0 + 0.16) = 8,
    # tr(P) = 75 - 3 * 625 / 75 = 50, tau2 = (8 - 2) / 50 = 0.12.
    est = TAU2_ESTIMATORS["DL"](np.array([0.1, 0.5, 0.9]), np.full(3, 0.04), None)
    assert float(est.tau2) == pytest.approx(0.12, rel=1e-14)
    assert bool(est.converged) and int(est.iterations) == 0


def test_dl_unequal_weights_closed_form() -> None:
    y, v = np.array([0.0, 1.0, 3.0]), np.array([1.0, 0.5, 0.25])
    w = 1 / v
    mu = (w * y).sum() / w.sum()
    q = (w * (y - mu) ** 2).sum()
    expected = (q - 2) / (w.sum() - (w**2).sum() / w.sum())
    assert float(TAU2_ESTIMATORS["DL"](y, v, None).tau2) == pytest.approx(expected, rel=1e-13)


@pytest.mark.parametrize("code", CODES)
def test_truncated_at_zero_for_homogeneous_data(code: str) -> None:
    y = np.array([0.10, 0.12, 0.11, 0.09])
    v = np.array([0.1, 0.2, 0.15, 0.1])
    tau2 = float(TAU2_ESTIMATORS[code](y, v, None).tau2)
    if code == "SJ":
        assert tau2 > 0  # SJ is positive unless all yi are equal
    else:
        assert tau2 == 0.0


def test_equal_variances_make_estimators_coincide() -> None:
    # With vi all equal, REML, PM, EB, DL and HE all equal the moment estimator
    # s^2 - v, and ML equals HS ((k-1)/k s^2 - v). metafor 3.8.1 shows the same:
    # rma(c(0.1,1.3,0.25,0.9), rep(0.1,4), method=m) -> 0.215625 (DL HE REML EB PM),
    # 0.13671875 (HS ML).
    y = np.array([0.1, 1.3, 0.25, 0.9])
    v = np.full(4, 0.1)
    got = {c: float(TAU2_ESTIMATORS[c](y, v, None).tau2) for c in CODES}
    s2 = y.var(ddof=1)
    for c in ("DL", "HE", "REML", "EB", "PM"):
        assert got[c] == pytest.approx(s2 - 0.1, rel=1e-9)
    for c in ("HS", "ML"):
        assert got[c] == pytest.approx(s2 * 3 / 4 - 0.1, rel=1e-9)
    assert got["DL"] == pytest.approx(0.215625, rel=1e-9)
    assert got["ML"] == pytest.approx(0.13671875, rel=1e-9)


def test_eb_equals_pm() -> None:
    a = TAU2_ESTIMATORS["EB"](YI, VI, None)
    b = TAU2_ESTIMATORS["PM"](YI, VI, None)
    assert float(a.tau2) == pytest.approx(float(b.tau2), rel=1e-12)


@pytest.mark.parametrize("code", CODES)
def test_invariant_to_order_and_location_shift(code: str) -> None:
    f = TAU2_ESTIMATORS[code]
    base = float(f(YI, VI, None).tau2)
    perm = np.random.default_rng(3).permutation(YI.size)
    assert float(f(YI[perm], VI[perm], None).tau2) == pytest.approx(base, rel=1e-9)
    assert float(f(YI + 2.5, VI, None).tau2) == pytest.approx(base, rel=1e-9)


@pytest.mark.parametrize("code", CODES)
def test_intercept_column_equals_intercept_only(code: str) -> None:
    f = TAU2_ESTIMATORS[code]
    X = np.ones((YI.size, 1))
    a, b = f(YI, VI, None), f(YI, VI, X)
    assert float(b.tau2) == pytest.approx(float(a.tau2), rel=1e-9)
    assert float(b.se_tau2) == pytest.approx(float(a.se_tau2), rel=1e-8)


@pytest.mark.parametrize("code", CODES)
def test_batch_equals_single(code: str) -> None:
    f = TAU2_ESTIMATORS[code]
    rng = np.random.default_rng(7)
    v = rng.uniform(0.01, 0.3, (6, 8))
    y = rng.normal(0.0, np.sqrt(v + rng.uniform(0, 0.3, (6, 1))))
    X = np.column_stack([np.ones(8), np.arange(8.0)])
    for design in (None, X, np.broadcast_to(X, (6, 8, 2))):
        batch = f(y, v, design)
        assert batch.tau2.shape == (6,)
        for i in range(6):
            single = f(y[i], v[i], None if design is None else X)
            assert batch.tau2[i] == pytest.approx(float(single.tau2), rel=1e-10, abs=1e-14)
            assert batch.se_tau2[i] == pytest.approx(float(single.se_tau2), rel=1e-9)


@pytest.mark.parametrize("code", ["ML", "REML", "EB", "PM"])
def test_iterative_estimators_converge(code: str) -> None:
    est = TAU2_ESTIMATORS[code](YI, VI, None)
    assert bool(est.converged)
    assert 0 < int(est.iterations) < 1000


def test_pm_solves_generalized_q() -> None:
    X = np.column_stack([np.ones(YI.size), ABLAT])
    tau2 = float(TAU2_ESTIMATORS["PM"](YI, VI, X).tau2)
    w = 1 / (VI + tau2)
    beta = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * YI))
    q = (w * (YI - X @ beta) ** 2).sum()
    assert q == pytest.approx(YI.size - 2, rel=1e-9)


def test_reml_score_is_zero_at_estimate() -> None:
    tau2 = float(TAU2_ESTIMATORS["REML"](YI, VI, None).tau2)
    w = 1 / (VI + tau2)
    sw = w.sum()
    r = YI - (w * YI).sum() / sw
    score = ((w * r) ** 2).sum() - (sw - (w**2).sum() / sw)
    assert abs(score) < 1e-8


def test_newton_q_root_reaches_target_from_zero() -> None:
    target = np.array([20.0, 5.0])
    roots, conv, _ = newton_q_root(np.stack([YI, YI]), np.stack([VI, VI]), None, target,
                                   xtol=1e-12, relative_only=True)
    assert conv.all()
    for t, q in zip(roots, target, strict=True):
        w = 1 / (VI + t)
        mu = (w * YI).sum() / w.sum()
        assert (w * (YI - mu) ** 2).sum() == pytest.approx(q, rel=1e-10)
