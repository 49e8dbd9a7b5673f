"""Write a :class:`~livingmeta.appraisal.sof.SummaryOfFindings` as an editable .docx.

python-docx builds a real Word table (style "Table Grid") on a landscape page, with the
PICO lines above and the lettered footnotes and the GRADE legend below, so that a
guideline panel can edit the cells in Word.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Cm, Pt

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.appraisal.sof import SummaryOfFindings

__all__ = ["write_sof_docx"]


def write_sof_docx(sof: SummaryOfFindings, path: Path) -> Path:
    """Write the table to ``path`` (landscape A4) and return the path."""
    from livingmeta.appraisal.sof import GRADE_LEGEND, SOF_COLUMNS

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    doc.add_heading(sof.title, level=1)
    for line in sof.header_lines():
        doc.add_paragraph(line)
    table = doc.add_table(rows=1, cols=len(SOF_COLUMNS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, SOF_COLUMNS, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.size = Pt(9)
    for row in sof.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, sof.cells(row), strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).font.size = Pt(9)
    doc.add_paragraph("CI: confidence interval; RR: risk ratio; OR: odds ratio; SMD: "
                      "standardized mean difference; MD: mean difference.")
    for letter, text in sof.footnotes:
        doc.add_paragraph(f"{letter}. {text}").runs[0].font.size = Pt(8)
    doc.add_paragraph(GRADE_LEGEND).runs[0].font.size = Pt(8)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path
