"""Permutation tests (livingmeta.sensitivity.permutation): reference sets, p-values, seeds.

The exact p-values are checked against brute force written here independently: a Python
loop of :func:`rma` fits over every sign pattern / permutation made with itertools,
counted with metafor's rule (``|z*| >= |z| - comptol``). metafor itself is compared in
tests/reference/test_metafor_permutest.py.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import math
import warnings

import numpy as np
import pytest

from livingmeta.errors import (
    ConvergenceWarning,
    DataValidationError,
    MethodNotApplicableError,
    ParameterError,
)
from livingmeta.models import rma
from livingmeta.sensitivity import permutation as perm_module
from livingmeta.sensitivity._permutation_sets import (
    distinct_assignments,
    random_assignments,
    random_signs,
    sign_patterns,
    unrank_assignments,
)
from livingmeta.sensitivity.permutation import permutation_test

# dat.bcg, log risk ratios of the first 6 trials, and their absolute latitudes.
YI = np.array([-0.8893, -1.5854, -1.3481, -1.4416, -0.2175, -0.7861])
VI = np.array([0.3256, 0.1946, 0.4154, 0.0200, 0.0512, 0.0069])
ABLAT = np.array([44.0, 55.0, 42.0, 52.0, 13.0, 44.0])
COMPTOL = math.sqrt(np.finfo(float).eps)
# tests/tolerances.py (not importable from tests/unit): EXACT_PERMUTATION_PVAL_ATOL,
# MONTE_CARLO_SE and ESTIMATE_RTOL.
EXACT_PVAL_ATOL = 1e-12
MONTE_CARLO_SE = 4.5
ESTIMATE_RTOL = 1e-6


def quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def test_sign_patterns_enumerate_every_pattern_once_identity_first():
    k = 5
    got = sign_patterns(0, 2 ** k, k)
    # R's expand.grid(c(1, -1), ...) order: the first study's sign varies fastest.
    want = [tuple(reversed(p)) for p in itertools.product((1.0, -1.0), repeat=k)]
    assert [tuple(row) for row in got] == want
    assert [tuple(r) for r in sign_patterns(7, 9, k)] == want[7:16]


def test_multiset_unranking_matches_itertools():
    values = [0, 0, 1, 2, 2, 2, 3]
    want = sorted(set(itertools.permutations(values)))
    counts = (2, 1, 3, 1)
    assert distinct_assignments(counts) == len(want) == 420
    got = unrank_assignments(0, len(want), counts)
    assert [tuple(r) for r in got] == want
    assert [tuple(r) for r in unrank_assignments(100, 37, counts)] == want[100:137]


def test_random_draws_are_permutations_and_signs():
    rng = np.random.default_rng(5)
    observed = np.array([0, 0, 1, 2, 2])
    draws = random_assignments(rng, 200, observed)
    assert (np.sort(draws, axis=1) == np.sort(observed)).all()
    assert len({tuple(r) for r in draws}) > 20
    signs = random_signs(rng, 500, 4)
    assert set(np.unique(signs)) == {-1.0, 1.0}
    assert abs(signs.mean()) < 0.1


def brute_force_pvalues(yi, vi, X, method, test):
    """metafor's rule over every permutation, by a Python loop of rma fits."""
    fit = quiet(rma, yi, vi, mods=None if X is None else X, method=method, test=test)
    obs = np.atleast_1d(fit.statistic)
    qm_obs = obs[0] ** 2 if X is None else fit.QM
    if X is None:
        sets = [np.array(s) for s in itertools.product((1.0, -1.0), repeat=len(yi))]
        fits = [quiet(rma, s * yi, vi, method=method, test=test) for s in sets]
        stats = np.array([[f.statistic] for f in fits])
        qms = stats[:, 0] ** 2
    else:
        orders = sorted(set(itertools.permutations(range(len(yi)))),
                        key=lambda o: tuple(X[list(o)]))
        rows = {tuple(X[list(o)]) for o in orders}
        fits = [quiet(rma, yi, vi, mods=np.array(r), method=method, test=test) for r in rows]
        stats = np.array([f.statistic for f in fits])
        qms = np.array([f.QM for f in fits])
    p = np.mean(np.abs(stats) >= np.abs(obs) - COMPTOL, axis=0)
    return p, np.mean(qms >= qm_obs - COMPTOL), len(fits)


