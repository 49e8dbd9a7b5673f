"""Spending functions (Lan & DeMets 1983) and the boundaries' defining properties.

The Monte Carlo checks simulate Brownian motion at the looks independently of the
recursive integration: the probability of first crossing by each look must equal the
error spent (Lan & DeMets 1983, the defining property of a spending-function design).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from livingmeta.errors import ParameterError
from livingmeta.sequential import (
    group_sequential_boundaries,
    obrien_fleming_spending,
    pocock_spending,
)
from livingmeta.sequential.spending import spend

T = np.array([0.2, 0.45, 0.7, 1.0])
MONTE_CARLO_SE = 4.5  # standard errors allowed (tests/tolerances.py MONTE_CARLO_SE)


def test_obrien_fleming_matches_lan_demets_formula():
    # Lan & DeMets 1983: alpha_1*(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t)), one-sided level a.
    a = 0.025
    want = [2 - 2 * stats.norm.cdf(stats.norm.ppf(1 - a / 2) / math.sqrt(t)) for t in T]
    # (1e-9: the textbook form 2 - 2 Phi loses digits to cancellation at small t)
    assert np.allclose(obrien_fleming_spending(T, a), want, rtol=1e-9, atol=0)


def test_pocock_matches_lan_demets_formula():
    # Lan & DeMets 1983: alpha_2*(t) = a ln(1 + (e - 1) t).
    want = [0.05 * math.log(1 + (math.e - 1) * t) for t in T]
    assert np.allclose(pocock_spending(T, 0.05), want, rtol=1e-14, atol=0)


@pytest.mark.parametrize("kind", ["obf", "pocock"])
def test_spending_is_zero_at_zero_full_at_one_and_increasing(kind):
    t = np.linspace(0, 1.5, 61)
    values = spend(kind, t, 0.05)
    assert values[0] == 0
    assert math.isclose(float(spend(kind, 1.0, 0.05)), 0.05, rel_tol=1e-14)
    assert np.all(np.diff(values[t <= 1]) > 0)
    assert np.all(values[t >= 1] == values[t >= 1][0])  # capped after t = 1


@pytest.mark.parametrize("bad", [[-0.1], [float("nan")], "x"])
def test_bad_fractions_raise(bad):
    with pytest.raises(ParameterError):
        obrien_fleming_spending(bad, 0.05)


def test_bad_level_and_kind_raise():
    with pytest.raises(ParameterError):
        pocock_spending([0.5], 1.5)
    with pytest.raises(ParameterError, match="'spending' parameter must be one of"):
        spend("linear", [0.5], 0.05)


@pytest.mark.parametrize(("sides", "alpha"), [(2, 0.05), (1, 0.025), (2, 0.01)])
def test_one_look_at_fraction_one_is_the_fixed_sample_test(sides, alpha):
    res = group_sequential_boundaries([1.0], alpha=alpha, sides=sides)
    assert math.isclose(res.efficacy[0], stats.norm.ppf(1 - alpha / sides), abs_tol=1e-9)


def test_two_sided_alpha_is_split_between_the_sides():
    res = group_sequential_boundaries(T, alpha=0.05, sides=2)
    per_side = obrien_fleming_spending(T, 0.025)
    assert np.allclose(res.alpha_spent, 2 * per_side, rtol=1e-14)
    assert "alpha/2 = 0.025 on each side" in res.description


def _first_crossing(paths_z, upper, lower):
    """Look index of the first crossing of (upper, lower), or -1."""
    crossed = (paths_z >= upper) | (paths_z <= lower)
    first = np.where(crossed.any(axis=1), crossed.argmax(axis=1), -1)
    return first


def _brownian_z(t, drift, n, seed):
    rng = np.random.default_rng(seed)
    dt = np.diff(t, prepend=0.0)
    score = np.cumsum(rng.normal(drift * dt, np.sqrt(dt), size=(n, t.size)), axis=1)
    return score / np.sqrt(t)


@pytest.mark.parametrize("spending", ["obf", "pocock"])
def test_crossing_probability_under_null_equals_alpha_spent(spending):
    res = group_sequential_boundaries(T, alpha=0.05, sides=2, spending=spending)
    n = 400_000
    z = _brownian_z(T, 0.0, n, seed=11)
    first = _first_crossing(z, res.efficacy, -res.efficacy)
    for k in range(T.size):
        p_hat = np.mean((first >= 0) & (first <= k))
        p = res.alpha_spent[k]
        se = math.sqrt(p * (1 - p) / n)
        assert abs(p_hat - p) <= MONTE_CARLO_SE * se + 1e-6, (k, p_hat, p)


def test_futility_stops_under_the_alternative_equal_beta_spent():
    res = group_sequential_boundaries(T, alpha=0.025, sides=1, futility="obf")
    n = 400_000
    z = _brownian_z(T, res.drift, n, seed=12)
    # Stopping for futility first (the efficacy bound still applies: non-binding bounds
    # are honoured when computing beta, as rpact does).
    stop_fut = z < res.futility
    stop_eff = z >= res.efficacy
    stopped = stop_fut | stop_eff
    first = np.where(stopped.any(axis=1), stopped.argmax(axis=1), T.size)
    rows = np.arange(n)
    futile = (first < T.size) & stop_fut[rows, np.minimum(first, T.size - 1)]
    for k in range(T.size):
        p_hat = np.mean(futile & (first <= k))
        p = res.beta_spent[k]
        se = math.sqrt(p * (1 - p) / n)
        assert abs(p_hat - p) <= MONTE_CARLO_SE * se + 1e-6, (k, p_hat, p)
    assert res.futility[-1] == res.efficacy[-1]  # the bounds meet at the end
    assert res.inflation_factor > 1


def test_efficacy_bounds_decrease_for_obrien_fleming():
    res = group_sequential_boundaries(np.linspace(0.1, 1, 10), alpha=0.05)
    assert np.all(np.diff(res.efficacy) < 0)


@pytest.mark.parametrize("bad", [[0.5, 0.4, 1.0], [0.0, 1.0], [0.5, 1.2], []])
def test_boundaries_reject_bad_fractions(bad):
    with pytest.raises(ParameterError, match="information_fraction"):
        group_sequential_boundaries(bad)


def test_boundaries_reject_bad_options():
    with pytest.raises(ParameterError):
        group_sequential_boundaries([1.0], sides=3)
    with pytest.raises(ParameterError):
        group_sequential_boundaries([1.0], futility="linear")
    with pytest.raises(ParameterError):
        group_sequential_boundaries([1.0], alpha=0)


def test_boundaries_to_dict_is_json_safe():
    import json

    d = group_sequential_boundaries([0.5, 1.0]).to_dict()
    json.dumps(d, allow_nan=False)
    assert d["futility"] == [None, None] and d["drift"] is None
