"""The report's figures: Display objects built from a review result, drawn to SVG and PNG.

Nothing statistical happens here: every number drawn was computed by the analysis
layer and is read from the :class:`~livingmeta.review.ReviewResult`.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import matplotlib

from livingmeta.plots import BaujatPlot, ForestPlot, FunnelPlot, SynthesesPlot
from livingmeta.plots._forest_layout import study_row
from livingmeta.plots._forest_rows import critical_z
from livingmeta.plots._style import measure_scale
from livingmeta.review.effects import StudyEffect
from livingmeta.review.results import MeasureResult, OutcomeResult, ReviewResult

__all__ = ["ReportFigure", "build_figures", "favours", "figure_id", "render_png",
           "render_svg", "syntheses_for"]

PNG_DPI = 150.0
_SVG_RC: dict[str, Any] = {"svg.hashsalt": "livingmeta", "svg.fonttype": "path"}
_NO_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}


@dataclass(frozen=True, slots=True)
class ReportFigure:
    """A figure of the report: its id (file name), title, alt text and Display object."""

    id: str
    title: str
    alt: str
    display: Any


def figure_id(*parts: str) -> str:
    """A file-safe id from ``parts`` (``"pain-smd-forest"``)."""
    text = "-".join(parts).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "figure"


def favours(result: ReviewResult, outcome: OutcomeResult) -> tuple[str, str]:
    """(left, right) of the null: the intervention's side is where lower is better."""
    names = (result.question["intervention_label"], result.question["comparator_label"])
    return names if outcome.outcome.direction == "lower" else (names[1], names[0])


def arm_columns(effects: tuple[StudyEffect, ...], names: tuple[str, str],
                ) -> dict[str, list[str]] | None:
    """Arm-data cells of a forest plot: events/total, mean (SD) or the numbers analysed."""
    if not effects:
        return None

    def num(e: StudyEffect, key: str) -> float:
        return float(e.inputs.get(key, math.nan))

    def g(x: float) -> str:
        return "—" if not math.isfinite(x) else f"{x:g}"

    if all(e.data_type == "arm" and "ai" in e.inputs for e in effects):
        return {f"{names[0]}\nevents/total": [f"{g(num(e, 'ai'))}/{g(num(e, 'n1i'))}"
                                            for e in effects],
                f"{names[1]}\nevents/total": [f"{g(num(e, 'ci'))}/{g(num(e, 'n2i'))}"
                                            for e in effects]}
    if all(e.data_type == "arm" and "m1i" in e.inputs for e in effects):
        return {f"{names[0]}\nmean (SD), n": [
                    f"{g(num(e, 'm1i'))} ({g(num(e, 'sd1i'))}), {g(num(e, 'n1i'))}"
                    for e in effects],
                f"{names[1]}\nmean (SD), n": [
                    f"{g(num(e, 'm2i'))} ({g(num(e, 'sd2i'))}), {g(num(e, 'n2i'))}"
                    for e in effects]}
    cells = [f"{g(num(e, 'n1i'))}/{g(num(e, 'n2i'))}" if "n1i" in e.inputs
             else f"{g(num(e, 'ni'))} paired" if "ni" in e.inputs else "—" for e in effects]
    if all(c == "—" for c in cells):
        return None
    return {f"n analysed\n{names[0]}/{names[1]}": cells}


def _label(e: StudyEffect) -> str:
    return e.study + (" *" if e.derived else "")


