"""Restricted maximum likelihood estimator (metafor code ``"REML"``).

References
----------
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293
(the REML estimating equation and its Fisher scoring iteration, eq. 12 ff.).
Raudenbush, S. W. (2009), op. cit. in :mod:`.dl`, for the mixed-effects model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from .._wls import (
    LikelihoodTerms,
    SmallIntercept,
    as_column,
    likelihood_terms,
    small_intercept,
    tr_PP,
)
from . import he
from ._common import FloatArray, Tau2Estimate, Update, as_float, iterate, likelihood_step

__all__ = ["estimate"]


def _next(tau2: Any, t: LikelihoodTerms) -> Any:
    # 2 x score = y'PPy - tr(P); its derivative is tr(PP) - 2 y'PPPy (Viechtbauer 2005,
    # eq. 12 differentiated with dP/dtau2 = -PP); 2 x expected information = tr(PP).
    return likelihood_step(tau2, t.trP, t.trPP, t.yPPy, t.yPPPy)


def _step(
    active: NDArray[np.intp] | None,
    y: FloatArray,
    v: FloatArray,
    X: FloatArray | None,
    tau2: FloatArray,
) -> FloatArray:
    return _next(tau2, likelihood_terms(y, 1.0 / (v + as_column(tau2, y)), X))


def _small_step(small: SmallIntercept) -> Update:
    def step(
        active: NDArray[np.intp] | None,
        y: FloatArray,
        v: FloatArray,
        X: FloatArray | None,
        tau2: float,
    ) -> float:
        return float(_next(tau2, small.likelihood_terms(tau2)))

    return step


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """REML estimate of tau2 by Fisher scoring finished by Newton, projected onto tau2 >= 0.

    Starts, as metafor does, from the Hedges (HE) estimate and takes Fisher scoring steps
    until they are small, then Newton steps to the same root
    (:func:`~livingmeta.models.tau2._common.likelihood_step`). Each step that would leave
    the parameter space is cut back to 0 (a projected step, which ends where metafor's
    step halving ends). Stops per element at ``|delta| < 1e-10 * max(1, tau2)``.
    ``se_tau2 = sqrt(2 / tr(PP))``, the inverse expected information.

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> est = estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04])
    >>> round(float(est.tau2), 6), bool(est.converged)
    (0.12, True)
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    small = small_intercept(y, v, Xa)
    update = _step if small is None else _small_step(small)
    tau2, converged, iterations = iterate(update, y, v, Xa, he.estimate(y, v, Xa).tau2)
    se = np.sqrt(2.0 / tr_PP(1.0 / (v + as_column(tau2, y)), Xa))
    return Tau2Estimate(tau2, se, converged, iterations)
