"""GOSH plots as Display objects: a density of millions of subset fits.

Each non-empty subset of the studies is one point, its pooled estimate (x) against its
I2 (y) (Olkin, Dahabreh & Trikalinos 2012). With up to millions of points a scatter
hides its own density, so the points are binned into a 2-D histogram drawn with a
logarithmic colour scale (empty bins left white), with the marginal histograms of the
estimate (top) and of I2 (right). Highlighting a study draws the subsets that contain it
in blue over the others in grey, as dmetar's ``gosh.diagnostics`` plots do: a study
behind a separate cluster shows as a blue cloud apart from the grey one.

The Display object holds only the binned counts (bounded size, whatever the number of
subsets); the fits are computed by :func:`livingmeta.sensitivity.gosh.gosh`.

References
----------
Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH - a graphical display of study
heterogeneity. Res Synth Methods 3(3):214-223.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm

from livingmeta.errors import ParameterError

from ._style import (
    PALETTE,
    SMALL_FONT_SIZE,
    DrawnPlot,
    MeasureScale,
    measure_scale,
    new_figure,
    style_axes,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.sensitivity.gosh import GoshResult

__all__ = ["GoshPlot"]

FloatArray = np.ndarray


def _edges(values: FloatArray, bins: int, low: float | None = None,
           high: float | None = None) -> FloatArray:
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    pad = 0.02 * (hi - lo) if hi > lo else 0.5
    lo, hi = lo - pad, hi + pad
    if low is not None:
        lo = max(lo, low)
    if high is not None:
        hi = min(hi, high)
    if hi <= lo:
        hi = lo + 1.0
    return np.linspace(lo, hi, bins + 1)


@dataclass(frozen=True, slots=True)
class GoshPlot:
    """Binned GOSH points: pooled estimate (x) against I2 (y).

    Attributes
    ----------
    x_edges, y_edges : ndarray
        Bin edges of the estimate (analysis scale) and of I2 (percent).
    counts : ndarray of int, shape (len(x_edges) - 1, len(y_edges) - 1)
        Subsets in each bin.
    highlight_counts : ndarray of int or None
        Subsets containing the highlighted study in each bin.
    highlight : str or None
        Label of the highlighted study.
    n_subsets : int
        Subsets plotted (those with a finite estimate and I2).
    scale : MeasureScale
        The measure's scale (ticks labelled on the reader's scale).
    ticks, tick_labels : tuple
        x tick positions (analysis scale) and labels.
    title : str
        Plot title.
    """

    x_edges: FloatArray
    y_edges: FloatArray
    counts: np.ndarray
    highlight_counts: np.ndarray | None
    highlight: str | None
    n_subsets: int
    scale: MeasureScale
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    title: str

    @classmethod
    def from_result(cls, result: GoshResult, highlight: str | int | None = None, *,
                    bins: int = 100) -> GoshPlot:
        """GOSH plot of a :class:`~livingmeta.sensitivity.gosh.GoshResult`.

        ``highlight`` names a study (label or 0-based position) whose subsets are drawn
        in colour.
        """
        contains, label = None, None
        if highlight is not None:
            contains = result.contains(highlight)
            label = (result.study[int(highlight)] if isinstance(highlight, (int, np.integer))
                     else str(highlight))
        how = "random sample of " if result.sampled else ""
        title = (f"GOSH plot: {how}{result.subset.size:,} subsets of "
                 f"k = {result.n_studies} ({result.method})")
        return cls.from_arrays(result.estimate, result.I2, contains=contains,
                               highlight=label, measure=result.measure, bins=bins,
                               title=title)

    @classmethod
    def from_arrays(cls, estimate: object, I2: object, *, contains: object = None,
                    highlight: str | None = None, measure: str = "GEN", bins: int = 100,
                    title: str = "GOSH plot") -> GoshPlot:
        """GOSH plot of precomputed subset estimates and I2 values (percent).

        ``contains`` (booleans, one per subset) marks the subsets to highlight.
        """
        x = np.asarray(estimate, dtype=float).reshape(-1)
        y = np.asarray(I2, dtype=float).reshape(-1)
        if x.size != y.size:
            raise ParameterError(f"The 'estimate' and 'I2' parameters must have the same "
                                 f"length. Got {x.size} and {y.size}.")
        if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 2:
            raise ParameterError(f"The 'bins' parameter must be an int >= 2. Got {bins!r}.")
        keep = np.isfinite(x) & np.isfinite(y)
        x_edges, y_edges = _edges(x[keep], bins), _edges(y[keep], bins, 0.0, 100.0)
        counts = np.histogram2d(x[keep], y[keep], bins=(x_edges, y_edges))[0].astype(np.int64)
        marked = None
        if contains is not None:
            inside = np.asarray(contains, dtype=bool).reshape(-1)
            if inside.size != x.size:
                raise ParameterError(f"The 'contains' parameter must have one value per "
                                     f"subset ({x.size}). Got {inside.size}.")
            both = keep & inside
            marked = np.histogram2d(x[both], y[both], bins=(x_edges, y_edges))[0].astype(
                np.int64)
        scale = measure_scale(measure)
        ticks, labels = scale.ticks(float(x_edges[0]), float(x_edges[-1]))
        return cls(x_edges, y_edges, counts, marked, highlight, int(keep.sum()), scale,
                   ticks, labels, title)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[GoshPlot]:
        """Draw the density, the marginal histograms and a colour bar.

        Without ``ax`` a new 6.4 x 5.6 inch figure is made; with ``ax`` the marginals and
        colour bar are placed beside it (inset axes). ``style`` accepts ``cmap``.
        """
        cmap = style.pop("cmap", "Greys" if self.highlight_counts is not None else "viridis")
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        if ax is None:
            figure = new_figure(6.4, 5.6)
            ax = figure.add_axes((0.11, 0.1, 0.58, 0.64))
        else:
            fig = ax.get_figure()
            if fig is None:
                raise ParameterError("The 'ax' parameter must be an Axes placed on a Figure.")
            figure = fig  # type: ignore[assignment]
        top = ax.inset_axes((0.0, 1.03, 1.0, 0.24), sharex=ax)
        right = ax.inset_axes((1.03, 0.0, 0.2, 1.0), sharey=ax)
        cax = ax.inset_axes((1.27, 0.0, 0.035, 1.0))
        peak = max(int(self.counts.max()), 1)
        mesh = ax.pcolormesh(self.x_edges, self.y_edges,
                             np.ma.masked_equal(self.counts, 0).T, cmap=cmap,
                             norm=LogNorm(vmin=1, vmax=max(peak, 2)), rasterized=True)
        x_mid, y_mid = self.x_edges, self.y_edges
        top.stairs(self.counts.sum(axis=1), x_mid, fill=True, color=PALETTE["light_grey"])
        right.stairs(self.counts.sum(axis=0), y_mid, fill=True, color=PALETTE["light_grey"],
                     orientation="horizontal")
        if self.highlight_counts is not None:
            ax.pcolormesh(self.x_edges, self.y_edges,
                          np.ma.masked_equal(self.highlight_counts, 0).T, cmap="Blues",
                          norm=LogNorm(vmin=0.3, vmax=max(peak, 2)), alpha=0.85,
                          rasterized=True)
            top.stairs(self.highlight_counts.sum(axis=1), x_mid, color=PALETTE["blue"],
                       linewidth=1.2)
            right.stairs(self.highlight_counts.sum(axis=0), y_mid, color=PALETTE["blue"],
                         linewidth=1.2, orientation="horizontal")
            ax.text(0.02, 0.98, f"blue: subsets with study {self.highlight}",
                    transform=ax.transAxes, ha="left", va="top", fontsize=SMALL_FONT_SIZE,
                    color=PALETTE["blue"])
        bar = figure.colorbar(mesh, cax=cax)
        bar.set_label("Subsets per bin", fontsize=SMALL_FONT_SIZE)
        bar.ax.tick_params(labelsize=SMALL_FONT_SIZE)
        for marginal in (top, right):
            marginal.set_axis_off()
        ax.set_xlim(float(self.x_edges[0]), float(self.x_edges[-1]))
        ax.set_ylim(float(self.y_edges[0]), float(self.y_edges[-1]))
        if len(self.ticks) >= 2:
            ax.set_xticks(list(self.ticks), list(self.tick_labels))
        ax.set_xlabel(f"Pooled estimate: {self.scale.axis_label}")
        ax.set_ylabel("I² (%)")
        top.set_title(self.title, fontsize=SMALL_FONT_SIZE + 1, loc="left")
        style_axes(ax)
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)
