"""Timing helpers shared by the benchmark scripts (best of n; seconds printed by R)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["best_of", "run_r"]


def best_of(call: Callable[[], object], repeats: int = 3) -> float:
    """Seconds of the fastest of ``repeats`` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times)


def run_r(script: str, args: list[str], timeout: float) -> float | str:
    """Seconds printed on the last line by an R script, or why it could not run."""
    if shutil.which("Rscript") is None:
        return "no R"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.R"
        path.write_text(script)
        try:
            done = subprocess.run(["Rscript", str(path), *args], capture_output=True,
                                  text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s"
    if done.returncode != 0:
        return "R failed: " + (done.stderr.strip().splitlines() or ["?"])[-1]
    return float(done.stdout.strip().splitlines()[-1])
