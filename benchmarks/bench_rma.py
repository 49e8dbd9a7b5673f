"""Benchmark: one REML + Knapp-Hartung + Q-profile fit, livingmeta against metafor.

Times, in the same run and on the same simulated data, livingmeta's
``rma(yi, vi, method="REML", test="knha")`` followed by ``tau2_confidence_interval()``,
and metafor's ``rma(yi, vi, method="REML", test="knha")`` followed by ``confint()``
(when ``Rscript`` with metafor is on the PATH), at k = 10, 100 and 10,000; then
livingmeta alone at k = 1,000,000 with its peak memory. Prints one row per k with the
ratio metafor / livingmeta.

Usage::

    .venv/bin/python benchmarks/bench_rma.py [--metafor-timeout 600] [--big-k 1000000]

metafor builds k x k matrices, so its k = 10,000 fit takes minutes and gigabytes; it is
run once, under ``--metafor-timeout`` seconds, and reported as "> timeout" past that.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from livingmeta.models import rma

R_SCRIPT = r"""
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
dat <- read.csv(args[1])
reps <- as.integer(args[2])
fit <- function() {
  r <- rma(dat$yi, dat$vi, method = "REML", test = "knha")
  confint(r)
}
invisible(suppressWarnings(fit()))  # warm-up
t <- system.time(for (i in seq_len(reps)) suppressWarnings(fit()))[["elapsed"]]
cat(sprintf("%.9f\n", t / reps))
"""


def simulate(k: int, seed: int = 20261123) -> tuple[np.ndarray, np.ndarray]:
    """Effect sizes of k studies: true effects N(0.3, 0.1), vi from study sizes 20-400."""
    rng = np.random.default_rng(seed)
    n = rng.integers(20, 400, size=k)
    vi = 4.0 / n
    yi = rng.normal(0.3, np.sqrt(0.1 + vi))
    return yi, vi


def time_livingmeta(yi: np.ndarray, vi: np.ndarray, min_seconds: float = 1.0) -> float:
    """Seconds per fit (median of batches), warnings silenced as in the R timing."""

    def fit() -> None:
        result = rma(yi, vi, method="REML", test="knha")
        result.tau2_confidence_interval()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit()
        reps, elapsed = 1, 0.0
        while True:
            start = time.perf_counter()
            for _ in range(reps):
                fit()
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds / 5 or reps >= 100_000:
                break
            reps *= 4
        samples = []
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(reps):
                fit()
            samples.append((time.perf_counter() - start) / reps)
    return float(np.median(samples))


def time_metafor(yi: np.ndarray, vi: np.ndarray, timeout: float) -> float | str:
    """Seconds per metafor fit, or a reason string when it cannot be measured."""
    if shutil.which("Rscript") is None:
        return "no R"
    k = yi.size
    reps = 200 if k <= 10 else 50 if k <= 100 else 1
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "dat.csv"
        script = Path(tmp) / "bench.R"
        np.savetxt(csv, np.column_stack([yi, vi]), delimiter=",", header="yi,vi",
                   comments="", fmt="%.17g")
        script.write_text(R_SCRIPT)
        try:
            done = subprocess.run(["Rscript", str(script), str(csv), str(reps)],
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s"
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["failed"])[-1]
        return f"R failed: {last}"
    return float(done.stdout.strip().splitlines()[-1])


def big_k(k: int) -> tuple[float, float]:
    """Seconds and peak traced memory (MiB) of one fit at a large k."""
    yi, vi = simulate(k)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rma(yi[:1000], vi[:1000], method="REML", test="knha").tau2_confidence_interval()
        tracemalloc.start()
        start = time.perf_counter()
        rma(yi, vi, method="REML", test="knha").tau2_confidence_interval()
        elapsed = time.perf_counter() - start
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return elapsed, peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ks", default="10,100,10000", help="k values compared with metafor")
    parser.add_argument("--metafor-timeout", type=float, default=600.0)
    parser.add_argument("--big-k", type=int, default=1_000_000)
    args = parser.parse_args(argv)

    print("REML + knha + Q-profile CI for tau2: seconds per fit")
    print(f"{'k':>9}  {'livingmeta':>12}  {'metafor':>12}  {'metafor/livingmeta':>18}")
    for k in (int(x) for x in args.ks.split(",")):
        yi, vi = simulate(k)
        ours = time_livingmeta(yi, vi)
        theirs = time_metafor(yi, vi, args.metafor_timeout)
        if isinstance(theirs, float):
            ratio = f"{theirs / ours:.1f}x"
            theirs_text = f"{theirs:.3e}"
        else:
            ratio, theirs_text = "—", theirs
        print(f"{k:>9}  {ours:>12.3e}  {theirs_text:>12}  {ratio:>18}", flush=True)
    if args.big_k:
        seconds, mib = big_k(args.big_k)
        per_study = mib * 2**20 / args.big_k
        print(f"\nk = {args.big_k:,}: {seconds:.2f} s for one fit with Q-profile CI; "
              f"peak traced memory {mib:.0f} MiB ({per_study:.0f} bytes per study)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
