"""GEN: yi with vi, SE, confidence interval or p-value; CI-only rows; log scale."""

import math

import numpy as np
import pytest
from scipy import stats

from livingmeta.effects import escalc
from livingmeta.errors import ConversionWarning

Z975 = stats.norm.ppf(0.975)


def test_priority_vi_then_sei_then_ci_then_p() -> None:
    nan = np.nan
    with pytest.warns(ConversionWarning, match="1 study: SE derived from a p-value"):
        es = escalc(
            "GEN",
            yi=[0.5, 0.5, 0.5, 0.5],
            vi=[0.04, nan, nan, nan],
            sei=[0.3, 0.1, nan, nan],
            ci_lb=[0.0, 0.0, 0.1, nan],
            ci_ub=[1.0, 1.0, 0.9, nan],
            pval=[0.5, 0.5, 0.5, 0.05],
        )
    assert es.vi[0] == 0.04 and es.notes[0] == ""
    assert es.vi[1] == pytest.approx(0.01) and es.notes[1] == "vi = sei^2"
    assert es.sei[2] == pytest.approx(0.8 / (2 * Z975), rel=1e-14)
    assert es.notes[2] == "SE from 95% CI (normal): (hi-lo)/(2*1.959964)"
    assert es.sei[3] == pytest.approx(0.5 / Z975, rel=1e-14)
    assert "p=0.05" in es.notes[3] and "(approximate)" in es.notes[3]


def test_ci_derived_se_round_trips() -> None:
    rng = np.random.default_rng(1)
    yi = rng.normal(size=20)
    se = rng.uniform(0.05, 1.0, size=20)
    lb, ub = yi - Z975 * se, yi + Z975 * se
    es = escalc("GEN", yi=yi, ci_lb=lb, ci_ub=ub)
    np.testing.assert_allclose(es.sei, se, rtol=1e-12)
    mid = escalc("GEN", ci_lb=lb, ci_ub=ub)
    np.testing.assert_allclose(mid.yi, yi, rtol=1e-12, atol=1e-14)
    assert all("yi = CI midpoint" in n for n in mid.notes)


def test_t_based_ci_uses_df_or_ni_minus_two() -> None:
    t18 = stats.t.ppf(0.975, 18)
    es = escalc("GEN", yi=[1.0, 1.0], ci_lb=[0.0, 0.0], ci_ub=[2.0, 2.0], ci_dist="t",
                df=[18, np.nan], ni=[np.nan, 20])
    np.testing.assert_allclose(es.sei, [1 / t18, 1 / t18], rtol=1e-13)
    assert "(t, df=18)" in es.notes[1]


def test_other_level() -> None:
    es = escalc("GEN", yi=[1.0], ci_lb=[0.0], ci_ub=[2.0], level=0.90)
    assert es.sei[0] == pytest.approx(1 / stats.norm.ppf(0.95), rel=1e-14)
    assert es.notes[0].startswith("SE from 90% CI")


def test_log_scale_ratio_with_ci() -> None:
    es = escalc("GEN", yi=[0.8], ci_lb=[0.6], ci_ub=[1.1], scale="log")
    assert es.yi[0] == pytest.approx(math.log(0.8), rel=1e-14)
    assert es.sei[0] == pytest.approx((math.log(1.1) - math.log(0.6)) / (2 * Z975), rel=1e-14)
    assert es.notes[0].startswith("ratio log-transformed")


def test_p_equal_one_cannot_give_an_se() -> None:
    with pytest.warns(ConversionWarning):
        es = escalc("GEN", yi=[0.3], pval=[1.0])
    assert np.isnan(es.yi[0]) and np.isnan(es.vi[0])


def test_t_based_p_value() -> None:
    with pytest.warns(ConversionWarning):
        es = escalc("GEN", yi=[-0.4], pval=[0.01], ci_dist="t", df=[10])
    assert es.sei[0] == pytest.approx(0.4 / stats.t.ppf(0.995, 10), rel=1e-13)


def test_gen_with_yi_vi_matches_input() -> None:
    es = escalc("GEN", yi=[0.1, -0.3], vi=[0.04, 0.09], study=["A", "B"])
    assert es.study == ("A", "B")
    np.testing.assert_array_equal(es.vi, [0.04, 0.09])
