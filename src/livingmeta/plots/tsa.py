"""Trial sequential analysis plots as Display objects.

The cumulative Z-curve against accrued information, with the Lan-DeMets monitoring
boundaries (efficacy above and below, the futility wedge between them), the conventional
``z_{1-alpha/2}`` lines dashed and the required information size (RIS) as a vertical
line (Wetterslev et al. 2008, fig. 1; Thorlund et al. 2011, TSA manual). The boundaries
are computed by :mod:`livingmeta.sequential` (on a fine grid of fractions, so that they
are drawn as smooth curves); this module only draws them.

References
----------
Wetterslev J, Thorlund K, Brok J, Gluud C (2008). Trial sequential analysis may establish
when firm evidence is reached in cumulative meta-analysis. J Clin Epidemiol 61:64-75.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from scipy import special

from livingmeta.errors import ParameterError

from ._style import PALETTE, SMALL_FONT_SIZE, DrawnPlot, resolve_axes, style_axes

__all__ = ["TSAPlot"]

FloatArray = np.ndarray
Z_LIMIT = 8.0  # boundaries beyond +-8 are clipped by the axes, as the TSA program does


@dataclass(frozen=True, slots=True)
class TSAPlot:
    """Cumulative Z-curve and monitoring boundaries against information.

    Attributes
    ----------
    study : tuple of str
        Trial added at each look (point labels).
    information, z : ndarray
        Cumulative information and z statistic at each look.
    ris : float
        Required information size (the vertical line).
    curve_information : ndarray
        Information of the boundary curve's points (up to the RIS).
    upper, lower, futility_upper, futility_lower : ndarray
        Boundary curves (z; NaN where a bound does not exist).
    conventional : float
        ``z_{1-alpha/sides}``: the dashed lines at +-conventional.
    sides : int
        1 or 2.
    information_label : str
        x-axis title ("Cumulative number of participants" or "Statistical information").
    favours_upper, favours_lower : str
        What the upper and lower halves favour ("Favours intervention"/"control").
    verdict : str
        The TSA verdict (title).
    """

    study: tuple[str, ...]
    information: FloatArray
    z: FloatArray
    ris: float
    curve_information: FloatArray
    upper: FloatArray
    lower: FloatArray
    futility_upper: FloatArray
    futility_lower: FloatArray
    conventional: float
    sides: int
    information_label: str
    favours_upper: str
    favours_lower: str
    verdict: str

    @classmethod
    def from_result(cls, result: Any, *, points: int = 40) -> TSAPlot:
        """TSA plot of a :class:`~livingmeta.sequential.TSAResult` (boundaries evaluated
        at ``points`` evenly spaced fractions besides the looks)."""
        from livingmeta.sequential import boundary_curve

        curve = boundary_curve(result, points=points)
        t = np.asarray(curve.information_fraction, dtype=float)
        c = np.asarray(curve.efficacy, dtype=float)
        b = np.asarray(curve.futility, dtype=float)
        b = np.where(b > 0, b, np.nan)  # not drawn on the wrong side of 0 (TSA program)
        nan = np.full(t.size, np.nan)
        up_is_benefit = result.direction == "higher"
        if result.sides == 2:
            upper, lower, fu, fl = c, -c, b, -b
        elif up_is_benefit:
            upper, lower, fu, fl = c, nan, b, nan
        else:
            upper, lower, fu, fl = nan, -c, nan, -b
        looks = result.looks
        unit = ("Cumulative number of participants" if result.information == "participants"
                else "Cumulative statistical information (1 / variance)")
        return cls(
            study=tuple(look.study for look in looks),
            information=np.array([look.information for look in looks], dtype=float),
            z=np.array([look.z for look in looks], dtype=float), ris=float(result.ris.ris),
            curve_information=t * float(result.ris.ris), upper=upper, lower=lower,
            futility_upper=fu, futility_lower=fl,
            conventional=float(special.ndtri(1 - result.alpha / result.sides)),
            sides=int(result.sides), information_label=unit,
            favours_upper="Favours intervention" if up_is_benefit else "Favours control",
            favours_lower="Favours control" if up_is_benefit else "Favours intervention",
            verdict=str(result.verdict))

    @property
    def xlim(self) -> tuple[float, float]:
        """Horizontal limits: from 0 past the RIS and the last look."""
        return 0.0, 1.08 * max(self.ris, float(np.max(self.information)))

    @property
    def ylim(self) -> tuple[float, float]:
        """Vertical limits: the Z-curve and the conventional lines, within +-Z_LIMIT."""
        top = max(self.conventional, float(np.max(np.abs(self.z)))) + 1.0
        top = min(max(top, 4.0), Z_LIMIT)
        return -top, top

    def plot(self, ax: Axes | None = None, **style: Any) -> DrawnPlot[TSAPlot]:
        """Draw the TSA plot (a new 7.5 x 5 inch figure unless ``ax`` is given).

        ``style`` accepts ``curve_color``, ``boundary_color``, ``futility_color`` and
        ``legend`` (bool).
        """
        figure, ax = resolve_axes(ax, 7.5, 5.0)
        curve_color = style.pop("curve_color", PALETTE["blue"])
        boundary_color = style.pop("boundary_color", PALETTE["vermillion"])
        futility_color = style.pop("futility_color", PALETTE["green"])
        legend = bool(style.pop("legend", True))
        if style:
            raise ParameterError(f"Unknown style options {sorted(style)}.")
        ax.axhline(0.0, color=PALETTE["grey"], lw=0.6, zorder=1)
        for sign in (1.0, -1.0) if self.sides == 2 else (1.0 if self._up() else -1.0,):
            ax.axhline(sign * self.conventional, color=PALETTE["grey"], lw=0.9,
                       ls=(0, (5, 3)), zorder=1,
                       label=f"Conventional boundary (z = {self.conventional:.2f})"
                       if sign > 0 or self.sides == 1 else None)
        first = True
        for series in (self.upper, self.lower):
            if np.any(np.isfinite(series)):
                ax.plot(self.curve_information, series, color=boundary_color, lw=1.6, zorder=3,
                        label="Monitoring boundary" if first else None)
                first = False
        first = True
        for series in (self.futility_upper, self.futility_lower):
            if np.any(np.isfinite(series)):
                ax.plot(self.curve_information, series, color=futility_color, lw=1.4,
                        zorder=3, label="Futility boundary" if first else None)
                first = False
        ax.axvline(self.ris, color=PALETTE["black"], lw=1.0, ls=":", zorder=2)
        ax.annotate(f"RIS = {self.ris:,.0f}", xy=(self.ris, 1.0),
                    xycoords=("data", "axes fraction"), xytext=(3, -2),
                    textcoords="offset points", ha="left", va="top",
                    fontsize=SMALL_FONT_SIZE)
        xs = np.concatenate([[0.0], self.information])
        zs = np.concatenate([[0.0], self.z])
        ax.plot(xs, zs, color=curve_color, lw=1.8, marker="o", ms=4.5, zorder=5,
                markevery=list(range(1, xs.size)), label="Cumulative Z-curve")
        for name, xi, zi in zip(self.study, self.information, self.z, strict=True):
            ax.annotate(name, xy=(xi, zi), xytext=(4, 6 if zi >= 0 else -6),
                        textcoords="offset points", fontsize=SMALL_FONT_SIZE - 0.5,
                        va="bottom" if zi >= 0 else "top", zorder=6)
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_xlabel(self.information_label)
        ax.set_ylabel(f"Cumulative Z-score\n↓ {self.favours_lower}   ·   "
                      f"{self.favours_upper} ↑")
        ax.set_title(f"Trial sequential analysis: {self.verdict}", fontsize=SMALL_FONT_SIZE + 1)
        style_axes(ax)
        if legend:
            ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=4,
                      fontsize=SMALL_FONT_SIZE - 0.5, frameon=False, handlelength=1.8)
        return DrawnPlot(figure, ax, self)

    def _up(self) -> bool:
        return bool(np.any(np.isfinite(self.upper)))

    def savefig(self, path: str | Path, *, dpi: float = 200.0, **style: Any) -> Path:
        """Draw on a new figure and write it (SVG, PNG or PDF by extension)."""
        return self.plot(**style).savefig(path, dpi=dpi)

