"""Pool a set of study effects under a method profile, recording the profile."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import numpy as np

from livingmeta.errors import LivingMetaError
from livingmeta.models import rma, rma_mh
from livingmeta.results import MetaAnalysisResult
from livingmeta.review.effects import StudyEffect
from livingmeta.review.profiles import MethodProfile
from livingmeta.review.results import PooledEstimate

__all__ = ["BINARY_MEASURES", "pool_effects", "recorded"]

BINARY_MEASURES = ("RR", "OR", "RD")
T = TypeVar("T")


def recorded(call: Callable[[], T], sink: list[str], where: str) -> T:
    """Run ``call`` recording its warnings' messages in ``sink`` (prefixed by ``where``)
    instead of letting them propagate: a review's conversions and degenerate fits are
    declared and shown on the result."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = call()
    sink.extend(f"{where}: {w.message}" for w in caught)
    return out


def _counts(effects: Sequence[StudyEffect]) -> dict[str, np.ndarray]:
    def col(name: str) -> np.ndarray:
        return np.array([e.inputs.get(name, np.nan) for e in effects])
    a, c = col("ai"), col("ci")
    b = np.where(np.isnan(col("bi")), col("n1i") - a, col("bi"))
    d = np.where(np.isnan(col("di")), col("n2i") - c, col("di"))
    return {"ai": a, "bi": b, "ci": c, "di": d}


def pool_effects(effects: Sequence[StudyEffect], measure: str, profile: MethodProfile, *,
                 level: float = 0.95, common_effect: bool = False,
                 sink: list[str] | None = None, where: str = "") -> PooledEstimate:
    """Pool ``effects`` (k >= 1) under ``profile``.

    Continuous measures: ``rma`` with the profile's tau2 estimator and test
    (``common_effect=True``: the common-effect model, ``EE``, z test). Binary measures
    under a profile with ``binary_method="MH"``: Mantel-Haenszel on the 2x2 counts
    (common effect, as RevMan 5's default); otherwise inverse variance as above.
    Warnings are recorded in ``sink``.
    """
    messages: list[str] = [] if sink is None else sink
    labels = [e.study for e in effects]
    yi = np.array([e.yi for e in effects])
    vi = np.array([e.vi for e in effects])
    use_mh = measure in BINARY_MEASURES and profile.binary_method == "MH"
    settings: dict[str, Any] = profile.settings()
    before = len(messages)
    if use_mh:
        counts = _counts(effects)
        fit: Any = recorded(lambda: rma_mh(counts["ai"], counts["bi"], counts["ci"],
                                           counts["di"], measure=measure, level=level,
                                           study=labels), messages, where)
        settings["model"] = "MH"
    else:
        method = "EE" if common_effect else profile.method
        test = "z" if common_effect else profile.test
        fit = recorded(lambda: rma(yi, vi, method=method, test=test, level=level,
                                   study=labels, measure=measure), messages, where)
        settings["model"] = "EE" if common_effect else "RE"
        if common_effect:
            settings.update(method="EE", test="z")
    return _estimate(fit, profile, settings, measure, level, tuple(messages[before:]))


def _estimate(fit: Any, profile: MethodProfile, settings: dict[str, Any], measure: str,
              level: float, messages: tuple[str, ...]) -> PooledEstimate:
    nan = math.nan
    pi_low = pi_high = tau2 = tau_lo = tau_hi = nan
    df = None
    if isinstance(fit, MetaAnalysisResult):
        res = cast(MetaAnalysisResult, fit)
        tau2, df = res.tau2, res.df
        if profile.prediction_interval and settings["model"] == "RE":
            pi_low, pi_high = res.pi_low, res.pi_high
        if profile.tau2_ci and settings["model"] == "RE" and res.k >= 2:
            try:
                ci = res.tau2_confidence_interval()
                tau_lo, tau_hi = ci.tau2_ci_low, ci.tau2_ci_high
            except LivingMetaError:
                pass
    return PooledEstimate(
        profile=profile.name, settings=settings, measure=measure, k=int(fit.k),
        studies=tuple(fit.study), estimate=float(fit.estimate), se=float(fit.se),
        ci_low=float(fit.ci_low), ci_high=float(fit.ci_high), pval=float(fit.pval),
        pi_low=pi_low, pi_high=pi_high, tau2=tau2, tau2_ci_low=tau_lo, tau2_ci_high=tau_hi,
        I2=float(fit.I2), Q=float(fit.Q), Q_df=int(fit.Q_df), Q_pval=float(fit.Q_pval),
        df=df, level=level, weights=tuple(float(w) for w in fit.weights),
        warnings=messages, fit=fit)
