"""Generic effect sizes ("GEN"): yi with vi, SE, confidence interval or p-value.

Each row uses the first complete source in this order:

1. ``yi`` and ``vi``: taken as given;
2. ``yi`` and ``sei``: ``vi = sei**2``;
3. ``yi``, ``ci_lb`` and ``ci_ub``: ``SE = (ci_ub - ci_lb) / (2 * crit)`` with ``crit``
   the normal (``ci_dist="z"``) or t (``ci_dist="t"``) quantile for ``level``
   (Cochrane Handbook 6.3.1);
4. ``yi`` and a two-sided ``pval``: ``SE = |yi| / crit`` with ``crit = Phi^-1(1 -
   p/2)`` or the t quantile (Cochrane Handbook 6.3.1). This rests on the p-value having
   come from a Wald test of yi, reported to enough digits; it issues a
   ``ConversionWarning``;
5. no ``yi`` but ``ci_lb`` and ``ci_ub``: ``yi`` = CI midpoint, SE as in 3.

With ``ci_dist="t"`` the degrees of freedom come from ``df`` or, where it is missing,
``ni - 2`` (a two-group comparison; Cochrane Handbook 6.5.2.3).

``scale="log"``: ``yi``, ``ci_lb`` and ``ci_ub`` are ratios on their natural scale (an
odds ratio 0.8 with CI 0.6 to 1.1); they are log-transformed before anything else
(Cochrane Handbook 6.3.2), so yi is a log ratio. ``vi`` and ``sei``, when given, must
already be on the log scale.
"""

from __future__ import annotations

import warnings

import numpy as np

from livingmeta.effects._checks import Columns, FloatArray, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes
from livingmeta.effects.contrasts import critical_quantile
from livingmeta.errors import ConversionWarning, Problem

__all__ = ["SCALE_CHOICES", "generic_effects", "validate_generic"]

SCALE_CHOICES = ("identity", "log")
CI_DIST_CHOICES = ("z", "t")


def _nan(cols: Columns, name: str, k: int) -> FloatArray:
    v = cols.get(name)
    return np.full(k, np.nan) if v is None else v


def _df(cols: Columns, k: int) -> FloatArray:
    df = _nan(cols, "df", k)
    return np.where(np.isnan(df), _nan(cols, "ni", k) - 2.0, df)


def validate_generic(cols: Columns, check: ProblemCollector, ci_dist: str, scale: str) -> None:
    """Record every problem of the generic columns in ``check``."""
    k = len(check.labels)
    has_ci = cols.get("ci_lb") is not None and cols.get("ci_ub") is not None
    if cols.get("yi") is None and not has_ci:
        check.require(cols, "yi")
    if not (has_ci or any(cols.get(c) is not None for c in ("vi", "sei", "pval"))):
        check.problems.append(Problem(None, None, "vi, sei, ci_lb/ci_ub or pval", None,
                                      "must be given for measure 'GEN'"))
    check.positive(cols, "vi", "sei", "df")
    check.within(cols, "pval", 0.0, 1.0, "must be in (0, 1]", lo_open=True)
    if scale == "log":
        for name in ("yi", "ci_lb", "ci_ub"):
            check.within(cols, name, 0.0, np.inf,
                         "must be > 0 with scale='log' (a ratio on its natural scale)",
                         lo_open=True)
    lb, ub, yi = _nan(cols, "ci_lb", k), _nan(cols, "ci_ub", k), _nan(cols, "yi", k)
    with np.errstate(invalid="ignore"):
        reversed_ci = ub <= lb
        outside = ((yi < lb) | (yi > ub)) & ~reversed_ci
    for i in np.flatnonzero(reversed_ci):
        check.problems.append(Problem(int(i) + 1, check.labels[i], "ci_ub", float(ub[i]),
                                      f"must be > ci_lb ({lb[i]:g})"))
    for i in np.flatnonzero(outside):
        check.problems.append(Problem(int(i) + 1, check.labels[i], "yi", float(yi[i]),
                                      f"must lie within [ci_lb, ci_ub] = [{lb[i]:g}, {ub[i]:g}]"))
    if ci_dist == "t":
        needs_df = ~np.isnan(ub + lb) | ~np.isnan(_nan(cols, "pval", k))
        needs_df &= np.isnan(_nan(cols, "vi", k)) & np.isnan(_nan(cols, "sei", k))
        for i in np.flatnonzero(needs_df & np.isnan(_df(cols, k))):
            check.problems.append(Problem(int(i) + 1, check.labels[i], "df", None,
                                          "must be given (or ni) when ci_dist='t'"))


