"""``run_review``: every planned analysis of a review folder, as one frozen result."""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping

from livingmeta import __version__
from livingmeta.errors import check_choice
from livingmeta.review.analyses import diagnostics, sensitivity_analyses, subgroup_comparisons
from livingmeta.review.effects import StudyEffect, compute_effects
from livingmeta.review.pooling import pool_effects
from livingmeta.review.profiles import PROFILES, get_profile
from livingmeta.review.results import (
    MeasureResult,
    OutcomeResult,
    PublishedSynthesis,
    ReviewProvenance,
    ReviewResult,
)
from livingmeta.review.spec import Outcome, Review

__all__ = ["published_syntheses", "run_review"]


def _float(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def published_syntheses(review: Review) -> tuple[PublishedSynthesis, ...]:
    """The rows of the review's published-syntheses table, matched to its outcomes."""
    labels = {lab.lower(): o.id for o in review.outcomes for lab in o.published_labels}
    out = []
    for row in review.published:
        year = re.search(r"(19|20)\d\d", row.get("ma_id", "")) or re.search(
            r"(19|20)\d\d", row.get("citation", ""))
        outcome = row.get("outcome", "")
        out.append(PublishedSynthesis(
            review=row.get("ma_id", ""), citation=row.get("citation", ""),
            year=int(year.group(0)) if year else None,
            search_date=row.get("search_date", ""), studies=row.get("k_studies", ""),
            outcome=outcome, outcome_id=labels.get(outcome.lower()),
            analysis=row.get("analysis", ""), measure=row.get("effect_measure", ""),
            model=row.get("model_software", ""), estimate=_float(row.get("estimate", "")),
            ci_low=_float(row.get("ci_low", "")), ci_high=_float(row.get("ci_high", "")),
            source_url=row.get("source_url", ""), verification=row.get("verification", "")))
    return tuple(out)


def _measure(review: Review, outcome: Outcome, measure: str, profile_name: str,
             main: bool, sink: list[str]) -> MeasureResult:
    plan = review.analysis
    where = f"{outcome.id}/{measure}"
    effects = compute_effects(review, outcome, measure)
    primary_set: tuple[StudyEffect, ...] = tuple(e for e in effects if e.status == "included")
    analysed = tuple(e.study for e in primary_set)
    note = ""
    if not outcome.pool:
        note = "declared pool = false: studies are shown, not pooled"
    elif len(primary_set) < 2:
        note = (f"{len(primary_set)} included stud{'y' if len(primary_set) == 1 else 'ies'} "
                "with data: shown, not pooled")
    if note:
        return MeasureResult(outcome.id, measure, effects, analysed, False, note, None, (),
                             (), (), ())
    profile = get_profile(profile_name)
    shown = [p for p in plan.profiles if p != profile_name]
    fits = {name: pool_effects(primary_set, measure, get_profile(name), level=plan.level,
                               sink=sink, where=f"{where}/{name}")
            for name in (profile_name, *shown)}
    ordered = tuple(fits[name] for name in plan.profiles if name in fits)
    if profile_name not in plan.profiles:
        ordered = (fits[profile_name], *ordered)
    if not main:
        return MeasureResult(outcome.id, measure, effects, analysed, True, "",
                             fits[profile_name], ordered, (), (), ())
    return MeasureResult(
        outcome.id, measure, effects, analysed, True, "", fits[profile_name], ordered,
        sensitivity_analyses(review, outcome, measure, primary_set, profile, sink),
        subgroup_comparisons(review, primary_set, measure, profile, sink, where),
        diagnostics(primary_set, measure, profile, plan.level, sink, where))


def _study_rows(review: Review) -> tuple[dict[str, object], ...]:
    return tuple({"study": s.study, "year": s.year, "design": s.design,
                  "randomized": s.randomized, "dose_mg": s.dose_mg, "status": s.status,
                  "reason": s.reason, "n_randomized": s.n_randomized,
                  "citation": s.citation, "source_url": s.source_url, **s.extra}
                 for s in review.studies)


def run_review(review: Review, *, profile: str | None = None) -> ReviewResult:
    """Run every analysis a review declares.

    Parameters
    ----------
    review : Review
        From :func:`~livingmeta.review.load_review`.
    profile : str, optional
        Method profile of the primary analysis (default: the review's
        ``[analysis] primary_profile``); one of :data:`~livingmeta.review.PROFILES`.

    Returns
    -------
    ReviewResult
        Per outcome and measure: the effect sizes with their provenance, the primary
        analysis, the analysis under every profile the review shows, and for the main
        measure of pooled outcomes the sensitivity analyses, subgroups and diagnostics;
        the published syntheses; provenance (package version, digest of the folder,
        date of the data).

    Notes
    -----
    Warnings of the engine (conversions, tau2 = 0, k = 1, ...) are recorded in
    ``ReviewResult.warnings`` and on each pooled estimate rather than re-issued: a
    review's conversions are declared, and the report lists them.

    Examples
    --------
    >>> from livingmeta.review import embedded_review_path, load_review, run_review
    >>> result = run_review(load_review(embedded_review_path()), profile="revman5")
    >>> pain = result.primary_outcome.main
    >>> pain.primary.profile, pain.primary.settings["method"], pain.primary.k
    ('revman5', 'DL', 4)
    """
    name = profile if profile is not None else review.analysis.primary_profile
    check_choice("profile", name, PROFILES)
    sink: list[str] = []
    outcomes = tuple(
        OutcomeResult(o, tuple(_measure(review, o, m, name, i == 0, sink)
                               for i, m in enumerate(o.measures)))
        for o in review.outcomes)
    settings: Mapping[str, object] = get_profile(name).settings()
    prov = ReviewProvenance(
        package_version=__version__, review_path=str(review.path),
        review_digest=review.digest, files=review.files, data_date=review.info.date,
        review_version=review.info.version, profile=dict(settings),
        python_version=platform.python_version())
    q = review.info.question
    return ReviewResult(
        title=review.info.title,
        question={"population": q.population, "intervention": q.intervention,
                  "comparator": q.comparator, "outcomes": q.outcomes,
                  "intervention_label": q.intervention_label,
                  "comparator_label": q.comparator_label},
        profile=name, outcomes=outcomes, studies=_study_rows(review),
        published=published_syntheses(review), provenance=prov,
        warnings=tuple(dict.fromkeys(sink)))
