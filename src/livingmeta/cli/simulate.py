"""``livingmeta simulate``: run a simulation study from a scenario file (a thin command).

Reads SCENARIOS.toml (or the name of a bundled file: ``ldn-small-trials``,
``friedrich2008``), calls :func:`~livingmeta.simulation.run_simulation` and writes the
output folder atomically: ``results.csv`` and ``results.parquet`` (one row per scenario
x method x test x metric with estimate and Monte Carlo SE), ``coverage.svg`` and
``coverage.png`` (CI coverage by k and tau2). The folder is built beside ``--out`` and
renamed into place, so a failed run leaves ``--out`` as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from livingmeta._io import build_folder_atomically, check_replaceable_folder
from livingmeta.cli._common import collect_warnings, handle_errors
from livingmeta.cli._render import print_summary

__all__ = ["simulate"]

OUTPUT_FILES = ("results.csv", "results.parquet", "coverage.svg", "coverage.png")


def _scenario_path(value: str) -> Path:
    from livingmeta.simulation import BUNDLED_SCENARIOS, bundled_scenarios

    path = Path(value)
    if not path.exists() and value in BUNDLED_SCENARIOS:
        return bundled_scenarios(value)
    return path


#: Marks a folder written by ``simulate --out`` (only such a folder is replaced).
MARKER_FILE = ".livingmeta-simulation"


def _write_folder(result: Any, target: Path) -> None:
    from livingmeta.plots import SimulationPlot

    check_replaceable_folder(target, MARKER_FILE, "simulation results")

    def build(folder: Path) -> None:
        frame = result.to_frame()
        frame.to_csv(folder / "results.csv", index=False)
        frame.to_parquet(folder / "results.parquet", index=False)
        drawn = SimulationPlot.from_result(result, metric="ci_coverage").plot()
        drawn.savefig(folder / "coverage.svg")
        drawn.savefig(folder / "coverage.png", dpi=150)
        (folder / MARKER_FILE).write_text("livingmeta simulation results\n", encoding="utf-8")

    build_folder_atomically(target, build)


@click.command()
@click.argument("scenarios")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder (replaced atomically).")
@click.option("--replications", type=click.IntRange(min=2), default=None,
              help="Meta-analyses per scenario (default: the file's).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Seed (default: the file's).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Dask scheduler address (tcp://host:8786); default: in process. "
                   "The results are identical.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (stable contract).")
@handle_errors
def simulate(scenarios: str, out_dir: str, replications: int | None, seed: int | None,
             scheduler: str | None, as_json: bool) -> None:
    """Run the simulation study of SCENARIOS (a .toml file or a bundled name)."""
    from livingmeta.simulation import load_scenarios, run_simulation

    with collect_warnings():
        spec = load_scenarios(_scenario_path(scenarios))
        result = run_simulation(spec, replications=replications, seed=seed,
                                scheduler=scheduler)
        target = Path(out_dir).expanduser().absolute()
        _write_folder(result, target)
    if as_json:
        payload = {
            "title": result.title, "seed": result.seed, "replications": result.replications,
            "level": round(100 * result.level, 10), "methods": list(result.methods),
            "tests": list(result.tests), "scenarios": len(result.scenarios),
            "out": str(target), "files": list(OUTPUT_FILES),
            "rows": result.to_frame().to_dict(orient="records"),
            "notes": list(result.notes), "warnings": list(result.warnings),
        }
        from livingmeta.results import jsonable

        click.echo(json.dumps(jsonable(payload), allow_nan=False))
        return
    print_summary(result.summary())
    click.echo(f"Wrote {', '.join(OUTPUT_FILES)} to {target}")
