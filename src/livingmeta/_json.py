"""The JSON contract of ``livingmeta pool --json``.

Keys are stable: new keys may be added, none renamed or removed (README, "JSON output").
Values are plain floats, ints, strings, lists and ``None`` (for NaN and for values that
do not apply to the model), so ``json.dumps`` needs no custom encoder.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.pooling import PooledAnalysis

__all__ = ["json_float", "pooled_analysis_to_dict"]


def json_float(value: object) -> float | None:
    """A JSON-safe float: ``None`` for missing, NaN and infinite values."""
    if value is None:
        return None
    out = float(value)  # type: ignore[arg-type]
    return out if math.isfinite(out) else None


def _pair(low: object, high: object) -> list[float | None] | None:
    if low is None and high is None:
        return None
    return [json_float(low), json_float(high)]


def _heterogeneity(analysis: PooledAnalysis, source: Any) -> dict[str, Any]:
    interval = analysis.tau2_interval
    tau2 = getattr(source, "tau2", None)
    is_common = analysis.method in ("EE", "MH", "PETO")
    return {
        "tau2": None if is_common else json_float(tau2),
        "tau2_ci": None if interval is None else _pair(interval.tau2_ci_low, interval.tau2_ci_high),
        "I2": json_float(source.I2),
        "I2_ci": None if interval is None else _pair(interval.I2_ci_low, interval.I2_ci_high),
        "H2": json_float(source.H2),
        "H2_ci": None if interval is None else _pair(interval.H2_ci_low, interval.H2_ci_high),
        "Q": json_float(source.Q),
        "Q_df": int(source.Q_df),
        "Q_pval": json_float(source.Q_pval),
    }


def _summary_block(analysis: PooledAnalysis) -> dict[str, Any]:
    fit = analysis.fit
    if analysis.regression is not None:
        keys = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "pi_low", "pi_high")
        return dict.fromkeys(keys)
    return {
        "estimate": json_float(fit.estimate),
        "se": json_float(fit.se),
        "statistic": json_float(fit.statistic),
        "pval": json_float(fit.pval),
        "ci_low": json_float(fit.ci_low),
        "ci_high": json_float(fit.ci_high),
        "pi_low": json_float(getattr(fit, "pi_low", fit.ci_low)),
        "pi_high": json_float(getattr(fit, "pi_high", fit.ci_high)),
    }


def _studies(analysis: PooledAnalysis) -> list[dict[str, Any]]:
    es = analysis.effects
    source = analysis.regression if analysis.regression is not None else analysis.fit
    weights = np.asarray(source.weights, dtype=float)
    return [
        {"study": s, "yi": json_float(y), "vi": json_float(v), "weight": json_float(w)}
        for s, y, v, w in zip(es.study, es.yi, es.vi, weights, strict=True)
    ]


def _subgroups(analysis: PooledAnalysis) -> dict[str, Any]:
    sub = analysis.subgroups
    if sub is None:
        return {}
    # Estimates come from the subgroup result (per-level fits, or the common-tau2
    # model's level means); within-level heterogeneity always from the per-level fits.
    rows = []
    for i, (group, fit) in enumerate(zip(sub.groups, sub.fits, strict=True)):
        rows.append({
            "group": group, "k": int(fit.k),
            "estimate": json_float(sub.estimate[i]), "se": json_float(sub.se[i]),
            "ci_low": json_float(sub.ci_low[i]), "ci_high": json_float(sub.ci_high[i]),
            "pval": json_float(sub.pval[i]),
            "tau2": json_float(sub.tau2[i]), "I2": json_float(fit.I2),
            "Q": json_float(fit.Q), "Q_df": int(fit.Q_df), "Q_pval": json_float(fit.Q_pval),
        })
    return {
        "subgroups": rows,
        "subgroup_test": {"Q": json_float(sub.Q_between), "df": int(sub.Q_between_df),
                          "pval": json_float(sub.Q_between_pval), "tau2": sub.tau2_model},
    }


def _regression(analysis: PooledAnalysis) -> dict[str, Any]:
    reg = analysis.regression
    if reg is None:
        return {}
    coefficients = [
        {"name": name, "estimate": json_float(b), "se": json_float(se),
         "statistic": json_float(stat), "pval": json_float(p),
         "ci_low": json_float(lo), "ci_high": json_float(hi)}
        for name, b, se, stat, p, lo, hi in zip(
            reg.moderator_names, reg.estimate, reg.se, reg.statistic, reg.pval,
            reg.ci_low, reg.ci_high, strict=True)
    ]
    # Under Knapp-Hartung QM is an F statistic with (m, k - p) degrees of freedom.
    qm_df: int | list[int] = (
        [int(reg.QM_df), int(reg.df)] if reg.df is not None else int(reg.QM_df))
    return {
        "coefficients": coefficients,
        "QM": json_float(reg.QM),
        "QM_df": qm_df,
        "QM_pval": json_float(reg.QM_pval),
        "R2": json_float(reg.R2),
    }


def _leave_one_out(analysis: PooledAnalysis) -> dict[str, Any]:
    loo = analysis.leave_one_out
    if loo is None:
        return {}
    keys = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_pval", "tau2",
            "I2", "H2")
    rows = [{"study": study, **{key: json_float(getattr(loo, key)[i]) for key in keys}}
            for i, study in enumerate(loo.study)]
    return {"leave_one_out": rows}


def pooled_analysis_to_dict(analysis: PooledAnalysis) -> dict[str, Any]:
    """Build the ``pool --json`` object for a :class:`~livingmeta.pooling.PooledAnalysis`."""
    source = analysis.regression if analysis.regression is not None else analysis.fit
    df = getattr(source, "df", None)
    back = analysis.back_transformed
    out: dict[str, Any] = {
        "k": int(source.k),
        "measure": analysis.measure,
        "method": analysis.method,
        "test": analysis.test,
        "level": round(analysis.level * 100, 10),
        "df": None if df is None else json_float(df),
        **_summary_block(analysis),
        **_heterogeneity(analysis, source),
        "back_transformed": None if back is None else {
            "transform": back.transform,
            "estimate": json_float(back.estimate),
            "ci_low": json_float(back.ci_low), "ci_high": json_float(back.ci_high),
            "pi_low": json_float(back.pi_low), "pi_high": json_float(back.pi_high),
        },
        "studies": _studies(analysis),
        "dropped": list(analysis.dropped),
        "warnings": list(analysis.warnings),
    }
    if analysis.method in ("MH", "PETO"):
        fit = analysis.fit
        for name in ("cmh", "tarone"):
            stat = getattr(fit, f"{name}_statistic", None)
            out[name] = None if stat is None else {
                "statistic": json_float(stat), "pval": json_float(getattr(fit, f"{name}_pval"))}
    out.update(_subgroups(analysis))
    out.update(_regression(analysis))
    out.update(_leave_one_out(analysis))
    return out
