"""The PRISMA 2020 flow diagram, drawn from a computed :class:`~livingmeta.records.PrismaFlow`.

The boxes and arrows follow Page et al. 2021 (BMJ 372:n71), Fig 1: "Identification of
new studies via databases and registers" on the left, "... via other methods" on the
right, phases Identification / Screening / Included down the side, and, for an updated
review (``flow.updated``), the "Previous studies" column with the totals. Two boxes are
added where the flow has them: reports awaiting classification (PRISMA 2020 item 16a)
and records or reports not yet decided (while screening is under way).

>>> from livingmeta.records import load_records
>>> from livingmeta.review import embedded_review_path
>>> diagram = PrismaDiagram.from_flow(load_records(embedded_review_path()).flow)
>>> print(diagram.box("included").text)
Studies included in review (n = 4)
Reports of included studies (n = 14)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import FancyArrowPatch, Rectangle

from livingmeta.records.flow import PrismaFlow

from ._style import FONT_SIZE, PALETTE, DrawnPlot, resolve_axes

__all__ = ["PrismaBox", "PrismaDiagram"]

_LINE = 0.19      # inches per text line
_PAD = 0.12       # inches of padding above and below the text
_GAP = 0.38       # inches between rows
_COL_GAP = 0.35   # inches between columns


@dataclass(frozen=True, slots=True)
class PrismaBox:
    """One box of the diagram, in inches from the top-left corner.

    Attributes
    ----------
    key : str
        ``identified``, ``removed``, ``screened``, ``excluded``, ``sought``,
        ``not_retrieved``, ``assessed``, ``reports_excluded``, ``included``,
        ``awaiting``, ``other_identified``, ``other_sought``, ``other_not_retrieved``,
        ``other_assessed``, ``other_excluded``, ``previous``, ``total``, ``header_*``,
        ``phase_*``.
    text : str
    x, y, width, height : float
    kind : str
        ``box``, ``header`` (column title) or ``phase`` (side label).
    """

    key: str
    text: str
    x: float
    y: float
    width: float
    height: float
    kind: str = "box"


def _n(label: str, n: int) -> str:
    return f"{label} (n = {n})"


def _texts(flow: PrismaFlow) -> dict[str, str]:
    ident = ["Records identified from:", _n("  Databases", sum(n for _, n in flow.databases))]
    ident += [_n(f"    {name}", n) for name, n in flow.databases]
    ident += [_n("  Registers", sum(n for _, n in flow.registers))]
    ident += [_n(f"    {name}", n) for name, n in flow.registers]
    other = ["Records identified from:"]
    other += [_n(f"  {name[:1].upper()}{name[1:]}", n) for name, n in flow.other_sources]
    if flow.other_duplicates_removed:
        other.append(_n("Duplicate records removed", flow.other_duplicates_removed))
    excluded = [_n("Records excluded", flow.records_excluded)]
    if flow.records_pending:
        excluded.append(_n("Records not yet screened", flow.records_pending))

    def reasons(pairs: tuple[tuple[str, int], ...], pending: int) -> str:
        lines = ["Reports excluded:"] + [_n(f"  {r}", n) for r, n in pairs]
        if not pairs:
            lines[0] = _n("Reports excluded", 0)
        if pending:
            lines.append(_n("Reports not yet assessed", pending))
        return "\n".join(lines)

    new = "New studies" if flow.updated else "Studies"
    reports = "Reports of new included studies" if flow.updated else \
        "Reports of included studies"
    return {
        "identified": "\n".join(ident),
        "removed": "\n".join([
            "Records removed before screening:",
            _n("  Duplicate records removed", flow.duplicates_removed),
            _n("  Records marked as ineligible\n  by automation tools",
               flow.removed_by_automation),
            _n("  Records removed for other reasons", flow.removed_other_reasons)]),
        "screened": _n("Records screened", flow.records_screened),
        "excluded": "\n".join(excluded),
        "sought": _n("Reports sought for retrieval", flow.reports_sought),
        "not_retrieved": _n("Reports not retrieved", flow.reports_not_retrieved),
        "assessed": _n("Reports assessed for eligibility", flow.reports_assessed),
        "reports_excluded": reasons(flow.reports_excluded, flow.reports_pending),
        "other_identified": "\n".join(other),
        "other_sought": _n("Reports sought for retrieval", flow.other_reports_sought),
        "other_not_retrieved": _n("Reports not retrieved", flow.other_reports_not_retrieved),
        "other_assessed": _n("Reports assessed for eligibility", flow.other_reports_assessed),
        "other_excluded": reasons(flow.other_reports_excluded, flow.other_reports_pending),
        "included": f"{_n(new + ' included in review', flow.studies_included)}\n"
                    f"{_n(reports, flow.reports_included)}",
        "awaiting": "\n".join([
            _n("Reports awaiting classification",
               flow.reports_awaiting + flow.other_reports_awaiting),
            _n("Studies awaiting classification", flow.studies_awaiting)]),
        "previous": "\n".join([
            _n("Studies included in previous\nversion of review", flow.previous_studies),
            _n("Reports of studies included in\nprevious version of review",
               flow.previous_reports)]),
        "total": "\n".join([_n("Total studies included in review", flow.total_studies),
                            _n("Reports of total included studies", flow.total_reports)]),
    }


def _height(text: str) -> float:
    return _LINE * (text.count("\n") + 1) + 2 * _PAD


@dataclass(frozen=True, slots=True)
class PrismaDiagram:
    """The PRISMA 2020 flow diagram as positioned boxes and arrows.

    Attributes
    ----------
    flow : PrismaFlow
        The counts drawn.
    boxes : tuple of PrismaBox
    arrows : tuple of (from key, to key)
    width, height : float
        Size of the drawing in inches.
    """

    flow: PrismaFlow
    boxes: tuple[PrismaBox, ...]
    arrows: tuple[tuple[str, str], ...]
    width: float
    height: float

    def box(self, key: str) -> PrismaBox:
        """The box with that key (KeyError when the diagram has none)."""
        for b in self.boxes:
            if b.key == key:
                return b
        raise KeyError(key)

    @classmethod
    def from_flow(cls, flow: PrismaFlow) -> PrismaDiagram:
        """Lay out the diagram of ``flow`` (the updated-review variant when
        ``flow.updated``)."""
        t = _texts(flow)
        phase_w, main_w, side_w = 0.35, 2.9, 3.4
        x0 = phase_w + _COL_GAP
        prev_x = x0
        if flow.updated:
            x0 += 2.6 + _COL_GAP
        db_x, db_side = x0, x0 + main_w + _COL_GAP
        ot_x = db_side + side_w + 2 * _COL_GAP
        ot_side = ot_x + main_w + _COL_GAP
        width = ot_side + side_w + 0.1
        rows: list[tuple[str | None, ...]] = [("identified", "removed", "other_identified", None),
                ("screened", "excluded", None, None),
                ("sought", "not_retrieved", "other_sought", "other_not_retrieved"),
                ("assessed", "reports_excluded", "other_assessed", "other_excluded"),
                ("included", None, None, "awaiting")]
        xs = (db_x, db_side, ot_x, ot_side)
        ws = (main_w, side_w, main_w, side_w)
        boxes: list[PrismaBox] = []
        header_h = 0.5
        y = 0.1
        headers = [("header_db", "Identification of new studies via databases and registers",
                    db_x, db_side + side_w - db_x),
                   ("header_other", "Identification of new studies via other methods",
                    ot_x, ot_side + side_w - ot_x)]
        if flow.updated:
            headers.insert(0, ("header_previous", "Previous studies", prev_x, 2.6))
        for name, text, x, w in headers:
            boxes.append(PrismaBox(name, text, x, y, w, header_h, "header"))
        y += header_h + _GAP
        row_tops: list[tuple[float, float]] = []
        for row in rows:
            h = max(_height(t[k]) for k in row if k is not None)
            if row[0] == "included":
                h = max(h, 0.95)  # room for the phase label beside it
            for key, x, w in zip(row, xs, ws, strict=True):
                if key is None or (key == "awaiting" and not (
                        flow.reports_awaiting + flow.other_reports_awaiting)):
                    continue
                boxes.append(PrismaBox(key, t[key], x, y, w, _height(t[key])))
            row_tops.append((y, h))
            y += h + _GAP
        arrows = [("identified", "removed"), ("identified", "screened"),
                  ("screened", "excluded"), ("screened", "sought"),
                  ("sought", "not_retrieved"), ("sought", "assessed"),
                  ("assessed", "reports_excluded"), ("assessed", "included"),
                  ("other_identified", "other_sought"),
                  ("other_sought", "other_not_retrieved"), ("other_sought", "other_assessed"),
                  ("other_assessed", "other_excluded"), ("other_assessed", "included")]
        if flow.updated:
            top = row_tops[0][0]
            boxes.append(PrismaBox("previous", t["previous"], prev_x, top, 2.6,
                                   _height(t["previous"])))
            total_y = y
            boxes.append(PrismaBox("total", t["total"], db_x, total_y, main_w,
                                   _height(t["total"])))
            arrows += [("included", "total"), ("previous", "total")]
            y += _height(t["total"]) + _GAP
        phases = [("phase_identification", "Identification", row_tops[0][0],
                   row_tops[0][1]),
                  ("phase_screening", "Screening", row_tops[1][0],
                   row_tops[3][0] + row_tops[3][1] - row_tops[1][0]),
                  ("phase_included", "Included", row_tops[4][0],
                   y - _GAP - row_tops[4][0])]
        for name, text, top, h in phases:
            boxes.append(PrismaBox(name, text, 0.1, top, phase_w, h, "phase"))
        keys = {b.key for b in boxes}
        return cls(flow, tuple(boxes), tuple(a for a in arrows if a[0] in keys
                                               and a[1] in keys), width, y)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[PrismaDiagram]:
        """Draw the diagram; returns a :class:`DrawnPlot`. ``style``: ``fontsize``."""
        size = float(style.get("fontsize", FONT_SIZE))
        figure, ax = resolve_axes(ax, self.width, self.height)
        ax.set_xlim(0, self.width)
        ax.set_ylim(self.height, 0)
        ax.set_axis_off()
        for b in self.boxes:
            face = {"header": "#FDE9C8", "phase": "#D6E9F8"}.get(b.kind, "white")
            ax.add_patch(Rectangle((b.x, b.y), b.width, b.height, facecolor=face,
                                   edgecolor=PALETTE["black"], linewidth=0.8))
            if b.kind == "phase":
                ax.text(b.x + b.width / 2, b.y + b.height / 2, b.text, rotation=90,
                        ha="center", va="center", fontsize=size, fontweight="bold")
            elif b.kind == "header":
                ax.text(b.x + b.width / 2, b.y + b.height / 2, b.text, ha="center",
                        va="center", fontsize=size, fontweight="bold")
            else:
                ax.text(b.x + 0.1, b.y + _PAD, b.text, ha="left", va="top", fontsize=size,
                        linespacing=1.25)
        for start, end in self.arrows:
            self._arrow(ax, self.box(start), self.box(end))
        return DrawnPlot(figure, ax, self)

    @staticmethod
    def _arrow(ax: Axes, a: PrismaBox, b: PrismaBox) -> None:
        if abs(a.y - b.y) < 1e-9:
            start = (a.x + a.width, a.y + a.height / 2)
            end = (b.x, a.y + a.height / 2)
        elif abs(a.x - b.x) < 1e-9:
            start = (a.x + a.width / 2, a.y + a.height)
            end = (a.x + a.width / 2, b.y)
        else:
            # Down from a, then sideways into b (other methods -> included; previous -> total)
            corner_y = b.y + b.height / 2
            mid_x = a.x + a.width / 2
            ax.plot([mid_x, mid_x], [a.y + a.height, corner_y], color=PALETTE["black"],
                    linewidth=0.8)
            start = (mid_x, corner_y)
            end = (b.x + b.width, corner_y) if mid_x > b.x else (b.x, corner_y)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10,
                                     color=PALETTE["black"], linewidth=0.8,
                                     shrinkA=0, shrinkB=0))

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw and write to ``path`` (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)
