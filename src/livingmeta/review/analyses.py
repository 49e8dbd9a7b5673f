"""The planned analyses around a primary fit: sensitivity, subgroups and diagnostics."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from livingmeta.errors import LivingMetaError
from livingmeta.models import subgroup_analysis
from livingmeta.review.effects import StudyEffect, compute_effects
from livingmeta.review.pooling import BINARY_MEASURES, pool_effects, recorded
from livingmeta.review.profiles import MethodProfile
from livingmeta.review.results import AnalysisStep, SensitivityResult, SubgroupComparison
from livingmeta.review.spec import Outcome, Review, SensitivitySpec

__all__ = ["diagnostics", "sensitivity_analyses", "subgroup_comparisons"]

#: Below this many studies, funnel-plot tests cannot tell small-study effects from chance
#: (Cochrane Handbook 13.3.5.4; Sterne et al. 2011, BMJ 343:d4002).
SMALL_STUDY_MIN_K = 10


def _fit_or_none(effects: Sequence[StudyEffect], measure: str, profile: MethodProfile,
                 level: float, sink: list[str], where: str, common: bool = False,
                 ) -> tuple[Any, str]:
    if len(effects) < 2:
        return None, (f"{len(effects)} stud{'y' if len(effects) == 1 else 'ies'} left: "
                      "nothing to pool")
    return pool_effects(effects, measure, profile, level=level, common_effect=common,
                        sink=sink, where=where), ""


def _one(spec: SensitivitySpec, review: Review, outcome: Outcome, measure: str,
         primary: Sequence[StudyEffect], profile: MethodProfile, sink: list[str],
         ) -> list[SensitivityResult]:
    level = review.analysis.level
    where = f"{outcome.id}/{measure}/sensitivity {spec.id}"
    out: list[SensitivityResult] = []

    def add(setting: str, effects: Sequence[StudyEffect], note: str = "",
            common: bool = False) -> None:
        est, why = _fit_or_none(effects, measure, profile, level, sink, where, common)
        out.append(SensitivityResult(spec.id, spec.kind, spec.label, setting,
                                     tuple(e.study for e in effects), est,
                                     "; ".join(x for x in (note, why) if x)))

    if spec.kind == "vary-ri":
        if not any(e.conversion == "smd_from_paired_t" for e in primary):
            return []
        for r in spec.values or review.analysis.ri_values:
            add(f"ri = {r:g}", compute_effects(review, outcome, measure, ri=r,
                                               statuses=("included",)))
    elif spec.kind == "exclude-derived":
        kept = [e for e in primary if not e.derived]
        dropped = [e.study for e in primary if e.derived]
        add("without " + (", ".join(dropped) if dropped else "nothing (no derived rows)"),
            kept)
    elif spec.kind == "include-sensitivity-only":
        extra = compute_effects(review, outcome, measure, statuses=("sensitivity-only",))
        if not extra:
            return []
        add("with " + ", ".join(e.study for e in extra),
            sorted([*primary, *extra], key=lambda e: (e.year, e.study)))
    elif spec.kind == "common-effect":
        binary_mh = measure in BINARY_MEASURES and profile.binary_method == "MH"
        add("common effect" + (" (Mantel-Haenszel)" if binary_mh else " (inverse variance)"),
            primary, common=True)
    return out


def sensitivity_analyses(review: Review, outcome: Outcome, measure: str,
                         primary: Sequence[StudyEffect], profile: MethodProfile,
                         sink: list[str]) -> tuple[SensitivityResult, ...]:
    """Every declared sensitivity analysis that applies to this outcome."""
    out: list[SensitivityResult] = []
    for spec in review.analysis.sensitivity:
        if spec.outcomes and outcome.id not in spec.outcomes:
            continue
        out.extend(_one(spec, review, outcome, measure, primary, profile, sink))
    return tuple(out)


def subgroup_comparisons(review: Review, effects: Sequence[StudyEffect], measure: str,
                         profile: MethodProfile, sink: list[str], where: str,
                         ) -> tuple[SubgroupComparison, ...]:
    """Subgroups by each declared column with two or more levels (separate tau2)."""
    studies = {s.study: s for s in review.studies}
    out: list[SubgroupComparison] = []
    for column in review.analysis.subgroups:
        labels = [studies[e.study].covariate(column) or "not reported" for e in effects]
        if len(set(labels)) < 2:
            continue
        res = recorded(lambda labels=labels: subgroup_analysis(  # type: ignore[misc]
            [e.yi for e in effects], [e.vi for e in effects], labels,
            method=profile.method, test=profile.test, level=review.analysis.level,
            study=[e.study for e in effects], measure=measure), sink,
            f"{where}/subgroups {column}")
        out.append(SubgroupComparison(
            column=column, groups=res.groups, k=tuple(f.k for f in res.fits),
            estimate=tuple(float(x) for x in res.estimate),
            ci_low=tuple(float(x) for x in res.ci_low),
            ci_high=tuple(float(x) for x in res.ci_high), Q_between=res.Q_between,
            Q_between_df=res.Q_between_df, Q_between_pval=res.Q_between_pval, fit=res))
    return tuple(out)


def _function(module: str, name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _step(name: str, module: str, function: str, call: Callable[[Callable[..., Any]], Any],
          sink: list[str], where: str) -> AnalysisStep:
    fn = _function(module, function)
    qualified = f"{module}.{function}"
    if fn is None:
        return AnalysisStep(name, qualified, None, f"{qualified} is not available")
    try:
        return AnalysisStep(name, qualified, recorded(lambda: call(fn), sink,
                                                      f"{where}/{name}"), "")
    except (LivingMetaError, TypeError, ValueError) as exc:
        return AnalysisStep(name, qualified, None, f"not run: {exc}")


def diagnostics(effects: Sequence[StudyEffect], measure: str, profile: MethodProfile,
                level: float, sink: list[str], where: str) -> tuple[AnalysisStep, ...]:
    """Leave-one-out, influence, Baujat, cumulative (by year) and small-study analyses.

    Modules written elsewhere in livingmeta are called when present; a step that is
    absent or cannot run records why in its ``note``.
    """
    ordered = sorted(effects, key=lambda e: (e.year, e.study))
    yi = np.array([e.yi for e in ordered])
    vi = np.array([e.vi for e in ordered])
    opts: dict[str, Any] = {"method": profile.method, "test": profile.test, "level": level,
                            "study": [e.study for e in ordered], "measure": measure}
    k = len(ordered)
    labels = opts["study"]
    base = {"method": profile.method, "test": profile.test, "level": level, "study": labels}
    steps = [
        _step("leave_one_out", "livingmeta.sensitivity", "leave_one_out",
              lambda f: f(yi, vi, **opts), sink, where),
        _step("influence", "livingmeta.sensitivity", "influence",
              lambda f: f(yi, vi, **opts), sink, where),
        _step("baujat", "livingmeta.sensitivity", "baujat",
              lambda f: f(yi, vi, method=profile.method, study=labels, measure=measure),
              sink, where),
        _step("cumulative", "livingmeta.sequential", "cumulative",
              lambda f: f(yi, vi, order=[e.year for e in ordered], **opts), sink, where),
        _step("regtest", "livingmeta.bias", "regtest",
              lambda f: f(yi, vi, **base), sink, where),
        _step("ranktest", "livingmeta.bias", "ranktest",
              lambda f: f(yi, vi, study=labels), sink, where),
        _step("trimfill", "livingmeta.bias", "trimfill",
              lambda f: f(yi, vi, **opts), sink, where),
    ]
    informative = _step("small_study_informative", "livingmeta.bias",
                        "small_study_informative", lambda f: f(k), sink, where)
    text = (f"k = {k}: fewer than {SMALL_STUDY_MIN_K} studies, so funnel-plot tests cannot "
            "distinguish small-study effects from chance" if k < SMALL_STUDY_MIN_K
            else f"k = {k}: funnel-plot tests can be interpreted, with caution")
    value = informative.result if isinstance(informative.result, bool) \
        else k >= SMALL_STUDY_MIN_K
    informative = AnalysisStep("small_study_informative", informative.function, value,
                               f"{text} (Cochrane Handbook 13.3.5.4)")
    return (*steps, informative)
