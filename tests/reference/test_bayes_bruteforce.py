"""The exact Bayesian meta-analysis against an independent brute-force computation.

The reference here integrates the joint posterior p(mu, tau | y) on a dense 2-D grid
with Simpson's rule, from the marginal model y_i ~ N(mu, v_i + tau^2) directly (no
closed form for mu | tau), and reads quantiles off the gridded CDFs. Agreement within
tests/tolerances.py BAYES_BRUTEFORCE_* (1e-4) on quantiles, medians, means, threshold
probabilities and the Savage-Dickey Bayes factor.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, interpolate, special, stats

from livingmeta.models import bayes_meta
from tolerances import BAYES_BRUTEFORCE_ATOL, BAYES_BRUTEFORCE_RTOL

# LDN for fibromyalgia, pain (SMD; the embedded review's primary analysis, 4 studies).
LDN_YI = np.array([-0.4857179896272494, -0.1113442768336467, -0.22064920906755042, 0.19])
LDN_VI = np.array([0.039927177954420294, 0.01734825472399662, 0.040654052525215895,
                   0.04101751700680272])
# Eight schools (Rubin 1981, as in the bayesmeta vignette).
SCHOOLS_YI = np.array([28.39, 7.94, -2.75, 6.82, -0.64, 0.63, 18.01, 12.16])
SCHOOLS_VI = np.array([14.9, 10.2, 16.3, 11.0, 9.4, 11.4, 10.4, 17.6]) ** 2


def simpson_weights(x):
    n = x.size
    assert n % 2 == 1
    h = x[1] - x[0]
    w = np.ones(n)
    w[1:-1:2], w[2:-1:2] = 4.0, 2.0
    return w * h / 3.0


def brute_force(y, v, log_prior_mu, log_prior_tau, g, tau_of_g, dtau_dg, mu, threshold):
    """Posterior summaries from a (g, mu) grid, tau = tau_of_g(g)."""
    tau = tau_of_g(g)
    lp = np.empty((g.size, mu.size))
    for s in range(0, g.size, 256):
        s2 = v[None, :] + tau[s:s + 256, None] ** 2                 # (n, k)
        resid = (y[None, None, :] - mu[None, :, None]) ** 2 / s2[:, None, :]
        lp[s:s + 256] = -0.5 * (np.log(2 * np.pi * s2).sum(-1)[:, None] + resid.sum(-1))
    lp += log_prior_mu(mu)[None, :]
    with np.errstate(divide="ignore"):
        lp += (log_prior_tau(tau) + np.log(dtau_dg(g)))[:, None]
    dens = np.exp(lp - lp.max())
    wg, wm = simpson_weights(g), simpson_weights(mu)
    z = float(wg @ dens @ wm)
    joint = dens / z                                                # density in (g, mu)
    mu_dens = wg @ joint
    g_dens = joint @ wm
    mu_cdf = integrate.cumulative_simpson(mu_dens, x=mu, initial=0.0)
    g_cdf = integrate.cumulative_simpson(g_dens, x=g, initial=0.0)
    cell = wg[:, None] * wm[None, :] * joint                        # quadrature masses

    # Quantiles from cubic Hermite interpolation of the gridded CDF (slope = density).
    mu_spline = interpolate.CubicHermiteSpline(mu, mu_cdf, mu_dens)
    g_spline = interpolate.CubicHermiteSpline(g, g_cdf, g_dens)

    def solve(spline, x, p):
        roots = [r for r in spline.solve(p, extrapolate=False) if x[0] <= r <= x[-1]]
        return float(roots[0])

    def q_mu(p):
        return solve(mu_spline, mu, p)

    def q_tau(p):
        return float(tau_of_g(solve(g_spline, g, p)))

    with np.errstate(divide="ignore", invalid="ignore"):
        below = special.ndtr((threshold - mu[None, :]) / tau[:, None])
    below = np.where(tau[:, None] > 0, below, (mu[None, :] < threshold).astype(float))
    b1 = v[0] / (v[0] + tau ** 2)
    theta1 = b1[:, None] * mu[None, :] + (1 - b1[:, None]) * y[0]
    i0 = int(np.argmin(np.abs(mu)))
    return {
        "mu_mean": float((cell * mu[None, :]).sum()),
        "mu_median": q_mu(0.5), "mu_q025": q_mu(0.025), "mu_q975": q_mu(0.975),
        "tau_median": q_tau(0.5), "tau_q025": q_tau(0.025), "tau_q975": q_tau(0.975),
        "tau_mean": float((cell * tau[:, None]).sum()),
        "p_mu_below": float(np.interp(threshold, mu, mu_cdf)),
        "p_new_below": float((cell * below).sum()),
        "theta1_mean": float((cell * theta1).sum()),
        "mu_density_at_0": float(mu_dens[i0]) if mu[i0] == 0 else math.nan,
    }


def close(actual, expected, scale=1.0):
    assert actual == pytest.approx(expected, rel=BAYES_BRUTEFORCE_RTOL,
                                   abs=BAYES_BRUTEFORCE_ATOL * scale)


def check(res, ref, threshold):
    sd_mu, sd_tau = res.mu.sd, res.tau.sd
    close(res.mu.mean, ref["mu_mean"], sd_mu)
    close(res.mu.median, ref["mu_median"], sd_mu)
    close(res.mu.ci_low, ref["mu_q025"], sd_mu)
    close(res.mu.ci_high, ref["mu_q975"], sd_mu)
    close(res.tau.median, ref["tau_median"], sd_tau)
    close(res.tau.ci_low, ref["tau_q025"], sd_tau)
    close(res.tau.ci_high, ref["tau_q975"], sd_tau)
    close(res.tau.mean, ref["tau_mean"], sd_tau)
    close(res.cdf("mu", threshold), ref["p_mu_below"])
    close(res.p_beyond_threshold_new, ref["p_new_below"])
    close(res.studies[0].mean, ref["theta1_mean"], res.studies[0].sd)


def test_ldn_pain_normal_mu_halfnormal_tau():
    """LDN pain (SMD), mu ~ N(0, 1), tau ~ half-normal(0.5): P(SMD < -0.2) and BF01."""
    threshold = -0.2
    res = bayes_meta(LDN_YI, LDN_VI, mu_prior="normal:0,1", tau_prior="halfnormal:0.5",
                     threshold=threshold)
    tau_grid = np.linspace(0.0, 4.0, 801)
    mu_grid = np.linspace(-2.5, 2.2, 941)                  # holds -0.2 and 0 exactly
    ref = brute_force(LDN_YI, LDN_VI, lambda m: stats.norm.logpdf(m, 0, 1),
                      lambda t: stats.halfnorm.logpdf(t, scale=0.5), tau_grid,
                      lambda g: g, np.ones_like, mu_grid, threshold)
    check(res, ref, threshold)
    close(res.p_beyond_threshold, ref["p_mu_below"])
    bf_ref = ref["mu_density_at_0"] / stats.norm.pdf(0, 0, 1)      # Savage-Dickey
    close(res.bayes_factor_01, bf_ref)


def test_ldn_pain_flat_mu_rhodes_tau_on_log_scale():
    """Flat mu, Rhodes et al. log-t(5) prior on tau^2 (singular at 0: grid in log tau)."""
    threshold = -0.2
    res = bayes_meta(LDN_YI, LDN_VI, mu_prior="flat", tau_prior="rhodes:pain",
                     threshold=threshold)
    # log tau from -40 (prior mass below: 3e-7) to 8: the posterior tail of tau decays
    # only like tau^-4 / log(tau)^6 here, so it must reach far.
    s_grid = np.linspace(-40.0, 8.0, 2401)
    mu_grid = np.linspace(-10.0, 10.0, 4001)   # wide: large-tau components spread mu
    loc, scale = -3.16, 2.50                                     # Rhodes 2015, Table 3

    def log_prior_tau(t):   # density of tau^2 (t5 on its log) times |d tau^2 / d tau|
        return (stats.t.logpdf((np.log(t ** 2) - loc) / scale, 5) - np.log(scale)
                - np.log(t ** 2) + np.log(2 * t))

    ref = brute_force(LDN_YI, LDN_VI, np.zeros_like, log_prior_tau, s_grid, np.exp, np.exp,
                      mu_grid, threshold)
    check(res, ref, threshold)
    assert res.bayes_factor_01 is None


def test_eight_schools_half_cauchy_heavy_tail():
    """Eight schools, mu ~ N(0, 50^2), tau ~ half-Cauchy(25) (the bayesmeta vignette)."""
    threshold = 0.0
    res = bayes_meta(SCHOOLS_YI, SCHOOLS_VI, mu_prior="normal:0,50",
                     tau_prior="halfcauchy:25", threshold=threshold, direction="lower")
    tau_grid = np.linspace(0.0, 400.0, 2001)
    mu_grid = np.linspace(-60.0, 80.0, 1401)
    ref = brute_force(SCHOOLS_YI, SCHOOLS_VI, lambda m: stats.norm.logpdf(m, 0, 50),
                      lambda t: stats.halfcauchy.logpdf(t, scale=25), tau_grid,
                      lambda g: g, np.ones_like, mu_grid, threshold)
    check(res, ref, threshold)
    close(res.bayes_factor_01, ref["mu_density_at_0"] / stats.norm.pdf(0, 0, 50))
