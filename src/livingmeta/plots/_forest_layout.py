"""Rows and columns of a forest plot: the pure computation behind :class:`ForestPlot`.

Nothing here draws. Row y values count down from the top (one unit per row, gaps of one
unit between blocks); column positions and the figure size are in inches, measured from
the glyph outlines so that no two columns overlap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ._style import FONT_SIZE, SMALL_FONT_SIZE, MeasureScale, fmt_interval, text_width

__all__ = ["ForestColumn", "ForestRow"]

ROW_KINDS = ("group", "study", "subtotal", "overall", "prediction", "cumulative", "note", "gap")
GRAPHIC_KINDS = ("study", "subtotal", "overall", "prediction", "cumulative")
MAX_SQUARE = 10.0   # side of the largest study square, points
MIN_SQUARE = 3.0
ROW_HEIGHT = 0.24   # inches per row at FONT_SIZE
COLUMN_GAP = 0.18
MARGIN = 0.15
NAN = math.nan


@dataclass(frozen=True, slots=True)
class ForestRow:
    """One row of a forest plot.

    Attributes
    ----------
    kind : str
        ``"study"``, ``"cumulative"`` (a pooled estimate after adding a study),
        ``"group"`` (subgroup heading), ``"subtotal"``, ``"overall"`` (diamonds),
        ``"prediction"`` (prediction-interval bar), ``"note"`` (heterogeneity and test
        lines) or ``"gap"`` (an empty row between blocks).
    label : str
        Text of the first column (the whole line for notes).
    y : float
        Vertical position in data units; rows further down have smaller y.
    estimate, ci_low, ci_high : float
        Point and interval on the analysis scale (NaN where the row has none; for
        ``"prediction"`` rows the interval is the prediction interval).
    weight : float
        Weight in percent (NaN where not shown).
    cells : tuple of str
        Arm-data cells, one per arm column.
    text : str
        Estimate and interval on the reader's scale, ``"0.41 [0.13, 1.26]"``.
    marker_size : float
        Side of the study square in points (area proportional to weight), 0 otherwise.
    arrow_low, arrow_high : bool
        The interval runs past the left or right axis limit and is drawn with an arrow.
    group : str
        Subgroup of the row ("" outside subgroup blocks).
    """

    kind: str
    label: str
    y: float = 0.0
    estimate: float = NAN
    ci_low: float = NAN
    ci_high: float = NAN
    weight: float = NAN
    cells: tuple[str, ...] = ()
    text: str = ""
    marker_size: float = 0.0
    arrow_low: bool = False
    arrow_high: bool = False
    group: str = ""


@dataclass(frozen=True, slots=True)
class ForestColumn:
    """A text column, its extent in inches from the figure's left edge.

    Attributes
    ----------
    key : str
        ``"label"``, ``"cell0"``, ``"cell1"``, ..., ``"weight"`` or ``"estimate"``.
    header : str
        Column heading (may hold a line break).
    left, right : float
        Horizontal extent of the column's text, inches.
    align : str
        ``"left"``, ``"center"`` or ``"right"``.
    side : str
        ``"left"`` of the plotting area or ``"right"`` of it.
    """

    key: str
    header: str
    left: float
    right: float
    align: str
    side: str

    @property
    def anchor(self) -> float:
        """The x (inches) at which the column's text is anchored."""
        if self.align == "left":
            return self.left
        if self.align == "right":
            return self.right
        return (self.left + self.right) / 2.0


@dataclass(frozen=True, slots=True)
class Layout:
    rows: tuple[ForestRow, ...]
    columns: tuple[ForestColumn, ...]
    xlim: tuple[float, float]
    width: float
    height: float
    plot_left: float
    plot_right: float
    top: float
    bottom: float
    ylim: tuple[float, float]


def study_row(label: str, yi: float, vi: float, crit: float, scale: MeasureScale,
              digits: int, *, weight: float = NAN, cells: tuple[str, ...] = (),
              group: str = "", kind: str = "study") -> ForestRow:
    se = math.sqrt(vi) if math.isfinite(vi) and vi >= 0 else NAN
    return interval_row(kind, label, yi, yi - crit * se, yi + crit * se, scale, digits,
                        weight=weight, cells=cells, group=group)


def interval_row(kind: str, label: str, estimate: float, low: float, high: float,
                 scale: MeasureScale, digits: int, *, weight: float = NAN,
                 cells: tuple[str, ...] = (), group: str = "") -> ForestRow:
    shown = [float(v) for v in scale.to_display([estimate, low, high])]
    text = fmt_interval(shown[0], shown[1], shown[2], digits=digits)
    if kind == "prediction":
        text = text.split(" ", 1)[1]
    if not math.isfinite(estimate) and kind != "prediction":
        text = "Not estimable"
    return ForestRow(kind, label, estimate=float(estimate), ci_low=float(low),
                     ci_high=float(high), weight=float(weight), cells=cells, text=text,
                     group=group)


