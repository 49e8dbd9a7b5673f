"""Posterior densities of a Bayesian random-effects meta-analysis, as a Display object.

The left panel shows the marginal posterior of the effect mu (solid, with its credible
interval shaded), the predictive distribution of a new study's effect theta_new, the
prior of mu (dashed, when proper) and the threshold of clinical relevance with the
posterior probability beyond it; the right panel shows the prior and the posterior of the
heterogeneity tau (as bayesmeta's ``plot(..., prior=TRUE)``, Röver 2020, J Stat Softw
93(6), fig. 4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.axes import Axes

from livingmeta.errors import ParameterError, check_choice

from ._style import (
    PALETTE,
    SMALL_FONT_SIZE,
    DrawnPlot,
    MeasureScale,
    measure_scale,
    new_figure,
    resolve_axes,
    style_axes,
)

__all__ = ["BayesPosteriorPlot"]

FloatArray = np.ndarray


@dataclass(frozen=True, slots=True)
class BayesPosteriorPlot:
    """Densities of the posterior of mu, theta_new and tau, on grids.

    Attributes
    ----------
    scale : MeasureScale
        The measure (ratio measures: natural-scale tick labels).
    level : float
        Level of the shaded interval.
    interval_kind : str
        ``"central"`` or ``"shortest"``.
    x : ndarray
        Grid of effect values (analysis scale).
    mu_density, new_density : ndarray
        Posterior density of mu and predictive density of theta_new on ``x``.
    mu_prior_density : ndarray or None
        Prior density of mu on ``x`` (None for the flat prior).
    mu_median : float
        Posterior median of mu.
    mu_interval : tuple of float
        Credible interval of mu (shaded).
    threshold : float or None
        Threshold of clinical relevance (analysis scale).
    direction : str
        ``"lower"`` or ``"higher"`` (benefit side of the threshold).
    p_beyond, p_beyond_new : float or None
        Posterior probability of mu, and of theta_new, beyond the threshold.
    tau : ndarray
        Grid of tau values, from 0.
    tau_density, tau_prior_density : ndarray
        Posterior and prior densities of tau on ``tau``.
    tau_interval : tuple of float
        Credible interval of tau (same kind and level).
    """

    scale: MeasureScale
    level: float
    interval_kind: str
    x: FloatArray
    mu_density: FloatArray
    new_density: FloatArray
    mu_prior_density: FloatArray | None
    mu_median: float
    mu_interval: tuple[float, float]
    threshold: float | None
    direction: str
    p_beyond: float | None
    p_beyond_new: float | None
    tau: FloatArray
    tau_density: FloatArray
    tau_prior_density: FloatArray
    tau_interval: tuple[float, float]

    @classmethod
    def from_result(cls, result: Any, *, interval: str = "central",
                    points: int = 401) -> BayesPosteriorPlot:
        """Densities of a :class:`~livingmeta.models.BayesResult` on grids of ``points``
        values; ``interval`` picks the shaded interval (``"central"`` or ``"shortest"``)."""
        check_choice("interval", interval, ("central", "shortest"))
        if isinstance(points, bool) or not isinstance(points, int) or points < 20:
            raise ParameterError(f"The 'points' parameter must be an integer >= 20. "
                                 f"Got {points!r}.")
        lo = min(result.quantile("theta_new", 0.005), result.quantile("mu", 0.001), 0.0)
        hi = max(result.quantile("theta_new", 0.995), result.quantile("mu", 0.999), 0.0)
        if result.threshold is not None:
            lo, hi = min(lo, result.threshold), max(hi, result.threshold)
        pad = 0.05 * (hi - lo)
        x = np.linspace(lo - pad, hi + pad, points)
        tau_top = 1.15 * result.quantile("tau", 0.995)
        tau = np.linspace(0.0, tau_top, points)
        summary = result.mu if interval == "central" else None
        mu_iv = ((summary.ci_low, summary.ci_high) if summary is not None
                 else (result.mu.hpd_low, result.mu.hpd_high))
        tau_iv = ((result.tau.ci_low, result.tau.ci_high) if interval == "central"
                  else (result.tau.hpd_low, result.tau.hpd_high))
        prior_mu = result.prior_density("mu", x)
        prior_tau = result.prior_density("tau", tau)
        return cls(measure_scale(result.measure), float(result.level), interval, x,
                   result.density("mu", x), result.density("theta_new", x), prior_mu,
                   float(result.mu.median), (float(mu_iv[0]), float(mu_iv[1])),
                   result.threshold, result.direction, result.p_beyond_threshold,
                   result.p_beyond_threshold_new, tau, result.density("tau", tau),
                   np.zeros_like(tau) if prior_tau is None else prior_tau,
                   (float(tau_iv[0]), float(tau_iv[1])))

    @property
    def annotation(self) -> str:
        """``"P(mu < -0.2) = 0.37"`` (empty without a threshold)."""
        if self.threshold is None or self.p_beyond is None:
            return ""
        sign = "<" if self.direction == "lower" else ">"
        text = f"P(μ {sign} {self.threshold:g}) = {self.p_beyond:.2f}"
        if self.p_beyond_new is not None:
            text += f"\nP(θ_new {sign} {self.threshold:g}) = {self.p_beyond_new:.2f}"
        return text

    def plot(self, ax: Axes | None = None) -> DrawnPlot[BayesPosteriorPlot]:
        """Draw both panels on a new figure, or only the effect panel on ``ax``."""
        if ax is not None:
            figure, ax = resolve_axes(ax, 5.0, 3.6)
            self._draw_effect(ax)
            return DrawnPlot(figure, ax, self)
        figure = new_figure(9.5, 3.8, constrained=True)
        left, right = figure.subplots(1, 2, width_ratios=(3, 2))
        self._draw_effect(left)
        self._draw_tau(right)
        return DrawnPlot(figure, left, self)

    def plot_tau(self, ax: Axes | None = None) -> DrawnPlot[BayesPosteriorPlot]:
        """Draw the heterogeneity panel alone (prior dashed, posterior solid)."""
        figure, ax = resolve_axes(ax, 4.2, 3.6)
        self._draw_tau(ax)
        return DrawnPlot(figure, ax, self)

    def savefig(self, path: str | Path, *, dpi: float = 200.0) -> Path:
        """Draw both panels on a new figure and write it (SVG, PNG or PDF)."""
        return self.plot().savefig(path, dpi=dpi)

    def _draw_effect(self, ax: Axes) -> None:
        low, high = self.mu_interval
        inside = (self.x >= low) & (self.x <= high)
        pct = f"{100 * self.level:g}%"
        ax.fill_between(self.x, 0.0, self.mu_density, where=inside, color=PALETTE["sky_blue"],
                        alpha=0.45, lw=0, label=f"{pct} {self.interval_kind} interval")
        ax.plot(self.x, self.mu_density, color=PALETTE["blue"], lw=1.6,
                label="posterior of μ (mean effect)")
        ax.plot(self.x, self.new_density, color=PALETTE["orange"], lw=1.4, ls="-.",
                label="θ_new (effect in a new study)")
        if self.mu_prior_density is not None:
            ax.plot(self.x, self.mu_prior_density, color=PALETTE["grey"], lw=1.1, ls="--",
                    label="prior of μ")
        ax.axvline(self.scale.null, color=PALETTE["black"], lw=0.7, ls=":")
        if self.threshold is not None:
            ax.axvline(self.threshold, color=PALETTE["vermillion"], lw=1.0,
                       label=f"threshold {self.threshold:g}")
            # in the free upper-right corner: the legend holds the upper left
            ax.text(0.98, 0.97, self.annotation, transform=ax.transAxes, va="top",
                    ha="right", fontsize=SMALL_FONT_SIZE, color=PALETTE["vermillion"])
        ticks, labels = self.scale.ticks(float(self.x[0]), float(self.x[-1]))
        ax.set_xticks(list(ticks), list(labels))
        ax.set_xlim(float(self.x[0]), float(self.x[-1]))
        # headroom above the curves for the legend and the probabilities
        ax.set_ylim(0.0, 1.55 * float(max(self.mu_density.max(), self.new_density.max())))
        ax.set_xlabel(self.scale.axis_label)
        ax.set_ylabel("density")
        style_axes(ax)
        ax.legend(fontsize=SMALL_FONT_SIZE - 0.5, frameon=False, loc="upper left")

    def _draw_tau(self, ax: Axes) -> None:
        low, high = self.tau_interval
        inside = (self.tau >= low) & (self.tau <= high)
        ax.fill_between(self.tau, 0.0, self.tau_density, where=inside,
                        color=PALETTE["sky_blue"], alpha=0.45, lw=0)
        ax.plot(self.tau, self.tau_density, color=PALETTE["blue"], lw=1.6,
                label="posterior of τ")
        ax.plot(self.tau, self.tau_prior_density, color=PALETTE["grey"], lw=1.1, ls="--",
                label="prior of τ")
        top = float(np.nanmax(self.tau_density))
        prior_top = float(np.nanmax(self.tau_prior_density))
        if math.isfinite(prior_top):
            top = max(top, min(prior_top, 3.0 * top))
        ax.set_xlim(0.0, float(self.tau[-1]))
        ax.set_ylim(0.0, 1.08 * top)
        ax.set_xlabel("heterogeneity τ")
        ax.set_ylabel("density")
        style_axes(ax)
        ax.legend(fontsize=SMALL_FONT_SIZE - 0.5, frameon=False, loc="upper right")
