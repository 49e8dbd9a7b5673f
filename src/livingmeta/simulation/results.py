"""The result of a simulation study: one performance measure per scenario, method, test."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from livingmeta.results import Provenance, jsonable
from livingmeta.simulation.scenarios import Scenario

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["METRICS", "PerformanceRow", "SimulationResult"]

#: Performance measures, in table order (see :mod:`livingmeta.simulation.metrics`).
METRICS = ("bias", "empirical_se", "model_se", "rmse", "ci_coverage", "ci_width",
           "pi_coverage", "power", "type1_error", "tau2_bias", "tau2_rmse",
           "tau2_ci_coverage", "convergence")
_COLUMNS = ("scenario", "name", "measure", "k", "tau2", "effect", "design", "method", "test",
            "metric", "estimate", "mcse", "n")
_SUMMARY_METRICS = (("bias", "Bias"), ("rmse", "RMSE"), ("ci_coverage", "CI cov."),
                    ("pi_coverage", "PI cov."), ("power", "Power"),
                    ("type1_error", "Type I"), ("tau2_bias", "tau2 bias"))


@dataclass(frozen=True, slots=True)
class PerformanceRow:
    """One performance measure of one method x test in one scenario.

    Attributes
    ----------
    scenario : str
        The scenario's label (``name k=5 tau2=0.05 effect=0``).
    name, measure : str
        The ``[[scenarios]]`` entry and its measure.
    k : int
    tau2, effect : float
        True between-study variance and mean effect.
    design : str
        The distribution of study sizes (or of vi for GEN).
    method, test : str
    metric : str
        One of :data:`METRICS`. ``power`` when the true effect is not 0, ``type1_error``
        when it is (rejection rate of the two-sided test at ``1 - level``).
    estimate, mcse : float
        The measure and its Monte Carlo standard error.
    n : int
        Replications the measure rests on (finite values).
    """

    scenario: str
    name: str
    measure: str
    k: int
    tau2: float
    effect: float
    design: str
    method: str
    test: str
    metric: str
    estimate: float
    mcse: float
    n: int


@dataclass(frozen=True, slots=True)
class SimulationResult:
    """Performance of every method x test in every scenario, with Monte Carlo SEs.

    Attributes
    ----------
    title : str
    seed : int
        The seed used (with each scenario's label and block number it seeds every block).
    replications : int
        Meta-analyses per scenario.
    level : float
        Level of the CIs and PIs; tests rejected at ``1 - level``.
    methods, tests : tuple of str
    tau2_ci : bool
        Whether the Q-profile CI of tau2 was evaluated.
    scenarios : tuple of Scenario
    rows : tuple of PerformanceRow
        Scenario by scenario, method by method, test by test, metric in
        :data:`METRICS` order.
    notes : tuple of str
        Facts of the data generation worth reporting (zero-cell corrections).
    warnings : tuple of str
        Messages of the warnings issued (clipped risks).
    provenance : Provenance
        ``k`` holds the number of scenarios; the digest covers the checked specification.
    """

    title: str
    seed: int
    replications: int
    level: float
    methods: tuple[str, ...]
    tests: tuple[str, ...]
    tau2_ci: bool
    scenarios: tuple[Scenario, ...]
    rows: tuple[PerformanceRow, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """Tidy table: one row per scenario x method x test x metric."""
        return pd.DataFrame([[getattr(r, c) for c in _COLUMNS] for r in self.rows],
                            columns=list(_COLUMNS))

    def metric(self, name: str) -> pd.DataFrame:
        """The rows of one metric (e.g. ``"ci_coverage"``)."""
        frame = self.to_frame()
        return frame[frame["metric"] == name].reset_index(drop=True)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out

    def summary(self) -> Summary:
        """A table of the main measures, ``estimate (MCSE)``, one row per method x test."""
        from livingmeta.summary import Summary, SummaryTable

        cells: dict[tuple[str, str, str], dict[str, str]] = {}
        for r in self.rows:
            key = (r.scenario, r.method, r.test)
            if math.isfinite(r.estimate):
                cells.setdefault(key, {})[r.metric] = f"{r.estimate:.3f} ({r.mcse:.3f})"
            else:
                cells.setdefault(key, {})
        shown = [(m, h) for m, h in _SUMMARY_METRICS
                 if any(m in c for c in cells.values())]
        header = ("Scenario", "Method", "Test", *(h for _, h in shown))
        rows = tuple((s, m, t, *(c.get(metric, "") for metric, _ in shown))
                     for (s, m, t), c in cells.items())
        title = (f"Simulation study: {self.title} ({len(self.scenarios)} scenarios, "
                 f"{self.replications} replications each, seed {self.seed})")
        lines = (f"Level {100 * self.level:g}%; estimate (Monte Carlo SE).", *self.notes,
                 *(f"warning: {w}" for w in self.warnings))
        return Summary(title, lines, (SummaryTable("Performance", header, rows),))
