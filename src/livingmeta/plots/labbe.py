"""L'Abbé plots of binary outcomes as Display objects.

Each study is a circle at (control-group risk, treatment-group risk), with area
proportional to its sample size. The diagonal is the line of no effect; the pooled
effect (a risk ratio, odds ratio or risk difference) is drawn as the curve of treatment
risks it implies at each control risk (L'Abbé et al. 1987; metafor ``labbe``). On the
log-odds scale, studies with 0 or all events get 0.5 added to the events and 1 to the
group size (the usual continuity correction), so that every study can be placed.

References
----------
L'Abbé KA, Detsky AS, O'Rourke K (1987). Meta-analysis in clinical research.
Ann Intern Med 107(2):224-233.
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

from livingmeta.errors import DataValidationError, ParameterError, Problem, check_choice

from ._style import PALETTE, SMALL_FONT_SIZE, DrawnPlot, resolve_axes, style_axes

__all__ = ["LabbePlot"]

MAX_AREA = 500.0   # points^2 of the largest study's circle
MIN_AREA = 12.0


@dataclass(frozen=True, slots=True)
class LabbePlot:
    """Treatment-group against control-group event risk, one circle per study.

    Attributes
    ----------
    x, y : ndarray
        Control-group (x) and treatment-group (y) risks, or their log-odds.
    n : ndarray
        Study sizes ``n1i + n2i``.
    marker_area : ndarray
        Circle areas in points^2, proportional to ``n`` (with a floor for legibility).
    study : tuple of str
        Study labels.
    measure : str
        ``"RR"``, ``"OR"`` or ``"RD"``: the measure of the pooled-effect line.
    scale : str
        ``"risk"`` or ``"logodds"``.
    pooled : float or None
        Pooled effect on the analysis scale (log RR, log OR or RD), None when not given.
    limits : tuple of float
        Common limits of both axes.
    no_effect : tuple of ndarray
        (x, y) of the line of no effect.
    pooled_line : tuple of ndarray or None
        (x, y) of the pooled-effect curve, within the unit square of risks.
    """

    x: np.ndarray
    y: np.ndarray
    n: np.ndarray
    marker_area: np.ndarray
    study: tuple[str, ...]
    measure: str
    scale: str
    pooled: float | None
    limits: tuple[float, float]
    no_effect: tuple[np.ndarray, np.ndarray]
    pooled_line: tuple[np.ndarray, np.ndarray] | None

    @classmethod
    def from_counts(
        cls,
        ai: Sequence[float] | np.ndarray,
        n1i: Sequence[float] | np.ndarray,
        ci: Sequence[float] | np.ndarray,
        n2i: Sequence[float] | np.ndarray,
        *,
        pooled: float | None = None,
        measure: str = "RR",
        scale: str = "risk",
        study: Sequence[str] | None = None,
    ) -> LabbePlot:
        """L'Abbé plot from events and group sizes.

        Parameters
        ----------
        ai, n1i : array_like
            Events and size of the treatment group.
        ci, n2i : array_like
            Events and size of the control group.
        pooled : float, optional
            Pooled effect on the analysis scale: log risk ratio (RR), log odds ratio (OR)
            or risk difference (RD), e.g. ``rma(...).estimate``.
        measure : {"RR", "OR", "RD"}
            Measure of ``pooled``.
        scale : {"risk", "logodds"}
            Axes in risks or in log-odds.
        study : sequence of str, optional
            Study labels.
        """
        measure = check_choice("measure", measure, ("RR", "OR", "RD"))
        scale = check_choice("scale", scale, ("risk", "logodds"))
        a, n1, c, n2 = (np.asarray(v, dtype=float).reshape(-1) for v in (ai, n1i, ci, n2i))
        labels = tuple(str(s) for s in study) if study is not None else tuple(
            str(i + 1) for i in range(a.size))
        _check_counts(a, n1, c, n2, labels)
        if scale == "risk":
            x, y = c / n2, a / n1
        else:
            x, y = _logit_corrected(c, n2), _logit_corrected(a, n1)
        n = n1 + n2
        area = np.maximum(MIN_AREA, MAX_AREA * n / n.max()) if n.size else n
        if scale == "risk":
            limits = (0.0, 1.0) if n.size == 0 else (0.0, min(1.0, 1.08 * max(x.max(),
                                                                          y.max(), 0.05)))
        else:
            both = np.concatenate([x, y])
            pad = 0.1 * max(float(np.ptp(both)) if both.size else 1.0, 1.0)
            limits = (float(both.min()) - pad, float(both.max()) + pad) if both.size else (
                -3.0, 3.0)
        diagonal = np.array(limits)
        line = None if pooled is None else _pooled_curve(float(pooled), measure, scale, limits)
        return cls(x, y, n, area, labels, measure, scale,
                   None if pooled is None else float(pooled), limits, (diagonal, diagonal),
                   line)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[LabbePlot]:
        """Draw the circles and lines (a new 4.6 x 4.6 inch figure unless ``ax`` is given).

        ``style`` accepts ``point_color`` and ``legend`` (bool).
        """
        figure, ax = resolve_axes(ax, 4.6, 4.6)
        color = style.pop("point_color", PALETTE["blue"])
        legend = bool(style.pop("legend", True))
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        ax.scatter(self.x, self.y, s=self.marker_area, facecolor=color, alpha=0.45,
                   edgecolors=color, linewidths=0.9, zorder=3)
        ax.plot(*self.no_effect, color=PALETTE["black"], lw=0.9, zorder=2)
        handles = [Line2D([], [], color=PALETTE["black"], lw=0.9, label="No effect")]
        if self.pooled_line is not None:
            ax.plot(*self.pooled_line, color=PALETTE["vermillion"], lw=1.4, ls="--", zorder=2)
            handles.append(Line2D([], [], color=PALETTE["vermillion"], lw=1.4, ls="--",
                                  label=f"Pooled {self.measure} = {self._pooled_text()}"))
        ax.set_xlim(*self.limits)
        ax.set_ylim(*self.limits)
        ax.set_aspect("equal", adjustable="box")
        what = "risk" if self.scale == "risk" else "log-odds"
        ax.set_xlabel(f"Control group {what}")
        ax.set_ylabel(f"Treatment group {what}")
        style_axes(ax)
        if legend:
            ax.legend(handles=handles, loc="upper left", fontsize=SMALL_FONT_SIZE,
                      framealpha=0.95, edgecolor=PALETTE["light_grey"])
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)

    def _pooled_text(self) -> str:
        value = self.pooled if self.pooled is not None else math.nan
        return f"{value:.2f}" if self.measure == "RD" else f"{math.exp(value):.2f}"


def _check_counts(a: np.ndarray, n1: np.ndarray, c: np.ndarray, n2: np.ndarray,
                  labels: tuple[str, ...]) -> None:
    if not a.size == n1.size == c.size == n2.size == len(labels):
        raise ParameterError("The 'ai', 'n1i', 'ci', 'n2i' and 'study' parameters must have "
                             f"the same length. Got {a.size}, {n1.size}, {c.size}, {n2.size} "
                             f"and {len(labels)}.")
    problems = []
    for row, label in enumerate(labels):
        for name, events, size in (("ai", a, n1), ("ci", c, n2)):
            if not (np.isfinite(events[row]) and np.isfinite(size[row]) and size[row] > 0
                    and 0 <= events[row] <= size[row]):
                problems.append(Problem(row + 1, label, name, float(events[row]),
                                        "must lie between 0 and the group size (> 0)"))
    if problems:
        raise DataValidationError(problems)


def _logit_corrected(events: np.ndarray, size: np.ndarray) -> np.ndarray:
    edge = (events == 0) | (events == size)
    e = np.where(edge, events + 0.5, events)
    n = np.where(edge, size + 1.0, size)
    return np.log(e / (n - e))


def _pooled_curve(pooled: float, measure: str, scale: str, limits: tuple[float, float]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Treatment risk implied by the pooled effect at each control risk."""
    if scale == "risk":
        pc = np.linspace(max(limits[0], 1e-6), min(limits[1], 1 - 1e-6), 400)
    else:
        pc = 1.0 / (1.0 + np.exp(-np.linspace(limits[0], limits[1], 400)))
    if measure == "RR":
        pt = math.exp(pooled) * pc
    elif measure == "OR":
        odds = math.exp(pooled) * pc / (1.0 - pc)
        pt = odds / (1.0 + odds)
    else:
        pt = pc + pooled
    keep = (pt > 0) & (pt < 1)
    pc, pt = pc[keep], pt[keep]
    if scale == "risk":
        return pc, pt
    return np.log(pc / (1 - pc)), np.log(pt / (1 - pt))
