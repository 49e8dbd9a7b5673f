"""Sample mean and SD from the median, quartiles and/or range (normal data assumed).

Three reporting scenarios, named as in Wan et al. (2014) and Luo et al. (2018):

* S1: minimum a, median m, maximum b, n
* S2: first quartile q1, median m, third quartile q3, n
* S3: a, q1, m, q3, b, n (the five-number summary)

Mean (Luo et al. 2018, optimally weighted estimators):

* S1: ``w = 4 / (4 + n**0.75)``; mean = ``w (a + b)/2 + (1 - w) m``
* S2: mean = ``(0.7 + 0.39/n) (q1 + q3)/2 + (0.3 - 0.39/n) m``
* S3: ``w1 = 2.2 / (2.2 + n**0.75)``, ``w2 = 0.7 - 0.72 / n**0.55``;
  mean = ``w1 (a + b)/2 + w2 (q1 + q3)/2 + (1 - w1 - w2) m``

SD:

* S1 (Wan et al. 2014, eq. 7 with the approximation of eq. 9):
  ``(b - a) / xi(n)``, ``xi(n) = 2 Phi^-1((n - 0.375)/(n + 0.25))``
* S2 (Wan et al. 2014, scenario C2): ``(q3 - q1) / eta(n)``,
  ``eta(n) = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25))``
* S3 (Shi et al. 2020, shortcut formula of the smoothly weighted estimator):
  ``(b - a)/theta1(n) + (q3 - q1)/theta2(n)`` with
  ``theta1(n) = (2 + 0.14 n**0.6) Phi^-1((n - 0.375)/(n + 0.25))`` and
  ``theta2(n) = (2 + 2/(0.07 n**0.6)) Phi^-1((0.75 n - 0.125)/(n + 0.25))``

``xi(n)`` is computed with the closed-form approximation for every n (Wan et al.'s
Table 1 lists exact values for n <= 50; they differ in the third decimal).

References
----------
Wan X, Wang W, Liu J, Tong T (2014). Estimating the sample mean and standard deviation
from the sample size, median, range and/or interquartile range. BMC Medical Research
Methodology 14:135. https://doi.org/10.1186/1471-2288-14-135

Luo D, Wan X, Liu J, Tong T (2018). Optimally estimating the sample mean from the
sample size, median, mid-range, and/or mid-quartile range. Statistical Methods in
Medical Research 27(6):1785-1805. https://doi.org/10.1177/0962280216669183

Shi J, Luo D, Weng H, Zeng X-T, Lin L, Chu H, Tong T (2020). Optimally estimating the
sample standard deviation from the five-number summary. Research Synthesis Methods
11(5):641-654. https://doi.org/10.1002/jrsm.1429
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri

from livingmeta.effects._checks import FloatArray

__all__ = ["MEDIAN_COLUMNS", "ArmSummary", "estimate_mean_sd"]

#: Per-arm column names: (median, first quartile, third quartile, minimum, maximum).
MEDIAN_COLUMNS: dict[str, tuple[str, str, str, str, str]] = {
    "1": ("med1i", "q1_1i", "q3_1i", "min1i", "max1i"),
    "2": ("med2i", "q1_2i", "q3_2i", "min2i", "max2i"),
}

_NOTE_MEAN = {
    "S1": "mean from median and range (Luo 2018, S1)",
    "S2": "mean from median and IQR (Luo 2018, S2)",
    "S3": "mean from median, IQR and range (Luo 2018, S3)",
}
_NOTE_SD = {
    "S1": "SD from range (Wan 2014, eq. 7)",
    "S2": "SD from IQR (Wan 2014, scenario C2)",
    "S3": "SD from IQR and range (Shi 2020)",
}


def _xi(n: FloatArray) -> FloatArray:
    # Wan et al. 2014, xi(n) = 2 Phi^-1((n - 0.375)/(n + 0.25))  (Blom's plotting position)
    return np.asarray(2.0 * ndtri((n - 0.375) / (n + 0.25)), dtype=np.float64)


def _eta(n: FloatArray) -> FloatArray:
    # Wan et al. 2014, eta(n) = 2 Phi^-1((0.75 n - 0.125)/(n + 0.25))
    return np.asarray(2.0 * ndtri((0.75 * n - 0.125) / (n + 0.25)), dtype=np.float64)


def mean_s1(a: FloatArray, m: FloatArray, b: FloatArray, n: FloatArray) -> FloatArray:
    w = 4.0 / (4.0 + n**0.75)  # Luo 2018, S1 optimal weight
    return np.asarray(w * (a + b) / 2.0 + (1.0 - w) * m, dtype=np.float64)


def mean_s2(q1: FloatArray, m: FloatArray, q3: FloatArray, n: FloatArray) -> FloatArray:
    w = 0.7 + 0.39 / n  # Luo 2018, S2 optimal weight
    return np.asarray(w * (q1 + q3) / 2.0 + (1.0 - w) * m, dtype=np.float64)


def mean_s3(a: FloatArray, q1: FloatArray, m: FloatArray, q3: FloatArray, b: FloatArray,
            n: FloatArray) -> FloatArray:
    w1 = 2.2 / (2.2 + n**0.75)  # Luo 2018, S3 optimal weights
    w2 = 0.7 - 0.72 / n**0.55
    return np.asarray(
        w1 * (a + b) / 2.0 + w2 * (q1 + q3) / 2.0 + (1.0 - w1 - w2) * m, dtype=np.float64
    )


def sd_s1(a: FloatArray, b: FloatArray, n: FloatArray) -> FloatArray:
    return np.asarray((b - a) / _xi(n), dtype=np.float64)


def sd_s2(q1: FloatArray, q3: FloatArray, n: FloatArray) -> FloatArray:
    return np.asarray((q3 - q1) / _eta(n), dtype=np.float64)


def sd_s3(a: FloatArray, q1: FloatArray, q3: FloatArray, b: FloatArray,
          n: FloatArray) -> FloatArray:
    # Shi et al. 2020, shortcut formula: weights theta1(n), theta2(n)
    theta1 = (2.0 + 0.14 * n**0.6) * (_xi(n) / 2.0)
    theta2 = (2.0 + 2.0 / (0.07 * n**0.6)) * (_eta(n) / 2.0)
    return np.asarray((b - a) / theta1 + (q3 - q1) / theta2, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class ArmSummary:
    """Mean and SD of one arm after filling in estimates where they were missing."""

    mean: FloatArray
    sd: FloatArray
    notes: list[list[str]]
    converted: npt.NDArray[np.bool_]


def estimate_mean_sd(
    mean: FloatArray | None,
    sd: FloatArray | None,
    n: FloatArray,
    med: FloatArray | None,
    q1: FloatArray | None,
    q3: FloatArray | None,
    lo: FloatArray | None,
    hi: FloatArray | None,
) -> ArmSummary:
    """Fill missing (NaN or absent) means and SDs of one arm from quantile summaries.

    A row is converted only where its mean (or SD) is missing and the summaries needed
    are all present; the richest scenario available is used (S3, then S2, then S1).
    """
    k = n.shape[0]
    nan = np.full(k, np.nan)

    def col(x: FloatArray | None) -> FloatArray:
        return nan if x is None else x

    m_, q1_, q3_, a_, b_ = col(med), col(q1), col(q3), col(lo), col(hi)
    has_iqr = ~np.isnan(q1_) & ~np.isnan(q3_)
    has_rng = ~np.isnan(a_) & ~np.isnan(b_)
    has_med = ~np.isnan(m_)
    has_n = ~np.isnan(n)
    scen = np.full(k, "", dtype=object)
    scen[has_n & has_rng] = "S1"
    scen[has_n & has_iqr] = "S2"
    scen[has_n & has_iqr & has_rng] = "S3"

    out_mean = np.array(col(mean), dtype=np.float64)
    out_sd = np.array(col(sd), dtype=np.float64)
    notes: list[list[str]] = [[] for _ in range(k)]
    converted = np.zeros(k, dtype=bool)
    with np.errstate(all="ignore"):
        means = {"S1": mean_s1(a_, m_, b_, n), "S2": mean_s2(q1_, m_, q3_, n),
                 "S3": mean_s3(a_, q1_, m_, q3_, b_, n)}
        sds = {"S1": sd_s1(a_, b_, n), "S2": sd_s2(q1_, q3_, n),
               "S3": sd_s3(a_, q1_, q3_, b_, n)}
    for i in range(k):
        s = scen[i]
        if not s:
            continue
        if np.isnan(out_mean[i]) and has_med[i]:
            out_mean[i] = means[s][i]
            notes[i].append(_NOTE_MEAN[s])
            converted[i] = True
        if np.isnan(out_sd[i]):
            out_sd[i] = sds[s][i]
            notes[i].append(_NOTE_SD[s])
            converted[i] = True
    return ArmSummary(out_mean, out_sd, notes, converted)
