"""Maximum likelihood estimator (metafor code ``"ML"``).

References
----------
Hardy, R. J., & Thompson, S. G. (1996). A likelihood approach to meta-analysis with
random effects. Statistics in Medicine, 15(6), 619-629.
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293
(the ML estimating equation and its Fisher scoring iteration).
"""

from __future__ import annotations

from typing import Any

from .._wls import LikelihoodTerms
from ._common import FloatArray, Tau2Estimate, likelihood_step
from ._likelihood import solve_likelihood

__all__ = ["estimate"]


def _next(tau2: Any, t: LikelihoodTerms) -> Any:
    # 2 x score = sum(w^2 r^2) - sum(w) = y'PPy - sum(w); its derivative is
    # sum(w^2) - 2 y'PPPy; 2 x expected information = sum(w^2).
    return likelihood_step(tau2, t.sw, t.sw2, t.yPPy, t.yPPPy)

def _information(w: FloatArray, X: FloatArray | None) -> FloatArray:
    return (w * w).sum(axis=-1)  # sum(w^2), whatever the design (ML)


def _score(t: LikelihoodTerms) -> Any:
    return t.yPPy - t.sw


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """ML estimate of tau2 by Fisher scoring finished by Newton, projected onto tau2 >= 0.

    Starts from the Hedges (HE) estimate, as metafor does; steps as in
    :func:`livingmeta.models.tau2.reml.estimate`; stops per element at
    ``|delta| < 1e-10 * max(1, tau2)``. ``se_tau2 = sqrt(2 / sum(w^2))``.

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> round(float(estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04]).tau2), 6)
    0.066667
    """
    return solve_likelihood(yi, vi, X, _next, _information, _score, restricted=False)
