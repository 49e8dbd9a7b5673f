"""Performance measures of a simulation study and their Monte Carlo standard errors.

Formulas are those of Morris, White & Crowther (2019), Stat Med 38:2074-2102, Table 6,
for n replications with estimates ``theta_hat_i`` of the true ``theta``:

========================  ====================================  ==========================
measure                   estimate                              Monte Carlo SE
========================  ====================================  ==========================
bias                      mean(theta_hat) - theta               sqrt(S^2 / n)
empirical SE              S = sd(theta_hat)                     S / sqrt(2 (n - 1))
MSE                       mean((theta_hat - theta)^2)           sqrt(sum((e^2 - MSE)^2)
                                                                / (n (n - 1)))
model SE                  sqrt(mean(se^2))                      sqrt(var(se^2)
                                                                / (4 n ModSE^2))
coverage, power,          p = proportion                        sqrt(p (1 - p) / n)
type I error
========================  ====================================  ==========================

RMSE is ``sqrt(MSE)`` with the delta-method SE ``MCSE(MSE) / (2 RMSE)``; means of other
per-replication quantities (CI width, the probability that a PI covers a new study's
true effect) have the SE of a mean, ``sd / sqrt(n)``.

Replications are summarised in blocks by :class:`Moments` (count, mean, centred sum of
squares, raw sums of squares and fourth powers), merged exactly in block order with the
pairwise update of Chan, Golub & LeVeque (1979), so that memory does not grow with the
number of replications and the result does not depend on how blocks were grouped into
chunks. Non-finite values are left out (``n`` counts the finite ones).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "Moments",
    "Performance",
    "bias",
    "empirical_se",
    "mean_value",
    "model_se",
    "mse",
    "proportion",
    "rmse",
]


@dataclass(frozen=True, slots=True)
class Moments:
    """Summary of per-replication values, mergeable across blocks.

    Attributes
    ----------
    n : int
        Finite values summarised.
    mean : float
        Their mean.
    m2 : float
        Sum of squared deviations from the mean.
    sum_sq, sum_quad : float
        Sums of the values squared and to the fourth power (for the MSE and its SE).

    Examples
    --------
    >>> a = Moments.of([1.0, 2.0]).merge(Moments.of([3.0, float("nan"), 6.0]))
    >>> a.n, a.mean, a.m2, a.sum_sq
    (4, 3.0, 14.0, 50.0)
    """

    n: int
    mean: float
    m2: float
    sum_sq: float
    sum_quad: float

    @classmethod
    def of(cls, values: object) -> Moments:
        """Moments of the finite entries of ``values``."""
        x = np.asarray(values, dtype=float).ravel()
        x = x[np.isfinite(x)]
        if x.size == 0:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        mean = float(x.mean())
        sq = x * x
        return cls(int(x.size), mean, float(np.sum((x - mean) ** 2)), float(sq.sum()),
                   float(np.sum(sq * sq)))

    def merge(self, other: Moments) -> Moments:
        """Moments of both sets (Chan, Golub & LeVeque 1979, eq. 2.1b)."""
        if other.n == 0:
            return self
        if self.n == 0:
            return other
        n = self.n + other.n
        delta = other.mean - self.mean
        mean = self.mean + delta * other.n / n
        m2 = self.m2 + other.m2 + delta * delta * self.n * other.n / n
        return Moments(n, mean, m2, self.sum_sq + other.sum_sq,
                       self.sum_quad + other.sum_quad)

    @property
    def variance(self) -> float:
        """Sample variance (n - 1 denominator); NaN when n < 2."""
        return self.m2 / (self.n - 1) if self.n >= 2 else math.nan


@dataclass(frozen=True, slots=True)
class Performance:
    """A performance measure: its estimate, Monte Carlo SE and replications used."""

    estimate: float
    mcse: float
    n: int


def _nan(m: Moments) -> Performance | None:
    return Performance(math.nan, math.nan, m.n) if m.n < 2 else None


def bias(errors: Moments) -> Performance:
    """Bias from the errors ``theta_hat - theta`` (Morris et al. 2019, Table 6).

    >>> bias(Moments.of([0.5, -0.5, 1.5]))
    Performance(estimate=0.5, mcse=0.5773502691896257, n=3)
    """
    return _nan(errors) or Performance(errors.mean, math.sqrt(errors.variance / errors.n),
                                       errors.n)


def empirical_se(errors: Moments) -> Performance:
    """Empirical SE, the SD of the estimates (Morris et al. 2019, Table 6)."""
    if (out := _nan(errors)) is not None:
        return out
    s = math.sqrt(errors.variance)
    return Performance(s, s / math.sqrt(2.0 * (errors.n - 1)), errors.n)


def mse(errors: Moments) -> Performance:
    """Mean squared error (Morris et al. 2019, Table 6)."""
    if (out := _nan(errors)) is not None:
        return out
    n = errors.n
    value = errors.sum_sq / n
    # sum((e^2 - MSE)^2) = sum(e^4) - n MSE^2
    spread = max(errors.sum_quad - n * value * value, 0.0)
    return Performance(value, math.sqrt(spread / (n * (n - 1))), n)


def rmse(errors: Moments) -> Performance:
    """Root mean squared error, with the delta-method SE ``MCSE(MSE) / (2 RMSE)``."""
    m = mse(errors)
    root = math.sqrt(m.estimate) if m.estimate >= 0 else math.nan
    mcse = m.mcse / (2.0 * root) if root > 0 else math.nan
    return Performance(root, mcse, m.n)


def model_se(variances: Moments) -> Performance:
    """Average model SE ``sqrt(mean(se^2))`` from the squared SEs (Morris et al. 2019,
    Table 6)."""
    if (out := _nan(variances)) is not None:
        return out
    value = math.sqrt(variances.mean)
    mcse = math.sqrt(variances.variance / (4.0 * variances.n * variances.mean)) \
        if variances.mean > 0 else math.nan
    return Performance(value, mcse, variances.n)


def proportion(indicators: Moments) -> Performance:
    """A proportion of replications (coverage, power, type I error, convergence), with
    the binomial SE ``sqrt(p (1 - p) / n)`` (Morris et al. 2019, Table 6).

    >>> proportion(Moments.of([1, 1, 1, 0]))
    Performance(estimate=0.75, mcse=0.21650635094610965, n=4)
    """
    if (out := _nan(indicators)) is not None:
        return out
    p = indicators.mean
    return Performance(p, math.sqrt(max(p * (1.0 - p), 0.0) / indicators.n), indicators.n)


def mean_value(values: Moments) -> Performance:
    """Mean of a per-replication quantity, with the SE of a mean ``sd / sqrt(n)``."""
    return bias(values)
