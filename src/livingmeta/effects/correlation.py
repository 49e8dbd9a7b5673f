"""Correlation coefficients: COR (raw r) and ZCOR (Fisher's r-to-z).

Per study: the Pearson correlation ``ri`` and the sample size ``ni``.

References
----------
Borenstein M (2009). Effect sizes for continuous data. In Cooper H, Hedges LV,
Valentine JC (eds.), The Handbook of Research Synthesis and Meta-Analysis, 2nd ed.,
ch. 12. Russell Sage Foundation.
Fisher RA (1921). On the "probable error" of a coefficient of correlation deduced
from a small sample. Metron 1:3-32.
"""

from __future__ import annotations

import numpy as np

from livingmeta.effects._checks import Columns, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes

__all__ = ["CORRELATION_MEASURES", "correlation_effects", "validate_correlation"]

CORRELATION_MEASURES = ("COR", "ZCOR")


def validate_correlation(measure: str, cols: Columns, check: ProblemCollector) -> None:
    """Record every problem of the correlation columns in ``check``."""
    check.require(cols, "ri", "ni")
    # vi = 1/(ni - 3) needs ni >= 4 for ZCOR; COR's (1 - r^2)^2/(ni - 1) needs ni >= 2
    check.sample_size(cols, "ni", minimum=4 if measure == "ZCOR" else 2)
    check.within(cols, "ri", -1.0, 1.0, "must be in [-1, 1]")


def correlation_effects(measure: str, cols: Columns, k: int) -> Computed:
    """yi and vi for COR or ZCOR (metafor escalc defaults, vtype "LS")."""
    ri, ni = cols["ri"], cols["ni"]
    if ri is None or ni is None:
        raise ValueError("ri and ni are required")  # guarded by validate_correlation
    with np.errstate(all="ignore"):
        if measure == "COR":
            # large-sample variance (Borenstein 2009, eq. 12.27)
            yi = ri.copy()
            vi = (1.0 - ri**2) ** 2 / (ni - 1.0)
        else:  # ZCOR
            # Fisher's z = atanh(r), var = 1/(n - 3) (Fisher 1921; Borenstein 2009, ch. 12)
            yi = np.arctanh(ri)
            vi = 1.0 / (ni - 3.0)
    yi, vi = finite_or_nan(yi, vi)
    return Computed(yi, vi, new_notes(k))
