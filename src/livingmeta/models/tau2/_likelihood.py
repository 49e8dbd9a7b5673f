"""The iteration ML and REML share: Fisher scoring finished by Newton from the HE estimate.

The two estimators differ only in their score and information (Viechtbauer 2005,
eqs. 11-12); each passes its own ``next_step`` (tau2, terms) -> next tau2 and this module
runs it over a batch, with the fast closed-form terms for a single intercept-only fit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._wls import LikelihoodTerms, SmallIntercept, as_column, likelihood_terms, small_intercept
from . import he
from ._common import FloatArray, Tau2Estimate, Update, as_float, iterate

__all__ = ["NextStep", "solve_likelihood"]

NextStep = Callable[[Any, LikelihoodTerms], Any]


def _batch_update(next_step: NextStep) -> Update:
    def step(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        X: FloatArray | None,
        tau2: FloatArray,
    ) -> FloatArray:
        return next_step(tau2, likelihood_terms(y, 1.0 / (v + as_column(tau2, y)), X))

    return step


def _small_update(next_step: NextStep, small: SmallIntercept) -> Update:
    def step(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        X: FloatArray | None,
        tau2: float,
    ) -> float:
        return float(next_step(tau2, small.likelihood_terms(tau2)))

    return step


def solve_likelihood(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    next_step: NextStep,
    information: Callable[[FloatArray, FloatArray | None], FloatArray],
) -> Tau2Estimate:
    """Iterate ``next_step`` from the HE estimate (as metafor starts ML and REML).

    ``information(w, X)`` is twice the expected information at the solution, with
    ``w = 1 / (vi + tau2)``; ``se_tau2 = sqrt(2 / information)``.
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    small = small_intercept(y, v, Xa)
    update = _batch_update(next_step) if small is None else _small_update(next_step, small)
    tau2, converged, iterations = iterate(update, y, v, Xa, he.estimate(y, v, Xa).tau2)
    se = np.sqrt(2.0 / information(1.0 / (v + as_column(tau2, y)), Xa))
    return Tau2Estimate(tau2, se, converged, iterations)
