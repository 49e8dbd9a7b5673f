"""Knapp-Hartung adjustment of the coefficient covariance (metafor ``test="knha"``).

Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with
a single covariate. Statistics in Medicine, 22(17), 2693-2710.
Hartung, J., & Knapp, G. (2001). On tests of the overall treatment effect in meta-analysis
with normally distributed responses. Statistics in Medicine, 20(12), 1771-1782.

The covariance ``(X'WX)^-1`` is multiplied by ``s2 = Q(tau2) / (k - p)``, the generalized
Q statistic at the estimated tau2 over its df, without truncating ``s2`` at 1 (metafor's
default); tests and intervals then use ``t`` (and ``F``) with ``k - p`` df.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["knha_scale"]


def knha_scale(q_at_tau2: NDArray[np.float64], df: int) -> NDArray[np.float64]:
    """Knapp-Hartung scale factor ``s2 = Q(tau2) / (k - p)``."""
    return np.asarray(q_at_tau2, dtype=np.float64) / df
