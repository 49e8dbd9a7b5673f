"""Paired designs (pre/post, matched pairs, crossover trials): MC, SMCC, SMCR.

Inputs per study: the means at the two occasions (or periods/treatments) ``m1i, m2i``,
their SDs ``sd1i, sd2i``, the number of persons ``ni`` and the within-person correlation
``ri``. Crossover trials rarely report ``ri``; it is then imputed (pass a scalar for
the same assumed value in every study) and the value used is written to each row's
notes (Cochrane Handbook 23.2.7.2; Elbourne et al. 2002).

When only the SD of the change (difference) scores is known, pass it as ``sd1i`` with
``sd2i = 0`` and ``ri = 0`` (MC and SMCC; as in metafor).

References
----------
Elbourne DR, Altman DG, Higgins JPT, Curtin F, Worthington HV, Vail A (2002).
Meta-analyses involving cross-over trials: methodological issues. International Journal
of Epidemiology 31:140-149.

Becker BJ (1988). Synthesizing standardized mean-change measures. British Journal of
Mathematical and Statistical Psychology 41:257-278.

Gibbons RD, Hedeker DR, Davis JM (1993). Estimation of effect size from a series of
experiments involving paired comparisons. Journal of Educational Statistics 18:271-279.
"""

from __future__ import annotations

import numpy as np

from livingmeta.effects._checks import Columns, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes
from livingmeta.effects.continuous import hedges_correction

__all__ = ["PAIRED_MEASURES", "paired_effects", "validate_paired"]

PAIRED_MEASURES = ("MC", "SMCC", "SMCR")


def validate_paired(measure: str, cols: Columns, check: ProblemCollector) -> None:
    """Record every problem of the paired-design columns in ``check``."""
    needed = ["m1i", "m2i", "sd1i", "ni", "ri"]
    if measure != "SMCR":  # SMCR standardizes by sd1i only (Becker 1988)
        needed.insert(3, "sd2i")
    check.require(cols, *needed)
    check.sample_size(cols, "ni")
    check.positive(cols, "sd1i")
    check.positive(cols, "sd2i", strict=False)
    check.within(cols, "ri", -1.0, 1.0, "must be in [-1, 1]")


def paired_effects(measure: str, cols: Columns, k: int, ri_assumed: bool) -> Computed:
    """yi and vi for MC, SMCC or SMCR (metafor escalc defaults)."""
    m1, m2, sd1, ni, ri = (cols[c] for c in ("m1i", "m2i", "sd1i", "ni", "ri"))
    sd2 = cols.get("sd2i")
    if m1 is None or m2 is None or sd1 is None or ni is None or ri is None:
        raise ValueError("paired columns are required")  # guarded by validate_paired
    notes = new_notes(k)
    with np.errstate(all="ignore"):
        if measure == "SMCR":
            # raw-score standardization (Becker 1988): d = (m1 - m2)/sd1, corrected with
            # c(n - 1); variance 2(1 - r)/n + d^2/(2n)  (metafor "LS")
            yi = hedges_correction(ni - 1.0) * (m1 - m2) / sd1
            vi = 2.0 * (1.0 - ri) / ni + yi**2 / (2.0 * ni)
        else:
            if sd2 is None:
                raise ValueError("sd2i is required")  # guarded by validate_paired
            # SD of the within-person differences: Cochrane Handbook 23.2.7.2;
            # Elbourne et al. 2002 (SD_diff^2 = SD1^2 + SD2^2 - 2 r SD1 SD2)
            var_diff = sd1**2 + sd2**2 - 2.0 * ri * sd1 * sd2
            if measure == "MC":
                yi = m1 - m2
                vi = var_diff / ni
            else:  # SMCC, change-score standardization (Gibbons et al. 1993)
                yi = hedges_correction(ni - 1.0) * (m1 - m2) / np.sqrt(var_diff)
                vi = 1.0 / ni + yi**2 / (2.0 * ni)
    yi, vi = finite_or_nan(yi, vi)
    source = "assumed for every study" if ri_assumed else "as given"
    for i in range(k):
        if not np.isnan(ri[i]):
            notes[i].append(
                f"within-person correlation ri={ri[i]:.2f} ({source}, Cochrane Handbook "
                "23.2.7.2, Elbourne 2002)"
            )
    return Computed(yi, vi, notes)
