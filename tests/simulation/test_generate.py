"""Distributions of the generated data: the mechanism each measure declares."""

from __future__ import annotations

import numpy as np
import pytest

from livingmeta.simulation import Distribution, Scenario, generate
from livingmeta.simulation.generate import draw_distribution

R = 20000


def rng(seed: int = 11) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_gen_true_effects_and_sampling_errors():
    s = Scenario("g", "GEN", k=4, tau2=0.09, effect=0.4,
                 vi=Distribution("uniform", low=0.01, high=0.05))
    d = generate(s, R, rng())
    assert d.yi.shape == d.vi.shape == d.theta.shape == (R, 4) and d.studies == 4 * R
    # theta ~ N(0.4, 0.09): mean and SD within ~4 Monte Carlo SEs (SE of mean 0.3/sqrt(80000)).
    assert abs(d.theta.mean() - 0.4) < 4 * 0.3 / np.sqrt(4 * R)
    assert abs(d.theta.std() - 0.3) < 4 * 0.3 / np.sqrt(2 * 4 * R)
    assert d.vi.min() >= 0.01 and d.vi.max() <= 0.05
    # yi - theta ~ N(0, vi): the standardized errors are standard normal.
    z = (d.yi - d.theta) / np.sqrt(d.vi)
    assert abs(z.mean()) < 4 / np.sqrt(4 * R) and abs(z.var() - 1) < 4 * np.sqrt(2 / (4 * R))


def test_tau2_zero_gives_equal_true_effects():
    s = Scenario("g", "GEN", k=3, tau2=0.0, effect=-0.2, vi=Distribution("fixed", values=(0.1,)))
    d = generate(s, 10, rng())
    assert np.all(d.theta == -0.2) and np.all(d.vi == 0.1)


def test_size_distributions():
    fixed = draw_distribution(Distribution("fixed", values=(10, 100, 30)), (3, 5), rng(),
                              integer=True)
    assert fixed.tolist() == [[10, 100, 30, 10, 100]] * 3  # cycled over the k studies
    uniform = draw_distribution(Distribution("uniform", low=20, high=25), (5000, 4), rng(),
                                integer=True)
    assert set(np.unique(uniform)) == {20.0, 21.0, 22.0, 23.0, 24.0, 25.0}  # inclusive
    assert np.allclose(np.bincount(uniform.astype(int).ravel())[20:] / uniform.size, 1 / 6,
                       atol=0.02)
    logn = draw_distribution(Distribution("lognormal", meanlog=2.0, sdlog=1.0, minimum=5),
                             (20000, 2), rng(), integer=True)
    assert logn.min() == 5 and np.all(logn == np.rint(logn))
    # The median of round(exp(N(2, 1))) is round(e^2) = 7 (above the floor of 5).
    assert np.median(logn) == pytest.approx(7, abs=1)


def test_smd_is_hedges_g_of_normal_arms():
    s = Scenario("s", "SMD", k=5, tau2=0.0, effect=0.5, sizes=Distribution("fixed", values=(20,)))
    d = generate(s, R, rng(5))
    # Hedges' g is unbiased for the true SMD (Hedges 1981); var(g) is close to the mean of
    # escalc's large-sample variance 2/n + g^2/(4n) = 0.1 + 0.25/80 at n = 20 per arm.
    se = d.yi.std() / np.sqrt(d.yi.size)
    assert abs(d.yi.mean() - 0.5) < 4 * se
    assert d.vi.mean() == pytest.approx(2 / 20 + 0.25 / 80, rel=0.02)
    assert d.yi.var() == pytest.approx(d.vi.mean(), rel=0.05)


def test_md_uses_the_outcome_sd():
    s = Scenario("m", "MD", k=2, tau2=0.0, effect=3.0, sd=4.0,
                 sizes=Distribution("fixed", values=(50,)))
    d = generate(s, R, rng(6))
    assert abs(d.yi.mean() - 3.0) < 4 * d.yi.std() / np.sqrt(d.yi.size)
    assert d.vi.mean() == pytest.approx(2 * 16 / 50, rel=0.01)  # E[s1^2/n + s2^2/n]


def test_binary_or_counts_and_zero_cells():
    s = Scenario("o", "OR", k=3, tau2=0.0, effect=np.log(2.0), control_risk=0.3,
                 sizes=Distribution("fixed", values=(400,)))
    d = generate(s, 5000, rng(7))
    assert np.isfinite(d.yi).all() and d.zero_cell_studies == 0 and d.clipped == 0
    assert abs(d.yi.mean() - np.log(2.0)) < 0.01  # log OR of large trials, nearly unbiased
    rare = Scenario("o", "OR", k=3, tau2=0.0, effect=0.0, control_risk=0.02,
                    sizes=Distribution("fixed", values=(20,)))
    dr = generate(rare, 2000, rng(8))
    # P(no event in an arm of 20 at 2%) = 0.98^20 = 0.668; a study has a zero cell when
    # either arm has none: 1 - (1 - 0.668)^2 = 0.89.
    assert dr.zero_cell_studies / dr.studies == pytest.approx(1 - (1 - 0.98**20) ** 2,
                                                             abs=0.02)
    assert np.isfinite(dr.yi).all() and np.isfinite(dr.vi).all()  # escalc's 0.5 correction


def test_rr_clips_risks_above_one_and_counts_them():
    s = Scenario("r", "RR", k=4, tau2=1.0, effect=0.5, control_risk=0.5,
                 sizes=Distribution("fixed", values=(30,)))
    d = generate(s, 1000, rng(9))
    # p_t = 0.5 exp(theta) >= 1 when theta >= log 2, theta ~ N(0.5, 1): P = 0.425.
    assert d.clipped / d.studies == pytest.approx(0.425, abs=0.03)
    assert np.isfinite(d.yi).all()


def test_same_generator_state_same_data():
    s = Scenario("s", "SMD", k=3, tau2=0.1, effect=0.2,
                 sizes=Distribution("uniform", low=10, high=40))
    a, b = generate(s, 50, rng(1)), generate(s, 50, rng(1))
    assert np.array_equal(a.yi, b.yi) and np.array_equal(a.vi, b.vi)
    assert not np.array_equal(a.yi, generate(s, 50, rng(2)).yi)
