"""The TSA reading of simulated updates (the ``tsa`` criterion of :func:`what_if`).

The pending trial is one more look of the current trial sequential analysis. The required
information size stays at the current plan's value (a TSA protocol fixes it in advance;
the trial's own heterogeneity does not move it), so the boundaries at the new look are
the same for every draw: they are computed once, by the same rule as
:func:`~livingmeta.sequential.trial_sequential_analysis` (the looks below the RIS plus a
final look at it), and each draw's cumulative z is read with the TSA's own verdict rule.
With statistical information the trial's information ``1 / vi`` varies between draws;
the median over the draws is used for the look.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray
from scipy import special

from livingmeta.models.random import fit_batch
from livingmeta.sequential._tsa_looks import TSALook, look_bounds, tsa_verdict
from livingmeta.sequential.boundaries import group_sequential_boundaries

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.sequential.tsa import TSAResult
    from livingmeta.sequential.whatif import WhatIfCriterion

__all__ = ["TSA_VERDICTS", "tsa_criterion"]

FloatArray = NDArray[np.float64]

#: The verdicts of a trial sequential analysis, in the order tables show them.
TSA_VERDICTS = ("firm evidence of benefit", "firm evidence of harm",
                "firm evidence of no important effect (futility)", "not yet conclusive")


def new_look_bounds(tsa: TSAResult, information: float) -> tuple[float, float, float, float]:
    """(upper, lower, futility_upper, futility_lower) at a new look with ``information``."""
    fractions = np.append([look.information_fraction for look in tsa.looks],
                          information / tsa.ris.ris)
    planned = np.append(fractions[fractions < 1.0], 1.0)
    design = group_sequential_boundaries(planned, alpha=tsa.alpha, sides=tsa.sides,
                                         spending=tsa.spending, futility=tsa.spending,
                                         power=tsa.power)
    conventional = float(special.ndtri(1.0 - tsa.alpha / tsa.sides))
    return look_bounds(fractions, design, conventional, tsa.sides, tsa.direction)[-1]


def tsa_criterion(tsa: TSAResult, y: FloatArray, v: FloatArray, new_y: FloatArray,
                  new_v: FloatArray, added_participants: int) -> WhatIfCriterion:
    """Read every simulated update against the TSA boundaries at the trial's look."""
    from livingmeta.sequential.whatif import tally_criterion

    draws = new_y.size
    last = tsa.looks[-1]
    added = (float(added_participants) if tsa.information == "participants"
             else float(np.median(1.0 / new_v)))
    info = last.information + added
    bounds = new_look_bounds(tsa, info)
    fit = fit_batch(np.column_stack([np.broadcast_to(y, (draws, y.size)), new_y]),
                    np.column_stack([np.broadcast_to(v, (draws, v.size)), new_v]),
                    method=tsa.method, test="z")
    fraction = info / tsa.ris.ris
    verdicts = np.array([
        TSA_VERDICTS.index(tsa_verdict(
            TSALook("pending trial", info, fraction, float(z), float(e), float(s), *bounds),
            tsa.sides, tsa.direction, tsa.information)[0])
        for z, e, s in zip(fit.statistic, fit.estimate, fit.se, strict=True)])
    unit = "participants" if tsa.information == "participants" else "statistical information"
    return tally_criterion(
        "tsa", TSA_VERDICTS, TSA_VERDICTS.index(tsa.verdict), verdicts,
        f"cumulative z ({tsa.method}) against the {tsa.spending} boundaries at "
        f"{100 * fraction:.1f}% of the RIS {tsa.ris.ris:.0f} {unit} (RIS held at the "
        "current plan)")
