"""Numerics of the exact Bayesian normal-normal hierarchical model (``bayes_meta``).

Model: ``y_i ~ N(theta_i, v_i)``, ``theta_i ~ N(mu, tau^2)``, priors ``p(mu) p(tau)``
with ``p(mu)`` normal ``N(m0, s0^2)`` or flat.

Conditional on tau everything is closed-form (Röver 2020, J Stat Softw 93(6), sec. 2.4;
Gelman et al. 2014, Bayesian Data Analysis, sec. 5.4):

- ``mu | tau, y ~ N(mu_hat(tau), V(tau))`` with ``W = sum w_i (+ 1/s0^2)``,
  ``w_i = 1/(v_i + tau^2)``, ``mu_hat = (sum w_i y_i (+ m0/s0^2)) / W``, ``V = 1/W``;
- the marginal likelihood of tau, up to a constant:
  ``log L(tau) = -1/2 [sum log(v_i + tau^2) + log W + sum w_i (y_i - mu_hat)^2
  (+ (mu_hat - m0)^2 / s0^2)]``;
- ``theta_i | tau, y ~ N(b_i mu_hat + (1 - b_i) y_i, b_i tau^2 + b_i^2 V)`` with the
  shrinkage ``b_i = v_i / (v_i + tau^2)`` (Röver 2020, eq. 12);
- ``theta_new | tau, y ~ N(mu_hat, V + tau^2)`` (Röver 2020, eq. 11).

The marginal posterior of tau is ``p(tau) L(tau)``, integrated numerically: tau is mapped
to ``u = tau / (c + tau)`` in [0, 1) (c a rough posterior median, so that the bulk sits
mid-interval and every power-law tail becomes a finite interval), and ``[0, 1)`` is covered
by Gauss-Legendre panels (20 nodes) refined by bisection until each panel's mass changes
by less than ``1e-13`` of the total on halving. The marginals of mu, theta_i and theta_new
are then finite normal mixtures over the quadrature nodes (weights = quadrature weight x
posterior density), whose CDFs are evaluated exactly and inverted by root-finding. With
smooth integrands the 20-point rule is accurate to near machine precision per panel;
doubling the panels changes posterior quantiles by < 1e-9 relative in the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from livingmeta.models._bayes_priors import MuPrior, NormalPrior, TauPrior

__all__ = ["Mixture", "TauPosterior", "conditional", "fit_tau_posterior"]

FloatArray = NDArray[np.float64]
_GL_X, _GL_W = np.polynomial.legendre.leggauss(20)
_PANEL_RTOL = 1e-13
_MAX_PANELS = 4000
_INITIAL_PANELS = 48
_XTOL = 1e-13


@dataclass(frozen=True, slots=True)
class Conditional:
    """Moments of mu | tau, y at each tau (arrays of the shape of tau)."""

    mu_hat: FloatArray
    var_mu: FloatArray
    loglik: FloatArray


def conditional(y: FloatArray, v: FloatArray, mu_prior: MuPrior, tau: FloatArray
                ) -> Conditional:
    """``mu | tau, y`` and the log marginal likelihood of tau (module docstring)."""
    t2 = np.asarray(tau, dtype=float)[..., None] ** 2
    s2 = v + t2                                    # Röver 2020, eq. 6: marginal var of y_i
    w = 1.0 / s2
    big_w = w.sum(axis=-1)
    num = (w * y).sum(axis=-1)
    if isinstance(mu_prior, NormalPrior):          # prior as one more "observation"
        big_w = big_w + 1.0 / mu_prior.sd ** 2
        num = num + mu_prior.mean / mu_prior.sd ** 2
    mu_hat = num / big_w
    q = (w * (y - mu_hat[..., None]) ** 2).sum(axis=-1)
    if isinstance(mu_prior, NormalPrior):
        q = q + (mu_hat - mu_prior.mean) ** 2 / mu_prior.sd ** 2
    loglik = -0.5 * (np.log(s2).sum(axis=-1) + np.log(big_w) + q)
    return Conditional(mu_hat, 1.0 / big_w, loglik)


@dataclass(frozen=True, slots=True)
class Mixture:
    """A finite normal mixture ``sum_j w_j N(mean_j, sd_j^2)`` (weights sum to 1)."""

    weights: FloatArray
    means: FloatArray
    sds: FloatArray

    def pdf(self, x: object) -> FloatArray:
        """Density at ``x`` (any shape)."""
        xa = np.asarray(x, dtype=float)
        z = (xa[..., None] - self.means) / self.sds
        return np.asarray((self.weights * np.exp(-0.5 * z * z) / self.sds).sum(axis=-1)
                          / math.sqrt(2.0 * math.pi))

    def cdf(self, x: object) -> FloatArray:
        """Distribution function at ``x`` (any shape)."""
        xa = np.asarray(x, dtype=float)
        return np.asarray((self.weights * special.ndtr((xa[..., None] - self.means)
                                                       / self.sds)).sum(axis=-1))

    def sf(self, x: object) -> FloatArray:
        """Upper tail ``1 - cdf`` without cancellation."""
        xa = np.asarray(x, dtype=float)
        return np.asarray((self.weights * special.ndtr((self.means - xa[..., None])
                                                       / self.sds)).sum(axis=-1))

    @property
    def mean(self) -> float:
        """Mixture mean."""
        return float(self.weights @ self.means)

    @property
    def sd(self) -> float:
        """Mixture standard deviation (law of total variance)."""
        m = self.mean
        return math.sqrt(max(float(self.weights @ (self.sds ** 2 + (self.means - m) ** 2)),
                             0.0))

    def ppf(self, p: float) -> float:
        """Quantile by Brent's method on the mixture CDF (xtol 1e-13 x scale)."""
        lo = float(np.min(self.means - 40.0 * self.sds))
        hi = float(np.max(self.means + 40.0 * self.sds))
        scale = max(abs(lo), abs(hi), 1.0)
        return float(optimize.brentq(lambda x: float(self.cdf(x)) - p, lo, hi,
                                     xtol=_XTOL * scale, rtol=1e-15, maxiter=500))


