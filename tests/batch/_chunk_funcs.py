"""Chunk functions for the cluster tests: module-level, so that Dask workers import them.

The workers started by tests/batch/test_dask_cluster.py have the tests folder on their
PYTHONPATH, so this module is importable there as ``batch._chunk_funcs``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import numpy as np

from livingmeta.errors import DataValidationError, ParameterError, Problem


def pool_simulated(spec: tuple[int, int, int, int]) -> dict[str, list[float]]:
    """Simulate ``rows`` meta-analyses of ``k`` studies from chunk ``index``'s own seed and
    pool them with REML + Knapp-Hartung: a realistic, seeded batch chunk."""
    from livingmeta.models import fit_batch

    seed, index, rows, k = spec
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    vi = rng.uniform(0.01, 0.2, size=(rows, k))
    yi = rng.normal(0.3, np.sqrt(vi + 0.05))
    result = fit_batch(yi, vi, "REML", "knha", 0.95)
    return {"estimate": result.estimate.tolist(), "tau2": result.tau2.tolist()}


def warm_up() -> bool:
    """Import the engine on a worker (run with ``Client.run``) before a timed test."""
    import livingmeta.models  # noqa: F401

    return True


def slow_logged(spec: tuple[int, str, float]) -> tuple[int, int]:
    """Append ``start``/``end`` lines naming the chunk and the process to a log, sleeping
    in between, so that a test can see each execution (and re-execution) of a chunk."""
    index, log, delay = spec
    _append(log, f"start {index} {os.getpid()}")
    time.sleep(delay)
    _append(log, f"end {index} {os.getpid()}")
    return index, index * index


def _append(log: str, line: str) -> None:
    with open(log, "a", encoding="utf-8") as handle:  # one short write: atomic with O_APPEND
        handle.write(line + "\n")


def task_key(index: int) -> tuple[int, str | None]:
    """The Dask key of the task running this chunk (None in process)."""
    try:
        from distributed import get_worker

        return index, str(get_worker().get_current_task())
    except ValueError:  # not on a worker
        return index, None


def fail_at(spec: tuple[int, int, str]) -> int:
    """Return the index, except at chunk ``bad``, which raises the named kind of error."""
    index, bad, kind = spec
    if index != bad:
        return index
    if kind == "parameter":
        raise ParameterError("The 'method' parameter must be one of {'DL'}. Got 'XX'.")
    if kind == "data":
        raise DataValidationError([Problem(row=4, study="FINAL 2024", field="vi",
                                           value=-1.0, rule="must be > 0")])
    if kind == "key":
        raise KeyError("missing column")
    raise ValueError("a bug in the chunk function")


def scheduler_state(dask_scheduler: Any) -> dict[str, Any]:
    """Clients and task keys the scheduler knows (run with ``Client.run_on_scheduler``)."""
    return {"clients": sorted(str(c) for c in dask_scheduler.clients
                              if c != "fire-and-forget"),  # the scheduler's own
            "tasks": sorted(str(k) for k in dask_scheduler.tasks)}


def read_log(log: str | Path) -> list[tuple[str, int, int]]:
    """The (event, index, pid) lines of a :func:`slow_logged` log."""
    rows = []
    for line in Path(log).read_text(encoding="utf-8").splitlines():
        event, index, pid = line.split()
        rows.append((event, int(index), int(pid)))
    return rows


def tasks_computed(dask_scheduler: Any) -> int:
    """How many times any task reached memory on this scheduler (a cumulative count)."""
    return sum(prefix.state_counts["memory"] for prefix in dask_scheduler.task_prefixes.values())


def total(values: np.ndarray) -> float:
    """The sum of a chunk's values (a chunk that carries a large array)."""
    return float(values.sum())
