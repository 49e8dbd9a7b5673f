"""The looks of a trial sequential analysis: their boundaries and the verdict.

Split from :mod:`livingmeta.sequential.tsa` (which documents the conventions) to keep
each module short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from livingmeta.sequential.boundaries import GroupSequentialBoundaries

__all__ = ["TSALook", "look_bounds", "tsa_verdict"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class TSALook:
    """One look: the cumulative meta-analysis after a trial is added, and its boundaries.

    Attributes
    ----------
    study : str
        The trial added at this look.
    information : float
        Cumulative participants (or statistical information).
    information_fraction : float
        ``information / RIS``.
    z : float
        Cumulative z statistic (estimate / se; negative favours lower values).
    estimate, se : float
        Cumulative pooled estimate (analysis scale) and its standard error.
    upper, lower : float
        Efficacy (or harm) boundaries in z; NaN where none (one-sided: the side that is
        not tested), ``inf`` where no alpha is spent at so small a fraction.
    futility_upper, futility_lower : float
        Edges of the futility region (inner wedge); NaN where there is none.
    """

    study: str
    information: float
    information_fraction: float
    z: float
    estimate: float
    se: float
    upper: float
    lower: float
    futility_upper: float
    futility_lower: float


def look_bounds(fractions: FloatArray, design: GroupSequentialBoundaries,
                 conventional: float, sides: int, direction: str
                 ) -> list[tuple[float, float, float, float]]:
    """(upper, lower, futility_upper, futility_lower) of each look, on the z scale.

    Looks up to the RIS take the planned design's bounds; looks beyond it the conventional
    ``z_{1-alpha/sides}`` and no futility bound.
    """
    nan = math.nan
    benefit_up = direction == "higher"
    out = []
    for i, f in enumerate(fractions):
        c, b = ((float(design.efficacy[i]), float(design.futility[i])) if f <= 1.0
                else (conventional, nan))
        b = b if b > 0 else nan  # not drawn on the wrong side of 0 (TSA program)
        if sides == 2:
            out.append((c, -c, b, -b))
        elif benefit_up:
            out.append((c, nan, b, nan))
        else:
            out.append((nan, -c, nan, -b))
    return out


def tsa_verdict(last: TSALook, sides: int, direction: str, information: str
             ) -> tuple[str, str, float]:
    """Verdict at the last look, its reason, and the critical value of the adjusted CI."""
    sign = 1.0 if direction == "higher" else -1.0
    c = last.upper if sides == 2 or direction == "higher" else -last.lower
    zb = sign * last.z
    pct = 100.0 * last.information_fraction
    ris = last.information / last.information_fraction
    where = (f"at {pct:.1f}% of the RIS ({last.information:.4g} of {ris:.4g} "
             f"{information})")
    if zb >= c:
        return ("firm evidence of benefit", f"The cumulative Z-curve (z = {last.z:.3f}) "
                f"crossed the efficacy boundary ({sign * c:.3f}) favouring the intervention "
                f"{where}.", c)
    if sides == 2 and zb <= -c:
        return ("firm evidence of harm", f"The cumulative Z-curve (z = {last.z:.3f}) "
                f"crossed the boundary for harm ({-sign * c:.3f}) {where}.", c)
    if last.information_fraction >= 1.0:
        return ("firm evidence of no important effect (futility)",
                f"The RIS was reached ({pct:.1f}%) without the cumulative Z-curve "
                f"(z = {last.z:.3f}) crossing the boundary ({c:.3f}): an effect as large as "
                "the anticipated one is unlikely.", c)
    lo = last.futility_lower if math.isfinite(last.futility_lower) else -math.inf
    hi = last.futility_upper if math.isfinite(last.futility_upper) else math.inf
    has_wedge = math.isfinite(last.futility_lower) or math.isfinite(last.futility_upper)
    inside = (lo < last.z < hi) if sides == 2 else (
        last.z < hi if direction == "higher" else last.z > lo)
    if has_wedge and inside:
        return ("firm evidence of no important effect (futility)",
                f"The cumulative Z-curve (z = {last.z:.3f}) entered the futility region "
                f"{where}.", c)
    return ("not yet conclusive", f"The cumulative Z-curve (z = {last.z:.3f}) lies within "
            f"the monitoring boundaries (±{c:.3f}) and outside any futility region {where}.",
            c)
