"""Performance measures and Monte Carlo SEs on hand-made inputs (Morris et al. 2019,
Stat Med 38:2074-2102, Table 6)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from livingmeta.simulation.metrics import (
    Moments,
    bias,
    empirical_se,
    mean_value,
    model_se,
    mse,
    proportion,
    rmse,
)


def test_bias_and_empirical_se():
    m = Moments.of([0.1, -0.1, 0.3])  # mean 0.1, sd 0.2
    b = bias(m)
    assert (b.estimate, b.n) == (pytest.approx(0.1), 3)
    assert b.mcse == pytest.approx(0.2 / math.sqrt(3))
    e = empirical_se(m)
    assert e.estimate == pytest.approx(0.2)
    assert e.mcse == pytest.approx(0.2 / math.sqrt(2 * 2))


def test_mse_and_rmse():
    m = Moments.of([1.0, -1.0, 3.0])  # squares 1, 1, 9: MSE = 11/3
    got = mse(m)
    assert got.estimate == pytest.approx(11 / 3)
    spread = 2 * (1 - 11 / 3) ** 2 + (9 - 11 / 3) ** 2
    assert got.mcse == pytest.approx(math.sqrt(spread / (3 * 2)))
    r = rmse(m)
    assert r.estimate == pytest.approx(math.sqrt(11 / 3))
    assert r.mcse == pytest.approx(got.mcse / (2 * math.sqrt(11 / 3)))


def test_model_se():
    got = model_se(Moments.of([1.0, 4.0]))  # squared SEs: mean 2.5, variance 4.5
    assert got.estimate == pytest.approx(math.sqrt(2.5))
    assert got.mcse == pytest.approx(math.sqrt(4.5 / (4 * 2 * 2.5)))


def test_proportion_and_mean_value():
    p = proportion(Moments.of([1, 1, 1, 0]))
    assert (p.estimate, p.mcse) == (0.75, pytest.approx(math.sqrt(0.75 * 0.25 / 4)))
    assert proportion(Moments.of([1, 1])).mcse == 0.0
    w = mean_value(Moments.of([2.0, 4.0, 6.0]))
    assert (w.estimate, w.mcse) == (4.0, pytest.approx(2.0 / math.sqrt(3)))


def test_non_finite_values_are_left_out_and_small_n_is_nan():
    m = Moments.of([1.0, np.nan, np.inf, 3.0])
    assert (m.n, m.mean) == (2, 2.0)
    for f in (bias, empirical_se, mse, rmse, model_se, proportion):
        out = f(Moments.of([0.5]))
        assert math.isnan(out.estimate) and math.isnan(out.mcse) and out.n == 1
    assert Moments.of([]).n == 0


@pytest.mark.parametrize("split", [1, 7, 500, 999])
def test_merge_equals_one_pass(split):
    x = np.random.default_rng(4).normal(2.0, 3.0, 1000)
    whole = Moments.of(x)
    merged = Moments.of(x[:split]).merge(Moments.of(x[split:]))
    assert merged.n == whole.n
    for name in ("mean", "m2", "sum_sq", "sum_quad"):
        assert getattr(merged, name) == pytest.approx(getattr(whole, name), rel=1e-12)
    assert merged.variance == pytest.approx(np.var(x, ddof=1), rel=1e-12)
    empty = Moments.of([])
    assert empty.merge(whole) == whole and whole.merge(empty) == whole
