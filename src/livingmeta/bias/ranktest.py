"""Begg & Mazumdar's rank correlation test for funnel-plot asymmetry (metafor ``ranktest``).

The effects are standardized against the common-effect estimate (Begg & Mazumdar 1994,
Biometrics 50:1088-1101, section 2):

    t*_i = (y_i - mu) / sqrt(v*_i),   v*_i = v_i - 1 / sum_j (1 / v_j)

and Kendall's tau (tau-b) between ``t*`` and ``v`` is tested against 0. As R's
``cor.test(method = "kendall")`` that metafor 3.8.1 calls, the p-value is exact when
k < 50 and neither variable has ties; otherwise the normal approximation with the
tie-corrected variance of the score, without continuity correction (Kendall 1970).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.bias.small_study import small_study_informative, uninformative_note
from livingmeta.errors import MethodNotApplicableError
from livingmeta.results import Provenance, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["EXACT_MAX_K", "RankTestResult", "ranktest"]

EXACT_MAX_K = 49  # R's cor.test: exact Kendall p-value for n < 50 without ties


@dataclass(frozen=True, slots=True)
class RankTestResult:
    """Begg & Mazumdar's rank correlation test.

    Attributes
    ----------
    k : int
        Number of studies.
    tau : float
        Kendall's tau-b between standardized effects and sampling variances.
    pval : float
        Two-sided p-value for tau = 0.
    exact : bool
        Whether the p-value is exact (k < 50, no ties) or the normal approximation.
    informative : bool
        k >= 10 (Sterne et al. 2011).
    warnings : tuple of str
        Notes: ties (approximate p-value) and the small-k note when k < 10.
    provenance : Provenance
    """

    k: int
    tau: float
    pval: float
    exact: bool
    informative: bool
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row: tau, p-value and whether it is exact."""
        return pd.DataFrame({"tau": [self.tau], "pval": [self.pval], "exact": [self.exact]},
                            index=pd.Index(["Begg & Mazumdar"], name="test"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`."""
        from livingmeta.summary import Summary, frame_table

        return Summary(f"Rank correlation test for funnel-plot asymmetry (k = {self.k})",
                       tuple(f"note: {w}" for w in self.warnings),
                       (frame_table("Test", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def ranktest(yi: object, vi: object, *, study: object = None) -> RankTestResult:
    """Begg & Mazumdar (1994) rank correlation test (metafor ``ranktest``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 3.
    study : sequence of str, optional
        Study labels (used in data error messages).

    Returns
    -------
    RankTestResult

    References
    ----------
    Begg CB, Mazumdar M (1994). Operating characteristics of a rank correlation test for
    publication bias. Biometrics 50:1088-1101.

    Examples
    --------
    >>> res = ranktest([0.1, 0.3, 0.5, 0.9, 0.2], [0.01, 0.04, 0.09, 0.16, 0.02])
    >>> round(res.tau, 3), round(res.pval, 4), res.exact
    (1.0, 0.0167, True)
    """
    y, v, _ = check_effects(yi, vi, study)
    k = y.size
    if k < 3:
        raise MethodNotApplicableError(f"the rank correlation test needs k >= 3; got k = {k}.")
    w = 1.0 / v
    mu = np.sum(w * y) / np.sum(w)
    # Begg & Mazumdar 1994, eq. 2: variance of y_i - mu under the common-effect model.
    t_star = (y - mu) / np.sqrt(v - 1.0 / np.sum(w))
    ties = np.unique(t_star).size < k or np.unique(v).size < k
    exact = k <= EXACT_MAX_K and not ties
    res = stats.kendalltau(t_star, v, method="exact" if exact else "asymptotic")
    notes = [] if exact else [
        "p-value from the normal approximation (" +
        ("ties" if ties else f"k > {EXACT_MAX_K}") + "), as R's cor.test."]
    note = uninformative_note(k)
    return RankTestResult(
        k=k, tau=float(res.statistic), pval=float(res.pvalue), exact=exact,
        informative=small_study_informative(k),
        warnings=(*notes, *([note] if note else [])),
        provenance=Provenance(__version__, "ranktest", "EE", {}, k, input_digest(y, v)),
    )
