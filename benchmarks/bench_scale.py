"""Speed at scale (issue 7): batch pooling, streaming, GOSH, permutation tests, workers.

Every comparison is measured in the same run: metafor (when ``Rscript`` with metafor is on
the PATH; loops that would take minutes time a subset and are scaled up, as printed) and
PyMARE (``pip install -e ".[bench]"``; its vectorized REML, without prediction intervals or
tau2 CIs). Scaling curves (time against k, against the number of meta-analyses, against
Dask workers) are written to ``benchmarks/results/`` as SVG and PNG.

Run::

    .venv/bin/python benchmarks/bench_scale.py                # everything but 10^6 streaming
    .venv/bin/python benchmarks/bench_scale.py --stream 1000000
    .venv/bin/python benchmarks/bench_scale.py --only batch,gosh
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
from _timing import best_of, run_r

from livingmeta.batch import pool_groups
from livingmeta.models import fit_batch
from livingmeta.sensitivity import gosh
from livingmeta.sensitivity.permutation import permutation_test

RESULTS = Path(__file__).resolve().parent / "results"
SEED = 20261123
# dat.bcg (metadat): log risk ratios and variances of the 13 BCG trials (escalc "RR").
BCG_TPOS = [4, 6, 3, 62, 33, 180, 8, 505, 29, 17, 186, 5, 27]
BCG_TNEG = [119, 300, 228, 13536, 5036, 1361, 2537, 87886, 7470, 1699, 50448, 2493, 16886]
BCG_CPOS = [11, 29, 11, 248, 47, 372, 10, 499, 45, 65, 141, 3, 29]
BCG_CNEG = [128, 274, 209, 12619, 5761, 1079, 619, 87892, 7232, 1600, 27197, 2338, 17825]


def bcg() -> tuple[np.ndarray, np.ndarray]:
    a, b, c, d = (np.array(x, dtype=float) for x in (BCG_TPOS, BCG_TNEG, BCG_CPOS, BCG_CNEG))
    yi = np.log(a / (a + b)) - np.log(c / (c + d))
    vi = 1 / a - 1 / (a + b) + 1 / c - 1 / (c + d)
    return yi, vi


def simulate(n_meta: int, k: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    vi = rng.uniform(0.01, 0.1, (n_meta, k))
    yi = rng.normal(0.2, np.sqrt(vi + 0.05))
    return yi, vi




def show(x: float | str) -> str:
    return f"{x:.4g} s" if isinstance(x, float) else x


def ratio(theirs: float | str, ours: float) -> str:
    return f"{theirs / ours:,.0f}x" if isinstance(theirs, float) else "-"


def row(name: str, ours: float, others: dict[str, float | str]) -> None:
    cells = "  ".join(f"{k}: {show(v)} ({ratio(v, ours)})" for k, v in others.items())
    print(f"{name:<52} livingmeta {show(ours):>10}   {cells}", flush=True)


R_RMA_LOOP = r"""
suppressMessages(library(metafor))
a <- commandArgs(TRUE); d <- as.matrix(read.csv(a[1])); reps <- as.integer(a[2])
k <- ncol(d) / 2
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(reps)) {
  # metafor's Fisher scoring fails on a few data sets (see
  # tests/reference/test_metafor_reml_cycling.py): retry those with step halving
  fit <- tryCatch(rma(d[i, 1:k], d[i, (k + 1):(2 * k)], method = "REML", test = "knha"),
                  error = function(e) rma(d[i, 1:k], d[i, (k + 1):(2 * k)], method = "REML",
                                          test = "knha", control = list(stepadj = 0.5)))
  p <- predict(fit); ci <- confint(fit)
}
cat((proc.time()[["elapsed"]] - t0) / reps, "\n")
"""

R_GOSH = r"""
suppressMessages(library(metafor))
a <- commandArgs(TRUE); d <- read.csv(a[1])
t0 <- proc.time()[["elapsed"]]
res <- gosh(rma(d$yi, d$vi, method = "REML"), subsets = 1e6, progbar = FALSE)
cat(proc.time()[["elapsed"]] - t0, "\n")
"""

R_PERMUTEST = r"""
suppressMessages(library(metafor))
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
fit <- rma(yi, vi, data = dat, method = "REML")
set.seed(1)
t0 <- proc.time()[["elapsed"]]
p <- permutest(fit, iter = 1000, progbar = FALSE)
cat(proc.time()[["elapsed"]] - t0, "\n")
"""


def bench_batch(timeout: float) -> None:
    print("\n## 10,000 meta-analyses of k = 10, REML + Knapp-Hartung")
    yi, vi = simulate(10_000, 10)
    ids = np.repeat(np.arange(10_000), 10)
    engine = best_of(lambda: pool_groups(ids, yi.ravel(), vi.ravel(), method="REML",
                                         test="knha", tau2_ci=True))
    kernel = best_of(lambda: fit_batch(yi, vi, method="REML", test="knha", tau2_ci=True))
    others: dict[str, float | str] = {}
    try:
        from pymare.estimators import VarianceBasedLikelihoodEstimator

        est = VarianceBasedLikelihoodEstimator(method="REML")
        others["PyMARE (REML only)"] = best_of(
            lambda: est.fit(y=yi.T, v=vi.T, X=np.ones((10, 1))))
    except ImportError:
        others["PyMARE"] = "not installed"
    reps = 300
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "d.csv"
        np.savetxt(csv, np.hstack([yi[:reps], vi[:reps]]), delimiter=",", comments="",
                   header=",".join([f"y{i}" for i in range(10)] + [f"v{i}" for i in range(10)]),
                   fmt="%.17g")
        per = run_r(R_RMA_LOOP, [str(csv), str(reps)], timeout)
    others[f"metafor (x10,000 from {reps})"] = per * 10_000 if isinstance(per, float) else per
    row("pool_groups (+ PI, Q-profile tau2 CI, warnings)", engine, others)
    row("fit_batch kernel (+ PI, Q-profile tau2 CI)", kernel, others)


def bench_stream(n_meta: int) -> None:
    import pandas as pd

    from livingmeta.batch import pool_file

    print(f"\n## streaming {n_meta:,} meta-analyses of k = 10 (Parquet in, Parquet out)")
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "in.parquet", Path(tmp) / "out.parquet"
        block = 100_000
        import pyarrow as pa
        import pyarrow.parquet as pq

        writer = None
        for start in range(0, n_meta, block):
            m = min(block, n_meta - start)
            yi, vi = simulate(m, 10, seed=SEED + start)
            frame = pd.DataFrame({"id": np.repeat(np.arange(start, start + m), 10),
                                  "yi": yi.ravel(), "vi": vi.ravel()})
            table = pa.Table.from_pandas(frame, preserve_index=False)
            writer = writer or pq.ParquetWriter(src, table.schema)
            writer.write_table(table)
        assert writer is not None
        writer.close()
        code = (f"import time,resource; from livingmeta.batch import pool_file; "
                f"t=time.perf_counter(); pool_file({str(src)!r}, {str(out)!r}, method='REML',"
                f" test='knha'); print(time.perf_counter()-t, "
                f"resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024)")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True)
        seconds, peak = (float(x) for x in done.stdout.split()[-2:])
        print(f"{n_meta:,} meta-analyses ({10 * n_meta:,} rows): {seconds:.1f} s, peak RSS "
              f"{peak:,.0f} MiB (input {src.stat().st_size / 2**20:,.0f} MiB on disk)")
    del pool_file


def bench_gosh(timeout: float) -> None:
    print("\n## GOSH with REML")
    for k in (12, 16, 20):
        yi, vi = simulate(1, k, seed=SEED + k)
        ours = best_of(lambda y=yi[0], v=vi[0], k=k: gosh(y, v, method="REML",
                                                          max_subsets=2**k - 1), repeats=1)
        others: dict[str, float | str] = {}
        if k == 12:
            with tempfile.TemporaryDirectory() as tmp:
                csv = Path(tmp) / "g.csv"
                np.savetxt(csv, np.column_stack([yi[0], vi[0]]), delimiter=",",
                           header="yi,vi", comments="", fmt="%.17g")
                others["metafor gosh()"] = run_r(R_GOSH, [str(csv)], timeout)
        row(f"k = {k}: all {2**k - 1:,} subsets", ours, others)


def bench_permutest(timeout: float) -> None:
    print("\n## permutation test, 1,000 permutations, REML, dat.bcg (k = 13)")
    yi, vi = bcg()
    ours = best_of(lambda: permutation_test(yi, vi, method="REML", permutations=1000,
                                            exact=False, seed=1))
    row("permutation_test", ours, {"metafor permutest()": run_r(R_PERMUTEST, [], timeout)})


def _plot(name: str, x: list[float], ys: dict[str, list[float]], xlabel: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5.5, 3.8), layout="constrained")
    ax = fig.subplots()
    for label, y in ys.items():
        ax.plot(x, y, marker="o", label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("seconds")
    ax.legend(frameon=False)
    RESULTS.mkdir(exist_ok=True)
    for ext in ("svg", "png"):
        fig.savefig(RESULTS / f"{name}.{ext}", dpi=120)


def bench_curves() -> None:
    print("\n## scaling curves (REML + knha with PI and Q-profile CI) -> benchmarks/results/")
    ks = [5, 10, 20, 50, 100, 200]
    t_k = [best_of(lambda k=k: fit_batch(*simulate(1000, k), method="REML", test="knha",
                                         tau2_ci=True)) for k in ks]
    print("time vs k (1,000 meta-analyses): " +
          ", ".join(f"k={k}: {t:.3f} s" for k, t in zip(ks, t_k, strict=True)))
    _plot("time-vs-k", ks, {"1,000 meta-analyses": t_k}, "studies per meta-analysis (k)")
    ns = [100, 1_000, 10_000, 100_000]
    t_n = [best_of(lambda n=n: fit_batch(*simulate(n, 10), method="REML", test="knha",
                                         tau2_ci=True), repeats=2) for n in ns]
    print("time vs number of meta-analyses (k = 10): " +
          ", ".join(f"{n:,}: {t:.3f} s" for n, t in zip(ns, t_n, strict=True)))
    _plot("time-vs-n", ns, {"k = 10": t_n}, "meta-analyses")
    bench_workers()


def bench_workers() -> None:
    from distributed import LocalCluster

    from livingmeta.batch import pool_file

    yi, vi = simulate(200_000, 10)
    import pandas as pd

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in.parquet"
        pd.DataFrame({"id": np.repeat(np.arange(200_000), 10), "yi": yi.ravel(),
                      "vi": vi.ravel()}).to_parquet(src, index=False)
        local = best_of(lambda: pool_file(src, Path(tmp) / "o.parquet", method="REML",
                                          test="knha", chunk_rows=200_000), repeats=1)
        workers, times = [0], [local]
        for n in (1, 2):
            with LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster:
                address = cluster.scheduler_address
                times.append(best_of(lambda a=address: pool_file(
                    src, Path(tmp) / "o.parquet", method="REML", test="knha",
                    chunk_rows=200_000, scheduler=a), repeats=1))
                workers.append(n)
    print("200,000 meta-analyses via pool_file: " + ", ".join(
        f"{'in process' if w == 0 else f'{w} worker(s)'}: {t:.2f} s"
        for w, t in zip(workers, times, strict=True)) +
        " (this machine has 2 cores; the reader runs in the client)")
    _plot("time-vs-workers", [max(w, 0.5) for w in workers],
          {"200,000 x k = 10": times}, "Dask workers (0.5 = in process)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="batch,gosh,permutest,curves")
    parser.add_argument("--stream", type=int, default=0,
                        help="also stream this many meta-analyses of k = 10 (e.g. 1000000)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    parts = set(args.only.split(","))
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS at start: {start_rss:.0f} MiB")
    if "batch" in parts:
        bench_batch(args.timeout)
    if args.stream:
        bench_stream(args.stream)
    if "gosh" in parts:
        bench_gosh(args.timeout)
    if "permutest" in parts:
        bench_permutest(args.timeout)
    if "curves" in parts:
        bench_curves()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
