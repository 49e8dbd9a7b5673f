"""Zero-cell handling shared by 2x2 tables and event counts (metafor's add/to/drop00).

Behaviour checked against metafor 3.8.1 ``escalc``:

* ``drop00=True`` first sets the double-zero studies to NaN (no events, or only events,
  in both groups); the remaining studies are then considered for correction, so a
  dropped study never triggers ``to="if0all"``.
* ``to="only0"`` adds ``add`` to every cell of the studies with at least one zero cell;
  ``"all"`` to every study; ``"if0all"`` to every study when any study has a zero
  cell; ``"none"`` never. The same rule applies to OR, RR, RD and PETO (metafor 3.8.1
  corrects RD and PETO tables too) and to IRR and IRD counts.
* Leftover divisions by zero give NaN, never an error.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from livingmeta.effects._checks import FloatArray
from livingmeta.errors import ZeroCellWarning

__all__ = ["TO_CHOICES", "ZeroCellPlan", "plan_zero_cells", "warn_zero_cells"]

TO_CHOICES = ("all", "only0", "if0all", "none")


@dataclass(frozen=True, slots=True)
class ZeroCellPlan:
    """Which studies get ``add`` and which are dropped."""

    add: float
    corrected: npt.NDArray[np.bool_]
    dropped: npt.NDArray[np.bool_]

    def amount(self) -> FloatArray:
        """The value to add to each cell, per study (0 where not corrected)."""
        return np.where(self.corrected, self.add, 0.0)


def plan_zero_cells(
    cells: list[FloatArray],
    double_zero: npt.NDArray[np.bool_],
    add: float,
    to: str,
    drop00: bool,
    also_complete: list[FloatArray] | None = None,
) -> ZeroCellPlan:
    """Decide the correction, given the cells whose zeros trigger it.

    ``also_complete``: further columns (person-time) that must be present for a study
    to be computed, but whose zeros do not trigger a correction.
    """
    stacked = np.vstack(cells)
    complete = ~np.isnan(stacked).any(axis=0)
    for extra in also_complete or []:
        complete &= ~np.isnan(extra)
    dropped = double_zero & complete if drop00 else np.zeros_like(complete)
    has_zero = (stacked == 0).any(axis=0) & complete & ~dropped
    if to == "all":
        corrected = complete & ~dropped
    elif to == "only0":
        corrected = has_zero
    elif to == "if0all":
        corrected = complete & ~dropped & bool(has_zero.any())
    else:
        corrected = np.zeros_like(complete)
    if add == 0:
        corrected = np.zeros_like(complete)
    return ZeroCellPlan(float(add), corrected, dropped)


def warn_zero_cells(plan: ZeroCellPlan, what: str, notes: list[list[str]], to: str,
                    stacklevel: int = 5) -> list[str]:
    """Write per-row notes and issue one ZeroCellWarning per kind of action."""
    messages: list[str] = []
    n_corr = int(plan.corrected.sum())
    n_drop = int(plan.dropped.sum())
    for i in np.flatnonzero(plan.corrected):
        notes[i].append(f"zero-cell correction: added {plan.add:g} to {what} (to={to!r})")
    for i in np.flatnonzero(plan.dropped):
        notes[i].append("double-zero study set to NaN (drop00=True)")
    if n_corr:
        messages.append(
            f"zero-cell correction: added {plan.add:g} to {what} in {n_corr} "
            f"stud{'y' if n_corr == 1 else 'ies'} (to={to!r})"
        )
    if n_drop:
        messages.append(
            f"{n_drop} double-zero stud{'y' if n_drop == 1 else 'ies'} set to NaN (drop00=True)"
        )
    for msg in messages:
        warnings.warn(msg, ZeroCellWarning, stacklevel=stacklevel)
    return messages
