"""Simulation studies of meta-analysis methods (``livingmeta simulate``).

A scenario file (:mod:`~livingmeta.simulation.scenarios`) declares a grid of
data-generating mechanisms (k, tau2, true effect, study sizes, measure); each scenario's
meta-analyses are drawn in seeded blocks (:mod:`~livingmeta.simulation.generate`),
fitted by every method x test through the batch engine
(:mod:`~livingmeta.simulation.run`), and summarised as bias, empirical and model SE,
RMSE, CI and PI coverage, CI width, power or type I error, tau2 bias and CI coverage and
convergence, each with its Monte Carlo SE (:mod:`~livingmeta.simulation.metrics`; Morris,
White & Crowther 2019, Stat Med 38:2074-2102).

>>> from livingmeta.simulation import bundled_scenarios, load_scenarios
>>> spec = load_scenarios(bundled_scenarios("ldn-small-trials"))
>>> spec.methods, spec.tests
(('DL', 'REML', 'PM'), ('z', 'knha'))
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from livingmeta.errors import check_choice
from livingmeta.simulation.generate import GeneratedData, generate
from livingmeta.simulation.metrics import Moments, Performance
from livingmeta.simulation.results import METRICS, PerformanceRow, SimulationResult
from livingmeta.simulation.run import BLOCK_SIZE, run_simulation
from livingmeta.simulation.scenarios import (
    SIMULATED_MEASURES,
    Distribution,
    Scenario,
    ScenarioProblem,
    SimulationSpec,
    load_scenarios,
    parse_scenarios,
)

__all__ = [
    "BLOCK_SIZE",
    "BUNDLED_SCENARIOS",
    "METRICS",
    "SIMULATED_MEASURES",
    "Distribution",
    "GeneratedData",
    "Moments",
    "Performance",
    "PerformanceRow",
    "Scenario",
    "ScenarioProblem",
    "SimulationResult",
    "SimulationSpec",
    "bundled_scenarios",
    "generate",
    "load_scenarios",
    "parse_scenarios",
    "run_simulation",
]

#: Scenario files shipped in ``livingmeta/datasets/simulations/``.
BUNDLED_SCENARIOS = ("friedrich2008", "ldn-small-trials")


def bundled_scenarios(name: str) -> Path:
    """Path of a bundled scenario file (one of :data:`BUNDLED_SCENARIOS`)."""
    check_choice("name", name, BUNDLED_SCENARIOS)
    return Path(str(files("livingmeta.datasets").joinpath("simulations", f"{name}.toml")))
