"""GRADE certainty of the evidence for one outcome: suggestions computed, decisions kept.

Certainty starts at High for randomized trials and Low for non-randomized studies
(GRADE handbook, Schünemann et al. 2013, 5.1) and is rated down for five domains: risk
of bias, inconsistency, indirectness, imprecision and publication bias (Guyatt et al.
2011, GRADE guidelines 4-8, J Clin Epidemiol 64:407-415, 1277-1310; Cochrane Handbook
ch. 14). For every domain :func:`grade_outcome` computes a suggested judgment with its
reason (thresholds: :mod:`livingmeta.appraisal._grade_domains`); the reviewer accepts or
overrides it with a :class:`Decision`, and both are kept in the :class:`GradeDomain`.
Ratings never fall below Very low. Rating up (large effect, dose-response, opposing
confounding) is not implemented.

Examples
--------
>>> from livingmeta.review import embedded_review_path, load_review, run_review
>>> result = run_review(load_review(embedded_review_path()))
>>> ae = result.outcome("ae_any").main
>>> a = grade_outcome(ae, rob=None, settings=GradeSettings(mid=0.25), decisions={})
>>> a.domain("imprecision").suggested, a.domain("risk_of_bias").suggested
('not serious', None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from livingmeta.appraisal import _grade_domains as dom
from livingmeta.appraisal._grade_domains import optimal_information_size
from livingmeta.appraisal._grade_evidence import Evidence, evidence_from
from livingmeta.appraisal._grade_toml import (
    GradeInputs,
    OutcomeGradeInputs,
    SofSettings,
    load_grade,
)
from livingmeta.appraisal._grade_types import (
    CERTAINTY,
    DOMAINS,
    GRADE_DESIGNS,
    JUDGMENTS,
    SYMBOLS,
    Decision,
    GradeAssessment,
    GradeDomain,
    GradeSettings,
    certainty_level,
)
from livingmeta.errors import ParameterError, check_choice
from livingmeta.review.results import MeasureResult, ReviewResult

__all__ = [
    "CERTAINTY",
    "DOMAINS",
    "GRADE_DESIGNS",
    "JUDGMENTS",
    "SYMBOLS",
    "Decision",
    "Evidence",
    "GradeAssessment",
    "GradeDomain",
    "GradeInputs",
    "GradeSettings",
    "OutcomeGradeInputs",
    "SofSettings",
    "certainty_level",
    "design_of",
    "evidence_from",
    "grade_outcome",
    "grade_review",
    "load_grade",
    "optimal_information_size",
    "rob_from_assessments",
]


def design_of(result: MeasureResult) -> str:
    """``"RCT"`` when every analysed study is randomized, else ``"non-randomized"``."""
    return "RCT" if evidence_from(result).randomized else "non-randomized"


def _suggestions(ev: Evidence, rob: Mapping[str, str] | None,
                 settings: GradeSettings) -> dict[str, tuple[str | None, str]]:
    return {
        "risk_of_bias": dom.risk_of_bias(ev, rob),
        "inconsistency": dom.inconsistency(ev),
        "indirectness": dom.indirectness(settings),
        "imprecision": dom.imprecision(ev, settings),
        "publication_bias": dom.publication_bias(ev, settings),
    }


def grade_outcome(measure_result: MeasureResult, *, design: str = "RCT",
                  rob: Mapping[str, str] | None = None,
                  settings: GradeSettings | None = None,
                  decisions: Mapping[str, Decision] | None = None,
                  level: float = 0.95) -> GradeAssessment:
    """Rate the certainty of the evidence for one outcome on one measure.

    Parameters
    ----------
    measure_result : MeasureResult
        From :func:`livingmeta.review.run_review` (``result.outcome(id).main``).
    design : {"RCT", "non-randomized"}
        Where the rating starts (High or Low).
    rob : mapping of str to str, optional
        Study to RoB 2 overall judgment for this outcome (``Low``, ``Some concerns``,
        ``High``). None: risk of bias gets no suggestion.
    settings : GradeSettings, optional
        MID, OIS settings, funding, indirectness (defaults: null threshold, none entered).
    decisions : mapping of str to Decision, optional
        Domain name to the reviewer's decision; domains absent accept the suggestion
        without a stated reason.
    level : float
        Confidence level of a single study's interval (pooled results keep their own).

    Returns
    -------
    GradeAssessment
    """
    check_choice("design", design, tuple(GRADE_DESIGNS))
    settings = settings if settings is not None else GradeSettings()
    decisions = decisions if decisions is not None else {}
    unknown = sorted(set(decisions) - set(DOMAINS))
    if unknown:
        raise ParameterError(f"The 'decisions' keys must be among {list(DOMAINS)}. "
                             f"Got {unknown}.")
    ev = evidence_from(measure_result, level=level)
    suggested = _suggestions(ev, rob, settings)
    domains = []
    for name in DOMAINS:
        judgment, reason = suggested[name]
        d = decisions.get(name)
        decision = judgment if d is None or d.judgment is None else d.judgment
        domains.append(GradeDomain(name, judgment, reason, decision,
                                   "" if d is None else d.reason))
    start = GRADE_DESIGNS[design]
    level_ = certainty_level(start, sum(d.downgrade for d in domains))
    footnotes = tuple(d.footnote() for d in domains
                      if d.downgrade or d.overridden or d.decision is None)
    return GradeAssessment(
        outcome=measure_result.outcome, measure=measure_result.measure,
        start=CERTAINTY[start - 1], domains=tuple(domains), certainty=CERTAINTY[level_ - 1],
        symbols=SYMBOLS[level_ - 1], footnotes=footnotes)


def grade_review(result: ReviewResult, inputs: GradeInputs | None = None, *,
                 rob: Mapping[str, Mapping[str, str]] | None = None,
                 level: float = 0.95) -> tuple[GradeAssessment, ...]:
    """GRADE every outcome of a review, on the measure ``grade.toml`` names (else main).

    ``rob`` maps outcome id to {study: RoB 2 overall judgment}; outcomes absent from it
    get no risk-of-bias suggestion.
    """
    inputs = inputs if inputs is not None else GradeInputs(None, {})
    out = []
    for o in result.outcomes:
        given = inputs.for_outcome(o.outcome.id)
        measure = o.measure(given.measure) if given is not None else o.main
        settings = given.settings if given is not None else GradeSettings(
            direction=o.outcome.direction)
        design = given.design if given is not None and given.design else design_of(measure)
        out.append(grade_outcome(
            measure, design=design, rob=None if rob is None else rob.get(o.outcome.id),
            settings=settings, decisions=given.decisions if given is not None else {},
            level=level))
    return tuple(out)


#: ROBINS-I judgments on RoB 2's three levels, for the weight shares.
_ROBINS_AS_ROB2 = {"Low": "Low", "Moderate": "Some concerns", "Serious": "High",
                   "Critical": "High"}


def rob_from_assessments(assessments: Any, result: ReviewResult) -> dict[str, dict[str, str]]:
    """Outcome id to {study: judgment} from RoB 2 / ROBINS-I assessments of the folder.

    ``assessments`` is anything with ``judgment(study, outcome) -> str | None`` (the
    ``RobAssessments`` of :func:`livingmeta.appraisal.load_rob2`). ROBINS-I Moderate
    counts as Some concerns and Serious/Critical as High; "No information" is left out.
    """
    out: dict[str, dict[str, str]] = {}
    for o in result.outcomes:
        judged: dict[str, str] = {}
        for study in o.main.analysed:
            j = assessments.judgment(study, o.outcome.id)
            j = _ROBINS_AS_ROB2.get(j, j) if isinstance(j, str) else None
            if j in ("Low", "Some concerns", "High"):
                judged[study] = j
        out[o.outcome.id] = judged
    return out
