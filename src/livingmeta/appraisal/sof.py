"""Summary of Findings table (GRADEpro style), computed from a review result and GRADE.

One row per outcome: participants (studies), the relative effect for binary outcomes,
the anticipated absolute effects and the certainty with its footnotes (Cochrane Handbook
14.1; Schünemann et al., GRADE handbook 2013, section 9). Absolute effects per 1,000
use the pooled control-arm risk of the included studies (summed events over summed
participants) or a declared baseline risk, and the pooled ratio: ``CR x RR`` for RR and
``OR CR / (1 - CR + OR CR)`` for OR (Cochrane Handbook 15.4.4). An SMD is re-expressed
on a named scale as ``SMD x SD`` with a representative SD declared in ``grade.toml``
(Handbook 15.5.3.2); the pooled MD is shown when the outcome has one.

Renderers: :meth:`SummaryOfFindings.as_markdown`, :meth:`~SummaryOfFindings.as_html`,
:meth:`~SummaryOfFindings.to_docx` (an editable Word table).

Examples
--------
>>> round(risk_with_intervention(0.2, 0.5, "RR"), 4)
0.1
>>> round(risk_with_intervention(0.2, 0.5, "OR"), 4)
0.1111
>>> per_1000(0.1111)
111
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingmeta.appraisal._grade_evidence import Evidence, evidence_from
from livingmeta.appraisal._grade_toml import GradeInputs, SofSettings
from livingmeta.appraisal._grade_types import GradeAssessment
from livingmeta.appraisal.grade import grade_review
from livingmeta.errors import ParameterError
from livingmeta.review.results import OutcomeResult, ReviewResult

__all__ = ["SOF_COLUMNS", "SofRow", "SummaryOfFindings", "per_1000",
           "risk_with_intervention", "summary_of_findings"]

SOF_COLUMNS = ("Outcome", "№ of participants (studies)", "Relative effect (95% CI)",
               "Risk with comparator", "Risk with intervention", "Difference",
               "Certainty of the evidence (GRADE)", "Comments")
GRADE_LEGEND = (
    "GRADE Working Group grades of evidence. High certainty: we are very confident that "
    "the true effect lies close to that of the estimate. Moderate certainty: the true "
    "effect is likely to be close to the estimate, but may be substantially different. "
    "Low certainty: the true effect may be substantially different from the estimate. "
    "Very low certainty: the true effect is likely to be substantially different from "
    "the estimate.")


def risk_with_intervention(control_risk: float, ratio: float, measure: str) -> float:
    """Risk with the intervention from the control risk and a pooled RR or OR.

    RR: ``CR x RR`` (at most 1); OR: ``OR CR / (1 - CR + OR CR)`` (Cochrane Handbook
    15.4.4).
    """
    if not 0 <= control_risk <= 1 or not ratio > 0:
        raise ParameterError(f"control_risk must be in [0, 1] and ratio > 0. Got "
                             f"{control_risk!r}, {ratio!r}.")
    if measure == "RR":
        return min(1.0, control_risk * ratio)
    if measure == "OR":
        return ratio * control_risk / (1 - control_risk + ratio * control_risk)
    raise ParameterError(f"The 'measure' parameter must be one of {{'OR', 'RR'}}. "
                         f"Got {measure!r}.")


def per_1000(risk: float) -> int:
    """A risk per 1,000, rounded half up (GRADEpro shows whole numbers)."""
    return math.floor(risk * 1000 + 0.5)


def _direction(x: float, unit: str = "") -> str:
    word = "lower" if x < 0 else "higher"
    return f"{abs(x):.2f}{unit} {word}"


def _diff_per_1000(x: int) -> str:
    return f"{abs(x)} {'fewer' if x < 0 else 'more'}"


@dataclass(frozen=True, slots=True)
class SofRow:
    """One outcome of the table, as printed cells plus the numbers behind them.

    ``footnotes`` are texts; :class:`SummaryOfFindings` letters them. Risks are per
    1,000 (None for continuous outcomes).
    """

    outcome: str
    label: str
    detail: str
    participants: int | None
    studies: int
    relative_effect: str
    risk_comparator: str
    risk_intervention: str
    difference: str
    certainty: str
    symbols: str
    comment: str
    footnotes: tuple[str, ...]
    control_per_1000: int | None
    intervention_per_1000: tuple[int, int, int] | None

    def participants_cell(self) -> str:
        """``283 (4 RCTs)``."""
        n = "—" if self.participants is None else f"{self.participants:,}"
        return f"{n} ({self.studies} {'RCT' if self.studies == 1 else 'RCTs'})"

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"outcome": self.outcome, "label": self.label, "detail": self.detail,
                "participants": self.participants, "studies": self.studies,
                "relative_effect": self.relative_effect,
                "risk_comparator": self.risk_comparator,
                "risk_intervention": self.risk_intervention, "difference": self.difference,
                "certainty": self.certainty, "symbols": self.symbols,
                "comment": self.comment, "footnotes": list(self.footnotes),
                "control_per_1000": self.control_per_1000,
                "intervention_per_1000": None if self.intervention_per_1000 is None
                else list(self.intervention_per_1000)}


def _binary_cells(ev: Evidence, sof: SofSettings) -> tuple[str, str, str, str, list[str],
                                                              int | None,
                                                              tuple[int, int, int] | None]:
    ratio = [math.exp(x) for x in (ev.estimate, ev.ci_low, ev.ci_high)]
    relative = f"{ev.measure} {ratio[0]:.2f} ({ratio[1]:.2f} to {ratio[2]:.2f})"
    notes: list[str] = []
    cr = sof.baseline_risk if sof.baseline_risk is not None else ev.control_risk
    if cr is None:
        return relative, "—", "—", "—", notes, None, None
    if sof.baseline_risk is not None:
        notes.append(f"Risk with comparator: declared baseline risk "
                     f"{per_1000(cr)} per 1,000 ({sof.baseline_source or 'source not given'}).")
    else:
        notes.append(f"Risk with comparator: control-arm risk of the included studies, "
                     f"{ev.control_events:g}/{ev.control_total:g}.")
    risks = tuple(per_1000(risk_with_intervention(cr, r, ev.measure)) for r in ratio)
    base = per_1000(cr)
    diffs = [r - base for r in risks]
    return (relative, f"{base} per 1,000",
            f"{risks[0]} per 1,000 ({risks[1]} to {risks[2]})",
            f"{_diff_per_1000(diffs[0])} per 1,000 ({_diff_per_1000(diffs[1])} to "
            f"{_diff_per_1000(diffs[2])})", notes, base,
            (risks[0], risks[1], risks[2]))


def _continuous_cells(ev: Evidence, o: OutcomeResult, sof: SofSettings) -> tuple[str, list[str]]:
    est, lo, hi = ev.estimate, ev.ci_low, ev.ci_high
    parts = [f"{ev.measure} {_direction(est)} ({_direction(lo)} to {_direction(hi)})"]
    notes = []
    if ev.measure == "SMD" and sof.representative_sd is not None:
        sd = sof.representative_sd
        scale = sof.scale or "the outcome's scale"
        parts.append(f"≈ {_direction(est * sd)} on {scale} ({_direction(lo * sd)} to "
                     f"{_direction(hi * sd)})")
        notes.append(f"SMD re-expressed on {scale} by multiplying by a representative SD of "
                     f"{sd:g} ({sof.sd_source or 'source not given'}).")
    if ev.measure != "MD" and "MD" in o.outcome.measures:
        md = evidence_from(o.measure("MD"), level=ev.level)
        if math.isfinite(md.ci_low):
            parts.append(f"MD {_direction(md.estimate)} ({_direction(md.ci_low)} to "
                         f"{_direction(md.ci_high)}; {md.k} "
                         f"{'study' if md.k == 1 else 'studies'}: {', '.join(md.studies)})")
    return "; ".join(parts), notes


def _row(o: OutcomeResult, a: GradeAssessment, sof: SofSettings, level: float) -> SofRow:
    ev = evidence_from(o.measure(a.measure), level=level)
    notes: list[str] = []
    if not ev.pooled and ev.k == 1:
        notes.append(f"Single study ({ev.studies[0]}), not pooled: its own estimate with a "
                     f"Wald {level:.0%} CI.")
    detail = "; ".join(x for x in (o.outcome.scale, sof.follow_up and
                                   f"follow-up: {sof.follow_up}") if x)
    relative = comparator = intervention = "—"
    control = risks = None
    if ev.is_ratio and math.isfinite(ev.estimate):
        relative, comparator, intervention, difference, extra, control, risks = \
            _binary_cells(ev, sof)
        notes += extra
    elif math.isfinite(ev.estimate):
        difference, extra = _continuous_cells(ev, o, sof)
        notes += extra
    else:
        difference = ev.note or "not estimated"
    return SofRow(o.outcome.id, o.outcome.label, detail, ev.total_participants, ev.k,
                  relative, comparator, intervention, difference, a.certainty, a.symbols,
                  sof.comment, (*a.footnotes, *notes), control, risks)


@dataclass(frozen=True, slots=True)
class SummaryOfFindings:
    """The table: title, PICO lines, rows, lettered footnotes (``(letter, text)``)."""

    title: str
    population: str
    intervention: str
    comparison: str
    rows: tuple[SofRow, ...]
    footnotes: tuple[tuple[str, str], ...]
    assessments: tuple[GradeAssessment, ...]

    def letters(self, row: SofRow) -> str:
        """The footnote letters of a row (``"a,b"``)."""
        index = {text: letter for letter, text in self.footnotes}
        return ",".join(dict.fromkeys(index[t] for t in row.footnotes))

    def cells(self, row: SofRow) -> tuple[str, ...]:
        """The printed cells of a row, in :data:`SOF_COLUMNS` order."""
        sup = self.letters(row)
        certainty = f"{row.symbols} {row.certainty}" + (f" ({sup})" if sup else "")
        label = row.label + (f" — {row.detail}" if row.detail else "")
        return (label, row.participants_cell(), row.relative_effect, row.risk_comparator,
                row.risk_intervention, row.difference, certainty, row.comment)

    def header_lines(self) -> tuple[str, ...]:
        """Population, intervention and comparison."""
        return (f"Population: {self.population}", f"Intervention: {self.intervention}",
                f"Comparison: {self.comparison}")

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown (footnotes as a list below the table)."""
        def esc(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")
        out = [f"## {self.title}", "", *(f"{line}  " for line in self.header_lines()), "",
               "| " + " | ".join(SOF_COLUMNS) + " |",
               "|" + "|".join(" --- " for _ in SOF_COLUMNS) + "|"]
        out += ["| " + " | ".join(esc(c) for c in self.cells(r)) + " |" for r in self.rows]
        out += ["", "CI: confidence interval; RR: risk ratio; OR: odds ratio; SMD: "
                "standardized mean difference; MD: mean difference.", ""]
        out += [f"{letter}. {text}  " for letter, text in self.footnotes]
        out += ["", GRADE_LEGEND]
        return "\n".join(out) + "\n"

    def as_html(self) -> str:
        """An HTML fragment (escaped), a ``<table class='lm-sof'>`` with footnotes."""
        esc = html.escape
        out = [f"<section class='lm-sof'><h2>{esc(self.title)}</h2>"]
        out += [f"<p>{esc(line)}</p>" for line in self.header_lines()]
        out.append("<table class='lm-sof'><thead><tr>")
        out += [f"<th>{esc(h)}</th>" for h in SOF_COLUMNS]
        out.append("</tr></thead><tbody>")
        for r in self.rows:
            out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in self.cells(r)) +
                       "</tr>")
        out.append("</tbody></table><ol class='lm-sof-notes' type='a'>")
        out += [f"<li>{esc(text)}</li>" for _, text in self.footnotes]
        out.append(f"</ol><p>{esc(GRADE_LEGEND)}</p></section>")
        return "".join(out)

    def to_docx(self, path: str | Path) -> Path:
        """Write a landscape Word document with an editable table; returns the path."""
        from livingmeta.appraisal._sof_docx import write_sof_docx

        return write_sof_docx(self, Path(path))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary."""
        return {"title": self.title, "population": self.population,
                "intervention": self.intervention, "comparison": self.comparison,
                "rows": [r.to_dict() | {"letters": self.letters(r)} for r in self.rows],
                "footnotes": [{"letter": k, "text": t} for k, t in self.footnotes],
                "assessments": [a.to_dict() for a in self.assessments]}


def _letter(i: int) -> str:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return letters[i] if i < 26 else letters[i // 26 - 1] + letters[i % 26]


def summary_of_findings(result: ReviewResult, inputs: GradeInputs | None = None, *,
                        assessments: tuple[GradeAssessment, ...] | None = None,
                        rob: Mapping[str, Mapping[str, str]] | None = None,
                        level: float = 0.95) -> SummaryOfFindings:
    """Build the Summary of Findings of a review (GRADE computed unless given)."""
    inputs = inputs if inputs is not None else GradeInputs(None, {})
    if assessments is None:
        assessments = grade_review(result, inputs, rob=rob, level=level)
    by_outcome = {a.outcome: a for a in assessments}
    rows = []
    for o in result.outcomes:
        a = by_outcome.get(o.outcome.id)
        if a is None:
            continue
        given = inputs.for_outcome(o.outcome.id)
        rows.append(_row(o, a, given.sof if given is not None else SofSettings(), level))
    texts = list(dict.fromkeys(t for r in rows for t in r.footnotes))
    q = result.question
    intervention = q.get("intervention_label") or q.get("intervention", "intervention")
    comparison = q.get("comparator_label") or q.get("comparator", "comparator")
    return SummaryOfFindings(
        title=f"{intervention} compared with {comparison} for "
              f"{q.get('population', 'the population').lower()}",
        population=q.get("population", ""), intervention=q.get("intervention", ""),
        comparison=q.get("comparator", ""), rows=tuple(rows),
        footnotes=tuple((_letter(i), t) for i, t in enumerate(texts)),
        assessments=tuple(assessments))
