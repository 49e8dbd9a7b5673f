"""The living-evidence analyses of a review run: TSA, Bayesian analysis, what-if.

What ``[analysis.tsa]``, ``[analysis.bayes]`` and ``[analysis.whatif]`` of ``review.toml``
declare (:mod:`._living_plan`), run on the studies of the outcome's primary analysis in
the review's cumulative order (year):

- :func:`review_tsa`: :func:`~livingmeta.sequential.trial_sequential_analysis` with the
  participants of each study (``n1i + n2i``, or ``ni`` for paired designs);
- :func:`review_bayes`: :func:`~livingmeta.models.bayes_meta` once per tau prior, the
  threshold defaulting to the GRADE minimal important difference in the benefit
  direction (``-MID`` when lower is better; ``log(1 - MID)`` for ratios);
- :func:`review_whatif`: :func:`~livingmeta.sequential.what_if` from the version named
  ``before`` (``versions.toml``), the trial's effect drawn from that version's posterior
  predictive under the first tau prior, set beside what the next version found.

Statistics stay in the engine modules; this module only chooses their inputs.
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from livingmeta.errors import LivingMetaWarning
from livingmeta.review._living_plan import BayesPlan, TsaPlan, WhatIfPlan
from livingmeta.review.living_results import LivingEvidence, WhatIfComparison
from livingmeta.review.profiles import get_profile
from livingmeta.review.results import MeasureResult, ReviewResult
from livingmeta.review.spec import Review

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.appraisal import GradeInputs
    from livingmeta.models.bayes import BayesResult
    from livingmeta.sequential import TSAResult

__all__ = ["benefit_threshold", "living_evidence", "review_bayes", "review_mid",
           "review_tsa", "review_whatif"]

RATIO_MEASURES = ("RR", "OR")


def _measure_result(result: ReviewResult, outcome: str) -> MeasureResult:
    return result.outcome(outcome).main


def _analysed(res: MeasureResult) -> list[Any]:
    """The primary analysis' study effects, by year (stable: data order within a year)."""
    effects = [e for e in res.effects if e.study in res.analysed]
    return sorted(effects, key=lambda e: e.year)


def _participants(effects: list[Any]) -> list[int] | None:
    from livingmeta.appraisal._grade_evidence import participants_of

    counts = [participants_of(e) for e in effects]
    return None if any(n is None for n in counts) else [int(n) for n in counts if n]


def _quiet(call: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LivingMetaWarning)  # recorded on the results
        return call()


def review_tsa(result: ReviewResult, plan: TsaPlan | None) -> tuple[TSAResult | None, str]:
    """The trial sequential analysis the plan declares, or None with the reason."""
    from livingmeta.sequential import trial_sequential_analysis
    from livingmeta.sequential.information import TSA_MEASURES

    if plan is None:
        return None, "no [analysis.tsa] in review.toml"
    res = _measure_result(result, plan.outcome)
    effects = _analysed(res)
    if res.measure not in TSA_MEASURES or not effects:
        return None, f"TSA needs studies on MD, SMD, RR, OR or RD; {res.measure} has {len(effects)}"
    n = _participants(effects)
    if n is None and plan.information == "participants":
        return None, "a study's number of participants is not known"
    outcome = result.outcome(plan.outcome).outcome
    return _quiet(lambda: trial_sequential_analysis(
        [e.yi for e in effects], [e.vi for e in effects], n, measure=res.measure,
        delta=plan.delta, sd=plan.sd, control_risk=plan.control_risk, alpha=plan.alpha,
        power=plan.power, spending=plan.spending, sides=plan.sides,
        heterogeneity=plan.heterogeneity, information=plan.information, method=plan.method,
        direction=outcome.direction, study=[e.study for e in effects])), ""


