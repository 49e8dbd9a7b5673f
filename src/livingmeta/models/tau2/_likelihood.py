"""The iteration ML and REML share: Fisher scoring finished by Newton from the HE estimate.

The two estimators differ only in their score and information (Viechtbauer 2005,
eqs. 11-12); each passes its own ``next_step`` (tau2, terms) -> next tau2 and ``score``
(terms) -> the sign-carrying score, and this module runs them over a batch, with the
fast closed-form terms for a single intercept-only fit.

**Safeguard.** Every evaluated tau2 with a positive score is a lower bound of the root
and every one with a negative score an upper bound. Once both bounds are known, a step
that leaves that bracket, or that is not at most half the previous step, is replaced by
the bracket's midpoint (safeguarded Newton, as ``rtsafe`` in Press et al., Numerical
Recipes, 3rd ed., sec. 9.4). Without it, Fisher scoring can cycle between 0 (a step
projected back onto the boundary) and an overshoot above the root, and never converge
although the maximum is interior (metafor then reports non-convergence unless
``stepadj`` is lowered). A step that reaches 0 before the score at 0 is known to be
positive is still projected to 0, so boundary solutions are found as before and the
fixed point is always the REML (ML) root or 0.

**Local maximum check** (metafor's ``ll0check``). If the (restricted) log-likelihood at
tau2 = 0 exceeds that at the root found, the root is a local maximum only and tau2 is set
to 0, as metafor does ("Fisher scoring algorithm may have gotten stuck at a local
maximum"); permuted designs of a permutation test meet this.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._wls import (
    LikelihoodTerms,
    SmallIntercept,
    as_column,
    likelihood_terms,
    small_intercept,
    wls,
    xdx,
)
from . import he
from ._common import FloatArray, Tau2Estimate, Update, as_float, iterate

__all__ = ["NextStep", "Score", "solve_likelihood"]

NextStep = Callable[[Any, LikelihoodTerms], Any]
Score = Callable[[LikelihoodTerms], Any]


class _Bracket:
    """Per-element bounds of the root seen so far (flattened batch positions)."""

    def __init__(self, n: int) -> None:
        self.lo = np.zeros(n)
        self.hi = np.full(n, np.inf)
        self.lo_positive = np.zeros(n, dtype=bool)
        self.last_step = np.full(n, np.inf)

    def guard(self, idx: Any, tau2: FloatArray, score: FloatArray,
              proposal: FloatArray) -> FloatArray:
        positive, negative = score > 0.0, score < 0.0
        lo = np.where(positive, np.maximum(self.lo[idx], tau2), self.lo[idx])
        hi = np.where(negative, np.minimum(self.hi[idx], tau2), self.hi[idx])
        lo_positive = self.lo_positive[idx] | positive
        self.lo[idx], self.hi[idx], self.lo_positive[idx] = lo, hi, lo_positive
        bracketed = lo_positive & np.isfinite(hi)
        slow = bracketed & (np.abs(proposal - tau2) > 0.5 * self.last_step[idx])
        bisect = slow | (proposal >= hi) | ((proposal <= lo) & lo_positive)
        mid = np.where(np.isfinite(hi), 0.5 * (lo + hi), 2.0 * np.maximum(lo, tau2))
        new = np.where(bisect, mid, proposal)
        self.last_step[idx] = np.abs(new - tau2)
        return new


def _batch_update(next_step: NextStep, score: Score, n: int) -> Update:
    bracket = _Bracket(n)

    def step(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        X: FloatArray | None,
        tau2: FloatArray,
    ) -> FloatArray:
        terms = likelihood_terms(y, 1.0 / (v + as_column(tau2, y)), X)
        idx = slice(None) if active is None else active
        t = np.broadcast_to(np.asarray(tau2, dtype=float), np.shape(terms.yPPy))
        return bracket.guard(idx, t.reshape(-1), np.reshape(score(terms), -1),
                             np.reshape(next_step(tau2, terms), -1)).reshape(t.shape)

    return step


def _small_update(next_step: NextStep, score: Score, small: SmallIntercept) -> Update:
    # the bracket of _Bracket on Python floats (the fast path of a single rma fit)
    state = [0.0, math.inf, False, math.inf]  # lo, hi, score at lo > 0, last step

    def step(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        X: FloatArray | None,
        tau2: float,
    ) -> float:
        terms = small.likelihood_terms(tau2)
        s, proposal = float(score(terms)), float(next_step(tau2, terms))
        if s > 0.0:
            state[0], state[2] = max(state[0], tau2), True
        elif s < 0.0:
            state[1] = min(state[1], tau2)
        lo, hi, lo_positive, last = state
        slow = lo_positive and math.isfinite(hi) and abs(proposal - tau2) > 0.5 * last
        if slow or proposal >= hi or (proposal <= lo and lo_positive):
            proposal = 0.5 * (lo + hi) if math.isfinite(hi) else 2.0 * max(lo, tau2)
        state[3] = abs(proposal - tau2)
        return proposal

    return step


#: The log-likelihood at 0 must exceed that at the root by more than this (metafor: its
#: ``tol``, set to 1e-13 in the pinned fixtures' tight control).
LL0_TOL = 1e-10


def _loglik(y: FloatArray, v: FloatArray, X: FloatArray | None, tau2: Any,
            restricted: bool) -> FloatArray:
    """(Restricted) log-likelihood up to a constant (Viechtbauer 2005, eqs. 5 and 9)."""
    s2 = v + as_column(tau2, y)
    w = 1.0 / s2
    ll = -0.5 * (np.log(s2).sum(axis=-1) + wls(y, w, X).Q)
    if restricted:
        ll = ll - 0.5 * np.linalg.slogdet(xdx(X, w))[1]
    return np.asarray(ll, dtype=np.float64)


def _ll0_check(y: FloatArray, v: FloatArray, X: FloatArray | None, tau2: Any,
               converged: Any, restricted: bool) -> Any:
    """tau2, set to 0 where the likelihood at 0 beats the root found (metafor ll0check)."""
    candidates = np.asarray(converged) & (np.asarray(tau2) > 0.0)
    if not candidates.any():
        return tau2
    zero = np.zeros_like(np.asarray(tau2, dtype=np.float64))
    gain = _loglik(y, v, X, zero, restricted) - _loglik(y, v, X, tau2, restricted)
    return np.where(candidates & (gain > LL0_TOL), 0.0, tau2)


def solve_likelihood(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    next_step: NextStep,
    information: Callable[[FloatArray, FloatArray | None], FloatArray],
    score: Score,
    *,
    restricted: bool,
) -> Tau2Estimate:
    """Iterate ``next_step`` from the HE estimate (as metafor starts ML and REML).

    ``information(w, X)`` is twice the expected information at the solution, with
    ``w = 1 / (vi + tau2)``; ``se_tau2 = sqrt(2 / information)``.
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    small = small_intercept(y, v, Xa)
    n = int(np.prod(y.shape[:-1], dtype=np.int64))
    update = (_batch_update(next_step, score, n) if small is None
              else _small_update(next_step, score, small))
    tau2, converged, iterations = iterate(update, y, v, Xa, he.estimate(y, v, Xa).tau2)
    tau2 = _ll0_check(y, v, Xa, tau2, converged, restricted)
    se = np.sqrt(2.0 / information(1.0 / (v + as_column(tau2, y)), Xa))
    return Tau2Estimate(tau2, se, converged, iterations)
