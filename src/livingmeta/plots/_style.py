"""What every plot shares: palette, fonts, scales of the measures, and the drawn result.

Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), safe for
the common colour-vision deficiencies and distinct in grey scale. Figures are
``matplotlib.figure.Figure`` objects created directly (never pyplot), so drawing needs
no display and touches no global state; ``savefig`` picks the format from the extension.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator

from livingmeta.errors import ParameterError

__all__ = [
    "PALETTE",
    "DrawnPlot",
    "MeasureScale",
    "measure_scale",
]

PALETTE = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#6E6E6E",
    "light_grey": "#BDBDBD",
}

FONT_SIZE = 9.0
SMALL_FONT_SIZE = 8.0
TITLE_FONT_SIZE = 11.0
SAVE_FORMATS = (".png", ".svg", ".pdf")

RATIO_MEASURES = frozenset({"OR", "RR", "IRR", "ROM", "PETO"})
MEASURE_NAMES = {
    "OR": "Odds Ratio", "RR": "Risk Ratio", "IRR": "Rate Ratio", "ROM": "Ratio of Means",
    "PETO": "Peto Odds Ratio", "RD": "Risk Difference", "IRD": "Rate Difference",
    "MD": "Mean Difference", "SMD": "Std. Mean Difference", "SMDH": "Std. Mean Difference",
    "MC": "Mean Change", "SMCC": "Std. Mean Change", "SMCR": "Std. Mean Change",
    "COR": "Correlation", "ZCOR": "Correlation", "GEN": "Estimate",
}

D = TypeVar("D")


@dataclass(frozen=True, slots=True)
class DrawnPlot(Generic[D]):
    """A Display object drawn on a matplotlib figure.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure drawn on (created by ``plot()`` unless an ``ax`` was passed).
    ax : matplotlib.axes.Axes
        The axes holding the graphical part of the plot.
    display : object
        The Display object (``ForestPlot``, ``FunnelPlot``, ...) that was drawn.
    """

    figure: Figure
    ax: Axes
    display: D

    def savefig(self, path: str | Path, *, dpi: float = 200.0) -> Path:
        """Write the figure to ``path``; the extension picks SVG, PNG or PDF."""
        return save_figure(self.figure, path, dpi=dpi)


def save_figure(figure: Figure, path: str | Path, *, dpi: float = 200.0) -> Path:
    """Save ``figure`` as SVG, PNG or PDF according to the extension of ``path``."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise ParameterError(
            f"The 'path' parameter must end in one of {set(SAVE_FORMATS)}. Got {str(path)!r}.")
    figure.savefig(target, format=suffix[1:], dpi=dpi, facecolor="white")
    return target


def new_figure(width: float, height: float, *, constrained: bool = False) -> Figure:
    """A white figure of ``width`` x ``height`` inches, independent of pyplot."""
    return Figure(figsize=(width, height), facecolor="white",
                  layout="constrained" if constrained else None)


def resolve_axes(ax: Axes | None, width: float, height: float) -> tuple[Figure, Axes]:
    """The figure and axes to draw on: ``ax`` and its figure, or a new constrained figure."""
    if ax is not None:
        figure = ax.get_figure()
        if not isinstance(figure, Figure):
            raise ParameterError("The 'ax' parameter must be an Axes placed on a Figure.")
        return figure, ax
    figure = new_figure(width, height, constrained=True)
    return figure, figure.add_subplot()


def style_axes(ax: Axes) -> None:
    """Open axes: no top and right spines, readable ticks."""
    ax.spines["top"].set_visible(False)
    ax.spines["right"].set_visible(False)
    ax.tick_params(labelsize=SMALL_FONT_SIZE + 0.5, direction="out", length=3)


