"""Building the rows of a forest plot from fitted results read by name (pooled rows,
heterogeneity and test lines); used by :mod:`livingmeta.plots.forest`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from scipy import special

from livingmeta.errors import ParameterError

from ._forest_layout import ForestRow, interval_row
from ._style import MeasureScale, fmt_pvalue

MODEL_LABELS = {"EE": "Common-effect model", "FE": "Common-effect model",
                 "MH": "Mantel-Haenszel model", "PETO": "Peto model"}


def critical_z(level: float) -> float:
    return float(special.ndtri(0.5 + level / 2.0))


def measure_of(fit: Any, effects: Any) -> str:
    if effects is not None and getattr(effects, "measure", None):
        return str(effects.measure)
    return str(getattr(fit, "measure", "GEN"))


def study_effects(fit: Any, effects: Any, labels: Sequence[str] | None
                   ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    source = effects if effects is not None else fit
    yi = np.asarray(source.yi, dtype=float).reshape(-1)
    vi = np.asarray(source.vi, dtype=float).reshape(-1)
    names = [str(s) for s in (labels if labels is not None else source.study)]
    if not len(names) == yi.size == vi.size:
        raise ParameterError(f"The 'labels' parameter must have one label per study "
                             f"({yi.size}). Got {len(names)}.")
    return yi, vi, names


def arm_cells(arm_columns: Mapping[str, Sequence[str]] | None, k: int) -> list[tuple[str, ...]]:
    if not arm_columns:
        return [()] * k
    for header, column in arm_columns.items():
        if len(column) != k:
            raise ParameterError(f"The 'arm_columns' entry {header!r} must have one cell per "
                                 f"study ({k}). Got {len(column)}.")
    return [tuple(str(col[i]) for col in arm_columns.values()) for i in range(k)]


def has_tau2(fit: Any) -> bool:
    method = str(getattr(fit, "method", "")).upper()
    return hasattr(fit, "tau2") and method not in ("EE", "FE", "MH", "PETO")


def pooled_rows(fit: Any, scale: MeasureScale, digits: int, model_label: str | None,
                 prediction: bool, n_cells: int) -> list[ForestRow]:
    method = str(getattr(fit, "method", ""))
    label = model_label or MODEL_LABELS.get(method.upper(),
                                             f"Random-effects model ({method})")
    weights = np.asarray(getattr(fit, "weights", [np.nan]), dtype=float)
    total = 100.0 if np.isfinite(weights).any() else math.nan
    rows = [interval_row("overall", label, float(fit.estimate), float(fit.ci_low),
                         float(fit.ci_high), scale, digits, weight=total,
                         cells=("",) * n_cells)]
    pi_low = float(getattr(fit, "pi_low", math.nan))
    pi_high = float(getattr(fit, "pi_high", math.nan))
    if prediction and has_tau2(fit) and math.isfinite(pi_low) and math.isfinite(pi_high):
        rows.append(interval_row("prediction", "Prediction interval", float(fit.estimate),
                                 pi_low, pi_high, scale, digits, cells=("",) * n_cells))
    tau2 = float(fit.tau2) if has_tau2(fit) else None
    rows.append(ForestRow("note", heterogeneity(fit, tau2=tau2)))
    rows.append(ForestRow("note", overall_test(float(fit.statistic), float(fit.pval),
                                                getattr(fit, "df", None))))
    return rows


def heterogeneity(fit: Any, *, tau2: float | None) -> str:
    parts = []
    if tau2 is not None and math.isfinite(tau2):
        parts.append(f"tau² = {fmt_tau2(tau2)}")
    i2 = float(getattr(fit, "I2", math.nan))
    if math.isfinite(i2):
        parts.append(f"I² = {i2:.0f}%")
    q, q_df = float(fit.Q), int(fit.Q_df)
    p = fmt_pvalue(float(fit.Q_pval))
    parts.append(f"Q = {q:.2f} (df = {q_df})" + (f", {p}" if p else ""))
    return "Heterogeneity: " + "; ".join(parts)


def fmt_tau2(tau2: float) -> str:
    if tau2 == 0 or tau2 >= 0.01:
        return f"{tau2:.2f}" if tau2 else "0"
    return f"{tau2:.2g}"


def overall_test(statistic: float, pval: float, df: object) -> str:
    name = "z" if df is None else f"t({df})"
    p = fmt_pvalue(pval)
    return f"Test for overall effect: {name} = {statistic:.2f}" + (f", {p}" if p else "")