def benefit_threshold(plan: BayesPlan, mid: float | None, measure: str,
                      direction: str) -> float | None:
    """The plan's threshold, else the MID on the benefit side (analysis scale)."""
    from livingmeta.appraisal._grade_domains import mid_thresholds

    if plan.threshold is not None:
        return plan.threshold
    thresholds = mid_thresholds(mid, direction, measure in RATIO_MEASURES)
    return None if thresholds is None else thresholds[0]


def review_bayes(result: ReviewResult, plan: BayesPlan | None,
                 mid: float | None) -> tuple[BayesResult, ...]:
    """One exact Bayesian analysis per tau prior of the plan (empty without a plan)."""
    from livingmeta.models import bayes_meta

    if plan is None:
        return ()
    res = _measure_result(result, plan.outcome)
    effects = _analysed(res)
    if not effects:
        return ()
    direction = result.outcome(plan.outcome).outcome.direction
    threshold = benefit_threshold(plan, mid, res.measure, direction)
    return tuple(_quiet(lambda tp=tau: bayes_meta(
        [e.yi for e in effects], [e.vi for e in effects], mu_prior=plan.mu_prior,
        tau_prior=tp, threshold=threshold, direction=direction,
        study=[e.study for e in effects], measure=res.measure)) for tau in plan.tau_priors)


def _grade(review: Review) -> GradeInputs:
    from livingmeta.appraisal import load_grade

    return load_grade(review.path, review)


def review_mid(review: Review, outcome: str) -> float | None:
    """The outcome's minimal important difference from ``grade.toml`` (None if none)."""
    inputs = _grade(review).for_outcome(outcome)
    return None if inputs is None else inputs.settings.mid


def _mid_and_ois(review: Review, result: ReviewResult, outcome: str
                 ) -> tuple[float | None, int | None, int | None]:
    from livingmeta.appraisal._grade_domains import optimal_information_size
    from livingmeta.appraisal._grade_evidence import evidence_from

    inputs = _grade(review).for_outcome(outcome)
    if inputs is None:
        return None, None, None
    ev = evidence_from(_measure_result(result, outcome), level=review.analysis.level)
    return inputs.settings.mid, optimal_information_size(ev, inputs.settings)[0], \
        ev.total_participants


def _readings(res: MeasureResult, tsa: TSAResult | None, mid: float | None,
              ois: int | None, participants: int | None, direction: str) -> dict[str, str]:
    """How the analysis a version actually had reads by each what-if criterion."""
    from livingmeta.appraisal._grade_domains import (
        IMPRECISION_JUDGMENTS,
        imprecision_levels,
        mid_thresholds,
    )
    from livingmeta.sequential.whatif import SIGNIFICANCE_LABELS, significance

    p = res.primary
    out: dict[str, str] = {}
    if p is None:
        return out
    out["significance"] = SIGNIFICANCE_LABELS[
        int(significance(np.array(p.ci_low), np.array(p.ci_high), direction)) + 1]
    if mid is not None:
        short = participants is not None and ois is not None and participants < ois
        th = mid_thresholds(mid, direction, res.measure in RATIO_MEASURES)
        out["imprecision"] = IMPRECISION_JUDGMENTS[int(imprecision_levels(
            p.ci_low, p.ci_high, th, short))]
    if tsa is not None:
        out["tsa"] = tsa.verdict
    return out


