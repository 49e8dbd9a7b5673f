"""Forest plots as Display objects (STYLE.md convention 12, scikit-learn's RocCurveDisplay).

A :class:`ForestPlot` holds every row, column and coordinate of the plot, computed from a
fitted model; :meth:`ForestPlot.plot` draws it on a matplotlib figure and returns a
:class:`~livingmeta.plots.DrawnPlot`. The constructors read fields by name, so they work
with any result that has them (``MetaAnalysisResult``, ``MantelHaenszelResult``,
``PetoResult``, ``SubgroupResult``, a cumulative or leave-one-out result).

The layout follows RevMan and metafor's ``forest``: study squares with area proportional
to the weight, intervals clipped by the axis limits end in arrows, pooled estimates are
diamonds, the prediction interval is a bar under the pooled diamond, and ratio measures
are drawn on the log scale with natural-scale tick labels.

>>> from livingmeta import rma
>>> fit = rma([-0.5, -0.2, 0.1], [0.04, 0.02, 0.05], method="DL", measure="MD",
...           study=["A", "B", "C"])
>>> plot = ForestPlot.from_result(fit, favours=("LDN", "placebo"))
>>> [(row.label, row.text) for row in plot.rows_of_kind("study")][:2]
[('A', '-0.50 [-0.89, -0.11]'), ('B', '-0.20 [-0.48, 0.08]')]
>>> plot.rows_of_kind("overall")[0].label
'Random-effects model (DL)'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from livingmeta.errors import ParameterError

from ._forest_layout import (
    ForestColumn,
    ForestRow,
    default_xlim,
    interval_row,
    layout,
    study_row,
)
from ._forest_rows import (
    arm_cells,
    critical_z,
    has_tau2,
    heterogeneity,
    measure_of,
    overall_test,
    pooled_rows,
    study_effects,
)
from ._style import DrawnPlot, MeasureScale, fmt_pvalue, measure_scale

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["ForestColumn", "ForestPlot", "ForestRow"]

@dataclass(frozen=True, slots=True)
class ForestPlot:
    """A forest plot: its rows, text columns and axis, ready to draw.

    Build one with :meth:`from_result`, :meth:`from_subgroups` or
    :meth:`from_cumulative`; draw it with :meth:`plot` or write it with :meth:`savefig`.

    Attributes
    ----------
    rows : tuple of ForestRow
        Every row, top to bottom (studies, subgroup headings and subtotals, the pooled
        diamond, the prediction interval, heterogeneity and test lines).
    columns : tuple of ForestColumn
        Text columns left and right of the plotting area, in left-to-right order.
    scale : MeasureScale
        The measure and how its analysis scale is shown (identity, exp or tanh).
    level : float
        Confidence level of the intervals.
    xlim : tuple of float
        Axis limits on the analysis scale (log scale for ratio measures).
    ticks, tick_labels : tuple
        Tick positions on the analysis scale and their labels on the reader's scale.
    favours : tuple of str or None
        ``(left, right)``: "Favours left" is written left of the null, "Favours right"
        right of it.
    title : str or None
        Title above the plot.
    width, height : float
        Figure size in inches (the height grows with the number of rows).
    plot_left, plot_right : float
        Horizontal extent of the plotting area, inches from the figure's left edge.
    top, bottom : float
        Space above (title, headings) and below (axis, favours labels) the rows, inches.
    ylim : tuple of float
        Vertical data limits of the rows (row ``y`` values lie inside).
    """

    rows: tuple[ForestRow, ...]
    columns: tuple[ForestColumn, ...]
    scale: MeasureScale
    level: float
    xlim: tuple[float, float]
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    favours: tuple[str, str] | None
    title: str | None
    width: float
    height: float
    plot_left: float
    plot_right: float
    top: float
    bottom: float
    ylim: tuple[float, float]

    def rows_of_kind(self, kind: str) -> tuple[ForestRow, ...]:
        """The rows of one kind (``"study"``, ``"subtotal"``, ``"note"``, ...), in order."""
        return tuple(r for r in self.rows if r.kind == kind)

    @property
    def notes(self) -> tuple[str, ...]:
        """Heterogeneity and test lines, in order."""
        return tuple(r.label for r in self.rows_of_kind("note"))

    @classmethod
    def from_result(
        cls,
        fit: Any,
        *,
        effects: Any = None,
        labels: Sequence[str] | None = None,
        measure: str | None = None,
        favours: tuple[str, str] | None = None,
        arm_columns: Mapping[str, Sequence[str]] | None = None,
        subgroups: Any = None,
        title: str | None = None,
        model_label: str | None = None,
        prediction: bool = True,
        xlim: tuple[float, float] | None = None,
        plot_width: float = 3.0,
        digits: int = 2,
    ) -> ForestPlot:
        """Forest plot of a pooled model with one row per study.

        Parameters
        ----------
        fit : MetaAnalysisResult, MantelHaenszelResult, PetoResult or alike
            Read by name: ``estimate``, ``ci_low``, ``ci_high``, ``weights`` (percent),
            ``yi``, ``vi``, ``study``, ``Q``, ``Q_df``, ``Q_pval``, ``I2``, ``statistic``,
            ``pval`` and, where present, ``tau2``, ``pi_low``, ``pi_high``, ``method``,
            ``df``, ``level``, ``measure``.
        effects : EffectSizes, optional
            Study effects to show instead of ``fit.yi``/``fit.vi`` (same studies, in order).
        labels : sequence of str, optional
            Study labels (default ``fit.study``).
        measure : str, optional
            Measure code (default ``fit.measure``); OR RR IRR ROM PETO are drawn on the
            log scale, ZCOR back-transformed to correlations.
        favours : (str, str), optional
            Who the left and right of the null favour, e.g. ``("LDN", "placebo")``.
        arm_columns : mapping of str to sequence of str, optional
            Extra left columns, heading -> one cell per study, e.g.
            ``{"LDN\\nevents/total": ["4/123", ...], "Placebo\\nevents/total": [...]}``.
        subgroups : SubgroupResult, optional
            Draw subgroup blocks with subtotals (see :meth:`from_subgroups`); ``fit`` is
            then the overall model.
        title : str, optional
            Title above the plot.
        model_label : str, optional
            Label of the pooled row (default from ``fit.method``).
        prediction : bool
            Draw the prediction interval when the fit has a finite one.
        xlim : (float, float), optional
            Axis limits on the reader's scale (e.g. ``(0.1, 10)`` for a risk ratio).
        plot_width : float
            Width of the plotting area in inches.
        digits : int
            Decimals of the estimates and intervals.
        """
        if subgroups is not None:
            return cls.from_subgroups(
                subgroups, overall=fit, effects=effects, labels=labels, measure=measure,
                favours=favours, arm_columns=arm_columns, title=title,
                model_label=model_label, prediction=prediction, xlim=xlim,
                plot_width=plot_width, digits=digits)
        scale = measure_scale(measure or measure_of(fit, effects))
        level = float(getattr(fit, "level", 0.95))
        yi, vi, names = study_effects(fit, effects, labels)
        cells = arm_cells(arm_columns, len(yi))
        weights = np.asarray(getattr(fit, "weights", np.full(len(yi), np.nan)), dtype=float)
        crit = critical_z(level)
        rows = [study_row(names[i], yi[i], vi[i], crit, scale, digits, weight=weights[i],
                          cells=cells[i]) for i in range(len(yi))]
        rows.append(ForestRow("gap", ""))
        rows.extend(pooled_rows(fit, scale, digits, model_label, prediction, len(cells[0])))
        return cls._build(rows, scale, level, list(arm_columns or {}), favours, title, xlim,
                          plot_width, show_weights=bool(np.isfinite(weights).any()))

    @classmethod
    def from_subgroups(
        cls,
        subgroups: Any,
        *,
        overall: Any = None,
        effects: Any = None,
        labels: Sequence[str] | None = None,
        measure: str | None = None,
        favours: tuple[str, str] | None = None,
        arm_columns: Mapping[str, Sequence[str]] | None = None,
        title: str | None = None,
        model_label: str | None = None,
        prediction: bool = True,
        xlim: tuple[float, float] | None = None,
        plot_width: float = 3.0,
        digits: int = 2,
    ) -> ForestPlot:
        """Forest plot in subgroup blocks, each with its subtotal diamond.

        ``subgroups`` is read by name (a ``SubgroupResult``): ``groups``, ``group``,
        ``study``, ``fits`` (per-level models with ``yi``, ``vi``, ``weights``, ``Q``, ...),
        per-level ``estimate``, ``ci_low``, ``ci_high``, ``statistic``, ``pval``, ``tau2``,
        and ``Q_between``, ``Q_between_df``, ``Q_between_pval``. With ``overall`` (the
        model of all studies) the weights are percentages of the overall total, the
        overall diamond follows the blocks; without it, weights are within subgroups.
        Labels, effects and arm columns are given in the order of ``subgroups.study``.
        The other parameters are those of :meth:`from_result`.
        """
        scale = measure_scale(measure or measure_of(subgroups, effects))
        level = float(getattr(subgroups, "level", 0.95))
        crit = critical_z(level)
        group_of = tuple(str(g) for g in subgroups.group)
        names = list(labels) if labels is not None else [str(s) for s in subgroups.study]
        cells = arm_cells(arm_columns, len(group_of))
        n_cells = len(cells[0])
        overall_weights = (np.asarray(overall.weights, dtype=float)
                           if overall is not None else None)
        rows: list[ForestRow] = []
        for g, name in enumerate(subgroups.groups):
            fit = subgroups.fits[g]
            index = [i for i, level_of in enumerate(group_of) if level_of == str(name)]
            if effects is not None:
                yi = np.asarray(effects.yi, dtype=float)[index]
                vi = np.asarray(effects.vi, dtype=float)[index]
            else:
                yi, vi = np.asarray(fit.yi, dtype=float), np.asarray(fit.vi, dtype=float)
            weights = (overall_weights[index] if overall_weights is not None
                       else np.asarray(fit.weights, dtype=float))
            rows.append(ForestRow("group", str(name), group=str(name)))
            rows.extend(study_row(names[i], yi[j], vi[j], crit, scale, digits,
                                  weight=weights[j], cells=cells[i], group=str(name))
                        for j, i in enumerate(index))
            rows.append(interval_row(
                "subtotal", f"Subtotal (k = {len(index)})", float(subgroups.estimate[g]),
                float(subgroups.ci_low[g]), float(subgroups.ci_high[g]), scale, digits,
                weight=float(np.nansum(weights)), cells=("",) * n_cells, group=str(name)))
            rows.append(ForestRow("note", heterogeneity(
                fit, tau2=float(subgroups.tau2[g]) if has_tau2(fit) else None),
                group=str(name)))
            rows.append(ForestRow("note", overall_test(
                float(subgroups.statistic[g]), float(subgroups.pval[g]),
                getattr(fit, "df", None)), group=str(name)))
            rows.append(ForestRow("gap", ""))
        if overall is not None:
            rows.extend(pooled_rows(overall, scale, digits, model_label, prediction, n_cells))
        rows.append(ForestRow("note", (
            f"Test for subgroup differences: Q = {subgroups.Q_between:.2f} "
            f"(df = {subgroups.Q_between_df}), {fmt_pvalue(float(subgroups.Q_between_pval))}"
        ).rstrip(", ")))
        return cls._build(rows, scale, level, list(arm_columns or {}), favours, title, xlim,
                          plot_width, show_weights=True)

    @classmethod
    def from_cumulative(
        cls,
        cumulative: Any,
        *,
        labels: Sequence[str] | None = None,
        measure: str | None = None,
        level: float | None = None,
        favours: tuple[str, str] | None = None,
        title: str | None = None,
        xlim: tuple[float, float] | None = None,
        plot_width: float = 3.0,
        digits: int = 2,
    ) -> ForestPlot:
        """Cumulative forest plot: row i is the pooled estimate of studies 1..i.

        ``cumulative`` is read by name: arrays ``estimate``, ``ci_low``, ``ci_high`` and
        ``study`` (the study added at each step), and ``measure``, ``level`` where
        present. Rows are points with their intervals (no squares: they are not studies
        but pooled estimates); labels read ``"+ study"`` after the first.
        """
        scale = measure_scale(measure or str(getattr(cumulative, "measure", "GEN")))
        lv = float(level if level is not None else getattr(cumulative, "level", 0.95))
        estimate = np.asarray(cumulative.estimate, dtype=float)
        low = np.asarray(cumulative.ci_low, dtype=float)
        high = np.asarray(cumulative.ci_high, dtype=float)
        names = list(labels) if labels is not None else [str(s) for s in cumulative.study]
        if not len(names) == estimate.size == low.size == high.size:
            raise ParameterError("The 'cumulative' estimate, ci_low, ci_high and study must "
                                 f"have one entry per step; got {estimate.size}, {low.size}, "
                                 f"{high.size} and {len(names)}.")
        rows = [interval_row("cumulative", name if i == 0 else f"+ {name}", estimate[i],
                             low[i], high[i], scale, digits) for i, name in enumerate(names)]
        return cls._build(rows, scale, lv, [], favours, title, xlim, plot_width,
                          show_weights=False, label_header="Studies added")

    @classmethod
    def _build(cls, rows: list[ForestRow], scale: MeasureScale, level: float,
               cell_headers: list[str], favours: tuple[str, str] | None, title: str | None,
               xlim: tuple[float, float] | None, plot_width: float, *, show_weights: bool,
               label_header: str = "Study") -> ForestPlot:
        if xlim is None:
            limits = default_xlim(rows, scale.null)
        else:
            lo, hi = (float(v) for v in scale.to_analysis(xlim))
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise ParameterError("The 'xlim' parameter must be two increasing values "
                                     f"inside the measure's range. Got {xlim!r}.")
            limits = (lo, hi)
        if favours is not None and len(favours) != 2:
            raise ParameterError(f"The 'favours' parameter must be a pair of labels. "
                                 f"Got {favours!r}.")
        headers = {"label": label_header, "weight": "Weight",
                   "estimate": f"{scale.name} [{100 * level:g}% CI]"}
        placed = layout(rows, headers=headers, cell_headers=cell_headers, xlim=limits,
                        plot_width=plot_width, title=title, show_weights=show_weights)
        ticks, tick_labels = scale.ticks(*limits)
        return cls(placed.rows, placed.columns, scale, level, limits, ticks, tick_labels,
                   None if favours is None else (str(favours[0]), str(favours[1])), title,
                   placed.width, placed.height, placed.plot_left, placed.plot_right,
                   placed.top, placed.bottom, placed.ylim)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[ForestPlot]:
        """Draw the plot; returns the figure, the axes and this display.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Axes for the graphical column; the text columns are drawn left and right of
            it, so leave room (``width`` and ``plot_left`` say how much). By default a
            figure of ``width`` x ``height`` inches is created.
        **style
            ``square_color``, ``diamond_color``, ``subtotal_color``, ``line_color``,
            ``font_size``.
        """
        from ._forest_draw import draw_forest

        figure, axes = draw_forest(self, ax, **style)
        return DrawnPlot(figure, axes, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw the plot on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)
