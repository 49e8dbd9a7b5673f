"""Two groups, event counts over person-time: IRR, IRD.

Per study: events ``x1i, x2i`` and person-time at risk ``t1i, t2i``. Zero counts are
handled as metafor does: ``add`` goes to ``x1i`` and ``x2i`` (not to the person-time)
per ``to`` and ``drop00`` (see :mod:`livingmeta.effects._zero_cells`).

References
----------
Rothman KJ, Greenland S, Lash TL (2008). Modern Epidemiology, 3rd ed., ch. 14.
Lippincott Williams & Wilkins.
"""

from __future__ import annotations

import numpy as np

from livingmeta.effects._checks import Columns, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes
from livingmeta.effects._zero_cells import plan_zero_cells, warn_zero_cells

__all__ = ["RATE_MEASURES", "rate_effects", "validate_rates"]

RATE_MEASURES = ("IRR", "IRD")


def validate_rates(measure: str, cols: Columns, check: ProblemCollector) -> None:
    """Record every problem of the person-time columns in ``check``."""
    check.require(cols, "x1i", "x2i", "t1i", "t2i")
    check.count(cols, "x1i", "x2i")
    check.positive(cols, "t1i", "t2i")


def rate_effects(measure: str, cols: Columns, k: int, add: float, to: str,
                 drop00: bool) -> Computed:
    """yi and vi for IRR or IRD (metafor escalc defaults)."""
    x1, x2, t1, t2 = (cols[c] for c in ("x1i", "x2i", "t1i", "t2i"))
    if x1 is None or x2 is None or t1 is None or t2 is None:
        raise ValueError("x1i, x2i, t1i, t2i are required")  # guarded by validate_rates
    both_zero = (x1 == 0) & (x2 == 0)
    plan = plan_zero_cells([x1, x2], both_zero, add, to, drop00, also_complete=[t1, t2])
    notes = new_notes(k)
    messages = warn_zero_cells(plan, "the event counts", notes, to)
    x1 = x1 + plan.amount()
    x2 = x2 + plan.amount()
    with np.errstate(all="ignore"):
        if measure == "IRR":
            # log incidence rate ratio; var = 1/x1 + 1/x2 (Rothman et al. 2008, ch. 14)
            yi = np.log((x1 / t1) / (x2 / t2))
            vi = 1.0 / x1 + 1.0 / x2
        else:  # IRD
            # incidence rate difference; var = x1/t1^2 + x2/t2^2 (Rothman et al. 2008)
            yi = x1 / t1 - x2 / t2
            vi = x1 / t1**2 + x2 / t2**2
    yi, vi = finite_or_nan(yi, vi)
    yi = np.where(plan.dropped, np.nan, yi)
    vi = np.where(plan.dropped, np.nan, vi)
    return Computed(yi, vi, notes, messages, plan.corrected, plan.dropped)