@pytest.mark.parametrize(("method", "test"), [("DL", "z"), ("REML", "knha")])
def test_exact_sign_flip_pvalues_equal_brute_force(method, test):
    want_p, want_qm, n = brute_force_pvalues(YI, VI, None, method, test)
    res = quiet(permutation_test, YI, VI, method=method, test=test, exact=True)
    assert res.exact and res.permutations == res.exact_count == n == 64
    assert res.pval == pytest.approx(want_p, abs=EXACT_PVAL_ATOL)
    assert res.QM_pval == pytest.approx(want_qm, abs=EXACT_PVAL_ATOL)


@pytest.mark.parametrize(("method", "test"), [("REML", "z"), ("DL", "knha")])
def test_exact_moderator_pvalues_equal_brute_force_with_tied_rows(method, test):
    # ablat has a tie (44 twice): 6! / 2! = 360 distinct permutations of the design.
    want_p, want_qm, n = brute_force_pvalues(YI, VI, ABLAT, method, test)
    res = quiet(permutation_test, YI, VI, mods=ABLAT, method=method, test=test)
    assert res.exact and res.exact_count == n == 360
    assert res.pval == pytest.approx(want_p, abs=EXACT_PVAL_ATOL)
    assert res.QM_pval == pytest.approx(want_qm, abs=EXACT_PVAL_ATOL)
    # One moderator: its Wald test is the omnibus test (QM = z^2).
    assert res.QM == pytest.approx(res.statistic[1] ** 2, rel=ESTIMATE_RTOL)


def test_exact_result_does_not_depend_on_chunking(monkeypatch):
    whole = quiet(permutation_test, YI, VI, mods=ABLAT, method="REML")
    monkeypatch.setattr(perm_module, "CHUNK_SIZE", 7)
    chunked = quiet(permutation_test, YI, VI, mods=ABLAT, method="REML")
    assert np.array_equal(whole.permuted_QM, chunked.permuted_QM)
    assert np.array_equal(whole.pval, chunked.pval)


def test_ties_with_the_observed_statistic_count_as_extreme():
    # |yi| and vi all equal: the 2 patterns with all signs equal tie with |z| observed.
    res = permutation_test([0.5, 0.5, 0.5, 0.5], [0.1, 0.1, 0.1, 0.1], method="EE")
    assert res.exact and res.permutations == 16
    assert float(res.pval[0]) == 2 / 16
    assert res.QM_pval == 2 / 16


def test_random_pvalues_agree_with_exact_within_monte_carlo_error():
    exact = quiet(permutation_test, YI, VI, mods=ABLAT, method="REML")
    n = 3000
    rand = quiet(permutation_test, YI, VI, mods=ABLAT, method="REML", exact=False,
                 permutations=n, seed=11)
    assert not rand.exact and rand.permutations == n and rand.seed == 11
    for p_exact, p_rand in zip(exact.pval, rand.pval, strict=True):
        se = math.sqrt(p_exact * (1 - p_exact) / n)
        assert abs(p_rand - p_exact) <= MONTE_CARLO_SE * se + 1 / n


def test_random_test_counts_the_observed_data_first_and_is_seeded():
    a = quiet(permutation_test, YI, VI, permutations=40, exact=False, seed=3)
    b = quiet(permutation_test, YI, VI, permutations=40, exact=False, seed=3)
    c = quiet(permutation_test, YI, VI, permutations=40, exact=False, seed=4)
    assert a.permuted_statistic[0, 0] == a.statistic[0]
    assert np.array_equal(a.permuted_statistic, b.permuted_statistic)
    assert not np.array_equal(a.permuted_statistic, c.permuted_statistic)
    assert a.pval[0] >= 1 / 40
    fresh = quiet(permutation_test, YI, VI, permutations=40, exact=False)
    again = quiet(permutation_test, YI, VI, permutations=40, exact=False, seed=fresh.seed)
    assert isinstance(fresh.seed, int)
    assert np.array_equal(fresh.permuted_statistic, again.permuted_statistic)


