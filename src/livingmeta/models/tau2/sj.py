"""Sidik-Jonkman estimator (metafor code ``"SJ"``).

References
----------
Sidik, K., & Jonkman, J. N. (2005). Simple heterogeneity variance estimation for
meta-analysis. Journal of the Royal Statistical Society, Series C, 54(2), 367-384.
"""

from __future__ import annotations

import numpy as np

from .._wls import tr_PDPD, wls
from ._common import FloatArray, Tau2Estimate, as_float, fixed, residual_df

__all__ = ["estimate", "initial_value"]


def initial_value(yi: FloatArray) -> FloatArray:
    """metafor's default starting value: ``var(yi) * (k - 1) / k``, moderators ignored.

    This is Sidik & Jonkman's (2005) crude estimate ``sum((yi - mean(yi))^2) / k``.
    """
    y = as_float(yi)
    centred = y - y.mean(axis=-1, keepdims=True)
    return (centred * centred).mean(axis=-1)


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """Sidik-Jonkman estimate ``tau2 = tau2_0 * Q(tau2_0) / (k - p)``.

    ``Q(tau2_0)`` is the weighted residual sum of squares with weights
    ``1 / (vi + tau2_0)`` and ``tau2_0`` is :func:`initial_value` (Sidik & Jonkman 2005,
    eq. 8, with the weights ``q_i = tau2_0 / (vi + tau2_0)``). It is positive unless all
    yi are equal.

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> round(float(estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04]).tau2), 6)
    0.116364
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    tau2_0 = initial_value(y)
    w = 1.0 / (v + tau2_0[..., None])
    fit = wls(y, w, Xa)
    df = residual_df(y, Xa)
    tau2 = np.maximum(0.0, tau2_0 * fit.Q / df)
    # Var(Q) = 2 tr[(P Sigma)^2] = 2 [tr(PVPV) + 2 tau2 tr(PVP) + tau2^2 tr(PP)]
    var_q = 2.0 * (
        tr_PDPD(w, Xa, fit.cov, v, v)
        + 2.0 * tau2 * tr_PDPD(w, Xa, fit.cov, v)
        + tau2 * tau2 * tr_PDPD(w, Xa, fit.cov)
    )
    return fixed(tau2, tau2_0 * np.sqrt(var_q) / df)
