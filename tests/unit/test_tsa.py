"""Trial sequential analysis: required information size, looks, verdicts, contract.

RIS formulas are checked against the published formulas evaluated here by hand
(Wetterslev et al. 2008, eq. 1 for binary outcomes; the two-sample normal formula for
continuous ones); D² against its definition from the pooled variances (Wetterslev et al.
2009, eq. 6) with DerSimonian-Laird computed here from its closed form.
"""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import DataValidationError, ParameterError
from livingmeta.sequential import (
    cumulative,
    diversity,
    group_sequential_boundaries,
    required_information_size,
    trial_sequential_analysis,
)

Z2 = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2
# LDN for fibromyalgia, pain (SMD, lower = benefit), trials in year order (embedded review).
LDN = {"yi": [-0.4857, -0.1113, -0.2206, 0.19], "vi": [0.03993, 0.01735, 0.04065, 0.04102],
       "n": [28, 58, 99, 98], "study": ["Younger 2013", "Bested 2023", "FINAL 2024",
                                        "INNOVA 2026"]}
JSON_KEYS = {"ris", "ris_formula", "heterogeneity_correction", "looks", "adjusted_ci",
             "verdict"}
LOOK_KEYS = {"study", "information", "information_fraction", "z", "upper", "lower",
             "futility_upper", "futility_lower"}


