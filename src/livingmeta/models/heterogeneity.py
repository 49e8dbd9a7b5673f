"""Heterogeneity statistics: Cochran's Q, the typical within-study variance, I2 and H2.

Definitions follow metafor's ``rma.uni`` (Viechtbauer 2010, J Stat Softw 36(3)):

* ``Q`` (QE) is the weighted residual sum of squares with inverse-variance weights
  ``1/vi``, ``chi^2`` with ``k - p`` df under homogeneity (Cochran 1954).
* the typical within-study variance is ``s2 = (k - p) / tr(P)`` (Higgins & Thompson
  2002, eq. 9, generalized to meta-regression);
* random/mixed-effects models: ``I2 = 100 tau2 / (s2 + tau2)``,
  ``H2 = (s2 + tau2) / s2``, using the estimated tau2;
* common-effect models: ``I2 = max(0, 100 (Q - df) / Q)``, ``H2 = Q / df`` (Higgins &
  Thompson 2002, eqs. 6 and 11).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._wls import q_and_trace

__all__ = ["QStatistic", "cochran_q", "i2_h2_common", "i2_h2_random"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class QStatistic:
    """Test for (residual) heterogeneity with inverse-variance weights.

    Attributes
    ----------
    Q : ndarray, shape (...)
        Cochran's Q (metafor's QE).
    Q_df : int
        ``k - p``.
    Q_pval : ndarray, shape (...)
        Upper tail of ``chi^2(k - p)`` at Q (1 when ``k - p = 0``).
    typical_vi : ndarray, shape (...)
        ``(k - p) / tr(P)``, the 'typical' within-study variance (NaN when ``k = p``).
    """

    Q: FloatArray
    Q_df: int
    Q_pval: FloatArray
    typical_vi: FloatArray


def cochran_q(yi: FloatArray, vi: FloatArray, X: FloatArray | None) -> QStatistic:
    """Cochran's Q, its p-value and the typical within-study variance."""
    q, trace = q_and_trace(yi, 1.0 / vi, X)
    df = yi.shape[-1] - (1 if X is None else X.shape[-1])
    if df <= 0:
        Q = np.zeros_like(q)
        return QStatistic(Q, 0, np.ones_like(Q), np.full_like(Q, np.nan))
    return QStatistic(q, df, special.chdtrc(df, q), df / trace)


def i2_h2_random(tau2: FloatArray, typical_vi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """I2 (percent) and H2 from an estimated tau2 (metafor, random/mixed-effects)."""
    total = typical_vi + tau2
    return 100.0 * tau2 / total, total / typical_vi


def i2_h2_common(Q: FloatArray, df: int) -> tuple[FloatArray, FloatArray]:
    """Q-based I2 (percent, truncated at 0) and H2 (metafor, common-effect models)."""
    Q = np.asarray(Q, dtype=np.float64)
    if df <= 0:
        return np.zeros_like(Q), np.ones_like(Q)
    with np.errstate(divide="ignore", invalid="ignore"):
        i2 = np.where(Q > 0, np.maximum(0.0, 100.0 * (Q - df) / Q), 0.0)
    return i2, Q / df
