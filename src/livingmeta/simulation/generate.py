"""Vectorized data generation: R meta-analyses of k studies of one scenario at once.

The random-effects model (Higgins, Thompson & Spiegelhalter 2009, J R Stat Soc A
172:137-159, eq. 1): true study effects ``theta_i ~ N(mu, tau2)`` on the analysis scale.
Each study's observed result is then drawn from its exact sampling distribution and
goes through :func:`~livingmeta.effects.escalc`, so that ``yi`` and ``vi`` are what a
review would compute from the study's report:

- GEN: ``yi ~ N(theta_i, vi)`` with ``vi`` drawn from the scenario's distribution and
  taken as known (Brockwell & Gordon 2001, Stat Med 20:825-840, section 3).
- MD and SMD: two arms of ``n`` with outcome SD ``sigma`` (1 for SMD, so theta_i is in
  SD units). Arm means ``N(mu_arm, sigma^2 / n)`` and arm SDs
  ``sigma sqrt(chi^2_{n-1} / (n - 1))``, independent (Cochran's theorem; Hedges & Olkin
  1985, ch. 5); escalc gives MD or Hedges' g with metafor's large-sample variance.
- OR and RR: control risk ``p_c``; treatment risk ``odds(p_c) exp(theta_i)`` (OR) or
  ``p_c exp(theta_i)`` (RR); events binomial in each arm; escalc corrects zero cells
  as metafor does (``add = 0.5, to = "only0"``). RR risks above 1 - 1e-9 are clipped
  there and counted (a SimulationWarning is issued by the caller).

Every draw is made in a fixed order from one ``numpy.random.Generator``, so that one
seed gives one data set, whatever machine runs it.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from livingmeta.effects import escalc
from livingmeta.errors import ZeroCellWarning
from livingmeta.simulation.scenarios import Distribution, Scenario

__all__ = ["GeneratedData", "draw_distribution", "generate"]

FloatArray = NDArray[np.float64]
#: Treatment risks are kept inside (RISK_FLOOR, 1 - RISK_FLOOR).
RISK_FLOOR = 1e-9


@dataclass(frozen=True, slots=True)
class GeneratedData:
    """Simulated meta-analyses of one scenario.

    Attributes
    ----------
    yi, vi : ndarray, shape (R, k)
        Effect sizes and sampling variances, one meta-analysis per row.
    theta : ndarray, shape (R, k)
        The true study effects.
    studies : int
        R x k.
    zero_cell_studies : int
        Studies with a zero cell, corrected by escalc (OR, RR; else 0).
    clipped : int
        Treatment risks clipped into (0, 1) (RR; else 0).
    """

    yi: FloatArray
    vi: FloatArray
    theta: FloatArray
    studies: int
    zero_cell_studies: int = 0
    clipped: int = 0


def draw_distribution(dist: Distribution, shape: tuple[int, int], rng: np.random.Generator,
                      *, integer: bool) -> FloatArray:
    """Draw sizes (``integer=True``) or variances of shape ``(R, k)`` from ``dist``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> draw_distribution(Distribution("fixed", values=(10, 100)), (2, 3), rng,
    ...                   integer=True).tolist()
    [[10.0, 100.0, 10.0], [10.0, 100.0, 10.0]]
    """
    k = shape[1]
    if dist.kind == "fixed":
        cycle = np.resize(np.asarray(dist.values, dtype=float), k)
        return np.broadcast_to(cycle, shape).copy()
    if dist.kind == "uniform":
        if integer:
            return rng.integers(int(dist.low), int(dist.high), size=shape,
                                endpoint=True).astype(float)
        return rng.uniform(dist.low, dist.high, size=shape)
    values = np.exp(rng.normal(dist.meanlog, dist.sdlog, size=shape))
    return np.maximum(np.rint(values), dist.minimum) if integer else values


def _continuous(scenario: Scenario, theta: FloatArray, n: FloatArray,
                rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    sigma = scenario.sd if scenario.measure == "MD" else 1.0
    shape = theta.shape
    # SMD: sigma = 1, so the treatment-arm mean theta is in SD units.
    m1 = rng.normal(theta, sigma / np.sqrt(n))
    m2 = rng.normal(0.0, sigma / np.sqrt(n))
    sd1, sd2 = (sigma * np.sqrt(rng.chisquare(n - 1.0) / (n - 1.0)) for _ in range(2))
    es = escalc(scenario.measure, m1i=m1.ravel(), sd1i=sd1.ravel(), n1i=n.ravel(),
                m2i=m2.ravel(), sd2i=sd2.ravel(), n2i=n.ravel())
    return es.yi.reshape(shape), es.vi.reshape(shape)


def _binary(scenario: Scenario, theta: FloatArray, n: FloatArray,
            rng: np.random.Generator) -> tuple[FloatArray, FloatArray, int, int]:
    p_c = float(scenario.control_risk)  # type: ignore[arg-type]
    if scenario.measure == "OR":
        odds = p_c / (1.0 - p_c) * np.exp(theta)
        raw = odds / (1.0 + odds)
    else:
        raw = p_c * np.exp(theta)
    clipped = int(np.count_nonzero((raw < RISK_FLOOR) | (raw > 1.0 - RISK_FLOOR)))
    p_t = np.clip(raw, RISK_FLOOR, 1.0 - RISK_FLOOR)
    counts = n.astype(np.int64)
    ai = rng.binomial(counts, p_t)
    ci = rng.binomial(counts, p_c)
    bi, di = counts - ai, counts - ci
    zero = int(np.count_nonzero((ai == 0) | (bi == 0) | (ci == 0) | (di == 0)))
    with warnings.catch_warnings():
        # Zero cells are part of the design: escalc's 0.5 correction is what reviews do.
        warnings.simplefilter("ignore", ZeroCellWarning)
        es = escalc(scenario.measure, ai=ai.ravel(), bi=bi.ravel(), ci=ci.ravel(),
                    di=di.ravel())
    return es.yi.reshape(theta.shape), es.vi.reshape(theta.shape), zero, clipped


def generate(scenario: Scenario, replications: int, rng: np.random.Generator) -> GeneratedData:
    """Draw ``replications`` meta-analyses of ``scenario.k`` studies.

    Examples
    --------
    >>> from livingmeta.simulation.scenarios import Scenario, Distribution
    >>> s = Scenario("smd", "SMD", k=4, tau2=0.0, effect=0.5,
    ...              sizes=Distribution("fixed", values=(50,)))
    >>> data = generate(s, 20000, np.random.default_rng(3))
    >>> data.yi.shape, round(float(data.yi.mean()), 2), round(float(data.vi.mean()), 3)
    ((20000, 4), 0.5, 0.041)
    """
    shape = (int(replications), scenario.k)
    # Higgins, Thompson & Spiegelhalter 2009, eq. 1: theta_i ~ N(mu, tau2).
    theta = scenario.effect + np.sqrt(scenario.tau2) * rng.standard_normal(shape)
    if scenario.measure == "GEN":
        vi = draw_distribution(scenario.vi, shape, rng, integer=False)  # type: ignore[arg-type]
        yi = rng.normal(theta, np.sqrt(vi))
        return GeneratedData(yi, vi, theta, yi.size)
    n = draw_distribution(scenario.sizes, shape, rng, integer=True)  # type: ignore[arg-type]
    if scenario.measure in ("MD", "SMD"):
        yi, vi = _continuous(scenario, theta, n, rng)
        return GeneratedData(yi, vi, theta, yi.size)
    yi, vi, zero, clipped = _binary(scenario, theta, n, rng)
    return GeneratedData(yi, vi, theta, yi.size, zero, clipped)