def _critical(prob: float | FloatArray, ci_dist: str, df: FloatArray) -> FloatArray:
    """Upper quantile at probability ``prob`` of N(0, 1) or of t(df)."""
    p = np.broadcast_to(np.asarray(prob, dtype=np.float64), df.shape)
    return critical_quantile(p, None if ci_dist == "z" else df)


def _dist_label(ci_dist: str, df: float) -> str:
    return "normal" if ci_dist == "z" else f"t, df={df:g}"


def generic_effects(cols: Columns, k: int, ci_dist: str, level: float, scale: str) -> Computed:
    """yi and vi per row from whichever of vi, sei, CI or p-value is given."""
    yi, vi, sei = _nan(cols, "yi", k), _nan(cols, "vi", k), _nan(cols, "sei", k)
    lb, ub, pval = _nan(cols, "ci_lb", k), _nan(cols, "ci_ub", k), _nan(cols, "pval", k)
    df = _df(cols, k) if ci_dist == "t" else np.full(k, np.inf)
    notes = new_notes(k)
    if scale == "log":
        with np.errstate(all="ignore"):
            yi, lb, ub = np.log(yi), np.log(lb), np.log(ub)
        for i in np.flatnonzero(~np.isnan(yi) | ~np.isnan(lb + ub)):
            notes[i].append("ratio log-transformed (scale='log', Cochrane Handbook 6.3.2)")
    out_y = yi.copy()
    out_v = np.full(k, np.nan)
    has_y = ~np.isnan(yi)
    has_ci = ~np.isnan(lb) & ~np.isnan(ub)
    use_v = has_y & ~np.isnan(vi)
    use_se = has_y & ~use_v & ~np.isnan(sei)
    use_ci = ~use_v & ~use_se & has_ci
    use_p = has_y & ~use_v & ~use_se & ~use_ci & ~np.isnan(pval)
    out_v[use_v] = vi[use_v]
    out_v[use_se] = sei[use_se] ** 2
    for i in np.flatnonzero(use_se):
        notes[i].append("vi = sei^2")

    pct = f"{100 * level:g}%"
    crit_ci = _critical(1.0 - (1.0 - level) / 2.0, ci_dist, df)
    with np.errstate(all="ignore"):
        se_ci = (ub - lb) / (2.0 * crit_ci)
    out_v[use_ci] = se_ci[use_ci] ** 2
    for i in np.flatnonzero(use_ci):
        # Cochrane Handbook 6.3.1: SE = (upper - lower) / (2 * crit)
        notes[i].append(f"SE from {pct} CI ({_dist_label(ci_dist, df[i])}): "
                        f"(hi-lo)/(2*{crit_ci[i]:.6f})")
        if not has_y[i]:
            out_y[i] = (lb[i] + ub[i]) / 2.0
            notes[i].append("yi = CI midpoint")

    with np.errstate(all="ignore"):
        crit_p = _critical(1.0 - pval / 2.0, ci_dist, df)
        se_p = np.abs(yi) / crit_p
    out_v[use_p] = se_p[use_p] ** 2
    for i in np.flatnonzero(use_p):
        # Cochrane Handbook 6.3.1: SE = |estimate| / z, z from the two-sided p-value
        notes[i].append(f"SE from two-sided p={pval[i]:g} ({_dist_label(ci_dist, df[i])}): "
                        f"|yi|/{crit_p[i]:.6f} (approximate)")
    messages: list[str] = []
    n_p = int(use_p.sum())
    if n_p:
        messages.append(
            f"{n_p} stud{'y' if n_p == 1 else 'ies'}: SE derived from a p-value "
            "(assumes a Wald test of yi and an exactly reported p); see notes"
        )
        warnings.warn(messages[-1], ConversionWarning, stacklevel=4)
    yi_out, vi_out = finite_or_nan(out_y, out_v)
    # a zero variance (p = 1, or yi = 0 with a p-value) cannot weight a study
    bad = ~(vi_out > 0)
    return Computed(np.where(bad, np.nan, yi_out), np.where(bad, np.nan, vi_out), notes,
                    messages)
