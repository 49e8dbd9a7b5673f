"""Funnel plots, optionally contour-enhanced, as Display objects.

Effect sizes are plotted against their standard errors (smallest at the top). The
pseudo-confidence region ``estimate +- z se`` shows where studies would fall without
heterogeneity or small-study effects; significance contours around the null (Peters et
al. 2008) show whether missing studies lie in regions of non-significance, which points
to publication bias rather than other causes of asymmetry. Studies imputed by
trim-and-fill are drawn hollow.

References
----------
Peters JL, Sutton AJ, Jones DR, Abrams KR, Rushton L (2008). Contour-enhanced
meta-analysis funnel plots help distinguish publication bias from other causes of
asymmetry. J Clin Epidemiol 61(10):991-996.
Sterne JAC, Egger M (2001). Funnel plots for detecting bias in meta-analysis.
J Clin Epidemiol 54(10):1046-1055.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import special

from livingmeta.errors import ParameterError

from ._style import (
    PALETTE,
    SMALL_FONT_SIZE,
    DrawnPlot,
    MeasureScale,
    measure_scale,
    resolve_axes,
    style_axes,
)

__all__ = ["ContourBand", "FunnelPlot"]

FloatArray = np.ndarray
BAND_SHADES = ("#7F7F7F", "#B3B3B3", "#E0E0E0", "#F0F0F0")


@dataclass(frozen=True, slots=True)
class ContourBand:
    """A significance region of a contour-enhanced funnel plot (both sides of the null).

    Attributes
    ----------
    p_high, p_low : float
        Studies in the band have two-sided ``p_low < p < p_high`` (``p_low = 0`` for the
        outermost band).
    z_inner, z_outer : float
        The band spans ``null +- z se`` for z in ``[z_inner, z_outer]`` (``inf`` outside).
    color : str
        Fill colour (darker for the bands nearer the null).
    """

    p_high: float
    p_low: float
    z_inner: float
    z_outer: float
    color: str

    @property
    def label(self) -> str:
        """Legend text, ``"0.10 > p > 0.05"`` or ``"p < 0.01"``."""
        if self.p_low == 0:
            return f"p < {self.p_high:g}"
        return f"{self.p_high:.2f} > p > {self.p_low:.2f}"


@dataclass(frozen=True, slots=True)
class FunnelPlot:
    """A funnel plot: observed (and filled) studies against their standard errors.

    Attributes
    ----------
    yi, sei : ndarray
        Observed effects (analysis scale) and standard errors.
    study : tuple of str
        Study labels of the observed studies.
    filled_yi, filled_sei : ndarray
        Studies imputed by trim-and-fill (empty when none), drawn hollow.
    estimate : float
        Pooled estimate at the centre of the pseudo-confidence region (analysis scale).
    null : float
        Value of no effect around which the significance contours are drawn.
    level : float
        Level of the pseudo-confidence region.
    contours : tuple of ContourBand
        Significance bands from the null outwards (empty for a plain funnel plot).
    scale : MeasureScale
        The measure and its reader scale (ratio measures: log axis, natural labels).
    se_max : float
        Largest standard error shown (bottom of the inverted y axis).
    xlim : tuple of float
        Horizontal limits (analysis scale).
    ticks, tick_labels : tuple
        Horizontal tick positions (analysis scale) and labels (reader scale).
    """

    yi: FloatArray
    sei: FloatArray
    study: tuple[str, ...]
    filled_yi: FloatArray
    filled_sei: FloatArray
    estimate: float
    null: float
    level: float
    contours: tuple[ContourBand, ...]
    scale: MeasureScale
    se_max: float
    xlim: tuple[float, float]
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]

    @classmethod
    def from_arrays(
        cls,
        yi: Sequence[float] | np.ndarray,
        vi: Sequence[float] | np.ndarray,
        estimate: float,
        *,
        filled_yi: Sequence[float] | np.ndarray | None = None,
        filled_vi: Sequence[float] | np.ndarray | None = None,
        contours: Sequence[float] | None = (0.1, 0.05, 0.01),
        null: float = 0.0,
        measure: str = "GEN",
        level: float = 0.95,
        study: Sequence[str] | None = None,
    ) -> FunnelPlot:
        """Funnel plot of effects ``yi`` with sampling variances ``vi``.

        Parameters
        ----------
        yi, vi : array_like
            Effects (analysis scale: log for ratio measures) and sampling variances.
        estimate : float
            Pooled estimate (analysis scale).
        filled_yi, filled_vi : array_like, optional
            Studies added by trim-and-fill.
        contours : sequence of float or None
            Two-sided p-values of the significance contours (Peters et al. 2008);
            ``None`` or ``()`` for a plain funnel plot.
        null : float
            Value of no effect on the analysis scale (0 for differences and log ratios).
        measure : str
            Measure code; ratio measures get natural-scale tick labels.
        level : float
            Level of the pseudo-confidence region.
        study : sequence of str, optional
            Study labels.
        """
        y, se, keep = _effects(yi, vi, "yi", "vi")
        fy, fse, _ = _effects(filled_yi if filled_yi is not None else [],
                           filled_vi if filled_vi is not None else [], "filled_yi", "filled_vi")
        if not 0 < level < 1:
            raise ParameterError(f"The 'level' parameter must be in (0, 1). Got {level!r}.")
        if not math.isfinite(estimate):
            raise ParameterError(f"The 'estimate' parameter must be finite. Got {estimate!r}.")
        bands = _bands(contours)
        all_se = np.concatenate([se, fse])
        se_max = float(all_se.max()) * 1.05 if all_se.size else 1.0
        z = float(special.ndtri(0.5 + level / 2))
        xs = [*y, *fy, estimate - z * se_max, estimate + z * se_max]
        if bands:
            xs.append(null)
        lo, hi = min(xs), max(xs)
        pad = 0.05 * (hi - lo if hi > lo else 1.0)
        xlim = (lo - pad, hi + pad)
        scale = measure_scale(measure)
        ticks, tick_labels = scale.ticks(*xlim)
        labels = tuple(str(s) for s in study) if study is not None else tuple(
            str(i + 1) for i in range(keep.size))
        if len(labels) != keep.size:
            raise ParameterError(f"The 'study' parameter must have one label per study "
                                 f"({keep.size}). Got {len(labels)}.")
        labels = tuple(name for name, kept in zip(labels, keep, strict=True) if kept)
        return cls(y, se, labels, fy, fse, float(estimate), float(null), float(level), bands,
                   scale, se_max, xlim, ticks, tick_labels)

    @classmethod
    def from_result(cls, fit: Any, *, filled: Any = None,
                    contours: Sequence[float] | None = (0.1, 0.05, 0.01)) -> FunnelPlot:
        """Funnel plot of a fitted model (read by name: ``yi``, ``vi``, ``estimate``,
        ``measure``, ``study``); ``filled`` is anything with ``yi`` and ``vi`` arrays
        (the studies imputed by trim-and-fill)."""
        return cls.from_arrays(
            fit.yi, fit.vi, float(fit.estimate),
            filled_yi=None if filled is None else filled.yi,
            filled_vi=None if filled is None else filled.vi, contours=contours,
            measure=str(getattr(fit, "measure", "GEN")), study=getattr(fit, "study", None))

    def pseudo_interval(self, se: Sequence[float] | np.ndarray) -> tuple[FloatArray, FloatArray]:
        """Bounds ``estimate +- z se`` of the pseudo-confidence region at ``se``."""
        z = float(special.ndtri(0.5 + self.level / 2))
        s = np.asarray(se, dtype=float)
        return self.estimate - z * s, self.estimate + z * s

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[FunnelPlot]:
        """Draw the funnel plot (a new 5 x 4.2 inch figure unless ``ax`` is given).

        ``style`` accepts ``point_color``, ``filled_color``, ``marker_size`` and
        ``legend`` (bool).
        """
        figure, ax = resolve_axes(ax, 5.6, 4.8)
        point = style.pop("point_color", PALETTE["blue"])
        filled_color = style.pop("filled_color", PALETTE["vermillion"])
        size = float(style.pop("marker_size", 28.0))
        legend = bool(style.pop("legend", True))
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        grid = np.linspace(0.0, self.se_max, 200)
        handles: list[Any] = []
        ax.set_facecolor("white")
        for band in self.contours:
            reach = 4.0 * (self.xlim[1] - self.xlim[0]) + abs(self.null)
            outer = reach if math.isinf(band.z_outer) else np.minimum(band.z_outer * grid,
                                                                       reach)
            for sign in (1.0, -1.0):
                ax.fill_betweenx(grid, self.null + sign * band.z_inner * grid,
                                 self.null + sign * outer, color=band.color, lw=0,
                                 zorder=0)
            handles.append(Patch(facecolor=band.color, label=band.label))
        low, high = self.pseudo_interval(grid)
        ax.plot(low, grid, color=PALETTE["black"], lw=0.9, ls=(0, (4, 3)), zorder=2)
        ax.plot(high, grid, color=PALETTE["black"], lw=0.9, ls=(0, (4, 3)), zorder=2)
        ax.plot([self.estimate] * 2, [0, self.se_max], color=PALETTE["black"], lw=0.9,
                zorder=2)
        handles.append(Line2D([], [], color=PALETTE["black"], lw=0.9, ls=(0, (4, 3)),
                              label=f"Pooled estimate, {100 * self.level:g}% region"))
        if self.contours and self.null != self.estimate:
            ax.plot([self.null] * 2, [0, self.se_max], color=PALETTE["grey"], lw=0.8,
                    ls=":", zorder=1)
        ax.scatter(self.yi, self.sei, s=size, color=point, edgecolors="white", linewidths=0.5,
                   zorder=4)
        handles.append(Line2D([], [], marker="o", color=point, ls="none", label="Studies"))
        if self.filled_yi.size:
            ax.scatter(self.filled_yi, self.filled_sei, s=size, facecolors="white",
                       edgecolors=filled_color, linewidths=1.2, zorder=4)
            handles.append(Line2D([], [], marker="o", color=filled_color, ls="none",
                                  markerfacecolor="white", label="Filled studies"))
        ax.set_xlim(*self.xlim)
        ax.set_ylim(self.se_max, 0.0)
        ax.set_xticks(list(self.ticks), list(self.tick_labels))
        ax.set_xlabel(self.scale.axis_label)
        ax.set_ylabel("Standard error")
        style_axes(ax)
        if legend:
            ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.01),
                      ncols=3, fontsize=SMALL_FONT_SIZE - 0.5, frameon=False,
                      handlelength=1.6, columnspacing=1.0)
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)


def _effects(yi: Any, vi: Any, y_name: str, v_name: str
             ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Finite effects with positive variances (the others cannot be placed), and the mask."""
    y = np.asarray(yi, dtype=float).reshape(-1)
    v = np.asarray(vi, dtype=float).reshape(-1)
    if y.shape != v.shape:
        raise ParameterError(f"The '{y_name}' and '{v_name}' parameters must have the same "
                             f"length. Got {y.size} and {v.size}.")
    keep = np.isfinite(y) & np.isfinite(v) & (v > 0)
    return y[keep], np.sqrt(v[keep]), keep


def _bands(contours: Sequence[float] | None) -> tuple[ContourBand, ...]:
    if not contours:
        return ()
    levels = sorted({float(p) for p in contours}, reverse=True)
    if any(not 0 < p < 1 for p in levels):
        raise ParameterError(f"The 'contours' parameter must hold p-values in (0, 1). "
                             f"Got {tuple(contours)!r}.")
    lows = [*levels[1:], 0.0]
    shades = BAND_SHADES[-len(levels):] if len(levels) <= len(BAND_SHADES) else None
    out = []
    for i, (p_high, p_low) in enumerate(zip(levels, lows, strict=True)):
        color = shades[i] if shades else str(0.5 + 0.45 * i / max(len(levels) - 1, 1))
        out.append(ContourBand(
            p_high, p_low, float(special.ndtri(1 - p_high / 2)),
            float(special.ndtri(1 - p_low / 2)) if p_low > 0 else math.inf, color))
    return tuple(out)
