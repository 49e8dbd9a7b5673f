"""Common-effect (equal-effects) inverse-variance model: metafor codes ``"EE"``/``"FE"``.

The pooled estimate (or the coefficients) is the weighted least squares solution with
weights ``1/vi`` and covariance ``(X'WX)^-1`` (Hedges & Olkin 1985, ch. 6; Borenstein et
al. 2009, ch. 11); tau2 is 0 by assumption and I2/H2 are the Q-based values (Higgins &
Thompson 2002).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .tau2 import Tau2Estimate

__all__ = ["COMMON_EFFECT_CODES", "common_effect_tau2"]

#: Codes for the common-effect model; "FE" is metafor's older alias of "EE".
COMMON_EFFECT_CODES = ("EE", "FE")


def common_effect_tau2(yi: NDArray[np.float64]) -> Tau2Estimate:
    """tau2 fixed at 0 (se undefined) for each meta-analysis of a batch."""
    shape = yi.shape[:-1]
    return Tau2Estimate(
        np.zeros(shape),
        np.full(shape, np.nan),
        np.ones(shape, dtype=bool),
        np.zeros(shape, dtype=np.int64),
    )