def default_xlim(rows: Sequence[ForestRow], null: float) -> tuple[float, float]:
    """All intervals and the null, unless a few very wide intervals would squash the rest."""
    drawn = [r for r in rows if r.kind in GRAPHIC_KINDS]
    bounds = np.array([v for r in drawn for v in (r.ci_low, r.ci_high)] + [null])
    points = np.array([r.estimate for r in drawn] + [null])
    points = np.concatenate([points, [r.ci_low for r in drawn if r.kind != "study"],
                             [r.ci_high for r in drawn if r.kind != "study"]])
    bounds, points = bounds[np.isfinite(bounds)], points[np.isfinite(points)]
    lo, hi = float(bounds.min()), float(bounds.max())
    p_lo, p_hi = float(points.min()), float(points.max())
    span = max(p_hi - p_lo, 1e-3)
    lo, hi = max(lo, p_lo - 1.5 * span), min(hi, p_hi + 1.5 * span)
    if hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    pad = 0.04 * (hi - lo)
    return lo - pad, hi + pad


def finish_rows(rows: Sequence[ForestRow], xlim: tuple[float, float]) -> tuple[ForestRow, ...]:
    """Assign y positions (top row highest), square sizes and clipping arrows."""
    weights = np.array([r.weight for r in rows if r.kind == "study"], dtype=float)
    finite = weights[np.isfinite(weights) & (weights > 0)]
    w_max = float(finite.max()) if finite.size else NAN
    out = []
    n = len(rows)
    for i, row in enumerate(rows):
        size = 0.0
        if row.kind == "study" and math.isfinite(row.estimate):
            if math.isfinite(w_max) and math.isfinite(row.weight) and row.weight > 0:
                size = max(MIN_SQUARE, MAX_SQUARE * math.sqrt(row.weight / w_max))
            else:
                size = MIN_SQUARE + 2.0
        graphic = row.kind in GRAPHIC_KINDS
        out.append(replace(
            row, y=float(n - i), marker_size=size,
            arrow_low=graphic and bool(row.ci_low < xlim[0]),
            arrow_high=graphic and bool(row.ci_high > xlim[1])))
    return tuple(out)


def _widest(texts: Sequence[str], size: float = FONT_SIZE, bold: bool = False) -> float:
    return max((text_width(t, size, bold) for t in texts if t), default=0.0)


def layout(rows: Sequence[ForestRow], *, headers: dict[str, str], cell_headers: Sequence[str],
           xlim: tuple[float, float], plot_width: float, title: str | None,
           show_weights: bool) -> Layout:
    """Place the columns left and right of a plotting area ``plot_width`` inches wide."""
    finished = finish_rows(rows, xlim)
    bold_kinds = ("group", "subtotal", "overall")
    columns: list[ForestColumn] = []
    x = MARGIN
    label_rows = [r for r in finished if r.kind not in ("note", "gap")]
    label_width = max(_widest([r.label for r in label_rows if r.kind not in bold_kinds]),
                      _widest([r.label for r in label_rows if r.kind in bold_kinds], bold=True),
                      _widest([headers["label"]], bold=True))
    columns.append(ForestColumn("label", headers["label"], x, x + label_width, "left", "left"))
    x += label_width + COLUMN_GAP
    for j, header in enumerate(cell_headers):
        width = max(_widest([r.cells[j] for r in finished if len(r.cells) > j]),
                    _widest([header], bold=True))
        columns.append(ForestColumn(f"cell{j}", header, x, x + width, "center", "left"))
        x += width + COLUMN_GAP
    plot_left = x + 0.05
    plot_right = plot_left + plot_width
    x = plot_right + COLUMN_GAP + 0.05
    if show_weights:
        width = max(_widest([f"{r.weight:.1f}%" for r in finished if math.isfinite(r.weight)],
                            bold=True), _widest([headers["weight"]], bold=True))
        columns.append(ForestColumn("weight", headers["weight"], x, x + width, "right", "right"))
        x += width + COLUMN_GAP
    width = max(_widest([r.text for r in finished], bold=True),
                _widest([headers["estimate"]], bold=True))
    columns.append(ForestColumn("estimate", headers["estimate"], x, x + width, "right", "right"))
    notes = _widest([r.label for r in finished if r.kind == "note"], SMALL_FONT_SIZE)
    titles = _widest([title or ""], size=FONT_SIZE + 2, bold=True)
    total = max(x + width, MARGIN + notes, MARGIN + titles) + MARGIN
    header_lines = max(h.count("\n") + 1 for h in [*headers.values(), *cell_headers])
    top = 0.1 + 0.17 * header_lines + 0.08 + (0.3 if title else 0.0)
    bottom = 0.72
    n = len(finished)
    ylim = (0.4, n + 0.6)
    height = top + (ylim[1] - ylim[0]) * ROW_HEIGHT + bottom
    return Layout(finished, tuple(columns), xlim, total, height, plot_left, plot_right,
                  top, bottom, ylim)