def tsa(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return trial_sequential_analysis(*args, **kwargs)


def ldn(**kwargs):
    options = {"measure": "SMD", "delta": 0.2, "study": LDN["study"], **kwargs}
    return tsa(LDN["yi"], LDN["vi"], LDN["n"], **options)


def test_ris_smd_and_md():
    assert math.isclose(required_information_size(measure="SMD", delta=0.2).ris,
                        4 * Z2 / 0.04, rel_tol=1e-12)
    md = required_information_size(measure="MD", delta=-0.5, sd=1.5)
    assert math.isclose(md.ris, 4 * Z2 * 1.5**2 / 0.25, rel_tol=1e-12)
    assert "N = 4 (z_a + z_b)² σ² / δ²" in md.formula and "no heterogeneity" in md.formula


@pytest.mark.parametrize(("measure", "delta", "p_e"), [
    ("RR", 0.8, 0.16), ("RD", -0.05, 0.15), ("OR", 0.5, 0.1 / 0.9)])
def test_ris_binary_from_control_risk(measure, delta, p_e):
    # Wetterslev 2008 eq. 1: N = 4 (z_a + z_b)^2 P(1 - P) / (p_C - p_E)^2, P the mean risk.
    res = required_information_size(measure=measure, delta=delta, control_risk=0.2)
    p_bar = (0.2 + p_e) / 2
    assert math.isclose(res.intervention_risk, p_e, rel_tol=1e-12)
    assert math.isclose(res.ris, 4 * Z2 * p_bar * (1 - p_bar) / (0.2 - p_e) ** 2,
                        rel_tol=1e-12)


def test_ris_statistical_information_and_one_sided():
    res = required_information_size(measure="RR", delta=0.8, control_risk=0.2,
                                    information="statistical")
    assert math.isclose(res.ris, Z2 / math.log(0.8) ** 2, rel_tol=1e-12)
    one = required_information_size(measure="SMD", delta=0.2, sides=1, alpha=0.025)
    assert math.isclose(one.ris, 4 * Z2 / 0.04, rel_tol=1e-12)  # z_{0.975} either way


def test_ris_heterogeneity_corrections():
    res = required_information_size(measure="SMD", delta=0.2, heterogeneity_correction="I2",
                                    heterogeneity=0.6)
    assert math.isclose(res.ris, 4 * Z2 / 0.04 / 0.4, rel_tol=1e-12)
    assert res.adjustment_factor == pytest.approx(2.5) and "I² = 0.6000" in res.formula


@pytest.mark.parametrize("kwargs", [
    {"measure": "MD", "delta": 1.0}, {"measure": "RR", "delta": 0.8},
    {"measure": "RR", "delta": 1.0, "control_risk": 0.2},
    {"measure": "RR", "delta": 6.0, "control_risk": 0.2},
    {"measure": "SMD", "delta": 0.0}, {"measure": "GEN", "delta": 0.2},
    {"measure": "SMD", "delta": 0.2, "heterogeneity_correction": "D2", "heterogeneity": 1.0}])
def test_ris_bad_arguments(kwargs):
    with pytest.raises(ParameterError):
        required_information_size(**kwargs)


def test_diversity_from_pooled_variances_matches_its_definition():
    y, v = np.array(LDN["yi"]), np.array(LDN["vi"])
    w = 1 / v
    q = np.sum(w * (y - np.sum(w * y) / w.sum()) ** 2)
    tau2 = max(0.0, (q - 3) / (w.sum() - np.sum(w**2) / w.sum()))  # DerSimonian-Laird
    v_r, v_f = 1 / np.sum(1 / (v + tau2)), 1 / w.sum()
    res = ldn()
    assert math.isclose(res.ris.heterogeneity, (v_r - v_f) / v_r, rel_tol=1e-9)
    assert math.isclose(res.ris.ris, 4 * Z2 / 0.04 / (v_f / v_r), rel_tol=1e-9)
    assert diversity(0.02, 0.015) == pytest.approx(0.25)


def test_ldn_pain_is_not_yet_conclusive():
    res = ldn()
    assert res.verdict == "not yet conclusive"
    assert [look.information for look in res.looks] == [28, 86, 185, 283]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = cumulative(LDN["yi"], LDN["vi"], method="DL")
    assert np.allclose([look.z for look in res.looks], ref.statistic, rtol=1e-12)
    fractions = [look.information_fraction for look in res.looks]
    design = group_sequential_boundaries([*fractions, 1.0], futility="obf")
    assert np.allclose([look.upper for look in res.looks], design.efficacy[:4], rtol=1e-12)
    assert all(look.lower == -look.upper for look in res.looks)
    last = res.looks[-1]
    lo, hi = res.adjusted_ci
    assert math.isclose(lo, last.estimate - last.upper * last.se, rel_tol=1e-12)
    assert math.isclose(hi, last.estimate + last.upper * last.se, rel_tol=1e-12)
    assert hi - lo > 2 * 1.96 * last.se  # wider than the conventional interval
    assert "17.2% of the RIS" in res.verdict_reason


def _trials(effect, k=8, v=0.02, n=200):
    return [effect] * k, [v] * k, [n] * k


def test_strong_benefit_crosses_the_boundary_and_harm_the_other():
    yi, vi, n = _trials(-0.5)
    assert tsa(yi, vi, n, measure="SMD", delta=0.3).verdict == "firm evidence of benefit"
    yi, vi, n = _trials(0.5)
    assert tsa(yi, vi, n, measure="SMD", delta=0.3).verdict == "firm evidence of harm"
    assert tsa(yi, vi, n, measure="SMD", delta=0.3,
               direction="higher").verdict == "firm evidence of benefit"


def test_no_effect_beyond_the_ris_is_futility_with_conventional_bounds():
    yi, vi, n = _trials(0.0)
    res = tsa(yi, vi, n, measure="SMD", delta=0.3)
    assert res.looks[-1].information_fraction > 1
    assert res.verdict == "firm evidence of no important effect (futility)"
    crit = stats.norm.ppf(0.975)
    assert res.looks[-1].upper == pytest.approx(crit, abs=1e-12)
    assert math.isnan(res.looks[-1].futility_upper)
    last = res.looks[-1]
    assert res.adjusted_ci[1] == pytest.approx(last.estimate + crit * last.se, rel=1e-12)


def test_inside_the_futility_wedge_before_the_ris():
    yi, vi, n = _trials(0.0, k=5, n=100)
    res = tsa(yi, vi, n, measure="SMD", delta=0.25, heterogeneity="none")
    last = res.looks[-1]
    assert last.information_fraction < 1
    assert last.futility_lower < last.z < last.futility_upper
    assert res.verdict == "firm evidence of no important effect (futility)"


def test_one_sided_bounds_lie_on_the_benefit_side_only():
    res = ldn(sides=1, alpha=0.025)
    assert all(math.isnan(look.upper) and look.lower < 0 for look in res.looks)
    higher = ldn(sides=1, alpha=0.025, direction="higher")
    assert all(math.isnan(look.lower) and look.upper > 0 for look in higher.looks)


def test_futility_bounds_on_the_wrong_side_of_zero_are_not_drawn():
    res = ldn()
    assert all(math.isnan(look.futility_upper) for look in res.looks)  # b_k < 0 early on


def test_statistical_information():
    res = ldn(information="statistical")
    # Common-effect information sum(1 / vi); heterogeneity is in the RIS (D²).
    assert np.allclose([look.information for look in res.looks],
                       np.cumsum(1 / np.array(LDN["vi"])), rtol=1e-12)
    assert math.isclose(res.ris.ris, Z2 / 0.04 / (1 - res.ris.heterogeneity), rel_tol=1e-12)
    assert res.ris.information == "statistical"


def test_json_contract():
    d = ldn().to_dict()
    assert JSON_KEYS <= set(d)
    assert all(set(look) == LOOK_KEYS | {"estimate", "se"} for look in d["looks"])
    assert d["heterogeneity_correction"] == "D2" and len(d["adjusted_ci"]) == 2
    assert d["looks"][0]["futility_upper"] is None
    json.dumps(d, allow_nan=False)
    assert "not yet conclusive" in ldn().summary().as_text()


def test_bad_input_names_the_study():
    with pytest.raises(DataValidationError, match="study 'Bested 2023' \\(row 2\\): n"):
        tsa(LDN["yi"], LDN["vi"], [28, -1, 99, 98], measure="SMD", delta=0.2,
            study=LDN["study"])
    with pytest.raises(ParameterError, match="'n' parameter"):
        tsa(LDN["yi"], LDN["vi"], None, measure="SMD", delta=0.2)
    with pytest.raises(ParameterError, match="'direction' parameter"):
        tsa(LDN["yi"], LDN["vi"], LDN["n"], measure="SMD", delta=0.2, direction="down")
    with pytest.raises(ParameterError, match="'measure' parameter"):
        tsa(LDN["yi"], LDN["vi"], LDN["n"], measure="ROM", delta=0.2)


def test_warnings_are_recorded_and_issued():
    from livingmeta.errors import ZeroTau2Warning

    yi, vi, n = _trials(0.1, k=3)
    with pytest.warns(ZeroTau2Warning):
        res = trial_sequential_analysis(yi, vi, n, measure="SMD", delta=0.2)
    assert any("tau2" in w for w in res.warnings)
