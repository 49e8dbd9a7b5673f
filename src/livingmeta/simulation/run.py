"""Run a simulation study: every method x test on every scenario, in seeded blocks.

Each scenario's replications are cut into blocks of :data:`BLOCK_SIZE` meta-analyses.
Block ``b`` of the scenario labelled ``L`` draws its data from the stream
``numpy.random.SeedSequence([seed, crc32(L), b])``: the same numbers whatever the chunk
size, the scheduler or the other scenarios in the file, and a longer run extends a
shorter one. Every method x test is fitted to the same data (common random numbers) by
:func:`~livingmeta.models.fit_batch`; a block returns only mergeable
:class:`~livingmeta.simulation.metrics.Moments`, merged in block order, so memory does
not grow with the replications and a run on a Dask cluster equals the local run exactly.
Blocks are grouped into chunks for :func:`~livingmeta.batch.run_chunks`.
"""

from __future__ import annotations

import json
import math
import warnings
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import special

from livingmeta import __version__
from livingmeta.batch import run_chunks
from livingmeta.errors import ParameterError, SimulationWarning
from livingmeta.models.common import COMMON_EFFECT_CODES
from livingmeta.models.random import fit_batch
from livingmeta.results import Provenance, input_digest, jsonable
from livingmeta.simulation import metrics as mx
from livingmeta.simulation.generate import generate
from livingmeta.simulation.results import METRICS, PerformanceRow, SimulationResult
from livingmeta.simulation.scenarios import Scenario, SimulationSpec

__all__ = ["BLOCK_SIZE", "Block", "BlockStats", "run_block_chunk", "run_simulation",
           "simulate_block"]

FloatArray = NDArray[np.float64]
#: Replications per seeded block (part of the reproducibility contract: changing it
#: changes every random stream).
BLOCK_SIZE = 1000


@dataclass(frozen=True, slots=True)
class Block:
    """One seeded block of one scenario: a picklable unit of work."""

    scenario: Scenario
    index: int
    replications: int
    seed: int
    methods: tuple[str, ...]
    tests: tuple[str, ...]
    level: float
    tau2_ci: bool


@dataclass(frozen=True, slots=True)
class BlockStats:
    """What a block returns: moments per (method, test, quantity) and data counts."""

    moments: dict[tuple[str, str, str], mx.Moments]
    studies: int
    zero_cell_studies: int
    clipped: int


def _pi_probability(lo: FloatArray, hi: FloatArray, mu: float, tau2: float) -> FloatArray:
    """P(theta_new in [lo, hi]) for theta_new ~ N(mu, tau2): the PI's coverage of a new
    study's true effect, given the data (Partlett & Riley 2017, Stat Med 36:301-317)."""
    if tau2 == 0.0:
        return ((lo <= mu) & (mu <= hi)).astype(float)
    tau = math.sqrt(tau2)
    return np.asarray(special.ndtr((hi - mu) / tau) - special.ndtr((lo - mu) / tau))


def simulate_block(block: Block) -> BlockStats:
    """Generate one block and fit every method x test to it."""
    s = block.scenario
    stream = np.random.SeedSequence([block.seed, zlib.crc32(s.label.encode()), block.index])
    data = generate(s, block.replications, np.random.default_rng(stream))
    alpha = 1.0 - block.level
    out: dict[tuple[str, str, str], mx.Moments] = {}
    for method in block.methods:
        random_effects = method not in COMMON_EFFECT_CODES
        for j, test in enumerate(block.tests):
            # The tau2 CI does not depend on the test: compute it once per method.
            want_ci = block.tau2_ci and random_effects and j == 0
            fit = fit_batch(data.yi, data.vi, method, test, block.level, tau2_ci=want_ci)
            q: dict[str, object] = {"error": fit.estimate - s.effect, "se2": fit.se * fit.se,
                 "covered": (fit.ci_low <= s.effect) & (s.effect <= fit.ci_high),
                 "width": fit.ci_high - fit.ci_low,
                 "reject": np.where(np.isfinite(fit.pval), fit.pval < alpha, np.nan),
                 "converged": fit.converged}
            if random_effects:
                q["pi_prob"] = _pi_probability(fit.pi_low, fit.pi_high, s.effect, s.tau2)
                q["tau2_error"] = fit.tau2 - s.tau2
            if want_ci:
                lo, hi = fit.tau2_ci_low, fit.tau2_ci_high
                q["tau2_covered"] = (lo <= s.tau2) & (s.tau2 <= hi)  # type: ignore[operator]
            elif block.tau2_ci and random_effects:
                q["tau2_covered"] = out[(method, block.tests[0], "tau2_covered")]
            for name, values in q.items():
                out[(method, test, name)] = (values if isinstance(values, mx.Moments)
                                             else mx.Moments.of(values))
    return BlockStats(out, data.studies, data.zero_cell_studies, data.clipped)


def run_block_chunk(blocks: Sequence[Block]) -> list[BlockStats]:
    """Run consecutive blocks (the chunk function given to ``run_chunks``)."""
    return [simulate_block(b) for b in blocks]


def _metric_rows(s: Scenario, method: str, test: str,
                 m: dict[str, mx.Moments]) -> list[PerformanceRow]:
    values: dict[str, mx.Performance] = {
        "bias": mx.bias(m["error"]), "empirical_se": mx.empirical_se(m["error"]),
        "model_se": mx.model_se(m["se2"]), "rmse": mx.rmse(m["error"]),
        "ci_coverage": mx.proportion(m["covered"]), "ci_width": mx.mean_value(m["width"]),
        ("type1_error" if s.effect == 0 else "power"): mx.proportion(m["reject"]),
        "convergence": mx.proportion(m["converged"]),
    }
    if "pi_prob" in m:
        values |= {"pi_coverage": mx.mean_value(m["pi_prob"]),
                   "tau2_bias": mx.bias(m["tau2_error"]), "tau2_rmse": mx.rmse(m["tau2_error"])}
    if "tau2_covered" in m:
        values["tau2_ci_coverage"] = mx.proportion(m["tau2_covered"])
    return [PerformanceRow(s.label, s.name, s.measure, s.k, s.tau2, s.effect, s.design, method,
                           test, name, values[name].estimate, values[name].mcse, values[name].n)
            for name in METRICS if name in values]


