"""Hunter-Schmidt estimator (metafor code ``"HS"``).

References
----------
Hunter, J. E., & Schmidt, F. L. (2004). Methods of meta-analysis: Correcting error and
bias in research findings (2nd ed.). Sage.
Viechtbauer, W. (2005). Bias and efficiency of meta-analytic variance estimators in the
random-effects model. Journal of Educational and Behavioral Statistics, 30(3), 261-293
(the estimator written in terms of Q: ``(Q - k) / sum(w)``).
"""

from __future__ import annotations

import numpy as np

from .._wls import tr_P, tr_PDPD, wls
from ._common import FloatArray, Tau2Estimate, as_float, fixed, residual_df

__all__ = ["estimate"]


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """Hunter-Schmidt estimate ``tau2 = max(0, (Q - k) / sum(w))``, ``w = 1/vi``.

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> round(float(estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04]).tau2), 6)
    0.066667
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    w = 1.0 / v
    fit = wls(y, w, Xa)
    k = y.shape[-1]
    sw = w.sum(axis=-1)
    tau2 = np.maximum(0.0, (fit.Q - k) / sw)
    trace = tr_P(w, Xa, fit.cov)
    df = residual_df(y, Xa)
    # Same Var(Q) as for DL, divided by sum(w)^2 (delta method).
    var_q = 2.0 * (df + 2.0 * tau2 * trace + tau2 * tau2 * tr_PDPD(w, Xa, fit.cov))
    return fixed(tau2, np.sqrt(var_q) / sw)
