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

from .._wls import LikelihoodTerms, tr_PP
from ._common import FloatArray, Tau2Estimate, likelihood_step
from ._likelihood import solve_likelihood

__all__ = ["estimate"]


def _next(tau2: Any, t: LikelihoodTerms) -> Any:
    # 2 x score = y'PPy - tr(P); its derivative is tr(PP) - 2 y'PPPy (Viechtbauer 2005,
    # eq. 12 differentiated with dP/dtau2 = -PP); 2 x expected information = tr(PP).
    return likelihood_step(tau2, t.trP, t.trPP, t.yPPy, t.yPPPy)


def _score(t: LikelihoodTerms) -> Any:
    return t.yPPy - t.trP


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
    return solve_likelihood(yi, vi, X, _next, tr_PP, _score, restricted=True)
