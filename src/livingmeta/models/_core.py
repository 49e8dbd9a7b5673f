"""The shared fitting kernel behind :func:`rma` and :func:`fit_batch`.

One code path for a single meta-analysis and for a batch: everything here works on arrays
with a leading batch shape ``(...)`` and never loops over its elements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special

from ._wls import wls
from .adjustments import T_TESTS, knha_scale
from .common import COMMON_EFFECT_CODES, common_effect_tau2
from .heterogeneity import QStatistic, cochran_q, i2_h2_common, i2_h2_random
from .tau2 import TAU2_ESTIMATORS, Tau2Estimate

__all__ = ["CoreFit", "fit_core", "two_sided_pval"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class CoreFit:
    """Level-free numbers of a fitted model, batch shape ``(...)``."""

    beta: FloatArray  # (..., p)
    vcov: FloatArray  # (..., p, p)
    se: FloatArray  # (..., p)
    statistic: FloatArray  # (..., p)
    pval: FloatArray  # (..., p)
    df: int | None
    tau: Tau2Estimate
    weights: FloatArray  # (..., k), percent
    het: QStatistic
    I2: FloatArray
    H2: FloatArray


def two_sided_pval(statistic: FloatArray, df: int | None) -> FloatArray:
    """Two-sided p-value under N(0, 1) (df None) or t(df)."""
    a = -np.abs(statistic)
    return 2.0 * (special.ndtr(a) if df is None else special.stdtr(df, a))


def fit_core(
    yi: FloatArray, vi: FloatArray, X: FloatArray | None, method: str, test: str
) -> CoreFit:
    """Estimate tau2, then the coefficients by WLS with weights ``1/(vi + tau2)``."""
    het = cochran_q(yi, vi, X)
    df = het.Q_df
    if method in COMMON_EFFECT_CODES:
        tau = common_effect_tau2(yi)
        I2, H2 = i2_h2_common(het.Q, df)
    else:
        tau = TAU2_ESTIMATORS[method](yi, vi, X)
        I2, H2 = i2_h2_random(tau.tau2, het.typical_vi)
    w = 1.0 / (vi + tau.tau2[..., None])
    fit = wls(yi, w, X)
    vcov = fit.cov
    dfs: int | None = None
    if test in T_TESTS:
        vcov = vcov * knha_scale(fit.Q, df, truncate=test == "adhoc")[..., None, None]
        dfs = df
    se = np.sqrt(np.diagonal(vcov, axis1=-2, axis2=-1))
    # Under knha, se = 0 when Q(tau2) = 0 (identical yi): the statistic is infinite, as
    # in metafor, rather than a warning.
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = fit.beta / se
    weights = 100.0 * w / w.sum(axis=-1, keepdims=True)
    return CoreFit(
        fit.beta,
        vcov,
        se,
        statistic,
        two_sided_pval(statistic, dfs),
        dfs,
        tau,
        weights,
        het,
        I2,
        H2,
    )
