"""DerSimonian-Laird method-of-moments estimator (metafor code ``"DL"``).

References
----------
DerSimonian, R., & Laird, N. (1986). Meta-analysis in clinical trials. Controlled
Clinical Trials, 7(3), 177-188.
Raudenbush, S. W. (2009). Analyzing effect sizes: Random-effects models. In Cooper,
Hedges & Valentine (Eds.), The handbook of research synthesis and meta-analysis (2nd ed.,
pp. 295-315) -- the extension to meta-regression, ``(Q - (k - p)) / tr(P)``.
"""

from __future__ import annotations

import numpy as np

from .._wls import tr_P, tr_PDPD, wls
from ._common import FloatArray, Tau2Estimate, as_float, fixed, residual_df

__all__ = ["estimate"]


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """DerSimonian-Laird estimate of tau2 for each meta-analysis in a batch.

    Parameters
    ----------
    yi, vi : array_like, shape (..., k)
        Observed effects and their sampling variances.
    X : array_like, shape (..., k, p) or (k, p), optional
        Design matrix; None for the intercept-only model.

    Returns
    -------
    Tau2Estimate
        ``tau2 = max(0, (Q - (k - p)) / tr(P))`` with the inverse-variance weights
        ``wi = 1/vi`` (DerSimonian & Laird 1986, eq. 8; ``tr(P) = sum(w) - sum(w^2)/sum(w)``
        without moderators).

    Examples
    --------
    >>> est = estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04])
    >>> round(float(est.tau2), 6)
    0.12
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    w = 1.0 / v
    fit = wls(y, w, Xa)
    df = residual_df(y, Xa)
    trace = tr_P(w, Xa, fit.cov)
    tau2 = np.maximum(0.0, (fit.Q - df) / trace)
    # Var(Q) = 2 tr[(P Sigma)^2], Sigma = V + tau2 I, with PVP = P for these weights:
    # 2 [(k - p) + 2 tau2 tr(P) + tau2^2 tr(PP)]  (delta method; metafor's se.tau2 for DL).
    var_q = 2.0 * (df + 2.0 * tau2 * trace + tau2 * tau2 * tr_PDPD(w, Xa, fit.cov))
    return fixed(tau2, np.sqrt(var_q) / trace)
