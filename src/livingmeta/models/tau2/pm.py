"""Paule-Mandel estimator (metafor code ``"PM"``).

References
----------
Paule, R. C., & Mandel, J. (1982). Consensus values and weighting factors. Journal of
Research of the National Bureau of Standards, 87(5), 377-385.
Viechtbauer, W., Lopez-Lopez, J. A., Sanchez-Meca, J., & Marin-Martinez, F. (2015). A
comparison of procedures to test for moderators in mixed-effects meta-regression models.
Psychological Methods, 20(3), 360-374 (the generalization to meta-regression).
"""

from __future__ import annotations

import numpy as np

from ._common import TOL, FloatArray, Tau2Estimate, as_float, newton_q_root, residual_df

__all__ = ["estimate", "moment_se"]


def moment_se(tau2: FloatArray, vi: FloatArray, k: int, df: int) -> FloatArray:
    """metafor's standard error for the PM and EB estimators.

    ``(k / (k - p)) * sqrt(2 (k - p)) / sum(w)`` with ``w = 1 / (vi + tau2)``: the delta
    method applied to the EB form ``tau2 = [k/(k-p) sum(w r^2) - sum(w vi)] / sum(w)``
    with ``Var(Q) = 2 (k - p)`` (Morris 1983).
    """
    sw = (1.0 / (vi + tau2[..., None])).sum(axis=-1)
    return (k / df) * np.sqrt(2.0 * df) / sw


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """Paule-Mandel estimate: the root of ``Q(tau2) = k - p``, or 0 when ``Q(0) < k - p``.

    ``Q(tau2)`` is the generalized Q statistic, the weighted residual sum of squares with
    weights ``1 / (vi + tau2)``; it is decreasing and convex in tau2, and the root is
    found by Newton's method from 0 for all elements at once (stop at
    ``|delta| < 1e-10 * max(1, tau2)``).

    Parameters and return value as :func:`livingmeta.models.tau2.dl.estimate`.

    Examples
    --------
    >>> round(float(estimate([0.1, 0.5, 0.9], [0.04, 0.04, 0.04]).tau2), 6)
    0.12
    """
    y, v = as_float(yi), as_float(vi)
    Xa = None if X is None else as_float(X)
    df = residual_df(y, Xa)
    tau2, converged, iterations = newton_q_root(y, v, Xa, np.float64(df), xtol=TOL)
    return Tau2Estimate(tau2, moment_se(tau2, v, y.shape[-1], df), converged, iterations)

