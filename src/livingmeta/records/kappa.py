"""Cohen's kappa for two raters, with its large-sample standard error (Cohen 1960).

For a k x k table of proportions p_ij (rater A's category i, rater B's j) over n items::

    p_o   = sum_i p_ii                        observed agreement
    p_e   = sum_i p_i. * p_.i                 agreement expected by chance
    kappa = (p_o - p_e) / (1 - p_e)                                   # Cohen 1960
    se    = sqrt(p_o (1 - p_o) / (n (1 - p_e)^2))                     # Cohen 1960
    se_0  = sqrt(p_e / (n (1 - p_e)))      SE under kappa = 0 (test)  # Cohen 1960

Reference: Cohen J. A coefficient of agreement for nominal scales. Educational and
Psychological Measurement 1960;20(1):37-46.

>>> k = cohen_kappa(["in"] * 20 + ["in"] * 5 + ["out"] * 10 + ["out"] * 15,
...                 ["in"] * 20 + ["out"] * 5 + ["in"] * 10 + ["out"] * 15)
>>> round(k.kappa, 4), round(k.se, 4)
(0.4, 0.1296)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from livingmeta.errors import ParameterError

__all__ = ["Kappa", "cohen_kappa"]


@dataclass(frozen=True, slots=True)
class Kappa:
    """Cohen's kappa between two raters on the same items.

    Attributes
    ----------
    n : int
        Items both rated.
    categories : tuple of str
        Categories used by either rater (sorted).
    p_observed, p_expected : float
        Observed and chance-expected agreement.
    kappa : float
        NaN when ``p_expected`` is 1 (both raters used a single, same category).
    se : float
        Large-sample standard error (Cohen 1960); NaN when kappa is.
    se_null : float
        Standard error under kappa = 0 (for a z test); NaN when kappa is.
    """

    n: int
    categories: tuple[str, ...]
    p_observed: float
    p_expected: float
    kappa: float
    se: float
    se_null: float

    def confidence_interval(self, level: float = 0.95) -> tuple[float, float]:
        """Wald interval ``kappa -/+ z se``."""
        if not 0.0 < level < 1.0:
            raise ParameterError(f"The 'level' parameter must be in (0, 1). Got {level!r}.")
        z = _normal_quantile(0.5 + level / 2)
        return self.kappa - z * self.se, self.kappa + z * self.se

    def to_dict(self) -> dict[str, object]:
        """JSON-safe fields (None for NaN)."""
        def num(x: float) -> float | None:
            return None if math.isnan(x) else x
        return {"n": self.n, "categories": list(self.categories),
                "p_observed": num(self.p_observed), "p_expected": num(self.p_expected),
                "kappa": num(self.kappa), "se": num(self.se), "se_null": num(self.se_null)}


def _normal_quantile(p: float) -> float:
    from statistics import NormalDist
    return NormalDist().inv_cdf(p)


def cohen_kappa(ratings_a: Sequence[str], ratings_b: Sequence[str]) -> Kappa:
    """Cohen's kappa of two raters' categorical ratings of the same items.

    Parameters
    ----------
    ratings_a, ratings_b : sequence of str
        Rater A's and rater B's category for each item, in the same item order.

    Returns
    -------
    Kappa
    """
    if len(ratings_a) != len(ratings_b):
        raise ParameterError("The 'ratings_b' parameter must have as many ratings as "
                             f"'ratings_a' ({len(ratings_a)}). Got {len(ratings_b)}.")
    n = len(ratings_a)
    categories = tuple(sorted({*ratings_a, *ratings_b}))
    if n == 0:
        nan = math.nan
        return Kappa(0, categories, nan, nan, nan, nan, nan)
    p_o = sum(a == b for a, b in zip(ratings_a, ratings_b, strict=True)) / n
    p_e = sum((ratings_a.count(c) / n) * (ratings_b.count(c) / n) for c in categories)
    if p_e >= 1.0:
        return Kappa(n, categories, p_o, p_e, math.nan, math.nan, math.nan)
    kappa = (p_o - p_e) / (1.0 - p_e)
    se = math.sqrt(p_o * (1.0 - p_o) / (n * (1.0 - p_e) ** 2))
    se_null = math.sqrt(p_e / (n * (1.0 - p_e)))
    return Kappa(n, categories, p_o, p_e, kappa, se, se_null)
