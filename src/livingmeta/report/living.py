"""The report's living-evidence section: TSA, Bayesian analyses, what-if, what changed.

Formatting only: every number comes from a
:class:`~livingmeta.review.living_results.LivingEvidence`.
"""

from __future__ import annotations

from dataclasses import dataclass

from livingmeta._format import fmt_num
from livingmeta.plots import BayesPosteriorPlot, TSAPlot
from livingmeta.report.figures import ReportFigure, figure_id
from livingmeta.report.sections import FigureRef, Table, row
from livingmeta.review._living_text import (
    SPENDING,
    bayes_line,
    headline,
    tsa_line,
    whatif_lines,
)
from livingmeta.review.living_results import LivingEvidence

__all__ = ["LIVING_HEADING", "LivingView", "living_figures", "living_view"]

#: Heading of the section (present when the review declares living analyses).
LIVING_HEADING = "Living evidence: is it conclusive, how sure, what next, what changed"


@dataclass(frozen=True, slots=True)
class LivingView:
    """What the template shows of the living evidence."""

    tsa_lines: tuple[str, ...]
    tsa_figure: FigureRef | None
    tsa_table: Table | None
    bayes_lines: tuple[str, ...]
    bayes_figures: tuple[FigureRef, ...]
    bayes_table: Table | None
    whatif_lines: tuple[str, ...]
    whatif_table: Table | None
    diff_heading: str
    diff_lines: tuple[str, ...]
    notes: tuple[str, ...]
    headline: str


def _tsa_id(e: LivingEvidence) -> str:
    return figure_id(e.outcome, "tsa")


def _bayes_id(e: LivingEvidence, i: int) -> str:
    return figure_id(e.outcome, "bayes", str(i + 1))


def living_figures(e: LivingEvidence, favours: tuple[str, str]) -> tuple[ReportFigure, ...]:
    """The TSA plot and one posterior plot per tau prior."""
    out: list[ReportFigure] = []
    if e.tsa is not None:
        t = e.tsa
        out.append(ReportFigure(
            _tsa_id(e), f"{e.label}: trial sequential analysis",
            f"Cumulative Z-curve of {e.label.lower()} against {SPENDING.get(t.spending)} "
            f"monitoring and futility boundaries over the required information size of "
            f"{t.ris.ris:,.0f} {t.information}.",
            TSAPlot.from_result(t)))
    for i, b in enumerate(e.bayes):
        out.append(ReportFigure(
            _bayes_id(e, i), f"{e.label}: posterior ({b.tau_prior.description.split(' [')[0]})",
            f"Posterior densities of the pooled {e.measure} and of a new study's effect, "
            f"with the prior, under {b.prior_text}.",
            BayesPosteriorPlot.from_result(b)))
    return tuple(out)


def _tsa_table(e: LivingEvidence) -> Table | None:
    if e.tsa is None:
        return None
    rows = tuple(row(look.study, fmt_num(look.information),
                     f"{100 * look.information_fraction:.1f}%", f"{look.z:.2f}",
                     fmt_num(look.upper), fmt_num(look.lower),
                     fmt_num(look.futility_upper), fmt_num(look.futility_lower))
                 for look in e.tsa.looks)
    return Table(
        f"{e.label}: looks of the trial sequential analysis (z scale)",
        ("Trial", "Information", "Of the RIS", "Z", "Upper bound", "Lower bound",
         "Futility (upper)", "Futility (lower)"), rows,
        note=f"RIS formula: {e.tsa.ris.formula}. {e.tsa.design.description} "
             f"{e.tsa.verdict_reason}")


def _bayes_table(e: LivingEvidence) -> Table | None:
    if not e.bayes:
        return None
    from livingmeta.review._living_text import summarize_living

    table = next(t for t in summarize_living(e).tables if t.title.startswith("Bayesian"))
    return Table(table.title, table.header, tuple(row(*r) for r in table.rows),
                 note="Credible intervals are central 95% intervals; P(any benefit) is the "
                      "posterior probability that the effect favours the intervention; BF01 "
                      "> 1 favours no effect (Savage-Dickey, proper priors only).")


def _whatif_table(e: LivingEvidence) -> Table | None:
    c = e.whatif
    if c is None:
        return None
    from livingmeta.review._living_text import summarize_living

    table = next(t for t in summarize_living(e).tables if t.title.startswith("What a trial"))
    notes = "; ".join(f"{cr.name}: {cr.note}" for cr in c.result.criteria)
    return Table(table.title, table.header, tuple(row(*r) for r in table.rows),
                 note=f"{c.result.draws:,} simulated trials (seed {c.result.seed}); true "
                      f"effect: {c.result.effect_source}. How each is read: {notes}.")


def _version(v: object) -> str:
    return f"{getattr(v, 'id', '')}: {getattr(v, 'label', '')}, {getattr(v, 'date', '')}"


def living_view(e: LivingEvidence) -> LivingView:
    """Sentences, figure references and tables of the living-evidence section."""
    figs = {f.id: f for f in living_figures(e, ("", ""))}

    def ref(fid: str) -> FigureRef | None:
        f = figs.get(fid)
        return None if f is None else FigureRef(f.id, f.title, f.alt)

    notes = tuple(n for n in (e.tsa_note and f"Trial sequential analysis not run: {e.tsa_note}.",
                              e.whatif_note and f"What-if not run: {e.whatif_note}.") if n)
    plan = e.tsa_plan
    why = () if plan is None or not plan.delta_source else (
        f"The information size assumes an effect of {e.measure} {plan.delta:g}: "
        f"{plan.delta_source}.",)
    d = e.diff
    return LivingView(
        tsa_lines=(() if e.tsa is None else (tsa_line(e.tsa, e.label), *why)),
        tsa_figure=ref(_tsa_id(e)), tsa_table=_tsa_table(e),
        bayes_lines=tuple(bayes_line(b) for b in e.bayes),
        bayes_figures=tuple(r for i in range(len(e.bayes))
                            if (r := ref(_bayes_id(e, i))) is not None),
        bayes_table=_bayes_table(e),
        whatif_lines=() if e.whatif is None else whatif_lines(e.whatif, e.measure),
        whatif_table=_whatif_table(e),
        diff_heading="" if d is None else
        f"What changed since the previous version ({_version(d.before.version)} -> "
        f"{_version(d.after.version)})",
        diff_lines=() if d is None else d.lines(),
        notes=notes, headline=headline(e))