def _blocks(spec: SimulationSpec) -> list[Block]:
    out = []
    for s in spec.scenarios:
        for b in range(math.ceil(spec.replications / BLOCK_SIZE)):
            size = min(BLOCK_SIZE, spec.replications - b * BLOCK_SIZE)
            out.append(Block(s, b, size, spec.seed, spec.methods, spec.tests, spec.level,
                             spec.tau2_ci))
    return out


def _check_int(name: str, value: object, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"The {name!r} parameter must be an integer >= {minimum}. "
                             f"Got {value!r}.")
    return int(value)


def _messages(spec: SimulationSpec, stats: list[BlockStats]) -> tuple[list[str], list[str]]:
    notes, warns = [], []
    for s, st in zip(spec.scenarios, stats, strict=True):
        if st.zero_cell_studies:
            notes.append(f"{s.label}: {100 * st.zero_cell_studies / st.studies:.1f}% of "
                         "simulated studies had a zero cell (escalc added 0.5 to their cells).")
        if st.clipped:
            warns.append(f"{s.label}: {st.clipped} of {st.studies} treatment risks "
                         "p_c exp(theta_i) were >= 1 and were clipped to 1 - 1e-9.")
    return notes, warns


def run_simulation(spec: SimulationSpec, *, replications: int | None = None,
                   seed: int | None = None, scheduler: str | None = None,
                   chunk_blocks: int = 4) -> SimulationResult:
    """Run the simulation study of ``spec`` (see :mod:`livingmeta.simulation.scenarios`).

    Parameters
    ----------
    spec : SimulationSpec
        From :func:`~livingmeta.simulation.load_scenarios`.
    replications, seed : int, optional
        Override the file's values.
    scheduler : str, optional
        Address of a Dask distributed scheduler; None runs in this process. The result
        is the same either way.
    chunk_blocks : int
        Blocks of :data:`BLOCK_SIZE` replications per chunk (task); does not change the
        result.

    Returns
    -------
    SimulationResult

    Warns
    -----
    SimulationWarning
        RR treatment risks above 1 had to be clipped (named by scenario).

    References
    ----------
    Morris TP, White IR, Crowther MJ (2019). Using simulation studies to evaluate
    statistical methods. Stat Med 38:2074-2102.

    Examples
    --------
    >>> from livingmeta.simulation.scenarios import parse_scenarios
    >>> spec = parse_scenarios('''
    ... [simulation]
    ... seed = 7
    ... replications = 200
    ... methods = ["DL"]
    ... tests = ["z", "knha"]
    ... [[scenarios]]
    ... name = "gen"
    ... measure = "GEN"
    ... k = 5
    ... tau2 = 0.1
    ... vi = {distribution = "uniform", low = 0.01, high = 0.2}
    ... ''')
    >>> res = run_simulation(spec)
    >>> cov = res.metric("ci_coverage")
    >>> list(cov["test"]), bool((cov["estimate"] > 0.7).all())
    (['z', 'knha'], True)
    """
    reps = _check_int("replications", spec.replications if replications is None
                      else replications, 2)
    used_seed = _check_int("seed", spec.seed if seed is None else seed, 0)
    step = _check_int("chunk_blocks", chunk_blocks, 1)
    spec = replace(spec, replications=reps, seed=used_seed)
    blocks = _blocks(spec)
    chunks = [tuple(blocks[i:i + step]) for i in range(0, len(blocks), step)]
    per_block = [st for part in run_chunks(run_block_chunk, chunks, scheduler=scheduler,
                                           name="livingmeta-simulate") for st in part]
    merged: dict[str, BlockStats] = {}
    for block, st in zip(blocks, per_block, strict=True):
        label = block.scenario.label
        if label not in merged:
            merged[label] = st
            continue
        old = merged[label]
        merged[label] = BlockStats(
            {key: old.moments[key].merge(value) for key, value in st.moments.items()},
            old.studies + st.studies, old.zero_cell_studies + st.zero_cell_studies,
            old.clipped + st.clipped)
    stats = [merged[s.label] for s in spec.scenarios]
    rows = [row for s, st in zip(spec.scenarios, stats, strict=True)
            for method in spec.methods for test in spec.tests
            for row in _metric_rows(s, method, test, {q: v for (m, t, q), v in
                                                      st.moments.items()
                                                      if m == method and t == test})]
    notes, warns = _messages(spec, stats)
    for message in warns:
        warnings.warn(message, SimulationWarning, stacklevel=2)
    digest = input_digest(labels=(json.dumps(jsonable(spec), sort_keys=True),))
    return SimulationResult(
        title=spec.title, seed=used_seed, replications=reps, level=spec.level,
        methods=spec.methods, tests=spec.tests, tau2_ci=spec.tau2_ci,
        scenarios=spec.scenarios, rows=tuple(rows), notes=tuple(notes), warnings=tuple(warns),
        provenance=Provenance(__version__, "run_simulation", ",".join(spec.methods),
                              {"tests": list(spec.tests), "level": spec.level,
                               "replications": reps, "seed": used_seed,
                               "tau2_ci": spec.tau2_ci, "block_size": BLOCK_SIZE},
                              len(spec.scenarios), digest))
