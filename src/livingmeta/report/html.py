"""The report's HTML: one self-contained page rendered by jinja2 with autoescaping.

Figures are inlined as SVG (drawn by :mod:`livingmeta.report.figures`), the stylesheet
is inlined, and the page loads nothing: the only external addresses in it are the
provenance links to the sources of the numbers.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from livingmeta.report.figures import ReportFigure, build_figures, render_svg, syntheses_for
from livingmeta.report.methods import methods_text
from livingmeta.report.sections import (
    FigureRef,
    answer_lines,
    outcome_sections,
    provenance_table,
    software_table,
    syntheses_table,
)
from livingmeta.review.results import ReviewResult

__all__ = ["SECTION_HEADINGS", "render_html", "render_report_html"]

#: The top-level headings of every report, in order.
SECTION_HEADINGS = (
    "The answer in plain words",
    "Results by outcome",
    "Published syntheses and the living estimate",
    "Provenance of every study effect",
    "Methods",
    "Software, data versions and input digests",
    "Warnings",
)

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("livingmeta.report", "templates"),
    autoescape=True, trim_blocks=True, lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def _versions() -> dict[str, str]:
    out = {}
    for name in ("numpy", "scipy", "matplotlib", "jinja2"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return out


def _stylesheet() -> str:
    return (importlib.resources.files("livingmeta.report") / "templates" / "report.css"
            ).read_text(encoding="utf-8")


def render_html(result: ReviewResult, figures: tuple[ReportFigure, ...],
                svgs: Mapping[str, str], appraisal: Any = None, living: Any = None) -> str:
    """The page, given the figures and their inline SVG markup (by figure id), the
    review's appraisal (PRISMA, risk of bias, GRADE, Summary of Findings) and its living
    evidence (TSA, Bayesian analyses, what-if, what changed) when given."""
    from livingmeta.report.appraisal import APPRAISAL_HEADINGS, appraisal_view
    from livingmeta.report.living import LIVING_HEADING, living_view

    by_id = {f.id: f for f in figures}
    lines, per_outcome = answer_lines(result)
    synth = [(FigureRef(f.id, f.title, f.alt),
              syntheses_table(result, syntheses_for(result, f.display.scale.measure)))
             for f in figures if f.id.startswith("syntheses-")]
    template = _ENV.get_template("report.html.j2")
    return template.render(
        result=result, headings=SECTION_HEADINGS, answer=lines, per_outcome=per_outcome,
        outcomes=outcome_sections(result, by_id), syntheses=synth,
        provenance=provenance_table(result), methods=methods_text(result),
        software=software_table(result, _versions()),
        svg={k: Markup(v) for k, v in svgs.items()},
        appraisal=None if appraisal is None else appraisal_view(result, appraisal, figures),
        appraisal_headings=APPRAISAL_HEADINGS,
        living=None if living is None else living_view(living), living_heading=LIVING_HEADING,
        stylesheet=Markup(_stylesheet()))


def render_report_html(result: ReviewResult, appraisal: Any = None,
                       living: Any = None) -> str:
    """The whole report as one HTML string, figures inlined as SVG (writes nothing).

    Parameters
    ----------
    result : ReviewResult
        From :func:`~livingmeta.review.run_review`.
    appraisal, living : optional
        As :func:`~livingmeta.report.write_report` takes them.

    Returns
    -------
    str
        A complete HTML document that loads no external resource.
    """
    figures = build_figures(result, appraisal, living)
    return render_html(result, figures, {f.id: render_svg(f) for f in figures}, appraisal,
                       living)
