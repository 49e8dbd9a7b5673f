"""Baujat plots as Display objects.

Each study is a labelled point: x is its contribution to the heterogeneity statistic Q,
y its influence on the pooled result. Studies at the top right both drive heterogeneity
and move the pooled estimate (Baujat et al. 2002; metafor ``baujat``). The two
quantities are computed by the analysis layer; this module only draws them.

References
----------
Baujat B, Mahé C, Pignon JP, Hill C (2002). A graphical method for exploring
heterogeneity in meta-analyses: application to a meta-analysis of 65 trials.
Stat Med 21(18):2641-2652.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from livingmeta.errors import ParameterError

from ._style import PALETTE, SMALL_FONT_SIZE, DrawnPlot, resolve_axes, style_axes

__all__ = ["BaujatPlot"]


@dataclass(frozen=True, slots=True)
class BaujatPlot:
    """Contribution to heterogeneity (x) against influence on the pooled result (y).

    Attributes
    ----------
    x : ndarray
        Contribution of each study to the heterogeneity statistic.
    y : ndarray
        Influence of each study on the pooled result.
    study : tuple of str
        Point labels.
    xlabel, ylabel : str
        Axis titles.
    """

    x: np.ndarray
    y: np.ndarray
    study: tuple[str, ...]
    xlabel: str = "Contribution to overall heterogeneity"
    ylabel: str = "Influence on overall result"

    @classmethod
    def from_arrays(cls, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
                    study: Sequence[str] | None = None, *,
                    xlabel: str = "Contribution to overall heterogeneity",
                    ylabel: str = "Influence on overall result") -> BaujatPlot:
        """Baujat plot of precomputed contributions ``x`` and influences ``y``."""
        xs = np.asarray(x, dtype=float).reshape(-1)
        ys = np.asarray(y, dtype=float).reshape(-1)
        labels = tuple(str(s) for s in study) if study is not None else tuple(
            str(i + 1) for i in range(xs.size))
        if not xs.size == ys.size == len(labels):
            raise ParameterError(f"The 'x', 'y' and 'study' parameters must have the same "
                                 f"length. Got {xs.size}, {ys.size} and {len(labels)}.")
        return cls(xs, ys, labels, xlabel, ylabel)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[BaujatPlot]:
        """Draw the labelled points (a new 5 x 4.2 inch figure unless ``ax`` is given).

        ``style`` accepts ``point_color`` and ``label_size``.
        """
        figure, ax = resolve_axes(ax, 5.0, 4.2)
        color = style.pop("point_color", PALETTE["blue"])
        label_size = float(style.pop("label_size", SMALL_FONT_SIZE))
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        ax.scatter(self.x, self.y, s=30, color=color, edgecolors="white", linewidths=0.5,
                   zorder=3)
        finite = np.isfinite(self.x) & np.isfinite(self.y)
        x_mid = float(np.median(self.x[finite])) if finite.any() else 0.0
        for xi, yi, label in zip(self.x, self.y, self.study, strict=True):
            if not (np.isfinite(xi) and np.isfinite(yi)):
                continue
            right = xi <= x_mid
            ax.annotate(label, (xi, yi), xytext=(5 if right else -5, 3),
                        textcoords="offset points", ha="left" if right else "right",
                        va="bottom", fontsize=label_size, color=PALETTE["black"])
        ax.set_xlabel(self.xlabel)
        ax.set_ylabel(self.ylabel)
        ax.margins(0.12)
        style_axes(ax)
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)