def test_auto_is_exact_only_when_the_reference_set_is_small_enough():
    assert quiet(permutation_test, YI, VI, permutations=64).exact
    small = quiet(permutation_test, YI, VI, permutations=63, seed=1)
    assert not small.exact and small.permutations == 63 and small.exact_count == 64
    forced = quiet(permutation_test, YI, VI, permutations=10, exact=True)
    assert forced.exact and forced.permutations == 64 and forced.seed is None


def test_pvalues_leave_out_fits_that_did_not_converge():
    stat = np.array([[3.0], [1.0], [5.0], [2.0]])
    qm = stat[:, 0] ** 2
    ok = np.array([True, True, False, True])
    pval, qm_p = perm_module._pvalues(stat, qm, ok, np.array([2.0]), 4.0)
    assert pval.tolist() == [2 / 3] and qm_p == 2 / 3
    none = perm_module._pvalues(stat, qm, np.zeros(4, dtype=bool), np.array([2.0]), 4.0)
    assert np.isnan(none[0]).all() and math.isnan(none[1])


def test_permuted_fits_that_do_not_converge_are_left_out(monkeypatch):
    real = perm_module.fit_batch

    def flaky(yi, vi, method, test):  # sign pattern 5 "did not converge"
        fit = real(yi, vi, method, test)
        converged = fit.converged.copy()
        converged[5] = False
        return dataclasses.replace(fit, converged=converged)

    full = quiet(permutation_test, YI, VI, method="DL")
    monkeypatch.setattr(perm_module, "fit_batch", flaky)
    with pytest.warns(ConvergenceWarning, match="1 of 64 permuted fits"):
        res = permutation_test(YI, VI, method="DL")
    assert res.failed == 1 and res.permutations == 64
    assert np.isnan(res.permuted_statistic[5, 0])
    kept = np.delete(full.permuted_statistic[:, 0], 5)
    assert res.pval[0] == np.mean(np.abs(kept) >= abs(full.statistic[0]) - COMPTOL)


def test_knha_intercept_only_qm_is_t_squared():
    res = quiet(permutation_test, YI, VI, test="knha", method="DL")
    assert res.df == 5
    assert res.QM == pytest.approx(res.statistic[0] ** 2, rel=1e-12)
    assert res.model_QM_pval == pytest.approx(res.model_pval[0], rel=1e-10)


def test_result_serializes_and_summarizes():
    res = quiet(permutation_test, YI, VI, mods=ABLAT, moderator_names=["ablat"],
                study=list("ABCDEF"), method="DL")
    d = res.to_dict()
    json.dumps(d, allow_nan=False)
    assert "permuted_statistic" not in d and "permuted_QM" not in d
    assert d["moderator_names"] == ["intrcpt", "ablat"] and d["exact"] is True
    assert d["provenance"]["function"] == "permutation_test"
    assert list(res.to_frame().index) == ["intrcpt", "ablat"]
    text = res.summary().as_text()
    assert "Exact test: all 360 distinct permutations" in text and "ablat" in text


def test_observed_fit_warnings_are_issued_and_recorded():
    with pytest.warns(Warning, match="tau2 was estimated at 0"):
        res = permutation_test([0.1, 0.11, 0.12, 0.1], [0.1, 0.1, 0.1, 0.1], method="DL")
    assert any("tau2 was estimated at 0" in w for w in res.warnings)


@pytest.mark.parametrize(("kwargs", "error"), [
    ({"permutations": 1}, ParameterError),
    ({"permutations": True}, ParameterError),
    ({"exact": "yes"}, ParameterError),
    ({"seed": -1}, ParameterError),
    ({"method": "DLX"}, ParameterError),
    ({"test": "t"}, ParameterError),
])
def test_bad_arguments_raise(kwargs, error):
    with pytest.raises(error):
        permutation_test(YI, VI, **kwargs)


def test_bad_data_raise_naming_the_study():
    with pytest.raises(DataValidationError, match="study 'B'"):
        permutation_test([0.1, 0.2], [0.1, -1.0], study=["A", "B"])
    with pytest.raises(MethodNotApplicableError, match="at least 2"):
        permutation_test([0.1], [0.1])
