"""Permutation tests against metafor's permutest() and bootstrap intervals against boot.

Fixtures: validation/metafor/fixtures/permutest.json, written by
validation/metafor/generate_permutest.R (each case carries its R call).

* ``permutest(rma(...), exact=TRUE)``: every sign pattern (intercept-only, k = 10) or
  every distinct permutation of the moderator (ablat, k = 7, with a tie: 2520; a binary
  moderator, k = 9: 36), REML and DL, z and knha. Exact p-values are ratios of counts, so
  they must agree to rounding (EXACT_PERMUTATION_PVAL_ATOL); random-permutation p-values
  must agree with them within Monte Carlo error.
* ``boot()`` with 5000 replicates on dat.bcg (REML; nonparametric: percentile and BCa;
  parametric: percentile): different random draws, so the intervals, means and SDs are
  compared within Monte Carlo error of both sides. BCa's acceleration is deterministic
  (the jackknife of the studies, boot.ci given the centred jackknife values ``L``) and is
  compared at ESTIMATE_RTOL.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import tolerances as tol
from livingmeta.sensitivity.bootstrap import bootstrap_ci
from livingmeta.sensitivity.permutation import permutation_test

from ._fixtures import FIXTURES, load

NAME = "permutest.json"
DESIGNS = {"intercept": (10, 1024), "ablat": (7, 2520), "random": (9, 36)}
METHODS = ("REML", "DL")
TESTS = ("z", "knha")
BOOT_KINDS = {"nonparametric": ("perc", "bca"), "parametric": ("perc",)}
OURS = 20_000  # livingmeta replicates compared with boot's 5000


def permutest_cases():
    if not (FIXTURES / NAME).exists():
        return [pytest.param(None, id="missing", marks=pytest.mark.xfail(strict=True))]
    return [pytest.param(c, id=c["id"]) for c in load(NAME)["cases"]]


def boot_cases():
    if not (FIXTURES / NAME).exists():
        return [pytest.param(None, id="missing", marks=pytest.mark.xfail(strict=True))]
    return [pytest.param(c, id=c["id"]) for c in load(NAME)["bootstrap"]]


def test_fixture_is_generated_and_the_grid_is_complete():
    data = load(NAME)
    assert data["_generated"] == "by validation/metafor/generate_permutest.R — do not edit"
    assert data["metafor_version"] == "3.8.1" and data["boot_version"]
    want = {f"permutest-bcg-k{k}-{name}-{m}-{t}" for name, (k, _) in DESIGNS.items()
            for m in METHODS for t in TESTS}
    want |= {f"boot-bcg-REML-{kind}" for kind in BOOT_KINDS}
    got = [c["id"] for c in data["cases"]] + [c["id"] for c in data["bootstrap"]]
    assert sorted(got) == sorted(want) == sorted(data["manifest"]["case_ids"])


def run_case(case, **kwargs):
    x = case["input"]
    return permutation_test(x["yi"], x["vi"], mods=x["mods"], method=case["method"],
                            test=case["test"], study=x["study"], measure="RR", **kwargs)


@pytest.mark.parametrize("case", permutest_cases())
def test_exact_permutation_pvalues_equal_metafor(case):
    e = case["expected"]
    where = f"{case['id']} [{case['r_call']}]"
    res = run_case(case, exact=True)
    name = next(n for n, (k, _) in DESIGNS.items() if case["id"].endswith(
        f"k{k}-{n}-{case['method']}-{case['test']}"))
    assert res.exact and res.exact_count == e["exact_count"] == DESIGNS[name][1], where
    assert res.permutations == e["permutations"] and res.failed == e["failed"] == 0, where
    # permutest: pval, QMp (ratios of counts over the same reference set).
    assert res.pval.tolist() == pytest.approx(e["pval"], abs=tol.EXACT_PERMUTATION_PVAL_ATOL), \
        where
    assert res.QM_pval == pytest.approx(e["QM_pval"], abs=tol.EXACT_PERMUTATION_PVAL_ATOL), \
        where
    # The observed model (rma): coefficients, statistics, QM and model p-values.
    for key in ("estimate", "se", "statistic"):
        assert getattr(res, key).tolist() == pytest.approx(e[key], rel=tol.ESTIMATE_RTOL), \
            f"{where}: {key}"
    assert res.model_pval.tolist() == pytest.approx(e["model_pval"], rel=tol.PVAL_RTOL)
    assert res.QM == pytest.approx(e["QM"], rel=tol.HETEROGENEITY_RTOL), where
    assert res.QM_df == e["QM_df"], where
    assert res.model_QM_pval == pytest.approx(e["model_QM_pval"], rel=tol.PVAL_RTOL), where


@pytest.mark.parametrize("case", [c for c in permutest_cases()
                                  if c.values[0] is not None and "ablat" in c.id])
def test_random_permutation_pvalues_agree_with_metafor_exact(case):
    n = 4000
    res = run_case(case, exact=False, permutations=n, seed=2015)
    assert not res.exact and res.permutations == n
    e = case["expected"]
    for p_exact, p_rand in zip([*e["pval"], e["QM_pval"]], [*res.pval, res.QM_pval],
                               strict=True):
        se = math.sqrt(p_exact * (1 - p_exact) / n)
        assert abs(p_rand - p_exact) <= tol.MONTE_CARLO_SE * se + 1 / n, case["id"]


def quantile_se(draws: np.ndarray, prob: float, n_other: int) -> float:
    """Monte Carlo SE of the difference of two sample quantiles at ``prob`` (R1 draws
    here, ``n_other`` there): sqrt(p (1 - p) (1/R1 + 1/R2)) / f(q), with 1/f(q) estimated
    by a difference quotient of the quantile function (Bahadur representation)."""
    delta = 0.01
    lo, hi = np.quantile(draws, [max(prob - delta, 0.0), min(prob + delta, 1.0)])
    inverse_density = (hi - lo) / (min(prob + delta, 1.0) - max(prob - delta, 0.0))
    return math.sqrt(prob * (1 - prob) * (1 / draws.size + 1 / n_other)) * inverse_density


@pytest.mark.parametrize("case", boot_cases())
def test_bootstrap_intervals_agree_with_boot_within_monte_carlo_error(case):
    x = case["input"]
    n_boot = case["used"]
    for kind_r in BOOT_KINDS[case["kind"]]:
        interval = "percentile" if kind_r == "perc" else "bca"
        with warnings.catch_warnings():  # a few REML refits of resamples fail, as in R
            warnings.simplefilter("ignore")
            res = bootstrap_ci(x["yi"], x["vi"], method="REML", kind=case["kind"],
                               interval=interval, replicates=OURS, seed=360,
                               level=case["level"])
        for j, name in enumerate(("estimate", "tau2", "I2")):
            e = case["expected"][name]
            draws = res.draws[:, j]
            where = f"{case['id']} {name} {kind_r} [{case['r_call']}]"
            d = res.distributions[j]
            assert d.observed == pytest.approx(e["observed"], rel=tol.ESTIMATE_RTOL), where
            sd_se = d.sd * math.sqrt(1 / draws.size + 1 / n_boot)
            assert abs(d.mean - e["mean"]) <= tol.MONTE_CARLO_SE * sd_se, where
            assert abs(d.sd - e["sd"]) <= tol.MONTE_CARLO_SE * sd_se, where
            if interval == "bca":  # deterministic: the jackknife of the 13 studies
                assert d.acceleration == pytest.approx(e["acceleration"],
                                                       rel=tol.ESTIMATE_RTOL), where
            ours = res.confidence_interval(name)
            alpha = (1 - case["level"]) / 2
            for side, (got, want) in enumerate(zip(ours, e[kind_r], strict=True)):
                # BCa's quantile levels move with z0 and a; the level nearest the bound
                # is estimated from our draws.
                prob = float(np.mean(draws <= got)) if interval == "bca" else (
                    alpha if side == 0 else 1 - alpha)
                se = quantile_se(draws, prob, n_boot)
                assert abs(got - want) <= tol.MONTE_CARLO_SE * se, (
                    f"{where}: bound {side} {got} vs boot {want} ({abs(got - want) / se:.1f} SE)")
