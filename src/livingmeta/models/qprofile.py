"""Q-profile confidence interval for tau2, and the implied intervals for I2 and H2.

Viechtbauer, W. (2007). Confidence intervals for the amount of heterogeneity in
meta-analysis. Statistics in Medicine, 26(1), 37-52.
Viechtbauer, W., et al. (2015) and metafor's ``confint.rma.uni`` (Viechtbauer 2010) for
the conventions reproduced here:

* the bounds solve ``Q(tau2) = chi^2_{1 - a/2, k-p}`` (lower) and
  ``Q(tau2) = chi^2_{a/2, k-p}`` (upper), where ``Q(tau2)`` is the generalized Q statistic;
* a bound whose equation has no root at tau2 >= 0 (``Q(0)`` already below the quantile)
  is set to 0 (status ``"below"``); when both are, the interval is the null set {0};
* unlike metafor's default, the search is not stopped at ``max(100, 10 tau2_hat)``
  (where ``confint`` reports "> limit" and returns the limit, a value that depends on the
  estimator): the generalized Q falls to 0 as tau2 grows, so both roots exist and are
  searched for up to ``SEARCH_FACTOR`` times that limit. This is what metafor returns
  with a large enough ``tau2.max`` (validation/metafor/README.md, "Known differences").
  A bound still beyond is set to the search limit (status ``"above"``).

The roots are found for every element of a batch at once by the safeguarded Newton
iteration of :func:`livingmeta.models.tau2._common.newton_q_root` (xtol 1e-12, relative),
started at the estimate of tau2, which lies between the two roots in most data sets.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._wls import q_terms_at
from .tau2._common import newton_q_root, q_step

__all__ = ["SEARCH_FACTOR", "XTOL", "QProfileBounds", "tau2_bounds"]

FloatArray = NDArray[np.float64]
XTOL = 1e-12
#: The search for a bound goes up to SEARCH_FACTOR * max(100, 10 tau2_hat).
SEARCH_FACTOR = 1e6


@dataclass(frozen=True, slots=True)
class QProfileBounds:
    """Q-profile bounds for tau2 over a batch (arrays of shape ``(...)``).

    Attributes
    ----------
    tau2_ci_low, tau2_ci_high : ndarray
        The bounds.
    low_status, high_status : ndarray of str
        ``"ok"`` (root found), ``"below"`` (set to 0: no root at tau2 >= 0) or
        ``"above"`` (set to ``tau2_max``: root beyond the search range).
    converged : ndarray of bool
        Both roots that were searched for were found to xtol.
    """

    tau2_ci_low: FloatArray
    tau2_ci_high: FloatArray
    low_status: NDArray[np.str_]
    high_status: NDArray[np.str_]
    converged: NDArray[np.bool_]


def tau2_bounds(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    tau2_hat: FloatArray | float,
    q0: FloatArray | float,
    level: float,
) -> QProfileBounds:
    """Q-profile bounds for tau2 for each meta-analysis of a batch.

    Parameters
    ----------
    yi, vi : ndarray, shape (..., k)
    X : ndarray, shape (..., k, p) or (k, p), or None (intercept only)
    tau2_hat : ndarray, shape (...)
        The estimate, which sets the search limit
        ``SEARCH_FACTOR * max(100, 10 tau2_hat)``.
    q0 : ndarray, shape (...)
        ``Q(0)``, Cochran's Q with weights ``1/vi``.
    level : float
        Confidence level in (0, 1).
    """
    df = yi.shape[-1] - (1 if X is None else X.shape[-1])
    alpha = 1.0 - level
    # Upper-tail quantiles: the lower bound solves Q = chi2_{1-a/2}, the upper Q = chi2_{a/2}.
    crit = (float(special.chdtri(df, alpha / 2.0)), float(special.chdtri(df, 1.0 - alpha / 2.0)))
    if yi.ndim == 1:
        return _bounds_one(yi, vi, X, float(tau2_hat), float(q0), crit)
    tau2_hat = np.asarray(tau2_hat, dtype=np.float64)
    tau2_max = SEARCH_FACTOR * np.maximum(100.0, 10.0 * tau2_hat)
    y2 = np.stack([yi, yi], axis=-2)
    v2 = np.stack([vi, vi], axis=-2)
    X2 = X if X is None or X.ndim == 2 else np.stack([X, X], axis=-3)
    shape2 = y2.shape[:-1]
    below = np.asarray(q0)[..., None] < np.array(crit)
    roots, converged, _ = newton_q_root(
        y2,
        v2,
        X2,
        np.broadcast_to(np.array(crit), shape2),
        xtol=XTOL,
        relative_only=True,
        upper=np.broadcast_to(tau2_max[..., None], shape2),
        start=np.where(below, 0.0, tau2_hat[..., None]),
    )
    above = ~below & ~converged & (roots >= tau2_max[..., None])
    status = np.where(below, "below", np.where(above, "above", "ok"))
    roots = np.where(below, 0.0, roots)
    return QProfileBounds(
        roots[..., 0],
        roots[..., 1],
        status[..., 0],
        status[..., 1],
        np.asarray((converged | below | above).all(axis=-1), dtype=bool),
    )


def _bounds_one(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    tau2_hat: float,
    q0: float,
    crit: tuple[float, float],
) -> QProfileBounds:
    """:func:`tau2_bounds` for one meta-analysis: the two roots one after the other."""
    tau2_max = SEARCH_FACTOR * max(100.0, 10.0 * tau2_hat)
    terms = q_terms_at(yi, vi, X)
    at_hat = terms(tau2_hat)  # both searches start here: one evaluation for the two
    roots: list[float] = []
    statuses: list[str] = []
    all_converged = True
    for target in crit:
        if q0 < target:
            roots.append(0.0)
            statuses.append("below")
            continue
        first, _ = q_step(tau2_hat, *at_hat, target, tau2_max)
        if first < 0.0:
            first = 0.0
        if first > tau2_max:
            root, converged = tau2_max, False
        else:
            found = newton_q_root(yi, vi, X, target, xtol=XTOL, relative_only=True,
                                  upper=tau2_max, start=first, terms=terms)
            root, converged = float(found[0]), bool(found[1])
        above = not converged and root >= tau2_max
        roots.append(root)
        statuses.append("above" if above else "ok")
        all_converged &= converged or above
    return QProfileBounds(
        np.array(roots[0]),
        np.array(roots[1]),
        np.array(statuses[0]),
        np.array(statuses[1]),
        np.array(all_converged),
    )
