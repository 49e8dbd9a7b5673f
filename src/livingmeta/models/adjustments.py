"""Knapp-Hartung adjustment of the coefficient covariance (metafor ``test="knha"`` and
``test="adhoc"``).

Knapp, G., & Hartung, J. (2003). Improved tests for a random effects meta-regression with
a single covariate. Statistics in Medicine, 22(17), 2693-2710.
Hartung, J., & Knapp, G. (2001). On tests of the overall treatment effect in meta-analysis
with normally distributed responses. Statistics in Medicine, 20(12), 1771-1782.

The covariance ``(X'WX)^-1`` is multiplied by ``s2 = Q(tau2) / (k - p)``, the generalized
Q statistic at the estimated tau2 over its df, without truncating ``s2`` at 1 (metafor's
default); tests and intervals then use ``t`` (and ``F``) with ``k - p`` df.

``test="adhoc"`` is the modified Knapp-Hartung method: ``s2`` is truncated below at 1, so
the interval is never narrower than the z-based one (Knapp & Hartung 2003, sec. 4;
Röver, Knapp & Friede 2015, BMC Med Res Methodol 15:99, who recommend it for few studies
of unequal precision, where the untruncated factor can give "bizarrely narrow" intervals
when heterogeneity is low).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["T_TESTS", "knha_scale"]

#: Test codes that use t (and F) distributions with k - p df.
T_TESTS = ("knha", "adhoc")


def knha_scale(
    q_at_tau2: NDArray[np.float64], df: int, *, truncate: bool = False
) -> NDArray[np.float64]:
    """Knapp-Hartung scale factor ``s2 = Q(tau2) / (k - p)``; ``max(1, s2)`` when truncated
    (the ad hoc modification, metafor ``test="adhoc"``)."""
    s2 = np.asarray(q_at_tau2, dtype=np.float64) / df
    return np.maximum(s2, 1.0) if truncate else s2
