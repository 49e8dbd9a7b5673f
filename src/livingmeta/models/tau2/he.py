"""Hedges' unweighted method-of-moments estimator (metafor code ``"HE"``).

References
----------
Hedges, L. V. (1983). A random effects model for effect sizes. Psychological Bulletin,
93(2), 388-395.
Hedges, L. V., & Olkin, I. (1985). Statistical methods for meta-analysis. Academic Press.
"""

from __future__ import annotations

import numpy as np

from .._wls import as_column, dot, tr_PDPD, wls, xdx
from ._common import FloatArray, Tau2Estimate, as_float, fixed, residual_df

__all__ = ["estimate"]


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """Hedges estimate ``tau2 = max(0, (RSS - tr(PV)) / (k - p))``.

    ``RSS`` is the ordinary (unweighted) least squares residual sum of squares and
    ``P = I - X(X'X)^-1 X'``; without moderators this is the sample variance of yi minus
    the mean of vi (Hedges 1983).

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> round(float(estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04]).tau2), 6)
    0.12
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    df = residual_df(y, Xa)
    if Xa is None:
        # P = I - 11'/k: RSS = sum((y - mean)^2), tr(PV) = sum(v) (1 - 1/k),
        # tr(PVPV) = sum(v^2) (1 - 2/k) + (sum(v) / k)^2.
        k = y.shape[-1]
        centred = y - as_column(np.add.reduce(y, axis=-1) / k, y)
        rss = dot(centred, centred)
        sv = np.add.reduce(v, axis=-1)
        sv2 = dot(v, v)
        tr_pv = sv - sv / k
        mean_v = sv / k
        tr_pvpv = sv2 - 2.0 * (sv2 / k) + mean_v * mean_v
    else:
        ones = np.ones_like(y)
        fit = wls(y, ones, Xa)
        rss = fit.Q
        # tr(PV) = sum(v) - tr[(X'X)^-1 X'VX]
        tr_pv = v.sum(axis=-1) - (fit.cov * xdx(Xa, v)).sum(axis=(-2, -1))
        tr_pvpv = tr_PDPD(ones, Xa, fit.cov, v, v)
    tau2 = np.maximum(0.0, (rss - tr_pv) / df)
    # Var(RSS) = 2 tr[(P Sigma)^2] = 2 [tr(PVPV) + 2 tau2 tr(PV) + tau2^2 (k - p)]
    var_rss = 2.0 * (tr_pvpv + 2.0 * tau2 * tr_pv + tau2 * tau2 * df)
    return fixed(tau2, np.sqrt(var_rss) / df)
