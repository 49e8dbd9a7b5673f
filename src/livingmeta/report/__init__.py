"""The HTML report of a review: one self-contained folder that opens offline.

:func:`write_report` writes::

    <out_dir>/
      index.html          the report: figures inlined as SVG, one inline stylesheet,
                          no script, font or stylesheet loaded from anywhere
      report.json         ReviewResult.to_dict(): every number of the report
      figures/<id>.svg    each figure, also as
      figures/<id>.png    PNG, for reuse in papers and slides
      .livingmeta-report  marker: this folder may be replaced by the next report

The folder is built beside ``out_dir`` and renamed into place at the end, so a failure
leaves any previous report untouched. :func:`render_report_html` returns the page alone
and writes nothing. The content (STYLE.md: presentation only, no statistics here): the
answer in plain words and what changed, forest plots per outcome and measure, the
method-profile table, sensitivity, subgroup, cumulative, leave-one-out and influence
results, the small-study section, published syntheses beside the living estimate, the
provenance of every study effect, an auto-written methods paragraph with references,
software and data versions, input digests and the warnings issued.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from livingmeta._io import build_folder_atomically, check_replaceable_folder
from livingmeta.report.figures import ReportFigure, build_figures, render_png, render_svg
from livingmeta.report.html import SECTION_HEADINGS, render_html, render_report_html
from livingmeta.review.results import ReviewResult

__all__ = ["MARKER_FILE", "SECTION_HEADINGS", "render_report_html", "write_report"]

#: Name of the file that marks a folder as a livingmeta report (safe to replace).
MARKER_FILE = ".livingmeta-report"


def _build(result: ReviewResult, folder: Path, appraisal: Any = None,
           living: Any = None) -> Path:
    """Write the whole report into ``folder`` (which exists and is empty)."""
    figures = build_figures(result, appraisal, living)
    figure_dir = folder / "figures"
    figure_dir.mkdir()
    svgs: dict[str, str] = {}
    for fig in figures:
        svgs[fig.id] = _write_figure(fig, figure_dir)
    (folder / "report.json").write_text(
        json.dumps(result.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n",
        encoding="utf-8")
    if appraisal is not None:
        (folder / "appraisal.json").write_text(
            json.dumps(appraisal.to_dict(), indent=1, ensure_ascii=False) + "\n",
            encoding="utf-8")
        (folder / "summary-of-findings.md").write_text(appraisal.sof.as_markdown(),
                                                      encoding="utf-8")
        appraisal.sof.to_docx(folder / "summary-of-findings.docx")
    index = folder / "index.html"
    if living is not None:
        (folder / "living.json").write_text(
            json.dumps(living.to_dict(), indent=1, ensure_ascii=False, allow_nan=False) + "\n",
            encoding="utf-8")
    index.write_text(render_html(result, figures, svgs, appraisal, living), encoding="utf-8")
    (folder / MARKER_FILE).write_text(
        f"livingmeta report, version {result.provenance.package_version}\n",
        encoding="utf-8")
    return index


def _write_figure(fig: ReportFigure, figure_dir: Path) -> str:
    """Draw one figure once, write its SVG and PNG files; return the inline SVG."""
    drawn = fig.display.plot()
    svg = render_svg(fig, drawn)
    (figure_dir / f"{fig.id}.svg").write_text(
        f'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n{svg}\n', encoding="utf-8")
    (figure_dir / f"{fig.id}.png").write_bytes(render_png(drawn))
    return svg


def write_report(result: ReviewResult, out_dir: str | Path, *,
                 appraisal: Any = None, living: Any = None) -> Path:
    """Write the HTML report of ``result`` into the folder ``out_dir``.

    Parameters
    ----------
    result : ReviewResult
        From :func:`~livingmeta.review.run_review`.
    out_dir : str or Path
        The report folder. Created if absent; an existing folder is replaced only when
        it is empty or a previous livingmeta report (it holds :data:`MARKER_FILE`).
    appraisal : ReviewAppraisal, optional
        From :func:`~livingmeta.appraisal.appraise_review`: adds the Summary of Findings
        (also as ``summary-of-findings.docx`` and ``.md``), GRADE, risk-of-bias plots and
        RoB columns, and the PRISMA 2020 diagram (``appraisal.json`` holds its numbers).
    living : LivingEvidence, optional
        From :func:`~livingmeta.review.living_evidence`: adds the living-evidence section
        (TSA plot and looks, Bayesian posteriors, the what-if table, what changed since
        the previous version); ``living.json`` holds its numbers.

    Returns
    -------
    Path
        The path of ``index.html``.

    Raises
    ------
    ParameterError
        ``out_dir`` is a file, or a non-empty folder that is not a livingmeta report.

    Notes
    -----
    Everything is written into a temporary folder beside ``out_dir`` and renamed into
    place at the end: if anything fails, ``out_dir`` is left as it was.
    """
    target = Path(out_dir).expanduser().absolute()
    check_replaceable_folder(target, MARKER_FILE, "report")
    build_folder_atomically(target, lambda folder: _build(result, folder, appraisal, living))
    return target / "index.html"
