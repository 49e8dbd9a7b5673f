"""The value returned by :func:`livingmeta.effects.escalc`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["EffectSizes"]


def _json_float(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


@dataclass(frozen=True, slots=True)
class EffectSizes:
    """Observed effect sizes and their sampling variances, one per study.

    Attributes
    ----------
    measure : str
        The metafor measure code ("SMD", "OR", "GEN", ...).
    yi : numpy.ndarray
        Observed effect sizes (log scale for OR, RR, PETO, IRR, ROM; Fisher z for ZCOR).
        NaN where a study could not be computed (missing values, division by zero,
        double-zero study dropped with ``drop00=True``).
    vi : numpy.ndarray
        Sampling variances, NaN exactly where ``yi`` is NaN.
    study : tuple of str
        Study labels ("Study 1", "Study 2", ... when none were given).
    notes : tuple of str
        Per study, every conversion and assumption applied to that row, joined by
        "; " ("" when none), e.g. ``"zero-cell correction: added 0.5 to all cells"``.
    zero_cell_corrected : numpy.ndarray of bool
        True for the studies whose cells or counts had ``add`` added.
    dropped_double_zero : numpy.ndarray of bool
        True for the double-zero studies set to NaN because ``drop00=True``.
    warnings : tuple of str
        The messages of the warnings issued while computing (also issued as Python
        warnings), so that JSON output and reports can show them.
    """

    measure: str
    yi: npt.NDArray[np.float64]
    vi: npt.NDArray[np.float64]
    study: tuple[str, ...]
    notes: tuple[str, ...]
    zero_cell_corrected: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=bool)
    )
    dropped_double_zero: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=bool)
    )
    warnings: tuple[str, ...] = ()

    @property
    def k(self) -> int:
        """Number of studies (rows), including those with NaN effect sizes."""
        return int(self.yi.shape[-1])

    @property
    def sei(self) -> npt.NDArray[np.float64]:
        """Standard errors, ``sqrt(vi)``."""
        with np.errstate(invalid="ignore"):
            return np.sqrt(self.vi)

    def to_frame(self) -> pd.DataFrame:
        """One row per study: study, yi, vi, sei, notes."""
        return pd.DataFrame(
            {
                "study": list(self.study),
                "yi": self.yi,
                "vi": self.vi,
                "sei": self.sei,
                "notes": list(self.notes),
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary (floats, lists, ``None`` for NaN)."""
        corrected = self._flags(self.zero_cell_corrected)
        dropped = self._flags(self.dropped_double_zero)
        studies = [
            {
                "study": s,
                "yi": _json_float(y),
                "vi": _json_float(v),
                "sei": _json_float(se),
                "notes": n,
                "zero_cell_corrected": c,
                "dropped_double_zero": d,
            }
            for s, y, v, se, n, c, d in zip(
                self.study, self.yi, self.vi, self.sei, self.notes, corrected, dropped,
                strict=True,
            )
        ]
        return {
            "measure": self.measure,
            "k": self.k,
            "studies": studies,
            "warnings": list(self.warnings),
        }

    def subset(self, keep: npt.NDArray[np.bool_]) -> EffectSizes:
        """The studies where ``keep`` is True, in order, with their notes and flags."""
        keep = np.asarray(keep, dtype=bool)
        if keep.shape != (self.k,):
            raise ValueError(f"keep must have shape ({self.k},), got {keep.shape}")
        index = np.flatnonzero(keep)
        return EffectSizes(
            measure=self.measure,
            yi=self.yi[index],
            vi=self.vi[index],
            study=tuple(self.study[i] for i in index),
            notes=tuple(self.notes[i] for i in index),
            zero_cell_corrected=np.asarray(self._flags(self.zero_cell_corrected))[index],
            dropped_double_zero=np.asarray(self._flags(self.dropped_double_zero))[index],
            warnings=self.warnings,
        )

    def _flags(self, flags: npt.NDArray[np.bool_]) -> list[bool]:
        if flags.shape[-1:] != (self.k,):
            return [False] * self.k
        return [bool(f) for f in flags]