def review_whatif(review: Review, plan: WhatIfPlan | None, tsa_plan: TsaPlan | None,
                  bayes_plan: BayesPlan | None) -> tuple[WhatIfComparison | None, str]:
    """The what-if from the version ``before``, beside what the next version found."""
    from livingmeta.review.runner import run_review
    from livingmeta.review.versioned import load_versions, version_review
    from livingmeta.sequential.whatif import PendingTrial, what_if

    if plan is None:
        return None, "no [analysis.whatif] in review.toml"
    versions = load_versions(review)
    if plan.before is None or not versions.versions:
        return None, "[analysis.whatif] names no 'before' version in versions.toml"
    ids = versions.ids
    start = versions.version(plan.before, name="before")
    if ids.index(start.id) + 1 >= len(ids):
        return None, f"version {start.id!r} is the last one: nothing to compare with"
    after = versions.version(ids[ids.index(start.id) + 1])
    runs = {}
    for v in (start, after):
        rv = version_review(review, v.id, versions=versions)
        runs[v.id] = (rv, _quiet(lambda rv=rv: run_review(rv)))
    before_review, before_result = runs[start.id]
    res = _measure_result(before_result, plan.outcome)
    effects = _analysed(res)
    direction = before_review.outcome(plan.outcome).direction
    mid, ois, participants = _mid_and_ois(before_review, before_result, plan.outcome)
    tsa = review_tsa(before_result, tsa_plan)[0] if tsa_plan else None
    bayes = review_bayes(before_result, bayes_plan, mid)
    profile = get_profile(before_result.profile)
    wi = _quiet(lambda: what_if(
        [e.yi for e in effects], [e.vi for e in effects],
        PendingTrial(plan.n_per_arm, plan.effect, label=plan.label), measure=res.measure,
        method=profile.method, test=profile.test,
        level=before_review.analysis.level, direction=direction, mid=mid,
        participants=participants, ois=ois, predictive=bayes[0] if bayes else None, tsa=tsa,
        draws=plan.draws, seed=plan.seed, study=[e.study for e in effects]))
    after_review, after_result = runs[after.id]
    after_res = _measure_result(after_result, plan.outcome)
    a_mid, a_ois, a_n = _mid_and_ois(after_review, after_result, plan.outcome)
    a_tsa = review_tsa(after_result, tsa_plan)[0] if tsa_plan else None
    p = after_res.primary
    nan = math.nan
    added = tuple(s for s in after_res.analysed if s not in res.analysed)
    return WhatIfComparison(
        before=start.id, before_label=start.label, after=after.id, after_label=after.label,
        result=wi, added=added,
        actual_estimate=p.estimate if p else nan, actual_ci_low=p.ci_low if p else nan,
        actual_ci_high=p.ci_high if p else nan,
        actual_percentile=wi.percentile_of(p.estimate) if p else nan,
        actual_readings=_readings(after_res, a_tsa, a_mid, a_ois, a_n, direction),
    ), ""


def living_evidence(review: Review, result: ReviewResult, *,
                    diff: bool = True) -> LivingEvidence | None:
    """Every living-evidence analysis the review declares (None when it declares none).

    ``diff``: also compare the last two versions of ``versions.toml`` (when it has two).
    """
    from livingmeta.review.diff import diff_versions
    from livingmeta.review.versioned import load_versions

    plan = review.analysis.living
    has_versions = (review.path / "versions.toml").is_file()
    if plan.tsa is None and plan.bayes is None and plan.whatif is None and not has_versions:
        return None
    outcome = next((p.outcome for p in (plan.tsa, plan.bayes, plan.whatif) if p is not None),
                   review.primary_outcome.id)
    mid = _mid_and_ois(review, result, outcome)[0]
    tsa, tsa_note = review_tsa(result, plan.tsa)
    comparison, whatif_note = review_whatif(review, plan.whatif, plan.tsa, plan.bayes)
    changes = None
    if diff and has_versions:
        ids = load_versions(review).ids
        if len(ids) >= 2:
            changes = _quiet(lambda: diff_versions(review, ids[-2], ids[-1],
                                                   profile=result.profile))
    res = _measure_result(result, outcome)
    return LivingEvidence(
        outcome=outcome, label=result.outcome(outcome).outcome.label, measure=res.measure,
        mid=mid, tsa_plan=plan.tsa, tsa=tsa, tsa_note=tsa_note, bayes_plan=plan.bayes,
        bayes=review_bayes(result, plan.bayes, mid), whatif=comparison,
        whatif_note=whatif_note, diff=changes,
        studies=tuple(e.study for e in _analysed(res)),
        participants=tuple(_participants(_analysed(res)) or ()),
    )
