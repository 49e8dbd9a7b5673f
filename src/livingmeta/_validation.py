"""Checking effect sizes at the boundary of every analysis that takes yi and vi.

One function, used by subgroups, leave-one-out, influence, Baujat, cumulative and the
small-study tests, so that every one of them reports bad rows the same way: all at once,
naming the row, the study, the field, the value and the rule (STYLE.md, convention 7).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from livingmeta.errors import DataValidationError, Problem

__all__ = ["check_effects"]

FloatArray = NDArray[np.float64]


def check_effects(yi: object, vi: object, study: object) -> tuple[
        FloatArray, FloatArray, tuple[str, ...]]:
    """Check yi and vi row by row (finite; vi > 0), reporting every bad row at once."""
    y = np.asarray(yi, dtype=object).reshape(-1)
    v = np.asarray(vi, dtype=object).reshape(-1)
    labels = (tuple(str(i + 1) for i in range(y.size)) if study is None
              else tuple(str(s) for s in study))  # type: ignore[attr-defined]
    if v.size != y.size or len(labels) != y.size:
        raise DataValidationError([Problem(
            None, None, None, None,
            f"yi, vi and study must have the same length; got {y.size}, {v.size} and "
            f"{len(labels)}")])
    problems: list[Problem] = []
    out = {"yi": np.empty(y.size), "vi": np.empty(y.size)}
    for name, values in (("yi", y), ("vi", v)):
        for row, raw in enumerate(values):
            try:
                value = float(raw)
            except (TypeError, ValueError):
                value = math.nan
            out[name][row] = value
            if not math.isfinite(value):
                problems.append(Problem(row + 1, labels[row], name, raw,
                                        "must be a finite number (drop missing studies first)"))
            elif name == "vi" and value <= 0:
                problems.append(Problem(row + 1, labels[row], name, raw, "must be > 0"))
    if problems:
        raise DataValidationError(sorted(problems, key=lambda p: p.row or 0))
    return out["yi"], out["vi"], labels