@dataclass(frozen=True, slots=True)
class TauPosterior:
    """The marginal posterior of tau as Gauss-Legendre panels on ``u = tau / (c + tau)``.

    Attributes
    ----------
    c : float
        Scale of the map (a rough posterior median of tau).
    edges : ndarray, shape (P + 1,)
        Panel boundaries on the u scale, from 0 to 1.
    cum : ndarray, shape (P + 1,)
        Posterior CDF at the edges.
    nodes, weights : ndarray
        tau at every quadrature node and its normalised posterior mass (sum 1).
    log_norm : float
        log of the integral of ``p(tau) L(tau)`` (normalising constant of the density).
    panels : int
        Number of panels after refinement.
    converged : bool
        Every panel met the tolerance within the panel budget.
    """

    c: float
    edges: FloatArray
    cum: FloatArray
    nodes: FloatArray
    weights: FloatArray
    log_norm: float
    panels: int
    converged: bool


def _log_post(y: FloatArray, v: FloatArray, mu_prior: MuPrior, tau_prior: TauPrior,
              tau: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore"):
        return np.asarray(tau_prior.logpdf(tau) + conditional(y, v, mu_prior, tau).loglik)


def _scale(y: FloatArray, v: FloatArray, mu_prior: MuPrior, tau_prior: TauPrior) -> float:
    """A rough posterior median of tau from a log-spaced grid (sets the u map)."""
    base = math.sqrt(float(np.median(v)))
    grid = base * np.logspace(-8.0, 6.0, 1401)
    lp = _log_post(y, v, mu_prior, tau_prior, grid) + np.log(grid)   # mass on log grid
    ok = np.isfinite(lp)
    if not ok.any():
        return base
    mass = np.exp(lp[ok] - lp[ok].max())
    cdf = np.cumsum(mass) / mass.sum()
    return float(grid[ok][np.searchsorted(cdf, 0.5)])


def _panel(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes (P, 20) and weights on the panels [a, b] (u scale)."""
    half = 0.5 * (b - a)[:, None]
    return 0.5 * (a + b)[:, None] + half * _GL_X, half * _GL_W


def _integrand(u: FloatArray, c: float, logpost: object) -> FloatArray:
    """log of p(tau(u)) L(tau(u)) dtau/du, tau = c u / (1 - u)."""
    tau = c * u / (1.0 - u)
    return np.asarray(logpost(tau) + math.log(c) - 2.0 * np.log1p(-u))  # type: ignore[operator]


def fit_tau_posterior(y: FloatArray, v: FloatArray, mu_prior: MuPrior,
                      tau_prior: TauPrior) -> TauPosterior:
    """Adaptive Gauss-Legendre panels for the marginal posterior of tau."""
    c = _scale(y, v, mu_prior, tau_prior)

    def logpost(tau: FloatArray) -> FloatArray:
        return _log_post(y, v, mu_prior, tau_prior, tau)

    edges = np.linspace(0.0, 1.0, _INITIAL_PANELS + 1)
    a, b = edges[:-1], edges[1:]
    x, w = _panel(a, b)
    lg = _integrand(x, c, logpost)
    ref = float(np.max(lg[np.isfinite(lg)]))
    done_a: list[FloatArray] = []
    done_b: list[FloatArray] = []
    total = float((w * np.exp(lg - ref)).sum())
    converged = True
    while a.size:
        mid = 0.5 * (a + b)
        whole = (w * np.exp(lg - ref)).sum(axis=1)
        xl, wl = _panel(a, mid)
        xr, wr = _panel(mid, b)
        halves = ((wl * np.exp(_integrand(xl, c, logpost) - ref)).sum(axis=1)
                  + (wr * np.exp(_integrand(xr, c, logpost) - ref)).sum(axis=1))
        ok = np.abs(whole - halves) <= _PANEL_RTOL * total
        done_a.append(a[ok])
        done_b.append(b[ok])
        bad = ~ok
        if sum(len(d) for d in done_a) + 2 * int(bad.sum()) > _MAX_PANELS:
            converged = False
            done_a.append(a[bad])
            done_b.append(b[bad])
            break
        a = np.concatenate([a[bad], mid[bad]])
        b = np.concatenate([mid[bad], b[bad]])
        x, w = _panel(a, b)
        lg = _integrand(x, c, logpost) if a.size else lg[:0]
    order = np.argsort(np.concatenate(done_a))
    pa, pb = np.concatenate(done_a)[order], np.concatenate(done_b)[order]
    x, w = _panel(pa, pb)
    mass = w * np.exp(_integrand(x, c, logpost) - ref)
    panel_mass = mass.sum(axis=1)
    z = float(panel_mass.sum())
    cum = np.concatenate([[0.0], np.cumsum(panel_mass) / z])
    cum[-1] = 1.0
    nodes = c * x / (1.0 - x)
    weights = (mass / z).reshape(-1)
    keep = weights > 1e-300
    return TauPosterior(c, np.concatenate([pa, pb[-1:]]), cum, nodes.reshape(-1)[keep],
                        weights[keep], ref + math.log(z), int(pa.size), converged)


def tau_cdf(post: TauPosterior, logpost: object, tau: float) -> float:
    """Posterior CDF of tau at ``tau``: panel masses below, plus Gauss-Legendre on the
    part of the panel holding ``tau``."""
    if tau <= 0:
        return 0.0
    if not math.isfinite(tau):
        return 1.0
    u = tau / (post.c + tau)
    i = min(int(np.searchsorted(post.edges, u, side="right")) - 1, post.edges.size - 2)
    a = post.edges[i]
    x, w = _panel(np.array([a]), np.array([u]))
    part = float((w * np.exp(_integrand(x, post.c, logpost) - post.log_norm)).sum())
    return min(float(post.cum[i]) + part, 1.0)


def tau_ppf(post: TauPosterior, logpost: object, p: float) -> float:
    """Posterior quantile of tau (Brent's method on the u scale)."""
    i = int(np.clip(np.searchsorted(post.cum, p) - 1, 0, post.edges.size - 2))
    lo, hi = float(post.edges[i]), float(post.edges[i + 1])

    def f(u: float) -> float:
        return tau_cdf(post, logpost, post.c * u / (1.0 - u)) - p

    if f(lo) >= 0:
        return post.c * lo / (1.0 - lo)
    if hi >= 1.0:
        hi = 1.0 - 1e-16
    u = optimize.brentq(f, lo, hi, xtol=1e-15, rtol=1e-15, maxiter=500)
    return post.c * u / (1.0 - u)


def tau_cdf_table(post: TauPosterior, logpost: object, per_panel: int = 16
                  ) -> tuple[FloatArray, FloatArray]:
    """The posterior CDF on a fine grid of u (``per_panel`` points per panel), for
    sampling by inversion: returns (cdf, u), both increasing."""
    a, b = post.edges[:-1], post.edges[1:]
    frac = np.arange(1, per_panel + 1) / per_panel
    ends = a[:, None] + (b - a)[:, None] * frac              # (P, per_panel)
    starts = np.concatenate([a[:, None], ends[:, :-1]], axis=1)
    x, w = _panel(starts.reshape(-1), ends.reshape(-1))
    x = np.minimum(x, 1.0 - 1e-16)
    piece = (w * np.exp(_integrand(x, post.c, logpost) - post.log_norm)).sum(axis=1)
    within = np.cumsum(piece.reshape(a.size, per_panel), axis=1)
    cdf = (post.cum[:-1, None] + within).reshape(-1)
    u = ends.reshape(-1)
    cdf = np.concatenate([[0.0], np.minimum(np.maximum.accumulate(cdf), 1.0)])
    return cdf, np.concatenate([[0.0], u])