@lru_cache(maxsize=4096)
def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` in inches, from the glyph outlines (no figure needed)."""
    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    widest = 0.0
    for line in text.split("\n"):
        width, _, _ = TextToPath().get_text_width_height_descent(line, prop, ismath=False)
        widest = max(widest, float(width))
    return widest / 72.0


@dataclass(frozen=True, slots=True)
class MeasureScale:
    """How a measure's analysis scale maps to the scale shown to readers.

    Attributes
    ----------
    measure : str
        The measure code.
    transform : str
        ``"identity"``, ``"exp"`` (ratio measures analysed as logs) or ``"tanh"``
        (Fisher's z back to a correlation).
    name : str
        Readable name of the measure ("Risk Ratio").
    null : float
        The value of no effect on the analysis scale (0 for every measure here).
    """

    measure: str
    transform: str
    name: str
    null: float = 0.0

    def to_display(self, values: object) -> np.ndarray:
        """Analysis-scale values on the scale readers see (exp or tanh, NaN kept)."""
        x = np.asarray(values, dtype=float)
        if self.transform == "exp":
            with np.errstate(over="ignore"):
                return np.exp(x)
        if self.transform == "tanh":
            return np.tanh(x)
        return x

    def to_analysis(self, values: object) -> np.ndarray:
        """Reader-scale values back on the analysis scale (log or arctanh)."""
        x = np.asarray(values, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.transform == "exp":
                return np.log(x)
            if self.transform == "tanh":
                return np.arctanh(x)
        return x

    @property
    def axis_label(self) -> str:
        """Axis title, naming a log scale where there is one."""
        return f"{self.name} (log scale)" if self.transform == "exp" else self.name

    def ticks(self, low: float, high: float) -> tuple[tuple[float, ...], tuple[str, ...]]:
        """Tick positions (analysis scale) and labels (reader scale) within [low, high]."""
        if self.transform == "exp":
            natural = _ratio_ticks(math.exp(low), math.exp(high))
        elif self.transform == "tanh":
            natural = _correlation_ticks(math.tanh(low), math.tanh(high))
        else:
            values = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
            natural = [float(v) for v in values if low - 1e-12 <= v <= high + 1e-12]
        positions = tuple(float(p) for p in self.to_analysis(natural))
        return positions, tuple(tick_label(v) for v in natural)


def measure_scale(measure: str) -> MeasureScale:
    """The :class:`MeasureScale` of a measure code (unknown codes are shown as is)."""
    code = measure.upper()
    transform = "exp" if code in RATIO_MEASURES else "tanh" if code == "ZCOR" else "identity"
    return MeasureScale(code, transform, MEASURE_NAMES.get(code, measure))


def tick_label(value: float) -> str:
    """A short tick label: ``0.5``, ``1``, ``10``, ``0.25`` (no trailing zeros)."""
    if value == 0:
        return "0"
    text = f"{value:.3g}" if abs(value) < 1000 else f"{value:.0f}"
    return text.replace("-", "−")


def _ratio_ticks(low: float, high: float) -> list[float]:
    fine = (1.0, 2.0, 5.0)
    finer = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
    for mantissas in (fine, finer):
        values = _decade_values(low, high, mantissas)
        if len(values) > 7:
            values = _decade_values(low, high, (1.0,))
            if len(values) < 3:
                values = _decade_values(low, high, (1.0, 3.0))
        if len(values) >= 3:
            return values
    return _decade_values(low, high, (1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0))


def _decade_values(low: float, high: float, mantissas: tuple[float, ...]) -> list[float]:
    if not (low > 0 and high > low and math.isfinite(high)):
        return [1.0]
    out = []
    for exponent in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in mantissas:
            value = float(f"{m * 10.0**exponent:.12g}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                out.append(value)
    return out


def _correlation_ticks(low: float, high: float) -> list[float]:
    for step in (0.2, 0.1, 0.05):
        values = [round(v, 2) for v in np.arange(-1.0, 1.0 + step / 2, step)]
        values = [v for v in values if low - 1e-9 <= v <= high + 1e-9 and abs(v) < 1]
        if len(values) >= 3:
            return values
    return [round(low, 2), round(high, 2)]


def fmt_value(value: float, digits: int = 2) -> str:
    """A number with ``digits`` decimals ('NA' when missing); '-0.00' shown as '0.00'."""
    if not math.isfinite(value):
        return "NA" if math.isnan(value) else ("Inf" if value > 0 else "-Inf")
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def fmt_interval(estimate: float, low: float, high: float, digits: int = 2) -> str:
    """``"-0.34 [-0.95, 0.27]"``."""
    return (f"{fmt_value(estimate, digits)} "
            f"[{fmt_value(low, digits)}, {fmt_value(high, digits)}]")


def fmt_pvalue(p: float) -> str:
    """``"p < 0.001"``, ``"p = 0.034"``; empty when p is missing."""
    if not math.isfinite(p):
        return ""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"
