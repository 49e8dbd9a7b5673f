"""Published syntheses beside the living estimate, on one chart, ordered by date.

Each published meta-analysis of the outcome is a row (its name, date, model and pooled
estimate with confidence interval, as printed); the living review's estimate is drawn
distinctly at the bottom, as a diamond with its prediction interval. A reader sees at a
glance how the published answers moved over time and where the current evidence sits.

Values are held on the analysis scale (logs for ratio measures, as in
:class:`~livingmeta.plots.ForestPlot`): published ratios, printed on the natural scale,
are logged on the way in, and the axis is labelled on the natural scale.

>>> rows = [{"review": "B 2025", "year": 2025, "estimate": -0.6, "ci_low": -1.1,
...          "ci_high": -0.1, "model": "DL"},
...         {"review": "A 2024", "year": 2024, "estimate": -0.9, "ci_low": -1.3,
...          "ci_high": -0.5, "model": "REML"}]
>>> living = {"estimate": -0.15, "ci_low": -0.57, "ci_high": 0.27, "pi_low": -0.85,
...           "pi_high": 0.55, "k": 4}
>>> plot = SynthesesPlot.from_rows(rows, living=living, measure="SMD")
>>> [(r.label, r.text) for r in plot.rows]
[('A 2024', '-0.90 [-1.30, -0.50]'), ('B 2025', '-0.60 [-1.10, -0.10]'), \
('This review (living)', '-0.15 [-0.57, 0.27]; PI [-0.85, 0.55]')]
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.patches import Polygon

from livingmeta.errors import ParameterError

from ._style import (
    FONT_SIZE,
    PALETTE,
    SMALL_FONT_SIZE,
    DrawnPlot,
    MeasureScale,
    fmt_interval,
    fmt_value,
    measure_scale,
    resolve_axes,
    style_axes,
)

__all__ = ["SynthesesPlot", "SynthesisRow"]

NAN = math.nan
_ISO_DATE = re.compile(r"\d{4}(-\d\d){0,2}")


@dataclass(frozen=True, slots=True)
class SynthesisRow:
    """One row of a :class:`SynthesesPlot`.

    Attributes
    ----------
    kind : str
        ``"published"`` or ``"living"``.
    label : str
        Name of the synthesis (``"Vatvani2024"``; the living row's label).
    date : str
        Its date as shown: year and, where known, the search date.
    model : str
        The model as the synthesis reports it ("" when unknown).
    studies : str
        Number of studies as reported ("4 RCTs"; the living row: ``"k = 4"``).
    estimate, ci_low, ci_high : float
        Analysis scale (logs for ratio measures); NaN where not reported.
    pi_low, pi_high : float
        Prediction interval of the living row (NaN for published rows).
    text : str
        Estimate and interval on the reader's scale, ``"-0.61 [-1.14, -0.08]"``.
    y : float
        Vertical position (the first row highest).
    """

    kind: str
    label: str
    date: str
    model: str
    studies: str
    estimate: float
    ci_low: float
    ci_high: float
    pi_low: float = NAN
    pi_high: float = NAN
    text: str = ""
    y: float = 0.0


def _get(row: Any, name: str, default: Any = None) -> Any:
    if isinstance(row, Mapping):
        return row.get(name, default)
    return getattr(row, name, default)


def _num(value: Any) -> float:
    if value is None or value == "":
        return NAN
    try:
        return float(value)
    except (TypeError, ValueError):
        return NAN


def _date_key(row: Any) -> tuple[int, str, str]:
    year = _get(row, "year")
    search = str(_get(row, "search_date", "") or "")
    return (int(year) if year not in (None, "") else 10_000,
            search if _ISO_DATE.fullmatch(search) else "9999", str(_get(row, "review", "")))


def _date_text(row: Any) -> str:
    year = _get(row, "year")
    search = str(_get(row, "search_date", "") or "")
    parts = [str(year)] if year not in (None, "") else []
    if _ISO_DATE.fullmatch(search):
        parts.append(f"search {search}")
    return ", ".join(parts)


def _name(row: Any) -> str:
    analysis = str(_get(row, "analysis", "") or "")
    review = str(_get(row, "review", ""))
    return f"{review} ({analysis})" if analysis and analysis != "primary" else review


@dataclass(frozen=True, slots=True)
class SynthesesPlot:
    """Published pooled estimates by date, and the living estimate at the bottom.

    Attributes
    ----------
    rows : tuple of SynthesisRow
        Published rows ordered by date, then the living row (when given).
    scale : MeasureScale
        The measure; ratio measures are drawn on the log scale with natural labels.
    level : float
        Confidence level of the living row's interval.
    xlim : tuple of float
        Axis limits on the analysis scale.
    ticks, tick_labels : tuple
        Tick positions (analysis scale) and their labels (reader scale).
    favours : tuple of str or None
        ``(left, right)`` labels under the axis.
    title : str or None
    """

    rows: tuple[SynthesisRow, ...]
    scale: MeasureScale
    level: float
    xlim: tuple[float, float]
    ticks: tuple[float, ...]
    tick_labels: tuple[str, ...]
    favours: tuple[str, str] | None
    title: str | None

    def rows_of_kind(self, kind: str) -> tuple[SynthesisRow, ...]:
        """The ``"published"`` or ``"living"`` rows, in order."""
        return tuple(r for r in self.rows if r.kind == kind)

    @classmethod
    def from_rows(
        cls,
        rows: Sequence[Any],
        *,
        living: Any = None,
        measure: str = "GEN",
        level: float = 0.95,
        living_label: str = "This review (living)",
        living_date: str = "",
        favours: tuple[str, str] | None = None,
        title: str | None = None,
        digits: int = 2,
    ) -> SynthesesPlot:
        """Chart of published syntheses and the living estimate.

        Parameters
        ----------
        rows : sequence
            Published pooled estimates, read by name (mappings or objects such as
            :class:`~livingmeta.review.PublishedSynthesis`): ``review``, ``year``,
            ``search_date``, ``analysis``, ``model``, ``studies``, ``estimate``,
            ``ci_low``, ``ci_high``, on the reader's scale (ratios as printed, not
            logged). Rows without an estimate are left out; the rest are ordered by
            year, then search date (ISO dates; free-text ones last in their year), then
            name. An ``analysis`` other than "primary" is shown after the name.
        living : object, optional
            The living estimate on the analysis scale (a
            :class:`~livingmeta.review.PooledEstimate` or mapping): ``estimate``,
            ``ci_low``, ``ci_high`` and optionally ``pi_low``, ``pi_high``, ``k``.
        measure : str
            Measure code of every row (ratio measures: log axis, null line at 1).
        level : float
            Confidence level of the living interval (for the axis caption).
        living_label, living_date : str
            Label and date of the living row.
        favours : (str, str), optional
            Who the left and right of the null favour.
        title : str, optional
        digits : int
            Decimals of the estimate text.
        """
        if not 0 < level < 1:
            raise ParameterError(f"The 'level' parameter must be in (0, 1). Got {level!r}.")
        if favours is not None and len(favours) != 2:
            raise ParameterError(f"The 'favours' parameter must be a pair of labels. "
                                 f"Got {favours!r}.")
        scale = measure_scale(measure)
        built: list[SynthesisRow] = []
        for row in sorted((r for r in rows if math.isfinite(_num(_get(r, "estimate")))),
                          key=_date_key):
            est, low, high = (_num(_get(row, n)) for n in ("estimate", "ci_low", "ci_high"))
            a_est, a_low, a_high = (float(v) for v in scale.to_analysis([est, low, high]))
            built.append(SynthesisRow(
                "published", _name(row), _date_text(row),
                str(_get(row, "model", "") or ""), str(_get(row, "studies", "") or ""),
                a_est, a_low, a_high, text=fmt_interval(est, low, high, digits=digits)))
        if living is not None:
            est, low, high, pi_low, pi_high = (
                _num(_get(living, n)) for n in ("estimate", "ci_low", "ci_high", "pi_low",
                                                "pi_high"))
            s_est, s_low, s_high = (float(v) for v in scale.to_display([est, low, high]))
            k = _get(living, "k")
            text = fmt_interval(s_est, s_low, s_high, digits=digits)
            if math.isfinite(pi_low) and math.isfinite(pi_high):
                pi = [float(v) for v in scale.to_display([pi_low, pi_high])]
                text += f"; PI [{fmt_value(pi[0], digits)}, {fmt_value(pi[1], digits)}]"
            built.append(SynthesisRow(
                "living", living_label, living_date, str(_get(living, "profile", "") or ""),
                f"k = {k}" if k is not None else "", est, low, high, pi_low, pi_high, text))
        if not built:
            raise ParameterError("The 'rows' parameter holds no estimate and no 'living' "
                                 "estimate was given: nothing to draw.")
        n = len(built)
        placed = tuple(SynthesisRow(r.kind, r.label, r.date, r.model, r.studies, r.estimate,
                                    r.ci_low, r.ci_high, r.pi_low, r.pi_high, r.text,
                                    float(n - i + (0.5 if r.kind == "published" else 0.0)))
                       for i, r in enumerate(built))
        xlim = _xlim(placed, scale.null)
        ticks, tick_labels = scale.ticks(*xlim)
        return cls(placed, scale, float(level), xlim, ticks, tick_labels,
                   None if favours is None else (str(favours[0]), str(favours[1])), title)

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[SynthesesPlot]:
        """Draw the chart (a new figure sized to the rows unless ``ax`` is given).

        ``style`` accepts ``point_color`` and ``living_color``.
        """
        height = 1.5 + 0.34 * len(self.rows)
        figure, ax = resolve_axes(ax, 7.5, height)
        point = style.pop("point_color", PALETTE["black"])
        living = style.pop("living_color", PALETTE["vermillion"])
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        ax.axvline(self.scale.null, color=PALETTE["grey"], linewidth=0.8, zorder=1)
        for row in self.rows:
            if row.kind == "living":
                _draw_living(ax, row, living)
            else:
                ax.plot([row.ci_low, row.ci_high], [row.y, row.y], color=point,
                        linewidth=1.2, solid_capstyle="butt", zorder=2)
                ax.plot([row.estimate], [row.y], marker="s", markersize=6, color=point,
                        zorder=3)
        living_rows = self.rows_of_kind("living")
        if living_rows and len(self.rows) > 1:
            ax.axhline(living_rows[0].y + 0.75, color=PALETTE["light_grey"], linewidth=0.8,
                       linestyle="--")
        ax.set_yticks([r.y for r in self.rows],
                      [f"{r.label}\n{r.date}" if r.date else r.label for r in self.rows],
                      fontsize=SMALL_FONT_SIZE + 0.5)
        for label, row in zip(ax.get_yticklabels(), self.rows, strict=True):
            if row.kind == "living":
                label.set_fontweight("bold")
        for row in self.rows:
            ax.annotate(row.text, (1.0, row.y), xycoords=("axes fraction", "data"),
                        xytext=(8, 0), textcoords="offset points", va="center", ha="left",
                        fontsize=FONT_SIZE,
                        fontweight="bold" if row.kind == "living" else "normal")
        ax.set_xlim(*self.xlim)
        ax.set_ylim(0.3, max(r.y for r in self.rows) + 0.7)
        ax.set_xticks(self.ticks, self.tick_labels)
        xlabel = f"{self.scale.axis_label} [{100 * self.level:g}% CI]"
        if self.favours is not None:
            xlabel = (f"← Favours {self.favours[0]}     {xlabel}     "
                      f"Favours {self.favours[1]} →")
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
        if self.title:
            figure.suptitle(self.title, x=0.01, ha="left", fontsize=FONT_SIZE + 2,
                            fontweight="bold")
        style_axes(ax)
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)


def _draw_living(ax: Axes, row: SynthesisRow, color: str) -> None:
    if math.isfinite(row.pi_low) and math.isfinite(row.pi_high):
        ax.plot([row.pi_low, row.pi_high], [row.y, row.y], color=color, linewidth=2.5,
                alpha=0.45, solid_capstyle="butt", zorder=2, label="prediction interval")
    if math.isfinite(row.ci_low) and math.isfinite(row.ci_high):
        half = 0.3
        ax.add_patch(Polygon([(row.ci_low, row.y), (row.estimate, row.y + half),
                              (row.ci_high, row.y), (row.estimate, row.y - half)],
                             closed=True, facecolor=color, edgecolor=color, zorder=3))
    else:
        ax.plot([row.estimate], [row.y], marker="D", color=color, zorder=3)


def _xlim(rows: Sequence[SynthesisRow], null: float) -> tuple[float, float]:
    values = [v for r in rows for v in (r.estimate, r.ci_low, r.ci_high, r.pi_low, r.pi_high)
              if math.isfinite(v)] + [null]
    lo, hi = min(values), max(values)
    pad = 0.06 * (hi - lo if hi > lo else 1.0)
    return lo - pad, hi + pad
