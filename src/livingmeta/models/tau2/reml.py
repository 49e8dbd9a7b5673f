"""Restricted maximum likelihood estimator (metafor code ``"REML"``).

References
----------
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293
(the REML estimating equation and its Fisher scoring iteration, eq. 12 ff.).
Raudenbush, S. W. (2009), op. cit. in :mod:`.dl`, for the mixed-effects model.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .._wls import tr_P, tr_PDPD, wls
from . import he
from ._common import FloatArray, Tau2Estimate, as_float, iterate

__all__ = ["estimate"]


def _step(
    active: NDArray[np.intp] | None,
    y: FloatArray,
    v: FloatArray,
    X: FloatArray | None,
    tau2: FloatArray,
) -> FloatArray:
    # Fisher scoring: score = (y'PPy - tr(P)) / 2, expected information = tr(PP) / 2.
    w = 1.0 / (v + tau2[:, None])
    fit = wls(y, w, X)
    wr = w * fit.resid
    score = (wr * wr).sum(axis=-1) - tr_P(w, X, fit.cov)
    return tau2 + score / tr_PDPD(w, X, fit.cov)


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """REML estimate of tau2 by Fisher scoring, projected onto tau2 >= 0.

    Starts, as metafor does, from the Hedges (HE) estimate; each step that would leave
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
    tau2, converged, iterations = iterate(_step, y, v, Xa, he.estimate(y, v, Xa).tau2)
    w = 1.0 / (v + tau2[..., None])
    fit = wls(y, w, Xa)
    se = np.sqrt(2.0 / tr_PDPD(w, Xa, fit.cov))
    return Tau2Estimate(tau2, se, converged, iterations)
