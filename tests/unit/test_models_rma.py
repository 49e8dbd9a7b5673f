"""Unit tests of rma(): identities, warnings, errors and result objects."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import (
    MethodNotApplicableError,
    ParameterError,
    SingleStudyWarning,
    ZeroTau2Warning,
)
from livingmeta.models import fit_batch, rma
from livingmeta.results import MetaAnalysisResult, MetaRegressionResult

# BCG vaccine data, log risk ratios (metafor: escalc("RR", ..., data=dat.bcg)), rounded
# to 6 decimals; only used for identities, not for reference values.
YI = np.array([-0.889311, -1.585389, -1.348073, -1.441551, -0.217547, -0.786116,
               -1.620898, 0.011952, -0.469418, -1.371345, -0.339359, 0.445913, -0.017314])
VI = np.array([0.325585, 0.194581, 0.415368, 0.020010, 0.051210, 0.006906, 0.223017,
               0.003962, 0.056434, 0.073025, 0.012412, 0.532506, 0.071405])
ABLAT = np.array([44, 55, 42, 52, 13, 44, 19, 13, 27, 42, 18, 33, 33], dtype=float)

METHODS = ["EE", "DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM"]


def test_dl_closed_form_pooled_estimate() -> None:
    y, v = np.array([0.1, 0.5, 0.9]), np.full(3, 0.04)
    r = rma(y, v, method="DL")
    assert isinstance(r, MetaAnalysisResult)
    # tau2 = 0.12 (see test_tau2_estimators), weights 1/0.16, se = sqrt(0.16/3)
    assert r.tau2 == pytest.approx(0.12)
    assert r.estimate == pytest.approx(0.5)
    assert r.se == pytest.approx(np.sqrt(0.16 / 3))
    assert r.Q == pytest.approx(8.0)
    assert r.Q_df == 2
    assert r.Q_pval == pytest.approx(np.exp(-4.0))  # chi2(2) survival = exp(-Q/2)
    # typical vi = (k-1)/tr(P) = 2/50 = 0.04; I2 = 0.12/0.16, H2 = 0.16/0.04
    assert r.I2 == pytest.approx(75.0)
    assert r.H2 == pytest.approx(4.0)
    np.testing.assert_allclose(r.weights, [100 / 3] * 3)


def test_common_effect_q_based_i2() -> None:
    r = rma(YI, VI, method="EE")
    assert r.tau2 == 0.0 and np.isnan(r.se_tau2)
    assert r.I2 == pytest.approx(max(0.0, 100 * (r.Q - 12) / r.Q))
    assert r.H2 == pytest.approx(r.Q / 12)
    w = 1 / VI
    assert r.estimate == pytest.approx((w * YI).sum() / w.sum())
    # metafor's predict() gives no prediction interval for EE models
    assert np.isnan(r.pi_low) and np.isnan(r.pi_high)
    assert rma(YI, VI, method="FE").estimate == r.estimate


@pytest.mark.parametrize("method", METHODS)
def test_knha_scales_se_by_generalized_q(method: str) -> None:
    z = rma(YI, VI, method=method)
    t = rma(YI, VI, method=method, test="knha")
    w = 1 / (VI + z.tau2)
    mu = (w * YI).sum() / w.sum()
    s2 = (w * (YI - mu) ** 2).sum() / 12
    assert t.se == pytest.approx(z.se * np.sqrt(s2), rel=1e-12)
    assert t.df == 12 and z.df is None
    crit = stats.t.ppf(0.975, 12)
    assert t.ci_high == pytest.approx(t.estimate + crit * t.se, rel=1e-12)
    half = crit * np.sqrt(t.se**2 + t.tau2)
    if method in ("EE", "FE"):  # no prediction interval for a common-effect model
        assert np.isnan(t.pi_high)
    else:
        assert t.pi_high == pytest.approx(t.estimate + half, rel=1e-12)
    assert t.pval == pytest.approx(2 * stats.t.sf(abs(t.estimate / t.se), 12), rel=1e-9)


def test_level_methods_match_fields() -> None:
    r = rma(YI, VI, level=0.9)
    assert r.confidence_interval() == pytest.approx((r.ci_low, r.ci_high))
    assert r.prediction_interval() == pytest.approx((r.pi_low, r.pi_high))
    lo99, hi99 = r.confidence_interval(0.99)
    assert lo99 < r.ci_low and hi99 > r.ci_high


def test_invariance_to_order_and_shift() -> None:
    perm = np.random.default_rng(11).permutation(YI.size)
    a = rma(YI, VI, test="knha")
    b = rma(YI[perm], VI[perm], test="knha")
    c = rma(YI + 1.0, VI, test="knha")
    assert b.estimate == pytest.approx(a.estimate, rel=1e-10)
    assert b.tau2 == pytest.approx(a.tau2, rel=1e-9)
    assert c.estimate == pytest.approx(a.estimate + 1.0, rel=1e-10)
    assert c.se == pytest.approx(a.se, rel=1e-9)


def test_single_study_warns_and_is_defined() -> None:
    with pytest.warns(SingleStudyWarning):
        r = rma([0.3], [0.04], test="knha")
    assert r.k == 1 and r.tau2 == 0.0 and r.test == "z" and r.df is None
    assert r.estimate == 0.3 and r.se == pytest.approx(0.2)
    assert (r.Q, r.Q_df, r.Q_pval, r.I2, r.H2) == (0.0, 0, 1.0, 0.0, 1.0)
    assert r.warnings and "k = 1" in r.warnings[0]
    with pytest.raises(MethodNotApplicableError):
        r.tau2_confidence_interval()
    assert r.to_dict()["tau2_ci"] is None


def test_zero_tau2_warns_and_records() -> None:
    with pytest.warns(ZeroTau2Warning):
        r = rma([0.10, 0.12, 0.11, 0.09], [0.1, 0.2, 0.15, 0.1])
    assert r.tau2 == 0.0 and r.I2 == 0.0 and r.H2 == 1.0
    assert any("tau2" in m for m in r.warnings)
    ci = r.tau2_confidence_interval()
    assert ci.null_set and ci.tau2_ci_low == 0.0 and ci.tau2_ci_high == 0.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "DLX"}, "'method' parameter must be one of"),
        ({"test": "t"}, "'test' parameter must be one of"),
        ({"level": 95}, "level"),
        ({"level": 0.0}, "level"),
    ],
)
def test_invalid_arguments(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        rma(YI, VI, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("yi", "vi"),
    [([0.1, np.nan], [0.1, 0.1]), ([0.1, 0.2], [0.1, -0.1]), ([0.1, 0.2], [0.1]), ([], [])],
)
def test_invalid_data(yi: list[float], vi: list[float]) -> None:
    with pytest.raises(ParameterError):
        rma(yi, vi)


def test_regression_structure_and_r2() -> None:
    r = rma(YI, VI, mods=ABLAT, test="knha", moderator_names=["ablat"])
    assert isinstance(r, MetaRegressionResult)
    assert r.moderator_names == ("intrcpt", "ablat") and r.p == 2 and r.df == 11
    assert r.Q_df == 11 and r.QM_df == 1
    # With one moderator the F statistic is the square of the t statistic.
    assert r.QM == pytest.approx(r.statistic[1] ** 2, rel=1e-10)
    tau2_re = rma(YI, VI).tau2
    assert r.R2 == pytest.approx(100 * (tau2_re - r.tau2) / tau2_re, rel=1e-10)
    assert 0 <= r.R2 <= 100
    lo, hi = r.confidence_interval()
    np.testing.assert_allclose(lo, r.ci_low)
    np.testing.assert_allclose(hi, r.ci_high)


def test_regression_z_qm_is_wald_chi2() -> None:
    mods = np.column_stack([ABLAT, np.arange(13.0)])
    r = rma(YI, VI, mods=mods, method="DL")
    b, V = r.estimate[1:], r.vcov[1:, 1:]
    assert r.QM == pytest.approx(b @ np.linalg.solve(V, b), rel=1e-10)
    assert r.QM_pval == pytest.approx(stats.chi2.sf(r.QM, 2), rel=1e-9)
    assert r.R2 is not None


def test_regression_without_intercept_tests_all() -> None:
    r = rma(YI, VI, mods=np.column_stack([np.ones(13), ABLAT]), intercept=False)
    assert r.QM_df == 2 and r.R2 is None
    with_int = rma(YI, VI, mods=ABLAT)
    np.testing.assert_allclose(r.estimate, with_int.estimate, rtol=1e-10)


def test_regression_errors() -> None:
    with pytest.raises(ParameterError, match="rank deficient"):
        rma(YI, VI, mods=np.ones(13))
    with pytest.raises(ParameterError, match="shape"):
        rma(YI, VI, mods=np.ones(5))
    with pytest.raises(ParameterError, match="needs more than"):
        rma(YI[:2], VI[:2], mods=[1.0, 2.0])


def test_to_dict_is_json_safe() -> None:
    r = rma(YI, VI, method="EE")
    d = r.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert d["se_tau2"] is None and d["tau2_ci"] is None
    assert d["provenance"]["k"] == 13 and len(d["provenance"]["input_digest"]) == 64
    reg = rma(YI, VI, mods=ABLAT).to_dict()
    json.dumps(reg, allow_nan=False)
    assert reg["tau2_ci"]["tau2_ci_low"] >= 0
    assert "estimate" in text


def test_provenance_digest_tracks_inputs() -> None:
    a = rma(YI, VI).provenance
    b = rma(YI, VI, test="knha").provenance
    c = rma(YI + 1e-9, VI).provenance
    assert a.input_digest == b.input_digest != c.input_digest
    assert b.options["test"] == "knha" and a.method == "REML" and a.function == "rma"


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("test", ["z", "knha"])
def test_batch_equals_single_fits(method: str, test: str) -> None:
    rng = np.random.default_rng(5)
    v = rng.uniform(0.01, 0.3, (5, 7))
    y = rng.normal(0.2, np.sqrt(v + 0.1))
    y[0] = 0.2  # homogeneous row: tau2 = 0 (except SJ)
    b = fit_batch(y, v, method, test, 0.9, tau2_ci=method not in ("EE", "FE"))
    for i in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ZeroTau2Warning)
            r = rma(y[i], v[i], method=method, test=test, level=0.9)
        for name in ("estimate", "se", "pval", "ci_low", "ci_high", "pi_low", "pi_high",
                     "tau2", "Q", "I2", "H2"):
            assert getattr(b, name)[i] == pytest.approx(getattr(r, name), rel=1e-10,
                                                        abs=1e-13, nan_ok=True), name
        if method not in ("EE", "FE"):
            ci = r.tau2_confidence_interval()
            assert b.tau2_ci_low is not None and b.tau2_ci_high is not None
            assert b.tau2_ci_low[i] == pytest.approx(ci.tau2_ci_low, rel=1e-10, abs=1e-14)
            assert b.tau2_ci_high[i] == pytest.approx(ci.tau2_ci_high, rel=1e-10)


def test_fit_batch_errors() -> None:
    with pytest.raises(ParameterError):
        fit_batch(np.zeros((3, 1)), np.ones((3, 1)))
    with pytest.raises(ParameterError):
        fit_batch(np.zeros((3, 4)), np.ones((3, 4)), "EE", tau2_ci=True)


def test_bad_data_names_every_offending_study() -> None:
    with pytest.raises(ParameterError) as info:
        rma([0.1, np.nan, 0.3], [0.1, 0.1, -0.2], study=["A", "B", "C"])
    message = str(info.value)
    assert "yi of study 'B' must be finite" in message
    assert "vi of study 'C' must be > 0" in message and "-0.2" in message