def _forest(result: ReviewResult, outcome: OutcomeResult, res: MeasureResult,
            appraisal: Any = None) -> ReportFigure:
    label = outcome.outcome.label
    fav = favours(result, outcome)
    names = (result.question["intervention_label"], result.question["comparator_label"])
    fid = figure_id(outcome.outcome.id, res.measure, "forest")
    if res.primary is None:
        return ReportFigure(fid, f"{label} ({res.measure}): studies, not pooled",
                            f"Forest plot of {label} on the {res.measure} scale: "
                            f"{len(res.effects)} stud{'y' if len(res.effects) == 1 else 'ies'}"
                            f" shown without pooling ({res.note}).",
                            _unpooled_forest(res, fav, names, f"{label} ({res.measure})"))
    est = res.primary
    by_study = {e.study: e for e in res.effects if e.status == "included"}
    shown = tuple(by_study[s] for s in est.studies if s in by_study)
    cols = arm_columns(shown, names) if len(shown) == len(est.studies) else None
    if appraisal is not None and res is outcome.main:
        from livingmeta.report.appraisal import forest_rob_columns

        rob = forest_rob_columns(appraisal, outcome.outcome.id, list(est.studies))
        cols = {**(cols or {}), **rob} or None
    model = ("Mantel-Haenszel common-effect model" if est.settings.get("model") == "MH"
             else f"Random-effects model ({est.settings['method']}, "
                  f"{'Hartung-Knapp' if est.settings['test'] == 'knha' else 'z'})")
    plot = ForestPlot.from_result(
        est.fit, labels=[_label(e) for e in shown] if len(shown) == est.k else None,
        measure=res.measure, favours=fav, arm_columns=cols,
        title=f"{label} ({res.measure}), profile {est.profile}", model_label=model,
        prediction=bool(est.settings.get("prediction_interval")))
    return ReportFigure(fid, f"{label} ({res.measure}): forest plot",
                        f"Forest plot of {label} on the {res.measure} scale, {est.k} "
                        f"studies pooled under the {est.profile} profile.", plot)


def _unpooled_forest(res: MeasureResult, fav: tuple[str, str], names: tuple[str, str],
                     title: str) -> ForestPlot:
    """Studies only, no pooled rows (the public constructors always add a pooled model)."""
    scale = measure_scale(res.measure)
    crit = critical_z(0.95)
    cols = arm_columns(res.effects, names)
    cells = list(zip(*cols.values(), strict=True)) if cols else [()] * len(res.effects)
    rows = [study_row(_label(e), e.yi, e.vi, crit, scale, 2, cells=tuple(c))
            for e, c in zip(res.effects, cells, strict=True)]
    return ForestPlot._build(rows, scale, 0.95, list(cols or {}), fav,
                             f"{title}: not pooled", None, 3.0, show_weights=False)


def _diagnostic_figures(result: ReviewResult, outcome: OutcomeResult, res: MeasureResult,
                        ) -> Iterator[ReportFigure]:
    label, oid, m = outcome.outcome.label, outcome.outcome.id, res.measure
    fav = favours(result, outcome)
    est = res.primary
    if est is None:
        return
    for sub in res.subgroups:
        yield ReportFigure(
            figure_id(oid, m, "subgroups", sub.column),
            f"{label} ({m}) by {sub.column}",
            f"Forest plot of {label} in subgroups by {sub.column} "
            f"({', '.join(sub.groups)}), with subtotals and the test for differences.",
            ForestPlot.from_subgroups(sub.fit, overall=est.fit, measure=m, favours=fav,
                                      title=f"{label} ({m}) by {sub.column}",
                                      prediction=bool(est.settings.get("prediction_interval"))))
    years = {e.study: e.year for e in res.effects}
    cum = res.diagnostic("cumulative")
    if cum is not None and cum.result is not None:
        labels = [s if str(years.get(s, "")) in s else f"{s} ({years.get(s, '?')})"
                  for s in cum.result.study]
        yield ReportFigure(
            figure_id(oid, m, "cumulative"), f"{label} ({m}): cumulative by year",
            f"Cumulative forest plot of {label}: the pooled estimate as each study was "
            "added in order of publication year.",
            ForestPlot.from_cumulative(cum.result, labels=labels, measure=m, favours=fav,
                                       title=f"{label} ({m}): cumulative by year"))
    baujat = res.diagnostic("baujat")
    if baujat is not None and baujat.result is not None:
        b = baujat.result
        yield ReportFigure(
            figure_id(oid, m, "baujat"), f"{label} ({m}): Baujat plot",
            f"Baujat plot of {label}: each study's contribution to heterogeneity against "
            "its influence on the pooled result.", BaujatPlot.from_arrays(b.x, b.y, b.study))
    tf = res.diagnostic("trimfill")
    if tf is None or tf.result is None:
        return
    filled = tf.result
    center = float(filled.fit.estimate) if filled.k0 > 0 else est.estimate
    yield ReportFigure(
        figure_id(oid, m, "funnel"), f"{label} ({m}): contour-enhanced funnel plot",
        f"Contour-enhanced funnel plot of {label}: {est.k} studies"
        + (f" and {filled.k0} filled by trim-and-fill" if filled.k0 else "")
        + ", with significance contours at p = 0.10, 0.05 and 0.01.",
        FunnelPlot.from_arrays(
            est.fit.yi, est.fit.vi, center,
            filled_yi=filled.filled_yi, filled_vi=filled.filled_vi,
            measure=m, level=est.level, study=est.studies))


