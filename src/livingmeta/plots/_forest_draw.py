"""Drawing a :class:`~livingmeta.plots.ForestPlot` on matplotlib (all layout is computed
beforehand; this module only turns rows and columns into artists)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Polygon, Rectangle
from matplotlib.transforms import ScaledTranslation, Transform, blended_transform_factory

from livingmeta.errors import ParameterError

from ._forest_layout import GRAPHIC_KINDS, ForestColumn, ForestRow
from ._style import FONT_SIZE, PALETTE, SMALL_FONT_SIZE, TITLE_FONT_SIZE, new_figure

if TYPE_CHECKING:  # pragma: no cover
    from .forest import ForestPlot

STYLE_KEYS = ("square_color", "diamond_color", "subtotal_color", "line_color", "font_size")
DIAMOND_HALF_HEIGHT = 0.34


def draw_forest(display: ForestPlot, ax: Axes | None, **style: Any) -> tuple[Figure, Axes]:
    unknown = sorted(set(style) - set(STYLE_KEYS))
    if unknown:
        raise ParameterError(f"Unknown style options {unknown}; expected some of "
                             f"{list(STYLE_KEYS)}.")
    colors = {"square": style.get("square_color", PALETTE["blue"]),
              "diamond": style.get("diamond_color", PALETTE["black"]),
              "subtotal": style.get("subtotal_color", PALETTE["grey"]),
              "line": style.get("line_color", PALETTE["black"])}
    size = float(style.get("font_size", FONT_SIZE))
    if ax is None:
        figure = new_figure(display.width, display.height)
        ax = figure.add_axes((
            display.plot_left / display.width, display.bottom / display.height,
            (display.plot_right - display.plot_left) / display.width,
            1.0 - (display.top + display.bottom) / display.height))
        if display.title:
            figure.text(0.15 / display.width, 1.0 - 0.12 / display.height, display.title,
                        ha="left", va="top", fontsize=TITLE_FONT_SIZE, fontweight="bold")
    else:
        parent = ax.get_figure()
        if not isinstance(parent, Figure):
            raise ParameterError("The 'ax' parameter must be an Axes placed on a Figure.")
        figure = parent
    ax.set_xlim(*display.xlim)
    ax.set_ylim(*display.ylim)
    _axis(display, figure, ax, size)
    for row in display.rows:
        _draw_row(ax, row, display.xlim, colors)
    _reference_line(display, ax)
    _text(display, figure, ax, size)
    return figure, ax


def _axis(display: ForestPlot, fig: Figure, ax: Axes, size: float) -> None:
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_bounds(*display.xlim)
    ax.set_yticks([])
    ax.set_xticks(list(display.ticks), list(display.tick_labels))
    ax.tick_params(axis="x", labelsize=size - 0.5, length=3)
    under = blended_transform_factory(ax.transAxes, ax.transAxes)
    ax.text(0.5, 0.0, display.scale.axis_label, transform=under + ScaledTranslation(
        0, -19 / 72, fig.dpi_scale_trans), ha="center", va="top", fontsize=size - 0.5)
    if display.favours is not None:
        null = display.scale.null
        if display.xlim[0] < null < display.xlim[1]:
            where = blended_transform_factory(ax.transData, ax.transAxes) + ScaledTranslation(
                0, -33 / 72, fig.dpi_scale_trans)
            left, right = display.favours
            ax.text(null, 0, f"← Favours {left}  ", transform=where, ha="right", va="top",
                    fontsize=size - 0.5)
            ax.text(null, 0, f"  Favours {right} →", transform=where, ha="left", va="top",
                    fontsize=size - 0.5)


def _draw_row(ax: Axes, row: ForestRow, xlim: tuple[float, float],
              colors: dict[str, str]) -> None:
    if row.kind not in GRAPHIC_KINDS or not math.isfinite(row.estimate):
        if not (row.kind == "prediction" and math.isfinite(row.ci_low)):
            return
    lo, hi = max(row.ci_low, xlim[0]), min(row.ci_high, xlim[1])
    y = row.y
    if row.kind in ("study", "cumulative"):
        if math.isfinite(lo) and math.isfinite(hi) and lo < hi:
            ax.plot([lo, hi], [y, y], color=colors["line"], lw=1.0, zorder=3,
                    solid_capstyle="butt")
        if xlim[0] <= row.estimate <= xlim[1]:
            if row.kind == "study":
                ax.scatter([row.estimate], [y], s=row.marker_size**2, marker="s",
                           color=colors["square"], linewidths=0, zorder=2)
            else:
                ax.scatter([row.estimate], [y], s=30, marker="o", color=colors["diamond"],
                           linewidths=0, zorder=4)
        _arrows(ax, row, xlim, colors["line"])
    elif row.kind in ("subtotal", "overall"):
        est = min(max(row.estimate, xlim[0]), xlim[1])
        h = DIAMOND_HALF_HEIGHT
        fill = colors["diamond"] if row.kind == "overall" else colors["subtotal"]
        ax.add_patch(Polygon([(lo, y), (est, y + h), (hi, y), (est, y - h)], closed=True,
                             facecolor=fill, edgecolor=colors["diamond"], lw=0.8, zorder=3))
        _arrows(ax, row, xlim, colors["line"])
    elif row.kind == "prediction":
        ax.add_patch(Rectangle((lo, y - 0.1), hi - lo, 0.2, facecolor=PALETTE["light_grey"],
                               edgecolor=colors["line"], lw=0.8, zorder=3))
        ax.plot([row.estimate] * 2, [y - 0.16, y + 0.16], color=colors["line"], lw=1.0,
                zorder=4)
        _arrows(ax, row, xlim, colors["line"])


def _arrows(ax: Axes, row: ForestRow, xlim: tuple[float, float], color: str) -> None:
    for flag, x, marker in ((row.arrow_low, xlim[0], "<"), (row.arrow_high, xlim[1], ">")):
        if flag:
            ax.plot([x], [row.y], marker=marker, markersize=4.5, color=color,
                    linestyle="none", zorder=5, clip_on=False)


def _reference_line(display: ForestPlot, ax: Axes) -> None:
    null = display.scale.null
    graphic = [r.y for r in display.rows if r.kind in GRAPHIC_KINDS]
    if not graphic or not display.xlim[0] <= null <= display.xlim[1]:
        return
    ax.plot([null, null], [min(graphic) - 0.5, display.ylim[1]], color=PALETTE["black"],
            lw=0.8, zorder=1)
    overall = [r for r in display.rows if r.kind == "overall" and math.isfinite(r.estimate)]
    for row in overall:
        ax.plot([row.estimate] * 2, [row.y, display.ylim[1]], color=PALETTE["grey"],
                lw=0.7, ls=(0, (3, 3)), zorder=1)


def _column_transform(col: ForestColumn, display: ForestPlot, fig: Figure, ax: Axes
                      ) -> Transform:
    base = blended_transform_factory(ax.transAxes, ax.transData)
    if col.side == "left":
        return base + ScaledTranslation(col.anchor - display.plot_left, 0, fig.dpi_scale_trans)
    return base + ScaledTranslation(col.anchor - display.plot_right, 0,
                                    fig.dpi_scale_trans)


def _text(display: ForestPlot, fig: Figure, ax: Axes, size: float) -> None:
    header_y = display.ylim[1] + 0.15
    for col in display.columns:
        anchor_x = 0.0 if col.side == "left" else 1.0
        transform = _column_transform(col, display, fig, ax)
        ax.text(anchor_x, header_y, col.header, transform=transform, ha=col.align,
                va="bottom", fontsize=size, fontweight="bold", clip_on=False,
                linespacing=1.1)
        for row in display.rows:
            text = _cell(col, row)
            if not text:
                continue
            bold = row.kind in ("group", "subtotal", "overall")
            note = row.kind == "note"
            ax.text(anchor_x, row.y, text, transform=transform,
                    ha="left" if note else col.align, va="center",
                    fontsize=SMALL_FONT_SIZE if note else size,
                    fontweight="bold" if bold else "normal",
                    color="#333333" if note else PALETTE["black"], clip_on=False)


def _cell(col: ForestColumn, row: ForestRow) -> str:
    if col.key == "label":
        return row.label
    if row.kind in ("note", "group", "gap"):
        return ""
    if col.key == "weight":
        return f"{row.weight:.1f}%" if math.isfinite(row.weight) else ""
    if col.key == "estimate":
        return row.text
    index = int(col.key[4:])
    return row.cells[index] if index < len(row.cells) else ""
