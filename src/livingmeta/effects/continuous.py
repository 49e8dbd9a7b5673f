"""Two independent groups, quantitative outcome: MD, SMD, SMDH, ROM.

Inputs per study: means ``m1i, m2i``, standard deviations ``sd1i, sd2i`` and group
sizes ``n1i, n2i``. Where an arm reports a median with quartiles and/or range instead
(columns ``med1i q1_1i q3_1i min1i max1i`` and the same with 2), its mean and SD are
estimated first (see :mod:`livingmeta.effects.medians`).
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy.special import gammaln

from livingmeta.effects._checks import Columns, FloatArray, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes
from livingmeta.effects.medians import MEDIAN_COLUMNS, estimate_mean_sd
from livingmeta.errors import ConversionWarning

__all__ = ["CONTINUOUS_MEASURES", "continuous_effects", "hedges_correction"]

CONTINUOUS_MEASURES = ("MD", "SMD", "SMDH", "ROM")


def hedges_correction(m: FloatArray) -> FloatArray:
    """Exact small-sample bias correction c(m) for a standardized mean difference.

    ``c(m) = Gamma(m/2) / (sqrt(m/2) * Gamma((m - 1)/2))`` (Hedges 1981; Hedges &
    Olkin 1985, ch. 5), computed on the log scale; NaN for m <= 1.
    The familiar ``1 - 3/(4m - 1)`` is its approximation.
    """
    m = np.asarray(m, dtype=np.float64)
    with np.errstate(all="ignore"):
        c = np.exp(gammaln(m / 2.0) - 0.5 * np.log(m / 2.0) - gammaln((m - 1.0) / 2.0))
    return np.where(m > 1.0, c, np.nan)


def _arm(cols: Columns, arm: str) -> tuple[str, str, str]:
    return f"m{arm}i", f"sd{arm}i", f"n{arm}i"


def validate_continuous(measure: str, cols: Columns, check: ProblemCollector) -> None:
    """Record every problem of the two-group continuous columns in ``check``."""
    check.require(cols, "n1i", "n2i")
    for arm, (med, q1, q3, lo, hi) in MEDIAN_COLUMNS.items():
        mean, sd, _ = _arm(cols, arm)
        has_iqr = cols.get(q1) is not None and cols.get(q3) is not None
        has_rng = cols.get(lo) is not None and cols.get(hi) is not None
        if cols.get(med) is None or not (has_iqr or has_rng):
            check.require(cols, mean)
        if not (has_iqr or has_rng):
            check.require(cols, sd)
        check.ordered(cols, (lo, q1, med, q3, hi))
    check.sample_size(cols, "n1i", "n2i")
    check.positive(cols, "sd1i", "sd2i")
    if measure == "ROM":
        for name in ("m1i", "m2i", "med1i", "med2i"):
            check.within(cols, name, 0.0, np.inf,
                         "must be > 0 for measure 'ROM' (ratio-scale outcome)", lo_open=True)


def _fill_arms(cols: Columns, k: int) -> tuple[list[FloatArray], list[FloatArray],
                                               list[list[str]], list[str]]:
    """Means and SDs of both arms, medians converted where needed."""
    means, sds = [], []
    notes = new_notes(k)
    converted_rows = np.zeros(k, dtype=bool)
    for arm, names in MEDIAN_COLUMNS.items():
        mean_name, sd_name, n_name = _arm(cols, arm)
        n = cols[n_name]
        mean, sd = cols.get(mean_name), cols.get(sd_name)
        if n is not None and any(cols.get(c) is not None for c in names):
            med, q1, q3, lo, hi = (cols.get(c) for c in names)
            est = estimate_mean_sd(mean, sd, n, med, q1, q3, lo, hi)
            mean, sd = est.mean, est.sd
            converted_rows |= est.converted
            for i, arm_notes in enumerate(est.notes):
                notes[i].extend(f"arm {arm}: {t}" for t in arm_notes)
        means.append(np.full(k, np.nan) if mean is None else mean)
        sds.append(np.full(k, np.nan) if sd is None else sd)
    messages: list[str] = []
    if converted_rows.any():
        messages.append(
            f"{int(converted_rows.sum())} stud{'y' if converted_rows.sum() == 1 else 'ies'}: "
            "mean/SD estimated from median, quartiles and/or range "
            "(Luo 2018; Wan 2014; Shi 2020), assuming normal data; see notes"
        )
    return means, sds, notes, messages


def continuous_effects(measure: str, cols: Columns, k: int) -> Computed:
    """yi and vi for MD, SMD, SMDH or ROM (metafor escalc defaults, vtype "LS")."""
    (m1, m2), (sd1, sd2), notes, messages = _fill_arms(cols, k)
    n1, n2 = cols["n1i"], cols["n2i"]
    if n1 is None or n2 is None:  # guarded by validate_continuous
        raise ValueError("n1i and n2i are required")
    with np.errstate(all="ignore"):
        if measure == "MD":
            # Borenstein 2009 (Handbook of Research Synthesis), eq. 12.5: no
            # homoscedasticity assumed (metafor vtype="LS")
            yi = m1 - m2
            vi = sd1**2 / n1 + sd2**2 / n2
        elif measure == "SMD":
            # pooled SD and Hedges' g with the exact correction (Hedges 1981)
            mi = n1 + n2 - 2.0
            sdpi = np.sqrt(((n1 - 1.0) * sd1**2 + (n2 - 1.0) * sd2**2) / mi)
            yi = hedges_correction(mi) * (m1 - m2) / sdpi
            # large-sample variance, Hedges 1982 eq. 8 with g plugged in (metafor "LS")
            vi = 1.0 / n1 + 1.0 / n2 + yi**2 / (2.0 * (n1 + n2))
        elif measure == "SMDH":
            # Bonett 2009: standardize by the root of the average of the two variances;
            # his large-sample variance (heteroscedastic), evaluated at the corrected
            # estimate and scaled by c(m)^2 for the corrected estimator, as metafor does
            cm = hedges_correction(n1 + n2 - 2.0)
            var_avg = (sd1**2 + sd2**2) / 2.0
            yi = cm * (m1 - m2) / np.sqrt(var_avg)
            vi = cm**2 * (
                yi**2 * (sd1**4 / (n1 - 1.0) + sd2**4 / (n2 - 1.0)) / (8.0 * var_avg**2)
                + (sd1**2 / (n1 - 1.0) + sd2**2 / (n2 - 1.0)) / var_avg
            )
        else:  # ROM
            # Hedges, Gurevitch & Curtis 1999, eq. 1 (log response ratio, "LS")
            yi = np.log(m1 / m2)
            vi = sd1**2 / (n1 * m1**2) + sd2**2 / (n2 * m2**2)
    yi, vi = finite_or_nan(yi, vi)
    for msg in messages:
        warnings.warn(msg, ConversionWarning, stacklevel=4)
    return Computed(yi, vi, notes, messages)
