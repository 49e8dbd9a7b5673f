"""Each conversion against values computed by hand from its published formula."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from scipy.special import gammaln

from livingmeta.effects import contrasts as cv


def _j(m: float) -> float:
    # Hedges 1981: J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))
    return math.exp(gammaln(m / 2) - 0.5 * math.log(m / 2) - gammaln((m - 1) / 2))


def test_se_from_ci_uses_t_quantile_cochrane_6_5_2_2():
    # FINAL: MD -0.34 (-0.95 to 0.27), n 49 + 50: SE = width / (2 t(0.975, 97))
    se = cv.se_from_ci(-0.95, 0.27, 97).sei[0]
    assert se == pytest.approx(1.22 / (2 * stats.t.ppf(0.975, 97)), rel=1e-12)
    assert cv.se_from_ci(-1.0, 1.0).sei[0] == pytest.approx(1 / 1.959963985, rel=1e-9)


def test_se_from_pvalue_cochrane_6_5_2_3():
    # INNOVA: MD 0.49, p = 0.236, df = 48 + 50 - 2
    se = cv.se_from_pvalue(0.49, 0.236, 96).sei[0]
    assert se == pytest.approx(0.49 / stats.t.ppf(1 - 0.236 / 2, 96), rel=1e-12)


def test_smd_from_md_final_by_hand():
    se = 1.22 / (2 * stats.t.ppf(0.975, 97))
    sd = se / math.sqrt(1 / 49 + 1 / 50)          # Cochrane Handbook 6.5.2.3
    g = _j(97) * -0.34 / sd                         # Hedges 1981
    v = 1 / 49 + 1 / 50 + g**2 / (2 * 99)           # metafor escalc "SMD", vtype LS
    out = cv.smd_from_md(-0.34, cv.se_from_ci(-0.95, 0.27, 97), 49, 50)
    assert out.yi[0] == pytest.approx(g, rel=1e-12)
    assert out.vi[0] == pytest.approx(v, rel=1e-12)
    assert out.yi[0] < 0  # negative = LDN better (lower pain)
    assert "back-calculated" in out.notes[0] and "6.5.2.2" in out.notes[0]


def test_smd_from_md_equals_escalc_on_arm_data_with_that_sd():
    from livingmeta.effects import escalc

    se = cv.StandardError(np.array([0.5 * math.sqrt(1 / 20 + 1 / 25)]), ("",))
    out = cv.smd_from_md(1.0, se, 20, 25)
    es = escalc("SMD", m1i=[1.0], m2i=[0.0], sd1i=[0.5], sd2i=[0.5], n1i=[20], n2i=[25])
    assert out.yi[0] == pytest.approx(es.yi[0], rel=1e-12)
    assert out.vi[0] == pytest.approx(es.vi[0], rel=1e-12)


def test_smd_from_d_innova_borenstein_4_20():
    out = cv.smd_from_d(0.19, 48, 50)
    assert out.yi[0] == 0.19  # positive: favours placebo on a lower-is-better scale
    assert out.vi[0] == pytest.approx(1 / 48 + 1 / 50 + 0.19**2 / (2 * 98), rel=1e-12)
    corrected = cv.smd_from_d(0.19, 48, 50, correct=True)
    assert corrected.yi[0] == pytest.approx(_j(96) * 0.19, rel=1e-12)


def test_smd_from_parallel_p_by_hand():
    t = stats.t.ppf(1 - 0.236 / 2, 96)
    out = cv.smd_from_parallel_p(0.236, 1, 48, 50)
    assert out.yi[0] == pytest.approx(_j(96) * t * math.sqrt(1 / 48 + 1 / 50), rel=1e-12)
    assert out.yi[0] == pytest.approx(0.2391, abs=1e-4)  # the alternative in INNOVA's notes


def test_paired_conversion_younger_2013_by_hand():
    # p = 0.016, n = 28: t on 27 df, d = t/sqrt(n), SMD = d sqrt(2(1-r)) (Elbourne 2002;
    # Cochrane Handbook 23.2.7.2), variance (1/n + SMD^2/(2n)) 2(1-r)
    t = -stats.t.ppf(1 - 0.016 / 2, 27)
    assert cv.t_from_pvalue(0.016, 27)[0] == pytest.approx(-t, rel=1e-12)
    for r in (0.2, 0.5, 0.8):
        smd = t / math.sqrt(28) * math.sqrt(2 * (1 - r))
        out = cv.smd_from_paired_t(t, 28, r)
        assert out.yi[0] == pytest.approx(smd, rel=1e-12)
        assert out.vi[0] == pytest.approx((1 / 28 + smd**2 / 56) * 2 * (1 - r), rel=1e-12)
        becker = cv.smd_from_paired_t(t, 28, r, variance="becker")
        assert becker.vi[0] == pytest.approx(2 * (1 - r) / 28 + smd**2 / 56, rel=1e-12)
        assert f"r = {r:g}" in out.notes[0]
    assert cv.smd_from_paired_t(t, 28, 0.5).yi[0] < 0  # LDN better


def test_paired_conversion_reproduces_cochrane_handbook_example():
    # Handbook 5.1, 16.4.6.4: n = 10, MD 0.5, SDs 2.38/2.21, Corr 0.68 -> SMD 0.218,
    # SE 0.256 (from the data); from the paired t the SMD is 0.217 ("minor discrepancy")
    sd_diff = math.sqrt(2.38**2 + 2.21**2 - 2 * 0.68 * 2.38 * 2.21)
    t = 0.5 / (sd_diff / math.sqrt(10))
    out = cv.smd_from_paired_t(t, 10, 0.68)
    assert round(float(out.yi[0]), 3) == 0.217
    smd_data = 0.5 / math.sqrt((2.38**2 + 2.21**2) / 2)
    se = math.sqrt(1 / 10 + smd_data**2 / 20) * math.sqrt(2 * (1 - 0.68))
    assert (round(smd_data, 3), round(se, 3)) == (0.218, 0.256)
    assert math.sqrt(out.vi[0]) == pytest.approx(0.256, abs=1e-3)


def test_conversions_are_vectorized():
    out = cv.smd_from_paired_t([-2.0, 1.0, 0.5], [10, 20, 30], 0.5)
    assert out.yi.shape == (3,) and len(out.notes) == 3
    with pytest.raises(ValueError, match="variance"):
        cv.smd_from_paired_t(1.0, 10, 0.5, variance="x")