def _measure_code(text: str) -> str:
    return text.split("(")[0].strip().split(" ")[0].upper() if text else ""


def syntheses_for(result: ReviewResult, measure: str) -> tuple[Any, ...]:
    """Published syntheses of the primary outcome on ``measure``, with an estimate."""
    oid = result.primary_outcome.outcome.id
    return tuple(p for p in result.published
                 if p.outcome_id == oid and _measure_code(p.measure) == measure
                 and p.estimate is not None)


def _syntheses(result: ReviewResult) -> Iterator[ReportFigure]:
    outcome = result.primary_outcome
    for res in outcome.measures:
        rows = syntheses_for(result, res.measure)
        if not rows or res.primary is None:
            continue
        label = outcome.outcome.label
        yield ReportFigure(
            figure_id("syntheses", outcome.outcome.id, res.measure),
            f"{label} ({res.measure}): published syntheses and the living estimate",
            f"{len(rows)} published pooled estimates of {label} on the {res.measure} scale, "
            f"ordered by date, above this review's estimate (k = {res.primary.k}) with its "
            "confidence and prediction intervals.",
            SynthesesPlot.from_rows(
                rows, living=res.primary, measure=res.measure, level=res.primary.level,
                living_date=f"data as of {result.provenance.data_date}",
                favours=favours(result, outcome),
                title=f"{label} ({res.measure}): published syntheses and this review"))


def build_figures(result: ReviewResult, appraisal: Any = None,
                  living: Any = None) -> tuple[ReportFigure, ...]:
    """Every figure of the report, in reading order; with an appraisal
    (:class:`~livingmeta.appraisal.ReviewAppraisal`) also RoB columns on the forest plots,
    the risk-of-bias plots and the PRISMA diagram; with living evidence
    (:class:`~livingmeta.review.LivingEvidence`) the TSA and posterior plots."""
    out: list[ReportFigure] = []
    if living is not None:
        from livingmeta.report.living import living_figures

        out.extend(living_figures(living, favours(result, result.outcome(living.outcome))))
    for outcome in result.outcomes:
        for res in outcome.measures:
            out.append(_forest(result, outcome, res, appraisal))
            out.extend(_diagnostic_figures(result, outcome, res))
    out.extend(_syntheses(result))
    if appraisal is not None:
        from livingmeta.report.appraisal import appraisal_figures

        out.extend(appraisal_figures(result, appraisal))
    return tuple(out)


def _clean_svg(svg: str, fid: str, title: str) -> str:
    """Inline-ready SVG: no XML prolog, comments or metadata; ids prefixed by the figure
    id (several SVGs share one HTML document); a <title> for assistive technology."""
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{fid}-{m.group(1)}"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)',
                 lambda m: m.group(1) + (f"{fid}-{m.group(2)}" if m.group(2) in ids
                                         else m.group(2)), svg)
    from html import escape

    head_end = svg.index(">") + 1
    opening = svg[:head_end].replace("<svg ", f'<svg role="img" aria-labelledby='
                                              f'"{fid}-title" ', 1)
    return (f'{opening}<title id="{fid}-title">{escape(title)}</title>'
            f"{svg[head_end:]}")


def render_svg(figure: ReportFigure, drawn: Any = None) -> str:
    """The figure as an inline ``<svg>`` element (drawn now unless ``drawn`` is given)."""
    drawn = drawn if drawn is not None else figure.display.plot()
    buffer = io.StringIO()
    with matplotlib.rc_context(_SVG_RC):  # type: ignore[arg-type]
        drawn.figure.savefig(buffer, format="svg", metadata=_NO_METADATA,
                             facecolor="white")
    return _clean_svg(buffer.getvalue(), figure.id, figure.alt)


def render_png(drawn: Any) -> bytes:
    """PNG bytes of a drawn figure."""
    buffer = io.BytesIO()
    drawn.figure.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white",
                         metadata={"Software": None})
    return buffer.getvalue()
