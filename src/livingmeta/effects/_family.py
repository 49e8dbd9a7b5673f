"""What each measure family hands back to the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from livingmeta.effects._checks import FloatArray

__all__ = ["Computed", "finite_or_nan", "new_notes"]


@dataclass(slots=True)
class Computed:
    """yi, vi and per-row notes from one family; the dispatcher wraps it."""

    yi: FloatArray
    vi: FloatArray
    notes: list[list[str]]
    warnings: list[str] = field(default_factory=list)
    corrected: npt.NDArray[np.bool_] | None = None
    dropped: npt.NDArray[np.bool_] | None = None


def new_notes(k: int) -> list[list[str]]:
    return [[] for _ in range(k)]


def finite_or_nan(yi: FloatArray, vi: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Recode non-finite results (division by zero, log of <= 0) to NaN in both.

    metafor recodes infinite values to NA in the same way (escalc documentation,
    'division by zero ... is recoded to NA').
    """
    yi = np.asarray(yi, dtype=np.float64)
    vi = np.asarray(vi, dtype=np.float64)
    bad = ~np.isfinite(yi) | ~np.isfinite(vi)
    yi = np.where(bad, np.nan, yi)
    vi = np.where(bad, np.nan, vi)
    return yi, vi
