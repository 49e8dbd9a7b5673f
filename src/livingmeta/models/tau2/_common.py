"""Shared pieces of the tau2 estimators: the result type, the iteration and its steps.

:func:`iterate` runs over a flattened batch axis and keeps only the elements that have
not yet converged (an index array of active elements): no Python loop over elements. A
single meta-analysis (1-D ``yi``, the common call of :func:`~livingmeta.models.rma`)
iterates on Python floats instead, where numpy's per-call overhead would dominate.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._wls import q_terms, q_terms_at

__all__ = [
    "MAXITER",
    "TOL",
    "Tau2Estimate",
    "as_float",
    "fixed",
    "iterate",
    "likelihood_step",
    "newton_q_root",
    "q_step",
    "residual_df",
]

FloatArray = NDArray[np.float64]
#: update(active, y, v, X, tau2) -> next tau2; ``active`` indexes the flattened batch
#: (None when every element is still active), for per-element constants. For a single
#: meta-analysis (1-D y) tau2 is a float and the result a scalar.
Update = Callable[
    [NDArray[np.intp] | None, FloatArray, FloatArray, FloatArray | None, Any],
    Any,
]

#: |delta tau2| < TOL * max(1, tau2) stops an iterative estimator (DEVELOPERS.md).
TOL = 1e-10
MAXITER = 1000
#: Newton steps replace Fisher scoring once the scoring step is this fraction of tau2
#: (0.5 let Newton jump between the modes of rare bimodal likelihoods in simulations).
LOCAL = 0.2


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


def likelihood_step(
    tau2: FloatArray,
    trace: FloatArray,
    information: FloatArray,
    yPPy: FloatArray,
    yPPPy: FloatArray,
) -> FloatArray:
    """Next tau2 for the estimating equation ``y'PPy = trace`` of ML and REML.

    ``trace`` is ``tr(P)`` (REML) or ``sum(w)`` (ML), ``information`` its derivative
    with the sign changed, ``tr(PP)`` or ``sum(w^2)`` (twice the expected information).
    Far from the root the step is Fisher scoring's, ``(y'PPy - trace) / information``,
    metafor's iteration, so the path and the fixed point it reaches are metafor's. Once
    that step is within ``LOCAL`` of tau2, the step is Newton's on
    ``trace / y'PPy = 1``, with ``d(y'PPy)/dtau2 = -2 y'PPPy``: that ratio is linear in
    tau2 when all vi are equal, so Newton converges quadratically and fast (5 steps in
    place of 15 at k = 10), to the same fixed point. Where that derivative has the wrong
    sign Fisher scoring's step is kept.
    """
    score = yPPy - trace
    denominator = 2.0 * yPPPy * trace - information * yPPy
    if isinstance(tau2, np.ndarray):
        fisher = score / information
        newton = (np.abs(fisher) <= LOCAL * tau2) & (denominator > 0.0)
        step = np.where(newton, score * yPPy / np.where(newton, denominator, 1.0), fisher)
        return tau2 + step
    fisher = score / information
    if denominator > 0.0 and abs(fisher) <= LOCAL * tau2:
        return tau2 + score * yPPy / denominator
    return tau2 + fisher


def _iterate_one(
    update: Update,
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    start: float,
    tol: float,
    relative_only: bool,
    cap: float,
    maxiter: int,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
    """:func:`iterate` for one meta-analysis (1-D ``yi``), on Python floats."""
    tau = start
    converged = False
    used = maxiter
    for it in range(1, maxiter + 1):
        new = float(update(None, yi, vi, X, tau))
        if new < 0.0:
            new = 0.0
        step = new - tau
        tau = new
        if new > cap:
            tau, used = cap, it
            break
        if relative_only:
            ok = abs(step) <= tol * new
        else:
            ok = abs(step) < tol * max(1.0, new)
        if ok or not math.isfinite(new):
            converged, used = ok, it
            break
    return np.array(tau), np.array(converged), np.array(used, dtype=np.int64)


def iterate(
    update: Update,
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    start: FloatArray | float,
    *,
    tol: float = TOL,
    relative_only: bool = False,
    upper: FloatArray | float | None = None,
    maxiter: int = MAXITER,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
    """Iterate ``tau2 <- max(0, update(y, v, X, tau2))`` per element until it settles.

    An element stops when ``|delta| < tol * max(1, tau2)`` (``|delta| <= tol * tau2``
    with ``relative_only``), when it passes ``upper`` (then it is reported unconverged at
    ``upper``), or when it stops being finite. ``update`` receives ``tau2`` as a float and
    1-D data for a single meta-analysis (the fast path of :func:`rma`), else as an array
    over the active elements of the flattened batch.
    """
    if yi.ndim == 1:
        cap = math.inf if upper is None else float(upper)
        return _iterate_one(
            update, yi, vi, X, float(start), tol, relative_only, cap, maxiter
        )
    shape = yi.shape[:-1]
    y, v, Xf = _flatten(yi, vi, X)
    n = y.shape[0]
    tau = np.array(start, dtype=np.float64).reshape(-1).copy()
    cap_all = None if upper is None else np.broadcast_to(upper, shape).reshape(-1)
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
        step = np.abs(new - t)
        tau[active] = new
        iterations[active] += 1
        if relative_only:
            ok = step <= tol * new
        else:
            ok = step < tol * np.maximum(1.0, new)
        stop = ok | ~np.isfinite(new)
        if cap_all is not None:
            over = new > cap_all[active]
            tau[active[over]] = cap_all[active[over]]
            stop |= over
            ok &= ~over
        converged[active[ok]] = True
        active = active[~stop]
        if active.size == 0:
            break
    return tau.reshape(shape), converged.reshape(shape), iterations.reshape(shape)


def q_step(t: Any, q: Any, slope: Any, goal: Any, cap: Any) -> tuple[Any, bool]:
    """One step towards ``Q(tau2) = goal`` for one element, and whether ``t`` is right
    of the root; see :func:`newton_q_root`. ``cap`` bounds steps from the left."""
    if not slope > 0.0:
        return 0.0, True  # Q is 0 at every tau2: no root at tau2 >= 0
    step = (q - goal) / slope
    if q < goal:
        return t + step * (q / goal), True
    if goal > 0.0:
        rational = t + step * (q / goal)
        if rational < cap:
            return rational, False
    return t + step, False


def _q_steps(t: Any, q: Any, slope: Any, goal: Any, cap: Any) -> tuple[Any, Any]:
    """:func:`q_step` over arrays of active elements."""
    flat = ~(slope > 0.0)
    step = (q - goal) / np.where(flat, 1.0, slope)
    right = q < goal
    rational = t + step * (q / np.where(goal > 0.0, goal, 1.0))
    use = right | ((goal > 0.0) & (rational < cap))
    return np.where(flat, 0.0, np.where(use, rational, t + step)), right | flat


def newton_q_root(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    target: FloatArray | float,
    *,
    xtol: float,
    relative_only: bool = False,
    upper: FloatArray | float | None = None,
    start: FloatArray | float = 0.0,
    terms: Callable[[float], tuple[Any, Any]] | None = None,
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.int64]]:
    """Root in tau2 of the generalized Q statistic, ``Q(tau2) = target``.

    ``Q(tau2) = y'P y`` with weights ``1 / (vi + tau2)`` decreases in tau2
    (``dQ/dtau2 = -y'PPy``) and is convex (``d2Q/dtau2^2 = 2 y'PPPy >= 0``). Each step is
    Newton's on ``1/Q``, which is exact when all vi are equal (``Q = c / (v + tau2)``):
    Newton's step on Q times ``Q / target``. Right of the root that is a damped Newton
    step, which ends nearer the root (Newton's own lands left of it, by convexity). Left
    of the root it is longer than Newton's and may pass the root, so it is taken only
    while it stays below every point already found right of the root and below
    ``upper``; otherwise the step is Newton's, which from the left stays left of the
    root: passing ``upper`` then proves that the root lies beyond it. Elements with no
    root at tau2 >= 0 (``Q(0) < target``) end at 0 (converged).
    ``target``, ``start`` and ``upper`` broadcast against the batch shape
    ``yi.shape[:-1]``; ``start`` defaults to 0. For 1-D data, ``terms`` may pass
    :func:`~livingmeta.models._wls.q_terms_at` of the same data, to share it between calls.
    """
    if yi.ndim == 1:
        goal1 = float(target)
        at = q_terms_at(yi, vi, X) if terms is None else terms
        bound = [math.inf if upper is None else float(upper)]

        def update_one(
            active: NDArray[np.intp] | None,
            y: FloatArray,
            v: FloatArray,
            Xa: FloatArray | None,
            t: float,
        ) -> float:
            q, slope = at(t)
            new, right = q_step(t, q, slope, goal1, bound[0])
            if right:
                bound[0] = min(bound[0], t)
            return new

        return iterate(update_one, yi, vi, X, start, tol=xtol, relative_only=relative_only,
                       upper=upper)
    shape = yi.shape[:-1]
    goal = np.broadcast_to(target, shape).reshape(-1)
    bounds = np.full(goal.shape, np.inf) if upper is None else (
        np.broadcast_to(upper, shape).reshape(-1).astype(np.float64))

    def update(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        Xa: FloatArray | None,
        t: FloatArray,
    ) -> FloatArray:
        q, slope = q_terms(y, 1.0 / (v + t[:, None]), Xa)
        idx = slice(None) if active is None else active
        new, right = _q_steps(t, q, slope, goal[idx], bounds[idx])
        bounds[idx] = np.where(right, np.minimum(bounds[idx], t), bounds[idx])
        return new

    return iterate(update, yi, vi, X, np.broadcast_to(start, shape), tol=xtol,
                   relative_only=relative_only, upper=upper)
