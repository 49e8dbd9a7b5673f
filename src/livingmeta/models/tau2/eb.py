"""Empirical Bayes estimator (metafor code ``"EB"``).

References
----------
Morris, C. N. (1983). Parametric empirical Bayes inference: Theory and applications.
Journal of the American Statistical Association, 78(381), 47-55.
Berkey, C. S., Hoaglin, D. C., Mosteller, F., & Colditz, G. A. (1995). A random-effects
regression model for meta-analysis. Statistics in Medicine, 14(4), 395-411.
Viechtbauer, W., et al. (2015). Psychological Methods, 20(3), 360-374 (EB and PM coincide).
"""

from __future__ import annotations

import numpy as np

from ._common import TOL, FloatArray, Tau2Estimate, as_float, newton_q_root, residual_df
from .pm import moment_se

__all__ = ["estimate"]


def estimate(yi: FloatArray, vi: FloatArray, X: FloatArray | None = None) -> Tau2Estimate:
    """Empirical Bayes estimate: the root of Morris' estimating equation.

    Berkey et al. (1995) define tau2 by ``sum w [k/(k-p) r^2 - vi - tau2] = 0`` with
    ``w = 1/(vi + tau2)`` and ``r`` the weighted residuals. As ``sum w (vi + tau2) = k``,
    the equation is ``k/(k-p) Q(tau2) - k = 0``, i.e. ``Q(tau2) = k - p``: the same root as
    Paule-Mandel, found by the same monotone Newton iteration; 0 when
    ``Q(0) < k - p``. Scaling the equation does not change Newton's steps.

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
