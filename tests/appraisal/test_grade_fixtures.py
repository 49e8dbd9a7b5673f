"""Constructed review results for the GRADE and SoF tests (no engine run)."""

from __future__ import annotations

import math

from livingmeta.review.effects import StudyEffect
from livingmeta.review.results import MeasureResult, PooledEstimate


def effect(study: str, yi: float, vi: float, *, n1: float = 50, n2: float = 50,
           ai: float | None = None, ci: float | None = None, measure: str = "SMD",
           design: str = "parallel") -> StudyEffect:
    inputs = {"n1i": float(n1), "n2i": float(n2)}
    if ai is not None and ci is not None:
        inputs |= {"ai": float(ai), "ci": float(ci)}
    return StudyEffect(study=study, outcome="o", measure=measure, yi=yi, vi=vi,
                       conversion="escalc", notes="", derived=False, ri=None,
                       status="included", design=design, year=2020, inputs=inputs,
                       data_type="arm", reported_measure="means", source_file="data.csv",
                       source_row=1, source_rows=(1,), source_url="u", source_quote="q")


def pooled(effects: list[StudyEffect], *, estimate: float, ci: tuple[float, float],
           pi: tuple[float, float] = (math.nan, math.nan), i2: float = 0.0,
           weights: tuple[float, ...] | None = None, q_pval: float = 0.5,
           measure: str = "SMD") -> MeasureResult:
    k = len(effects)
    w = weights if weights is not None else tuple(100.0 / k for _ in effects)
    p = PooledEstimate(profile="test", settings={}, measure=measure, k=k,
                       studies=tuple(e.study for e in effects), estimate=estimate, se=0.1,
                       ci_low=ci[0], ci_high=ci[1], pval=0.5, pi_low=pi[0], pi_high=pi[1],
                       tau2=0.0, tau2_ci_low=math.nan, tau2_ci_high=math.nan, I2=i2,
                       Q=1.0, Q_df=k - 1, Q_pval=q_pval, df=None, level=0.95, weights=w,
                       warnings=(), fit=None)
    return MeasureResult(outcome="o", measure=measure, effects=tuple(effects),
                         analysed=tuple(e.study for e in effects), pooled=True, note="",
                         primary=p, profiles=(p,), sensitivity=(), subgroups=(),
                         diagnostics=())


def single(e: StudyEffect) -> MeasureResult:
    return MeasureResult(outcome="o", measure=e.measure, effects=(e,), analysed=(e.study,),
                         pooled=False, note="1 included study with data: shown, not pooled",
                         primary=None, profiles=(), sensitivity=(), subgroups=(),
                         diagnostics=())


def four(ci: tuple[float, float] = (-0.5, -0.1), **kw: object) -> MeasureResult:
    effects = [effect(s, y, 0.04) for s, y in zip("ABCD", (-0.4, -0.3, -0.2, -0.1),
                                                  strict=True)]
    return pooled(effects, estimate=-0.25, ci=ci, **kw)  # type: ignore[arg-type]
