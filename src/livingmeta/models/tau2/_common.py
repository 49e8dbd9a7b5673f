"""Shared pieces of the tau2 estimators: the result type and two vectorized iterations.

Both iterations run over a flattened batch axis and keep only the elements that have not
yet converged (``np.flatnonzero`` of an active mask): no Python loop over elements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .._wls import wls

__all__ = [
    "MAXITER",
    "TOL",
    "Tau2Estimate",
    "as_float",
    "fixed",
    "iterate",
    "newton_q_root",
    "residual_df",
]

FloatArray = NDArray[np.float64]
#: update(active, y, v, X, tau2) -> next tau2; ``active`` indexes the flattened batch
#: (None when every element is still active), for per-element constants.
Update = Callable[
    [NDArray[np.intp] | None, FloatArray, FloatArray, FloatArray | None, FloatArray],
    FloatArray,
]

#: |delta tau2| < TOL * max(1, tau2) stops an iterative estimator (DEVELOPERS.md).
TOL = 1e-10
MAXITER = 1000


@dataclass(frozen=True, slots=True)
class Tau2Estimate:
    """An estimate of the between-study variance for each meta-analysis in a batch.

    Attributes
    ----------
    tau2 : ndarray, shape (...)
        The estimate, truncated at 0.
    se_tau2 : ndarray, shape (...)
        Its standard error, as metafor reports it for this estimator.
    converged : ndarray of bool, shape (...)
        False where an iterative estimator stopped at ``maxiter``; always True for the
        closed-form estimators.
    iterations : ndarray of int, shape (...)
        Iterations used (0 for the closed-form estimators).
    """

    tau2: FloatArray
    se_tau2: FloatArray
    converged: NDArray[np.bool_]
    iterations: NDArray[np.int64]


def as_float(a: object) -> FloatArray:
    """``np.asarray(a, dtype=float)`` without a copy when already float64."""
    return np.asarray(a, dtype=np.float64)


def residual_df(yi: FloatArray, X: FloatArray | None) -> int:
    """``k - p``: studies minus model coefficients."""
    return yi.shape[-1] - (1 if X is None else X.shape[-1])


def fixed(tau2: FloatArray, se_tau2: FloatArray) -> Tau2Estimate:
    """Wrap a closed-form estimate (converged, 0 iterations)."""
    shape = np.shape(tau2)
    return Tau2Estimate(
        tau2, se_tau2, np.ones(shape, dtype=bool), np.zeros(shape, dtype=np.int64)
    )


def _flatten(
    yi: FloatArray, vi: FloatArray, X: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    k = yi.shape[-1]
    y = yi.reshape(-1, k)
    v = vi.reshape(-1, k)
    if X is not None and X.ndim > 2:
        X = np.broadcast_to(X, yi.shape + X.shape[-1:]).reshape(-1, k, X.shape[-1])
    return y, v, X


def iterate(
    update: Update,
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    start: FloatArray,
    *,
    tol: float = TOL,
    relative_only: bool = False,
    upper: FloatArray | None = None,
    maxiter: int = MAXITER,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
    """Iterate ``tau2 <- max(0, update(y, v, X, tau2))`` per element until it settles.

    An element stops when ``|delta| < tol * max(1, tau2)`` (``tol * tau2`` with
    ``relative_only``), when its step is not positive under ``relative_only`` (a Newton
    iteration approaching a root from the left has arrived), when it passes ``upper``
    (then it is reported unconverged at ``upper``), or when it stops being finite.
    """
    shape = yi.shape[:-1]
    y, v, Xf = _flatten(yi, vi, X)
    n = y.shape[0]
    tau = np.array(start, dtype=np.float64).reshape(-1).copy()
    cap = None if upper is None else np.broadcast_to(upper, shape).reshape(-1)
    converged = np.zeros(n, dtype=bool)
    iterations = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    for _ in range(maxiter):
        if active.size == n:
            new = np.maximum(update(None, y, v, Xf, tau), 0.0)
            t = tau
        else:
            t = tau[active]
            Xa = Xf if Xf is None or Xf.ndim == 2 else Xf[active]
            new = np.maximum(update(active, y[active], v[active], Xa, t), 0.0)
        step = new - t
        tau[active] = new
        iterations[active] += 1
        if relative_only:
            ok = step <= tol * new
        else:
            ok = np.abs(step) < tol * np.maximum(1.0, new)
        stop = ok | ~np.isfinite(new)
        if cap is not None:
            over = new > cap[active]
            tau[active[over]] = cap[active[over]]
            stop |= over
            ok &= ~over
        converged[active[ok]] = True
        active = active[~stop]
        if active.size == 0:
            break
    return tau.reshape(shape), converged.reshape(shape), iterations.reshape(shape)


def newton_q_root(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    target: FloatArray | float,
    *,
    xtol: float,
    relative_only: bool = False,
    upper: FloatArray | None = None,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
    """Root in tau2 of the generalized Q statistic, ``Q(tau2) = target``, from tau2 = 0.

    ``Q(tau2) = y'P y`` with weights ``1 / (vi + tau2)`` decreases in tau2
    (``dQ/dtau2 = -y'PPy``) and is convex (``d2Q/dtau2^2 = 2 y'PPPy >= 0``), so Newton's
    method started at 0, where ``Q(0) >= target``, approaches the root monotonically from
    the left and never overshoots; near the root it converges quadratically. Elements
    with ``Q(0) < target`` stay at 0 (converged).
    ``target`` broadcasts against the batch shape ``yi.shape[:-1]``.
    """
    goal = np.broadcast_to(target, yi.shape[:-1]).reshape(-1)

    def update(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        Xa: FloatArray | None,
        t: FloatArray,
    ) -> FloatArray:
        w = 1.0 / (v + t[:, None])
        fit = wls(y, w, Xa)
        wr = w * fit.resid
        g = goal if active is None else goal[active]
        return t + (fit.Q - g) / (wr * wr).sum(axis=-1)

    start = np.zeros(yi.shape[:-1])
    return iterate(
        update, yi, vi, X, start, tol=xtol, relative_only=relative_only, upper=upper
    )
