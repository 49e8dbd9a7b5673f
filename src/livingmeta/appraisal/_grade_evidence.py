"""The numbers GRADE and the Summary of Findings read from one :class:`MeasureResult`.

:func:`evidence_from` gathers, for the studies of the primary analysis, what the five
domains and the absolute effects need: effects and weights, participants, control-arm
events, the pooled estimate with its confidence and prediction intervals, I² with its
interval, and Egger's test where it was run. An outcome with a single study (not pooled)
gets that study's own estimate and a Wald interval (Cochrane Handbook 6.3.1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy import special

from livingmeta.review.effects import StudyEffect
from livingmeta.review.results import MeasureResult

__all__ = ["Evidence", "evidence_from", "participants_of"]

RATIO_MEASURES = ("RR", "OR")
NAN = math.nan


def participants_of(effect: StudyEffect) -> int | None:
    """Participants contributing to a study's effect: ``n1i + n2i``, or ``ni`` (paired)."""
    inputs: Mapping[str, float] = effect.inputs
    if "n1i" in inputs and "n2i" in inputs:
        return round(inputs["n1i"] + inputs["n2i"])
    if "ni" in inputs:
        return round(inputs["ni"])
    return None


def _control_counts(effect: StudyEffect) -> tuple[float, float] | None:
    inputs = effect.inputs
    events = inputs.get("ci")
    if events is None:
        return None
    total = inputs.get("n2i")
    if total is None and "di" in inputs:
        total = events + inputs["di"]
    return None if total is None else (events, total)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One outcome on one measure, as GRADE reads it (analysis scale: log for RR/OR).

    Attributes
    ----------
    outcome, measure : str
    studies : tuple of str
        Studies of the primary analysis, in the order of the pooled result.
    yi, vi : tuple of float
    weights : tuple of float
        Fractions of the total weight (1.0 for a single study; equal if unknown).
    participants : tuple of int or None
    randomized : bool
        Every study is randomized (design other than ``non-randomized``).
    pooled : bool
    estimate, ci_low, ci_high, pi_low, pi_high : float
        NaN where there is none (no pooled result; no prediction interval).
    I2, I2_ci_low, I2_ci_high, Q_pval : float
        NaN where not applicable (single study, common-effect model).
    level : float
    control_events, control_total : float or None
        Summed control-arm events and participants (binary outcomes).
    events_total : float or None
        Events in both arms (binary outcomes).
    regtest_pval : float or None
        Egger's regression test, when the analysis ran it.
    note : str
        Why the outcome is not pooled, if it is not.
    """

    outcome: str
    measure: str
    studies: tuple[str, ...]
    yi: tuple[float, ...]
    vi: tuple[float, ...]
    weights: tuple[float, ...]
    participants: tuple[int | None, ...]
    randomized: bool
    pooled: bool
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    I2: float
    I2_ci_low: float
    I2_ci_high: float
    Q_pval: float
    level: float
    control_events: float | None
    control_total: float | None
    events_total: float | None
    regtest_pval: float | None
    note: str

    @property
    def k(self) -> int:
        """Number of studies."""
        return len(self.studies)

    @property
    def total_participants(self) -> int | None:
        """Participants over all studies (None when any study's count is unknown)."""
        if any(n is None for n in self.participants):
            return None
        return sum(n for n in self.participants if n is not None)

    @property
    def control_risk(self) -> float | None:
        """Pooled control-arm risk: summed events over summed participants."""
        if not self.control_total or self.control_events is None:
            return None
        return self.control_events / self.control_total

    @property
    def is_ratio(self) -> bool:
        """RR or OR (analysed on the log scale)."""
        return self.measure in RATIO_MEASURES


def _i2_interval(primary: object) -> tuple[float, float]:
    """I² bounds at the Q-profile tau² bounds: 100 tau² / (s² + tau²) (Higgins 2002)."""
    fit = getattr(primary, "fit", None)
    s2 = getattr(fit, "typical_vi", None)
    lo = getattr(primary, "tau2_ci_low", NAN)
    hi = getattr(primary, "tau2_ci_high", NAN)
    if s2 is None or not math.isfinite(lo) or not math.isfinite(hi):
        return NAN, NAN
    s2 = float(s2)
    return 100.0 * lo / (s2 + lo), 100.0 * hi / (s2 + hi)


def _regtest_pval(result: MeasureResult) -> float | None:
    step = result.diagnostic("regtest")
    pval = getattr(step.result, "pval", None) if step is not None else None
    return None if pval is None or not math.isfinite(pval) else float(pval)


def evidence_from(result: MeasureResult, *, level: float = 0.95) -> Evidence:
    """Gather what GRADE needs from one outcome-measure result.

    ``level`` is used only for a single study's Wald interval; a pooled result keeps
    its own level.
    """
    by_study = {e.study: e for e in result.effects}
    primary = result.primary
    if primary is not None:
        studies = tuple(primary.studies)
        total = sum(primary.weights)
        weights = tuple(w / total for w in primary.weights) if total > 0 else \
            tuple(1.0 / len(studies) for _ in studies)
    else:
        studies = tuple(s for s in result.analysed if s in by_study)
        weights = tuple(1.0 / len(studies) for _ in studies) if studies else ()
    effects = [by_study[s] for s in studies]
    control = [_control_counts(e) for e in effects]
    binary = bool(effects) and all(c is not None for c in control)
    events = sum(e.inputs.get("ai", 0.0) + e.inputs.get("ci", 0.0) for e in effects)
    estimate = ci_low = ci_high = pi_low = pi_high = NAN
    i2 = i2_lo = i2_hi = q_pval = NAN
    lvl = level
    if primary is not None:
        estimate, ci_low, ci_high = primary.estimate, primary.ci_low, primary.ci_high
        pi_low, pi_high, lvl = primary.pi_low, primary.pi_high, primary.level
        i2, q_pval = primary.I2, primary.Q_pval
        i2_lo, i2_hi = _i2_interval(primary)
    elif len(effects) == 1:
        # Wald interval of the single study (Cochrane Handbook 6.3.1)
        crit = float(special.ndtri(0.5 + level / 2.0))
        half = crit * math.sqrt(effects[0].vi)
        estimate = effects[0].yi
        ci_low, ci_high = estimate - half, estimate + half
    return Evidence(
        outcome=result.outcome, measure=result.measure, studies=studies,
        yi=tuple(e.yi for e in effects), vi=tuple(e.vi for e in effects), weights=weights,
        participants=tuple(participants_of(e) for e in effects),
        randomized=all(e.design != "non-randomized" for e in effects),
        pooled=result.pooled and primary is not None, estimate=estimate, ci_low=ci_low,
        ci_high=ci_high, pi_low=pi_low, pi_high=pi_high, I2=i2, I2_ci_low=i2_lo,
        I2_ci_high=i2_hi, Q_pval=q_pval, level=lvl,
        control_events=sum(c[0] for c in control if c is not None) if binary else None,
        control_total=sum(c[1] for c in control if c is not None) if binary else None,
        events_total=events if binary else None,
        regtest_pval=_regtest_pval(result), note=result.note,
    )
