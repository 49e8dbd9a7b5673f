"""Conversions of contrast-level reports into effect sizes, each with its note.

Published trials often report a between-group difference with a confidence interval or
only a p-value, not arm-level means and SDs. These pure, vectorized functions turn such
reports into ``yi``/``vi`` on the scale the review analyses. Each returns its values with
one note per element saying what was done, from which numbers, under which assumption,
and where the formula comes from; the review carries the notes into its provenance
table.

Sign convention: effects are treatment minus control, so on a lower-is-better outcome
(pain) a negative value favours the treatment.

References
----------
Higgins JPT, Li T, Deeks JJ (eds). Chapter 6: Choosing effect measures and computing
estimates of effect. Cochrane Handbook for Systematic Reviews of Interventions v6.5
(2024): 6.3.1 (SE from a CI or p-value), 6.5.2.2 (SE and SD from a CI of a mean
difference; t quantiles for small samples), 6.5.2.3 (SE from a t statistic or p-value).
Higgins JPT, Eldridge S, Li T (eds). Chapter 23: Including variants on randomized
trials, v6.5 (2024), 23.2.7.2 (cross-over trials: SMD from a paired analysis with an
imputed within-person correlation). The same formulas are in the Handbook 5.1,
16.4.6.2, whose worked example (SMD 0.218, SE 0.256) the tests reproduce.
Elbourne DR, Altman DG, Higgins JPT, Curtin F, Worthington HV, Vail A (2002).
Meta-analyses involving cross-over trials: methodological issues. Int J Epidemiol
31:140-149.
Hedges LV (1981). Distribution theory for Glass's estimator of effect size. J Educ Stat
6:107-128 (exact small-sample correction). Borenstein M, Hedges LV, Higgins JPT,
Rothstein HR (2009). Introduction to Meta-Analysis, eqs 4.20 (variance of d) and 4.28
(d from a p-value).
Kitchenham B, Madeyski L (2020). Inconsistencies with formulas for the standard error
of the standardized mean difference of repeated measures experiments. Stat Med
39:4101-4104 (the alternative ``variance="becker"``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import ndtri, stdtrit

from livingmeta.effects.continuous import hedges_correction
from livingmeta.errors import check_choice

__all__ = [
    "EffectEstimate",
    "StandardError",
    "critical_quantile",
    "md_from_estimate",
    "paired_d_from_t",
    "se_from_ci",
    "se_from_pvalue",
    "smd_from_d",
    "smd_from_md",
    "smd_from_paired_t",
    "smd_from_parallel_p",
    "t_from_pvalue",
]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class StandardError:
    """Standard errors with one note per element."""

    sei: FloatArray
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class EffectEstimate:
    """Effect sizes and sampling variances with one note per element."""

    yi: FloatArray
    vi: FloatArray
    notes: tuple[str, ...]


def _arr(*values: npt.ArrayLike) -> list[FloatArray]:
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    return [np.array(np.broadcast_to(a, shape), dtype=np.float64).reshape(-1) for a in arrays]


def critical_quantile(prob: float | FloatArray, df: FloatArray | None) -> FloatArray:
    """Quantile at ``prob`` of N(0, 1) (``df`` None or inf) or of t(df): the critical
    value of a CI or of a p-value conversion (Cochrane Handbook 6.5.2.2-6.5.2.3)."""
    p = np.asarray(prob, dtype=np.float64)
    if df is None:
        return np.asarray(ndtri(p), dtype=np.float64)
    with np.errstate(all="ignore"):
        t = np.asarray(stdtrit(df, p), dtype=np.float64)
    return np.where(np.isinf(df), ndtri(p), t)


def _dist(df: float) -> str:
    return "normal" if not np.isfinite(df) else f"t, df={df:g}"


def t_from_pvalue(pval: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """|t| whose two-sided p-value on ``df`` degrees of freedom is ``pval``.

    ``t = F^-1(1 - p/2; df)`` (Cochrane Handbook 6.5.2.3); ``df = inf`` gives the
    normal quantile (Handbook 6.3.1).

    >>> round(float(t_from_pvalue(0.05, np.inf)[0]), 4)
    1.96
    """
    p, d = _arr(pval, df)
    return critical_quantile(1.0 - p / 2.0, d)


def se_from_ci(ci_lb: npt.ArrayLike, ci_ub: npt.ArrayLike, df: npt.ArrayLike = np.inf, *,
               level: float = 0.95) -> StandardError:
    """SE of an estimate from its confidence interval.

    ``SE = (ci_ub - ci_lb) / (2 q)`` with ``q`` the ``(1 + level)/2`` quantile of the t
    distribution on ``df`` degrees of freedom, or of the normal for ``df = inf``
    (Cochrane Handbook 6.5.2.2: for a mean difference from small samples, 3.92 is
    replaced by ``2 t(0.975, n1 + n2 - 2)``; 6.3.1 for ratio measures on the log scale).

    >>> se = se_from_ci(-0.95, 0.27, 97)
    >>> round(float(se.sei[0]), 5)
    0.30735
    """
    lo, hi, d = _arr(ci_lb, ci_ub, df)
    q = critical_quantile((1.0 + level) / 2.0, d)
    se = (hi - lo) / (2.0 * q)
    notes = tuple(
        f"SE {s:.4g} from the {100 * level:g}% CI [{a:g}, {b:g}] as (upper - lower)/(2 x "
        f"{c:.4f}) ({_dist(f)} quantile; Cochrane Handbook 6.5.2.2)"
        for s, a, b, c, f in zip(se, lo, hi, q, d, strict=True))
    return StandardError(se, notes)


def se_from_pvalue(estimate: npt.ArrayLike, pval: npt.ArrayLike,
                   df: npt.ArrayLike = np.inf) -> StandardError:
    """SE of an estimate from its two-sided p-value: ``SE = |estimate| / t(1 - p/2; df)``.

    Assumes the p-value comes from a Wald (or t) test of this very estimate and is
    reported exactly (Cochrane Handbook 6.5.2.3; 6.3.1 for the normal case).

    >>> round(float(se_from_pvalue(0.49, 0.236, 96).sei[0]), 4)
    0.4109
    """
    est, p, d = _arr(estimate, pval, df)
    t = critical_quantile(1.0 - p / 2.0, d)
    se = np.abs(est) / t
    notes = tuple(
        f"SE {s:.4g} from estimate {e:g} and p = {pv:g}: |estimate|/{q:.4f} ({_dist(f)}; "
        "Cochrane Handbook 6.5.2.3; assumes the p-value tests this estimate and is exact)"
        for s, e, pv, q, f in zip(se, est, p, t, d, strict=True))
    return StandardError(se, notes)


def md_from_estimate(md: npt.ArrayLike, se: StandardError) -> EffectEstimate:
    """A mean difference with a known (or back-calculated) SE: ``yi = MD``, ``vi = SE^2``.

    >>> r = md_from_estimate(-0.34, se_from_ci(-0.95, 0.27, 97))
    >>> round(float(r.vi[0]), 5)
    0.09446
    """
    (y,) = _arr(md)
    return EffectEstimate(y, se.sei**2, tuple(f"MD {v:g} as reported; {n}"
                                              for v, n in zip(y, se.notes, strict=True)))


def smd_from_md(md: npt.ArrayLike, se: StandardError, n1i: npt.ArrayLike,
                n2i: npt.ArrayLike) -> EffectEstimate:
    """Hedges' g of a parallel-group trial from its mean difference and the SE of it.

    The pooled within-group SD is back-calculated from the SE,
    ``SD = SE / sqrt(1/n1 + 1/n2)`` (Cochrane Handbook 6.5.2.3), then
    ``g = J(n1 + n2 - 2) MD / SD`` with the exact correction ``J`` (Hedges 1981) and the
    large-sample variance ``1/n1 + 1/n2 + g^2 / (2 (n1 + n2))`` (metafor's escalc "SMD").
    The SD is a derived number: it assumes the SE came from an unadjusted two-sample
    comparison with equal SDs.

    >>> r = smd_from_md(-0.34, se_from_ci(-0.95, 0.27, 97), 49, 50)
    >>> round(float(r.yi[0]), 4), round(float(r.vi[0]), 5)
    (-0.2206, 0.04065)
    """
    y, n1, n2 = _arr(md, n1i, n2i)
    sd = se.sei / np.sqrt(1.0 / n1 + 1.0 / n2)
    j = hedges_correction(n1 + n2 - 2.0)
    g = j * y / sd
    v = 1.0 / n1 + 1.0 / n2 + g**2 / (2.0 * (n1 + n2))
    notes = tuple(
        f"SMD (Hedges' g) from MD {m:g}: {n}; pooled SD back-calculated as SE/sqrt(1/n1 + "
        f"1/n2) = {s:.4g} (Cochrane Handbook 6.5.2.3); g = J x MD/SD with exact "
        f"J({a + b - 2:g}) = {jj:.4f} (Hedges 1981); variance 1/n1 + 1/n2 + g^2/(2N)"
        for m, n, s, a, b, jj in zip(y, se.notes, sd, n1, n2, j, strict=True))
    return EffectEstimate(g, v, notes)


def smd_from_d(d: npt.ArrayLike, n1i: npt.ArrayLike, n2i: npt.ArrayLike, *,
               correct: bool = False) -> EffectEstimate:
    """A reported standardized difference (Cohen's d) with its large-sample variance.

    ``vi = 1/n1 + 1/n2 + d^2 / (2 (n1 + n2))`` (Borenstein et al. 2009, eq. 4.20).
    ``correct=True`` first multiplies d by the exact ``J(n1 + n2 - 2)`` (Hedges' g).
    The sign of ``d`` must already follow the review's convention (treatment minus
    control).

    >>> r = smd_from_d(0.19, 48, 50)
    >>> round(float(r.vi[0]), 6)
    0.041018
    """
    y, n1, n2 = _arr(d, n1i, n2i)
    j = hedges_correction(n1 + n2 - 2.0) if correct else np.ones_like(y)
    g = j * y
    v = 1.0 / n1 + 1.0 / n2 + g**2 / (2.0 * (n1 + n2))
    what = "Hedges' g = J x d" if correct else "reported d used as the SMD (no small-sample " \
                                               "correction)"
    notes = tuple(f"SMD from reported standardized difference {a:g}: {what}; variance "
                  f"1/n1 + 1/n2 + d^2/(2N) with n1 = {b:g}, n2 = {c:g} (Borenstein 2009, "
                  "eq. 4.20)" for a, b, c in zip(y, n1, n2, strict=True))
    return EffectEstimate(g, v, notes)


def smd_from_parallel_p(pval: npt.ArrayLike, sign: npt.ArrayLike, n1i: npt.ArrayLike,
                        n2i: npt.ArrayLike) -> EffectEstimate:
    """Hedges' g of a parallel-group trial from a two-sided p-value and group sizes.

    ``t = sign x t(1 - p/2; n1 + n2 - 2)``, ``d = t sqrt(1/n1 + 1/n2)`` (Borenstein et
    al. 2009, eq. 4.28 via the two-sample t), then ``g = J d`` and the variance of
    :func:`smd_from_md`. Assumes the p-value is from an unadjusted two-sample t test.

    >>> r = smd_from_parallel_p(0.05, -1, 20, 20)
    >>> round(float(r.yi[0]), 4)
    -0.6274
    """
    p, s, n1, n2 = _arr(pval, sign, n1i, n2i)
    df = n1 + n2 - 2.0
    t = np.sign(s) * critical_quantile(1.0 - p / 2.0, df)
    j = hedges_correction(df)
    g = j * t * np.sqrt(1.0 / n1 + 1.0 / n2)
    v = 1.0 / n1 + 1.0 / n2 + g**2 / (2.0 * (n1 + n2))
    notes = tuple(f"SMD from p = {a:g} (two-sample t on df {f:g}, t = {b:.4f}, sign from the "
                  f"reported direction): d = t sqrt(1/n1 + 1/n2), g = J d; assumes an "
                  "unadjusted t test (Borenstein 2009, eq. 4.28)"
                  for a, f, b in zip(p, df, t, strict=True))
    return EffectEstimate(g, v, notes)


def paired_d_from_t(t: npt.ArrayLike, ni: npt.ArrayLike) -> FloatArray:
    """Within-person standardized difference ``d = t / sqrt(n)`` of a paired t test.

    ``d`` is the mean of the within-person differences over their SD (Cochrane Handbook
    23.2.7.2: ``SE(MD) = SD_diff / sqrt(n)`` and ``t = MD / SE(MD)``).

    >>> round(float(paired_d_from_t(2.0, 16)[0]), 4)
    0.5
    """
    t_, n = _arr(t, ni)
    return np.asarray(t_ / np.sqrt(n), dtype=np.float64)


VARIANCE_CHOICES = ("cochrane", "becker")


def smd_from_paired_t(t: npt.ArrayLike, ni: npt.ArrayLike, ri: npt.ArrayLike, *,
                      variance: str = "cochrane") -> EffectEstimate:
    """SMD on the parallel-group scale from a cross-over (paired) t statistic.

    With ``n`` participants, the within-person ``d_paired = t / sqrt(n)`` standardizes
    by the SD of the differences, ``SD_diff = SD sqrt(2 (1 - r))`` (equal SDs in both
    periods; Elbourne et al. 2002; Cochrane Handbook 23.2.7.2), so the SMD standardized
    by the SD of measurements, comparable with parallel-group trials, is::

        SMD = d_paired x sqrt(2 (1 - r))

    and its variance (Cochrane Handbook 23.2.7.2; Handbook 5.1, 16.4.6.2)::

        vi = (1/n + SMD^2 / (2 n)) x 2 (1 - r)                    variance="cochrane"

    ``variance="becker"`` uses ``2 (1 - r)/n + SMD^2/(2 n)``, the delta-method variance
    of the t-based estimate (Becker 1988; Kitchenham & Madeyski 2020), which is larger
    when r > 0.5. ``r`` is the within-person correlation, rarely reported: it is an
    assumption to vary in sensitivity analyses. No small-sample correction is applied.

    Examples
    --------
    Cochrane Handbook 5.1, 16.4.6.4: MD 0.5, SDs 2.38 and 2.21, n = 10, r = 0.68; its
    SMD from the data is 0.218 with SE 0.256. From the t of the paired analysis:

    >>> sd_diff = np.sqrt(2.38**2 + 2.21**2 - 2 * 0.68 * 2.38 * 2.21)
    >>> r = smd_from_paired_t(0.5 / (sd_diff / np.sqrt(10)), 10, 0.68)
    >>> round(float(r.yi[0]), 3)
    0.217
    """
    check_choice("variance", variance, VARIANCE_CHOICES)
    t_, n, r = _arr(t, ni, ri)
    d = t_ / np.sqrt(n)
    factor = 2.0 * (1.0 - r)
    smd = d * np.sqrt(factor)
    if variance == "cochrane":
        v = (1.0 / n + smd**2 / (2.0 * n)) * factor
        how = "(1/n + SMD^2/(2n)) x 2(1 - r) (Cochrane Handbook 23.2.7.2)"
    else:
        v = factor / n + smd**2 / (2.0 * n)
        how = "2(1 - r)/n + SMD^2/(2n) (Becker 1988)"
    notes = tuple(
        f"cross-over: paired t = {a:.4f} on n = {b:g}, d_paired = t/sqrt(n) = {c:.4f}; "
        f"SMD = d_paired x sqrt(2(1 - r)) with assumed within-person correlation r = {rr:g} "
        f"(Elbourne 2002; Cochrane Handbook 23.2.7.2); variance {how}"
        for a, b, c, rr in zip(t_, n, d, r, strict=True))
    return EffectEstimate(smd, v, notes)
