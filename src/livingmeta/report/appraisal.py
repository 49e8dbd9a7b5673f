"""The report's appraisal sections: PRISMA 2020 flow, risk of bias, GRADE and the Summary
of Findings. Formatting only: every number comes from a
:class:`~livingmeta.appraisal.ReviewAppraisal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from livingmeta.appraisal import ReviewAppraisal
from livingmeta.plots import PrismaDiagram, RobSummaryPlot, TrafficLightPlot, rob_columns
from livingmeta.report.figures import ReportFigure, figure_id
from livingmeta.report.sections import FigureRef, Table, row
from livingmeta.review.results import ReviewResult

__all__ = ["APPRAISAL_HEADINGS", "AppraisalView", "appraisal_figures", "appraisal_view",
           "forest_rob_columns"]

#: Headings of the appraisal sections (present when the review folder has the files).
APPRAISAL_HEADINGS = (
    "Certainty of evidence and Summary of Findings",
    "Risk of bias",
    "Study selection (PRISMA 2020)",
)

_DOMAIN_NAMES = {
    "risk_of_bias": "Risk of bias", "inconsistency": "Inconsistency",
    "indirectness": "Indirectness", "imprecision": "Imprecision",
    "publication_bias": "Publication bias",
}


@dataclass(frozen=True, slots=True)
class AppraisalView:
    """What the template shows of an appraisal (formatted strings, figure references)."""

    sof_html: Markup
    grade_tables: tuple[Table, ...]
    rob_figures: tuple[FigureRef, ...]
    robins_table: Table | None
    prisma_figure: FigureRef | None
    prisma_lines: tuple[str, ...]


def _outcome_weights(result: ReviewResult, outcome_id: str) -> dict[str, float]:
    res = result.outcome(outcome_id).main
    if res.primary is None:
        return {}
    return dict(zip(res.primary.studies, res.primary.weights, strict=True))


def _rob_outcomes(appraisal: ReviewAppraisal) -> list[str]:
    return [o for o, studies in appraisal.rob_by_outcome.items()
            if any(a.outcome == o for a in appraisal.rob.rob2)]


def appraisal_figures(result: ReviewResult,
                      appraisal: ReviewAppraisal) -> tuple[ReportFigure, ...]:
    """Traffic-light and weighted-summary plots per assessed outcome, the PRISMA diagram."""
    out: list[ReportFigure] = []
    labels = {o.outcome.id: o.outcome.label for o in result.outcomes}
    for outcome in _rob_outcomes(appraisal):
        label = labels.get(outcome, outcome)
        out.append(ReportFigure(
            figure_id(outcome, "rob-traffic-light"), f"{label}: risk of bias (RoB 2)",
            f"Traffic-light plot of the RoB 2 judgments per domain for {label}.",
            TrafficLightPlot.from_assessments(appraisal.rob, outcome,
                                              title=f"{label}: RoB 2")))
        out.append(ReportFigure(
            figure_id(outcome, "rob-summary"), f"{label}: risk of bias by weight",
            f"Share of the meta-analysis weight at each RoB 2 judgment, per domain, for "
            f"{label}.",
            RobSummaryPlot.from_assessments(appraisal.rob, outcome,
                                            weights=_outcome_weights(result, outcome) or None,
                                            title=f"{label}: RoB 2 by weight")))
    if appraisal.records is not None:
        out.append(ReportFigure(
            "prisma-flow", "PRISMA 2020 flow diagram",
            "Flow of records from identification to inclusion, computed from the review "
            "folder's search records and screening decisions.",
            PrismaDiagram.from_flow(appraisal.records.flow)))
    return tuple(out)


def forest_rob_columns(appraisal: ReviewAppraisal | None, outcome: str,
                       studies: list[str]) -> dict[str, list[str]]:
    """RoB columns for a forest plot (empty when the outcome was not assessed)."""
    if appraisal is None or outcome not in _rob_outcomes(appraisal):
        return {}
    return rob_columns(appraisal.rob, outcome, studies)


def _grade_table(assessment: Any, label: str) -> Table:
    rows = tuple(
        row(_DOMAIN_NAMES.get(d.name, d.name), d.suggested or "—", d.suggested_reason,
            d.decision or "—", d.decision_reason)
        for d in assessment.domains)
    return Table(
        f"{label} ({assessment.measure}): GRADE, {assessment.certainty} "
        f"{assessment.symbols} (start: {assessment.start})",
        ("domain", "suggested", "why (computed)", "decision", "reviewer's reason"), rows)


def _prisma_lines(appraisal: ReviewAppraisal) -> tuple[str, ...]:
    state = appraisal.records
    if state is None:
        return ()
    flow = state.flow
    lines = [f"{len(state.records)} records from {len(state.sources)} sources; "
             f"{flow.studies_included} studies included in {flow.reports_included} reports; "
             f"{flow.studies_awaiting} awaiting classification."]
    for agreement in state.agreement:
        k = agreement.kappa
        lo, hi = k.confidence_interval(0.95)
        lines.append(f"Agreement at {agreement.stage.replace('_', '/')} screening "
                     f"({agreement.reviewer_a} vs {agreement.reviewer_b}, n = {k.n}): "
                     f"Cohen's kappa {k.kappa:.2f} (95% CI {lo:.2f} to {hi:.2f}).")
    lines.append(f"{len(state.conflicts)} screening conflicts, "
                 f"{len(state.open_conflicts)} unresolved; "
                 f"{len(state.pending_duplicates)} duplicate groups awaiting confirmation.")
    return tuple(lines)


def appraisal_view(result: ReviewResult, appraisal: ReviewAppraisal,
                   figures: tuple[ReportFigure, ...]) -> AppraisalView:
    """The appraisal sections' content for the template."""
    labels = {o.outcome.id: o.outcome.label for o in result.outcomes}
    refs = {f.id: FigureRef(f.id, f.title, f.alt) for f in figures}
    robins = appraisal.rob.robins
    robins_table = None
    if robins:
        names = [d.name for d in robins[0].domains]
        robins_table = Table(
            "ROBINS-I judgments (non-randomized studies, entered directly)",
            ("study", "outcome", *names, "overall"),
            tuple(row(a.study, labels.get(a.outcome, a.outcome),
                      *(d.judgment for d in a.domains), a.judgment) for a in robins))
    return AppraisalView(
        sof_html=Markup(appraisal.sof.as_html()),
        grade_tables=tuple(_grade_table(a, labels.get(a.outcome, a.outcome))
                           for a in appraisal.grade),
        rob_figures=tuple(ref for fid, ref in refs.items() if "-rob-" in fid),
        robins_table=robins_table,
        prisma_figure=refs.get("prisma-flow"),
        prisma_lines=_prisma_lines(appraisal),
    )
