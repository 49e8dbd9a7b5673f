"""Coverage (or any performance measure) of a simulation study by k and tau2.

One panel per tau2 (columns) and per scenario entry and true effect (rows); in each, one
line per method x test across k, with error bars of +- 1.96 Monte Carlo SE (Morris,
White & Crowther 2019, Stat Med 38:2074-2102, section 5.2: show the MCSE of every
performance measure) and, for coverage, a dashed line at the nominal level.

>>> from livingmeta.simulation import parse_scenarios, run_simulation
>>> spec = parse_scenarios('''
... [simulation]
... seed = 1
... replications = 50
... methods = ["DL"]
... [[scenarios]]
... name = "gen"
... measure = "GEN"
... k = [3, 6]
... tau2 = [0, 0.1]
... vi = {distribution = "fixed", values = [0.05]}
... ''')
>>> plot = SimulationPlot.from_result(run_simulation(spec))
>>> [p.title for p in plot.panels], [s.label for s in plot.panels[0].series]
(['gen, effect = 0, tau2 = 0', 'gen, effect = 0, tau2 = 0.1'], ['DL z', 'DL knha'])
>>> plot.panels[0].series[0].k
(3, 6)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from livingmeta.errors import ParameterError, check_choice

from ._style import PALETTE, SMALL_FONT_SIZE, DrawnPlot, new_figure, style_axes

__all__ = ["SimulationPanel", "SimulationPlot", "SimulationSeries"]

_COLORS = ("blue", "vermillion", "green", "orange", "purple", "sky_blue", "black", "grey")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_LABELS = {"ci_coverage": "CI coverage", "pi_coverage": "PI coverage",
           "tau2_ci_coverage": "tau2 CI coverage", "power": "Power",
           "type1_error": "Type I error", "bias": "Bias", "rmse": "RMSE"}


@dataclass(frozen=True, slots=True)
class SimulationSeries:
    """One method x test across k: estimates and Monte Carlo SEs."""

    label: str
    k: tuple[int, ...]
    estimate: tuple[float, ...]
    mcse: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class SimulationPanel:
    """One scenario entry, true effect and tau2: its series."""

    title: str
    tau2: float
    series: tuple[SimulationSeries, ...]


@dataclass(frozen=True, slots=True)
class SimulationPlot:
    """A grid of panels of one performance measure against k.

    Attributes
    ----------
    metric : str
        The performance measure shown (a :data:`~livingmeta.simulation.METRICS` name).
    panels : tuple of SimulationPanel
        Row by row (scenario entry and effect), column by column (tau2).
    columns : int
        Panels per row (the number of tau2 values).
    nominal : float or None
        The nominal value drawn as a dashed line (the level for coverage, ``1 - level``
        for type I error).
    ylabel : str
    z : float
        Error bars are ``estimate +- z * mcse``.
    """

    metric: str
    panels: tuple[SimulationPanel, ...]
    columns: int
    nominal: float | None
    ylabel: str
    z: float = 1.96

    @classmethod
    def from_result(cls, result: Any, *, metric: str = "ci_coverage",
                    z: float = 1.96) -> SimulationPlot:
        """Build the panels from a :class:`~livingmeta.simulation.SimulationResult`."""
        from livingmeta.simulation.results import METRICS

        check_choice("metric", metric, METRICS)
        frame = result.metric(metric)
        if frame.empty:
            raise ParameterError(f"The result has no {metric!r} rows (e.g. pi_coverage "
                                 "needs a random-effects method).")
        tau2s = sorted(frame["tau2"].unique())
        groups = list(dict.fromkeys(zip(frame["name"], frame["effect"], strict=True)))
        combos = list(dict.fromkeys(zip(frame["method"], frame["test"], strict=True)))
        panels = []
        for name, effect in groups:
            for tau2 in tau2s:
                part = frame[(frame["name"] == name) & (frame["effect"] == effect)
                             & (frame["tau2"] == tau2)].sort_values("k", kind="stable")
                series = tuple(SimulationSeries(
                    f"{m} {t}", tuple(int(k) for k in rows["k"]),
                    tuple(float(v) for v in rows["estimate"]),
                    tuple(float(v) for v in rows["mcse"]))
                    for m, t in combos
                    if not (rows := part[(part["method"] == m) & (part["test"] == t)]).empty)
                panels.append(SimulationPanel(f"{name}, effect = {effect:g}, tau2 = {tau2:g}",
                                              float(tau2), series))
        level = float(result.level)
        nominal = {"ci_coverage": level, "pi_coverage": level, "tau2_ci_coverage": level,
                   "type1_error": 1.0 - level, "bias": 0.0, "tau2_bias": 0.0}.get(metric)
        return cls(metric, tuple(panels), len(tau2s), nominal,
                   _LABELS.get(metric, metric.replace("_", " ")), float(z))

    def plot(self, ax: Axes | None = None) -> DrawnPlot[SimulationPlot]:
        """Draw every panel on a new figure (or the single panel on ``ax``)."""
        if ax is not None and len(self.panels) != 1:
            raise ParameterError("The 'ax' parameter can only be used with a single panel; "
                                 f"this plot has {len(self.panels)}.")
        rows = -(-len(self.panels) // self.columns)
        if ax is None:
            figure = new_figure(3.2 * self.columns + 1.6, 2.6 * rows + 0.4, constrained=True)
            axes = list(np.atleast_1d(figure.subplots(rows, self.columns, squeeze=False,
                                                      sharey=True)).ravel())
        else:
            figure, axes = ax.get_figure(), [ax]  # type: ignore[assignment]
        for axis, panel in zip(axes, self.panels, strict=False):
            self._draw_panel(axis, panel)
        for axis in axes[len(self.panels):]:
            axis.set_visible(False)
        handles, labels = axes[0].get_legend_handles_labels()
        if handles and ax is None:
            figure.legend(handles, labels, loc="outside right center", frameon=False,
                          fontsize=SMALL_FONT_SIZE)
        return DrawnPlot(figure, axes[0], self)

    def _draw_panel(self, ax: Axes, panel: SimulationPanel) -> None:
        n = max(len(panel.series), 1)
        for i, s in enumerate(panel.series):
            # Dodge the series a little so that their error bars do not overlap.
            x = np.asarray(s.k, dtype=float) + 0.12 * (i - (n - 1) / 2)
            ax.errorbar(x, s.estimate, yerr=self.z * np.asarray(s.mcse), label=s.label,
                        color=PALETTE[_COLORS[i % len(_COLORS)]],
                        marker=_MARKERS[i % len(_MARKERS)], markersize=4, linewidth=1.2,
                        capsize=2)
        if self.nominal is not None:
            ax.axhline(self.nominal, color=PALETTE["grey"], linestyle="--", linewidth=0.9)
        ks = sorted({k for s in panel.series for k in s.k})
        ax.set_xticks(ks)
        ax.set_title(panel.title, fontsize=SMALL_FONT_SIZE + 1)
        ax.set_xlabel("k (studies)")
        ax.set_ylabel(self.ylabel)
        style_axes(ax)

    def savefig(self, path: str | Path, *, dpi: float = 200.0) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot().savefig(path, dpi=dpi)
