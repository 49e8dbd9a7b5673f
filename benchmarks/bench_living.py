"""Speed of the living-evidence analyses, against R measured in the same run.

- **What-if**: 10,000 simulated updates of the LDN pain meta-analysis before INNOVA (three
  trials plus a 49-per-arm trial), REML with Knapp-Hartung, against the same number of
  ``metafor::rma(yi, vi, method = "REML", test = "knha")`` fits in an R loop (what a
  metafor user would write; R times a subset and is scaled up).
- **TSA boundaries**: O'Brien-Fleming efficacy and beta-spending futility bounds at five
  unequal information fractions, against ``rpact::getDesignGroupSequential`` with the
  same design.
- **Bayesian**: one exact ``bayes_meta`` of the four LDN trials (no R reference: bayesmeta
  is not packaged for Debian; printed alone).

Run: ``.venv/bin/python benchmarks/bench_living.py`` (R with metafor and rpact optional).
"""

from __future__ import annotations

import argparse
import tempfile
import warnings
from pathlib import Path

import numpy as np
from _timing import best_of, run_r

from livingmeta.models import bayes_meta
from livingmeta.sequential import group_sequential_boundaries, trial_sequential_analysis
from livingmeta.sequential.whatif import PendingTrial, what_if

# LDN pain (SMD), validation/metafor/data/ldn_pain_SMD.csv, with participants analysed.
YI = np.array([-0.4857179896272494, -0.1113442768336467, -0.22064920906755042])
VI = np.array([0.039927177954420294, 0.01734825472399662, 0.040654052525215895])
N = [28, 58, 99]
FRACTIONS = [0.2, 0.45, 0.7, 0.85, 1.0]

R_RMA = r"""
suppressMessages(library(metafor))
args <- commandArgs(TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
yi <- as.matrix(d[, grep("^y", names(d))]); vi <- as.matrix(d[, grep("^v", names(d))])
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(reps)) {
  fit <- rma(yi[i, ], vi[i, ], method = "REML", test = "knha",
             control = list(stepadj = 0.5, maxiter = 1000))
}
cat((proc.time()[["elapsed"]] - t0) / reps, "\n")
"""

R_RPACT = r"""
suppressMessages(library(rpact))
reps <- as.integer(commandArgs(TRUE)[1])
t0 <- proc.time()[["elapsed"]]
for (i in seq_len(reps)) {
  d <- getDesignGroupSequential(kMax = 5L, alpha = 0.025, beta = 0.2, sided = 1,
        informationRates = c(0.2, 0.45, 0.7, 0.85, 1), typeOfDesign = "asOF",
        typeBetaSpending = "bsOF", bindingFutility = FALSE)
}
cat((proc.time()[["elapsed"]] - t0) / reps, "\n")
"""




def metafor_updates(result: object, reps: int, timeout: float) -> float | str:
    """Seconds per metafor fit of the simulated updated meta-analyses."""
    yi = np.column_stack([np.broadcast_to(YI, (reps, 3)), result.trial_yi[:reps]])  # type: ignore[attr-defined]
    vi = np.column_stack([np.broadcast_to(VI, (reps, 3)), result.trial_vi[:reps]])  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "updates.csv"
        header = ",".join([f"y{i}" for i in range(4)] + [f"v{i}" for i in range(4)])
        np.savetxt(csv, np.hstack([yi, vi]), delimiter=",", header=header, comments="",
                   fmt="%.17g")
        return run_r(R_RMA, [str(csv), str(reps)], timeout)


def ratio(r_value: float | str, ours: float) -> str:
    return f"{r_value / ours:,.0f}x" if isinstance(r_value, float) else "-"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--r-reps", type=int, default=500,
                        help="metafor fits timed (scaled to --draws)")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    trial = PendingTrial(49)
    bayes = bayes_meta(YI, VI, mu_prior="normal:0,1", tau_prior="halfnormal:0.5")
    tsa = trial_sequential_analysis(YI, VI, N, measure="SMD", delta=0.2)
    plain = best_of(lambda: what_if(YI, VI, trial, measure="SMD", test="knha",
                                    predictive=bayes, draws=args.draws, seed=1))
    full = best_of(lambda: what_if(YI, VI, trial, measure="SMD", test="knha", mid=0.2,
                                   participants=185, ois=786, predictive=bayes, tsa=tsa,
                                   draws=args.draws, seed=1))
    result = what_if(YI, VI, trial, measure="SMD", test="knha", predictive=bayes,
                     draws=args.draws, seed=1)
    per_fit = metafor_updates(result, min(args.r_reps, args.draws), args.timeout)
    r_total = per_fit * args.draws if isinstance(per_fit, float) else per_fit
    bounds = best_of(lambda: group_sequential_boundaries(
        FRACTIONS, alpha=0.025, sides=1, spending="obf", futility="obf", power=0.8))
    rpact = run_r(R_RPACT, ["20"], args.timeout)
    exact = best_of(lambda: bayes_meta(YI, VI, mu_prior="normal:0,1",
                                       tau_prior="halfnormal:0.5"))

    def show(x: float | str) -> str:
        return f"{x:.4g} s" if isinstance(x, float) else x

    print(f"{'task':<58} {'livingmeta':>12} {'R':>14} {'R / livingmeta':>15}")
    rows = [
        (f"what-if, {args.draws:,} updates (significance)", plain, r_total),
        (f"what-if, {args.draws:,} updates (+ imprecision + TSA)", full, r_total),
        ("TSA boundaries, 5 looks, efficacy + futility (rpact)", bounds, rpact),
        ("exact Bayesian meta-analysis, k = 3 (no R reference)", exact, "-"),
    ]
    for name, ours, theirs in rows:
        print(f"{name:<58} {show(ours):>12} {show(theirs):>14} {ratio(theirs, ours):>15}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
