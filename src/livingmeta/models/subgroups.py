"""Subgroup analysis: one model per level of a grouping variable, and the test for
subgroup differences.

With ``tau2="separate"`` each level gets its own random-effects fit (its own tau2); the
test for subgroup differences is the common-effect meta-regression of the level estimates
on the grouping factor, ``Q_between = sum w_g (est_g - est_pooled)^2`` with
``w_g = 1/se_g^2`` on ``G - 1`` df (Borenstein et al. 2009, ch. 19; Cochrane Handbook
10.11.3.1; metafor's documented ``rma(est, sei=se, mods=~grp, method="FE")``).
With ``tau2="common"`` the mixed-effects meta-regression with the grouping factor (one
tau2 for all levels) gives the per-level estimates and its omnibus test ``QM`` is the test
for subgroup differences (Viechtbauer 2010, section 3.3).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import DataValidationError, Problem, check_choice
from livingmeta.models.random import rma
from livingmeta.results import (
    MetaAnalysisResult,
    MetaRegressionResult,
    Provenance,
    check_level,
    input_digest,
    jsonable,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["SubgroupResult", "subgroup_analysis"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SubgroupResult:
    """Per-level fits and the test for subgroup differences.

    Attributes
    ----------
    groups : tuple of str
        The levels, in order of first appearance.
    fits : tuple of MetaAnalysisResult
        One separate fit per level (same method, test and level), also with
        ``tau2="common"`` (their per-level heterogeneity is still of interest).
    tau2_model : str
        ``"separate"`` or ``"common"``: how the per-level estimates below were obtained.
    k : int
        Number of studies in all.
    measure, method, test : str
        As passed to :func:`~livingmeta.models.rma`.
    level : float
        Confidence level of the intervals.
    estimate, se, statistic, pval, ci_low, ci_high : ndarray, shape (G,)
        Per-level estimates: from ``fits`` (separate) or from the meta-regression on the
        group indicators without intercept (common).
    tau2 : ndarray, shape (G,)
        tau2 of each level (all equal to the common tau2 with ``tau2="common"``).
    Q_between, Q_between_df, Q_between_pval : float, int, float
        Test for subgroup differences (chi-square on G - 1 df; with ``tau2="common"``
        and ``test="knha"`` the F statistic of the omnibus test). NaN p-value when G = 1.
    regression : MetaRegressionResult or None
        ``tau2="common"``: the mixed-effects model with intercept and G - 1 indicators,
        whose ``QM`` is ``Q_between``. None otherwise.
    level_regression : MetaRegressionResult or None
        ``tau2="common"``: the same model parametrised by one indicator per level (no
        intercept), whose coefficients are the per-level estimates. None otherwise.
    study : tuple of str
        Study labels; ``group`` gives the level of each study.
    group : tuple of str
        The level of each study.
    warnings : tuple of str
        Messages of every warning issued by the fits, prefixed by their level.
    provenance : Provenance
        Version, options and a digest of yi, vi and the groups.
    """

    groups: tuple[str, ...]
    fits: tuple[MetaAnalysisResult, ...]
    tau2_model: str
    k: int
    measure: str
    method: str
    test: str
    level: float
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    tau2: FloatArray
    Q_between: float
    Q_between_df: int
    Q_between_pval: float
    regression: MetaRegressionResult | None
    level_regression: MetaRegressionResult | None
    study: tuple[str, ...]
    group: tuple[str, ...]
    warnings: tuple[str, ...]
    provenance: Provenance

    def confidence_interval(self, level: float | None = None) -> tuple[FloatArray, FloatArray]:
        """Per-level confidence intervals at ``level`` (default: the result's own)."""
        lv = self.level if level is None else check_level(level)
        if self.level_regression is not None:
            return self.level_regression.confidence_interval(lv)
        bounds = [fit.confidence_interval(lv) for fit in self.fits]
        return np.array([b[0] for b in bounds]), np.array([b[1] for b in bounds])

    def to_frame(self) -> pd.DataFrame:
        """One row per level: group, k, estimate, se, statistic, pval, ci_low, ci_high,
        tau2 and the level's own Q, Q_df, Q_pval, I2, H2 (from its separate fit)."""
        return pd.DataFrame({
            "group": list(self.groups),
            "k": [fit.k for fit in self.fits],
            "estimate": self.estimate, "se": self.se, "statistic": self.statistic,
            "pval": self.pval, "ci_low": self.ci_low, "ci_high": self.ci_high,
            "tau2": self.tau2,
            "Q": [fit.Q for fit in self.fits], "Q_df": [fit.Q_df for fit in self.fits],
            "Q_pval": [fit.Q_pval for fit in self.fits],
            "I2": [fit.I2 for fit in self.fits], "H2": [fit.H2 for fit in self.fits],
        })

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` (render with as_text/as_markdown/as_html)."""
        from livingmeta.summary import summarize

        return summarize(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field (nested results included)."""
        out: dict[str, Any] = jsonable(self)
        return out



def _check_groups(groups: object, labels: tuple[str, ...]) -> tuple[str, ...]:
    values = list(np.asarray(groups, dtype=object).reshape(-1))
    if len(values) != len(labels):
        raise DataValidationError([Problem(
            None, None, "groups", None,
            f"must have one level per study ({len(labels)}); got {len(values)}")])
    problems = [Problem(row + 1, labels[row], "groups", None, "must not be missing")
                for row, g in enumerate(values)
                if g is None or (isinstance(g, float) and math.isnan(g))]
    if problems:
        raise DataValidationError(problems)
    return tuple(str(g) for g in values)


def _between_test(est: FloatArray, se: FloatArray) -> tuple[float, int, float]:
    """Q of the common-effect model of the level estimates (Borenstein et al. 2009, 19.3)."""
    df = est.size - 1
    if df < 1:
        return 0.0, 0, math.nan
    w = 1.0 / se**2
    pooled = float((w * est).sum() / w.sum())
    q = float((w * (est - pooled) ** 2).sum())
    return q, df, float(special.chdtrc(df, q))


def subgroup_analysis(
    yi: object,
    vi: object,
    groups: Sequence[object] | np.ndarray,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    study: Sequence[object] | None = None,
    measure: str = "GEN",
    tau2: str = "separate",
) -> SubgroupResult:
    """Fit a model per subgroup and test for subgroup differences.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0).
    groups : sequence, shape (k,)
        Level of each study; levels are kept in order of first appearance.
    method, test, level, measure :
        As in :func:`~livingmeta.models.rma` (``method="EE"`` for common-effect fits).
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).
    tau2 : {"separate", "common"}
        A tau2 per level, or one tau2 shared by all levels (mixed-effects model).

    Returns
    -------
    SubgroupResult

    Raises
    ------
    DataValidationError
        Non-finite yi/vi, vi <= 0 or missing groups (every row reported at once).

    Warns
    -----
    SingleStudyWarning, ZeroTau2Warning, ConvergenceWarning
        From the per-level fits (a level with k = 1 still gets a defined fit).

    References
    ----------
    Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
    Meta-Analysis, ch. 19. Wiley.
    Viechtbauer W (2010). J Stat Softw 36(3), section 3.3.

    Examples
    --------
    >>> res = subgroup_analysis([0.1, 0.3, 0.5, 0.9], [0.04, 0.05, 0.04, 0.06],
    ...                         ["a", "a", "b", "b"], method="EE")
    >>> res.groups, round(res.Q_between, 4), res.Q_between_df
    (('a', 'b'), 4.8017, 1)
    """
    check_choice("tau2", tau2, ("separate", "common"))
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    group = _check_groups(groups, labels)
    levels = tuple(dict.fromkeys(group))
    masks = [np.array([g == lv for g in group]) for lv in levels]
    fits: list[MetaAnalysisResult] = []
    messages: list[str] = []
    for name, mask in zip(levels, masks, strict=True):
        fit = cast(MetaAnalysisResult, rma(
            y[mask], v[mask], method=method, test=test, level=level,
            study=[s for s, m in zip(labels, mask, strict=True) if m], measure=measure))
        fits.append(fit)
        messages.extend(f"group {name!r}: {msg}" for msg in fit.warnings)
    regression = level_regression = None
    if tau2 == "separate" or len(levels) == 1:
        est = np.array([f.estimate for f in fits])
        se = np.array([f.se for f in fits])
        stat = np.array([f.statistic for f in fits])
        pval = np.array([f.pval for f in fits])
        ci_low = np.array([f.ci_low for f in fits])
        ci_high = np.array([f.ci_high for f in fits])
        tau2_values = np.array([f.tau2 for f in fits])
        q_between, q_df, q_pval = _between_test(est, se)
    else:
        indicators = np.column_stack([m.astype(float) for m in masks])
        options: dict[str, Any] = dict(method=method, test=test, level=level, study=labels,
                                       measure=measure)
        level_regression = cast(MetaRegressionResult, rma(
            y, v, mods=indicators, intercept=False, moderator_names=list(levels), **options))
        regression = cast(MetaRegressionResult, rma(
            y, v, mods=indicators[:, 1:], intercept=True, moderator_names=list(levels[1:]),
            **options))
        messages.extend(f"common tau2 model: {msg}" for msg in regression.warnings)
        est, se = level_regression.estimate, level_regression.se
        stat, pval = level_regression.statistic, level_regression.pval
        ci_low, ci_high = level_regression.ci_low, level_regression.ci_high
        tau2_values = np.full(len(levels), regression.tau2)
        q_between, q_df, q_pval = regression.QM, regression.QM_df, regression.QM_pval
    return SubgroupResult(
        groups=levels, fits=tuple(fits), tau2_model=tau2, k=y.size, measure=measure,
        method=method, test=test, level=level, estimate=est, se=se, statistic=stat,
        pval=pval, ci_low=ci_low, ci_high=ci_high, tau2=tau2_values,
        Q_between=float(q_between), Q_between_df=int(q_df), Q_between_pval=float(q_pval),
        regression=regression, level_regression=level_regression, study=labels,
        group=group, warnings=tuple(messages),
        provenance=Provenance(__version__, "subgroup_analysis", method,
                              {"test": test, "level": level, "measure": measure,
                               "tau2": tau2}, int(y.size), input_digest(y, v, labels=group)),
    )

