"""``escalc``: observed effect sizes and sampling variances, as metafor's ``escalc``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from livingmeta.effects._checks import Columns, ProblemCollector, as_columns, join_notes
from livingmeta.effects._family import Computed
from livingmeta.effects._result import EffectSizes
from livingmeta.effects._zero_cells import TO_CHOICES
from livingmeta.effects.binary import BINARY_MEASURES, binary_effects, validate_binary
from livingmeta.effects.continuous import (
    CONTINUOUS_MEASURES,
    continuous_effects,
    validate_continuous,
)
from livingmeta.effects.correlation import (
    CORRELATION_MEASURES,
    correlation_effects,
    validate_correlation,
)
from livingmeta.effects.generic import (
    CI_DIST_CHOICES,
    SCALE_CHOICES,
    generic_effects,
    validate_generic,
)
from livingmeta.effects.paired import PAIRED_MEASURES, paired_effects, validate_paired
from livingmeta.effects.rates import RATE_MEASURES, rate_effects, validate_rates
from livingmeta.errors import ParameterError, check_choice

__all__ = ["MEASURES", "escalc"]

#: Every measure code escalc accepts, grouped by family.
MEASURES: tuple[str, ...] = (
    *CONTINUOUS_MEASURES, *PAIRED_MEASURES, *BINARY_MEASURES, *RATE_MEASURES,
    *CORRELATION_MEASURES, "GEN",
)

ArrayLike = npt.ArrayLike | None


def escalc(
    measure: str,
    *,
    study: Sequence[object] | None = None,
    ai: ArrayLike = None, bi: ArrayLike = None, ci: ArrayLike = None, di: ArrayLike = None,
    n1i: ArrayLike = None, n2i: ArrayLike = None,
    m1i: ArrayLike = None, m2i: ArrayLike = None,
    sd1i: ArrayLike = None, sd2i: ArrayLike = None,
    x1i: ArrayLike = None, x2i: ArrayLike = None, t1i: ArrayLike = None, t2i: ArrayLike = None,
    ri: ArrayLike = None, ni: ArrayLike = None,
    yi: ArrayLike = None, vi: ArrayLike = None, sei: ArrayLike = None,
    ci_lb: ArrayLike = None, ci_ub: ArrayLike = None, ci_dist: str = "z",
    pval: ArrayLike = None, df: ArrayLike = None, level: float = 0.95, scale: str = "identity",
    med1i: ArrayLike = None, q1_1i: ArrayLike = None, q3_1i: ArrayLike = None,
    min1i: ArrayLike = None, max1i: ArrayLike = None,
    med2i: ArrayLike = None, q1_2i: ArrayLike = None, q3_2i: ArrayLike = None,
    min2i: ArrayLike = None, max2i: ArrayLike = None,
    add: float = 0.5, to: str = "only0", drop00: bool = False,
) -> EffectSizes:
    """Compute observed effect sizes ``yi`` and sampling variances ``vi`` per study.

    Reproduces metafor's ``escalc`` (version 3.8.1) with its default options (vtype
    "LS"). Columns are 1-d arrays of one length k (or scalars, broadcast to k); NaN
    marks a missing value and makes that study's yi and vi NaN.

    Parameters
    ----------
    measure : str
        One of ``MD SMD SMDH ROM`` (two groups, quantitative), ``MC SMCC SMCR``
        (paired/crossover), ``OR RR RD PETO`` (2x2 tables), ``IRR IRD`` (event counts
        over person-time), ``COR ZCOR`` (correlations), ``GEN`` (generic).
    study : sequence, optional
        Study labels; "Study 1", "Study 2", ... when omitted.
    ai, bi, ci, di : array_like, optional
        2x2 cells: events/non-events in group 1 (ai, bi) and group 2 (ci, di).
    n1i, n2i : array_like, optional
        Group sizes (MD/SMD/SMDH/ROM; for 2x2 tables instead of bi/di).
    m1i, m2i, sd1i, sd2i : array_like, optional
        Means and SDs of the two groups (or occasions, for MC/SMCC/SMCR).
    x1i, x2i, t1i, t2i : array_like, optional
        Event counts and person-time (IRR, IRD).
    ri : array_like, optional
        Correlations (COR, ZCOR) or within-person correlations (MC, SMCC, SMCR; a
        scalar is recorded as assumed for every study).
    ni : array_like, optional
        Sample size (COR, ZCOR, MC, SMCC, SMCR; GEN: df = ni - 2 for t quantiles).
    yi, vi, sei, ci_lb, ci_ub, pval, df : array_like, optional
        Generic inputs (GEN): estimate, variance, standard error, confidence bounds,
        two-sided p-value, degrees of freedom. See :mod:`livingmeta.effects.generic`.
    ci_dist : {"z", "t"}
        Distribution of the reported CIs and p-values (GEN).
    level : float
        Confidence level of the reported CIs, as a fraction (GEN).
    scale : {"identity", "log"}
        "log": yi, ci_lb, ci_ub are ratios on their natural scale and are
        log-transformed first (GEN).
    med1i, q1_1i, q3_1i, min1i, max1i, med2i, q1_2i, q3_2i, min2i, max2i : array_like
        Median, first and third quartile, minimum and maximum of arm 1 and arm 2 (MD,
        SMD, SMDH, ROM). Used only where that arm's m or sd is missing: the mean by
        Luo et al. (2018), the SD by Wan et al. (2014) or, with all five numbers, by
        Shi et al. (2020); issues a ``ConversionWarning``.
    add : float
        Amount added to zero cells/counts (OR RR RD PETO IRR IRD).
    to : {"only0", "all", "if0all", "none"}
        Which studies get ``add`` (metafor's meaning).
    drop00 : bool
        Set studies with no events (or only events) in both groups to NaN.

    Returns
    -------
    EffectSizes
        yi, vi, study labels and per-study notes of every conversion.

    Raises
    ------
    ParameterError
        Unknown measure or option, or columns of different lengths.
    DataValidationError
        Every invalid value at once (negative SD, events above the group size, ...).

    Warns
    -----
    ZeroCellWarning
        Zero cells corrected or double-zero studies dropped.
    ConversionWarning
        A median or p-value conversion was used.

    References
    ----------
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
    Journal of Statistical Software 36(3):1-48. https://doi.org/10.18637/jss.v036.i03

    Examples
    --------
    >>> from livingmeta.effects import escalc
    >>> es = escalc("SMD", m1i=[10.0, 12.0], sd1i=[2.0, 3.0], n1i=[20, 30],
    ...             m2i=[9.0, 11.0], sd2i=[2.5, 3.5], n2i=[20, 30])
    >>> [round(float(g), 4) for g in es.yi]
    [0.4329, 0.3028]
    >>> gen = escalc("GEN", yi=[0.8], ci_lb=[0.6], ci_ub=[1.1], scale="log")
    >>> round(float(gen.sei[0]), 4)
    0.1546
    >>> gen.notes[0].split("; ")[-1]
    'SE from 95% CI (normal): (hi-lo)/(2*1.959964)'
    """
    check_choice("measure", measure, MEASURES)
    check_choice("to", to, TO_CHOICES)
    check_choice("ci_dist", ci_dist, CI_DIST_CHOICES)
    check_choice("scale", scale, SCALE_CHOICES)
    if not (np.isfinite(add) and add >= 0):
        raise ParameterError(f"The 'add' parameter must be a non-negative number. Got {add!r}.")
    if not 0.0 < level < 1.0:
        raise ParameterError(f"The 'level' parameter must be in (0, 1). Got {level!r}.")
    raw: dict[str, Any] = {
        "ai": ai, "bi": bi, "ci": ci, "di": di, "n1i": n1i, "n2i": n2i,
        "m1i": m1i, "m2i": m2i, "sd1i": sd1i, "sd2i": sd2i,
        "x1i": x1i, "x2i": x2i, "t1i": t1i, "t2i": t2i, "ri": ri, "ni": ni,
        "yi": yi, "vi": vi, "sei": sei, "ci_lb": ci_lb, "ci_ub": ci_ub, "pval": pval,
        "df": df, "med1i": med1i, "q1_1i": q1_1i, "q3_1i": q3_1i, "min1i": min1i,
        "max1i": max1i, "med2i": med2i, "q1_2i": q1_2i, "q3_2i": q3_2i, "min2i": min2i,
        "max2i": max2i,
    }
    cols, labels, scalars = as_columns(raw, study)
    k = len(labels)
    check = ProblemCollector(measure, labels)
    compute = _family(measure, cols, check, k, ri_assumed="ri" in scalars and k > 1,
                      add=add, to=to, drop00=drop00, ci_dist=ci_dist, level=level, scale=scale)
    check.raise_if_any()
    out = compute()
    for i in np.flatnonzero(out.vi == 0):
        # e.g. RD of a double-zero table without correction (metafor keeps vi = 0 too)
        out.notes[i].append("vi = 0: no inverse-variance weight can be formed")
    return EffectSizes(
        measure=measure,
        yi=out.yi,
        vi=out.vi,
        study=labels,
        notes=join_notes(out.notes),
        zero_cell_corrected=np.zeros(k, bool) if out.corrected is None else out.corrected,
        dropped_double_zero=np.zeros(k, bool) if out.dropped is None else out.dropped,
        warnings=tuple(out.warnings),
    )


def _family(measure: str, cols: Columns, check: ProblemCollector, k: int, *,
            ri_assumed: bool, add: float, to: str, drop00: bool, ci_dist: str,
            level: float, scale: str) -> Callable[[], Computed]:
    """Validate the columns of the measure's family; return its (deferred) computation."""
    if measure in CONTINUOUS_MEASURES:
        validate_continuous(measure, cols, check)
        return lambda: continuous_effects(measure, cols, k)
    if measure in PAIRED_MEASURES:
        validate_paired(measure, cols, check)
        return lambda: paired_effects(measure, cols, k, ri_assumed)
    if measure in BINARY_MEASURES:
        validate_binary(measure, cols, check)
        return lambda: binary_effects(measure, cols, k, add, to, drop00)
    if measure in RATE_MEASURES:
        validate_rates(measure, cols, check)
        return lambda: rate_effects(measure, cols, k, add, to, drop00)
    if measure in CORRELATION_MEASURES:
        validate_correlation(measure, cols, check)
        return lambda: correlation_effects(measure, cols, k)
    validate_generic(cols, check, ci_dist, scale)
    return lambda: generic_effects(cols, k, ci_dist, level, scale)
