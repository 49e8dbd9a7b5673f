"""GOSH: the model fitted to every subset of the studies (metafor's ``gosh``).

The graphical display of study heterogeneity (Olkin, Dahabreh & Trikalinos 2012) fits
the same model to each of the ``2^k - 1`` non-empty subsets of the k studies and plots
the pooled estimate against I2; studies whose presence splits the cloud into clusters
are candidate outliers (diagnostics in :mod:`._gosh_diagnostics`). As metafor's
``gosh``, every subset size is included, single studies too (m = 1: the estimate is the
study's yi, tau2 = 0, Q = 0, I2 = 0, H2 = 1, metafor's k = 1 fit).

Every subset is fitted when ``2^k - 1 <= max_subsets`` (default 10^6, metafor's default
``subsets``: all subsets up to k = 19); otherwise a seeded uniform random sample of
``max_subsets`` **distinct** non-empty subsets is fitted (metafor draws its sample with
replacement). All subsets of one size m are fitted at once by
:func:`livingmeta.models.fit_batch` on gathered ``(n, m)`` arrays, in chunks of at most
:data:`CHUNK_SIZE` subsets (bounded memory) run through
:func:`livingmeta.batch.run_chunks`, so ``scheduler`` spreads them over a Dask cluster.
A chunk is described by its subset size and a range of colex ranks (exhaustive), or by
its bitmasks (sampled): it needs no random numbers, so a cluster run equals the local run.

Subsets are listed as metafor lists them: by size, then by bitmask (bit i set when the
i-th study in input order is in the subset). Each subset's numbers are those of
:func:`~livingmeta.models.rma` on it; they agree with metafor's ``gosh`` except H2 for DL
where tau2 is truncated at 0: metafor's closed-form gosh path reports ``Q / (k - 1)``
there, its ``rma`` (and this function) 1 (validation/metafor/generate_gosh.R).

References
----------
Olkin I, Dahabreh IJ, Trikalinos TA (2012). GOSH - a graphical display of study
heterogeneity. Res Synth Methods 3(3):214-223.
Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package. J Stat
Softw 36(3):1-48 (``gosh.rma``).
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import ConvergenceWarning, ParameterError, check_choice
from livingmeta.models.random import METHODS, fit_batch
from livingmeta.results import Provenance, input_digest, jsonable
from livingmeta.sensitivity._gosh_diagnostics import (
    GoshClustering,
    GoshDiagnostics,
    gosh_diagnostics,
)
from livingmeta.sensitivity._gosh_subsets import (
    MAX_STUDIES,
    masks_to_indices,
    membership,
    popcount,
    sample_masks,
    unrank_combinations,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = [
    "CHUNK_SIZE",
    "DEFAULT_MAX_SUBSETS",
    "GoshChunk",
    "GoshChunkFit",
    "GoshClustering",
    "GoshDiagnostics",
    "GoshResult",
    "fit_gosh_chunk",
    "gosh",
    "gosh_diagnostics",
]

FloatArray = NDArray[np.float64]
UIntArray = NDArray[np.uint64]

#: metafor's default ``subsets``: every subset while 2^k - 1 <= 10^6 (k <= 19).
DEFAULT_MAX_SUBSETS = 1_000_000
#: Subsets fitted per chunk (one task on a cluster): ~100 MB of work arrays at m = 25.
CHUNK_SIZE = 100_000
#: More fits than this would not fit in memory (about 50 bytes each).
_MAX_FITS = 1 << 31
_COLUMNS = ("subset", "k", "estimate", "tau2", "I2", "Q", "H2")


@dataclass(frozen=True, slots=True)
class GoshChunk:
    """One chunk of subsets, all of size ``m``: colex ranks ``[start, stop)`` of the
    size-m subsets, or explicit bitmasks (``masks``, sampled subsets)."""

    yi: FloatArray
    vi: FloatArray
    method: str
    m: int
    start: int
    stop: int
    masks: UIntArray | None = None


@dataclass(frozen=True, slots=True)
class GoshChunkFit:
    """The fits of one chunk (arrays of the chunk's length)."""

    subset: UIntArray
    estimate: FloatArray
    tau2: FloatArray
    I2: FloatArray
    Q: FloatArray
    H2: FloatArray
    converged: NDArray[np.bool_]


def fit_gosh_chunk(chunk: GoshChunk) -> GoshChunkFit:
    """Fit every subset of one chunk (a pure, module-level function for run_chunks)."""
    k = chunk.yi.size
    if chunk.masks is None:
        idx, masks = unrank_combinations(k, chunk.m, chunk.start, chunk.stop)
    else:
        masks = chunk.masks
        idx = masks_to_indices(masks, k, chunk.m)
    n = masks.size
    if chunk.m == 1:
        # metafor's k = 1 fit: the study's own estimate, no heterogeneity.
        zeros = np.zeros(n)
        return GoshChunkFit(masks, chunk.yi[idx[:, 0]], zeros, zeros.copy(), zeros.copy(),
                            np.ones(n), np.ones(n, dtype=bool))
    fit = fit_batch(chunk.yi[idx], chunk.vi[idx], chunk.method, "z", 0.95)
    return GoshChunkFit(masks, fit.estimate, fit.tau2, fit.I2, fit.Q, fit.H2,
                        np.asarray(fit.converged, dtype=bool))


@dataclass(frozen=True, slots=True)
class GoshResult:
    """The model fitted to every (or a random sample of the) non-empty subsets.

    Attributes
    ----------
    study : tuple of str
        Study labels in input order (bit i of ``subset`` is study ``study[i]``).
    yi, vi : ndarray, shape (k,)
        The studies' effects and sampling variances.
    measure, method : str
        Effect-size measure and model (``"EE"``, ``"DL"``, ``"REML"``, ...).
    subset : ndarray of uint64, shape (n,)
        Each subset as a bitmask; sorted by size, then by bitmask (metafor's order).
    k : ndarray of int, shape (n,)
        Number of studies in each subset.
    estimate, tau2, I2, Q, H2 : ndarray, shape (n,)
        Pooled estimate, between-study variance (0 for EE), I2 (percent), Cochran's Q and
        H2 of each subset's fit.
    converged : ndarray of bool, shape (n,)
        Whether each subset's tau2 estimator converged.
    sampled : bool
        True when a random sample of distinct subsets was fitted, False when all were.
    n_possible : int
        ``2^k - 1``, the number of non-empty subsets.
    max_subsets : int
        The limit in force: all subsets were fitted when ``n_possible <= max_subsets``.
    seed : int or None
        Seed of the sample (the entropy drawn when none was given); None when exhaustive.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi, vi and the labels.
    """

    study: tuple[str, ...]
    yi: FloatArray
    vi: FloatArray
    measure: str
    method: str
    subset: UIntArray
    k: NDArray[np.int64]
    estimate: FloatArray
    tau2: FloatArray
    I2: FloatArray
    Q: FloatArray
    H2: FloatArray
    converged: NDArray[np.bool_]
    sampled: bool
    n_possible: int
    max_subsets: int
    seed: int | None
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def n_studies(self) -> int:
        """Number of studies in the full analysis."""
        return len(self.study)

    def membership(self) -> NDArray[np.bool_]:
        """Boolean matrix ``(n, k)``: study j is in subset i (metafor's ``incl``)."""
        return membership(self.subset, self.n_studies)

    def contains(self, study: str | int) -> NDArray[np.bool_]:
        """Which subsets contain ``study`` (a label, or a 0-based input position)."""
        index = _study_index(study, self.study)
        return ((self.subset >> np.uint64(index)) & np.uint64(1)).astype(bool)

    def to_frame(self) -> pd.DataFrame:
        """One row per subset: ``subset, k, estimate, tau2, I2, Q, H2``."""
        return pd.DataFrame({name: getattr(self, name) for name in _COLUMNS})

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`: one row per subset size."""
        from livingmeta.summary import Summary, frame_table

        how = (f"random sample of {self.subset.size:,} distinct subsets" if self.sampled
               else f"all {self.subset.size:,} subsets")
        title = (f"GOSH: {self.measure}, method {self.method}, k = {self.n_studies} "
                 f"({how} of {self.n_possible:,})")
        frame = self.to_frame().groupby("k").agg(
            subsets=("subset", "size"), estimate_min=("estimate", "min"),
            estimate_median=("estimate", "median"), estimate_max=("estimate", "max"),
            I2_median=("I2", "median"), I2_max=("I2", "max"))
        lines = [f"seed: {self.seed}"] if self.sampled else []
        lines += [f"warning: {w}" for w in self.warnings]
        return Summary(title, tuple(lines), (frame_table("Subsets by size", frame),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field (one list entry per subset)."""
        out: dict[str, Any] = jsonable(self)
        return out


def _study_index(study: str | int, labels: tuple[str, ...]) -> int:
    if isinstance(study, numbers.Integral) and not isinstance(study, bool):
        if 0 <= int(study) < len(labels):
            return int(study)
    elif str(study) in labels:
        return labels.index(str(study))
    raise ParameterError(f"The 'study' parameter must be one of the study labels or a "
                         f"position in 0..{len(labels) - 1}. Got {study!r}.")


def _check_count(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or int(value) < low:
        raise ParameterError(f"The '{name}' parameter must be an int >= {low}. Got {value!r}.")
    return int(value)


def _exhaustive_chunks(y: FloatArray, v: FloatArray, method: str) -> list[GoshChunk]:
    k = y.size
    return [GoshChunk(y, v, method, m, start, min(start + CHUNK_SIZE, math.comb(k, m)))
            for m in range(1, k + 1) for start in range(0, math.comb(k, m), CHUNK_SIZE)]


def _sampled_chunks(y: FloatArray, v: FloatArray, method: str, n: int,
                    seed: int) -> list[GoshChunk]:
    masks = sample_masks(y.size, n, np.random.default_rng(np.random.SeedSequence(seed)))
    sizes = popcount(masks)
    order = np.lexsort((masks, sizes))  # by size, then bitmask: metafor's order
    masks, sizes = masks[order], sizes[order]
    bounds = np.searchsorted(sizes, np.arange(1, y.size + 2))
    return [GoshChunk(y, v, method, m, 0, 0, masks[start:min(start + CHUNK_SIZE, stop)])
            for m, (lo, stop) in enumerate(itertools.pairwise(bounds), 1)
            for start in range(int(lo), int(stop), CHUNK_SIZE)]


def gosh(
    yi: object,
    vi: object,
    *,
    method: str = "REML",
    max_subsets: int | None = None,
    seed: int | None = None,
    study: object = None,
    measure: str = "GEN",
    scheduler: str | None = None,
) -> GoshResult:
    """Fit the model to every non-empty subset of the studies (metafor ``gosh``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), 2 <= k <= 63.
    method : str
        Any model of :func:`~livingmeta.models.rma`: ``"EE"`` (alias ``"FE"``),
        ``"DL"``, ``"REML"``, ... (intercept-only, test and level do not enter GOSH).
    max_subsets : int, optional
        All ``2^k - 1`` subsets are fitted when there are at most this many; otherwise a
        uniform random sample of this many distinct subsets. Default 10^6 (metafor's):
        exhaustive up to k = 19. For every subset at larger k pass
        ``max_subsets=2**k - 1`` (k = 25 is 3.4e7 fits and about 2 GB of results).
    seed : int, optional
        Seed of the random sample (unused when exhaustive). When None, fresh entropy is
        drawn and recorded on the result, so a sampled run can always be repeated.
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).
    measure : str
        Effect-size measure code of yi, recorded on the result.
    scheduler : str, optional
        Address of a Dask distributed scheduler; None runs in this process.

    Returns
    -------
    GoshResult

    Warns
    -----
    ConvergenceWarning
        The tau2 estimator did not converge in some subsets (``result.converged``).

    Examples
    --------
    >>> res = gosh([0.1, 0.3, 0.35, 1.2], [0.02, 0.03, 0.02, 0.04], method="DL")
    >>> res.subset.size, res.sampled, res.k.tolist()[:5]
    (15, False, [1, 1, 1, 1, 2])
    >>> round(float(res.estimate[-1]), 4), round(float(res.I2[-1]), 2)  # all 4: rma's
    (0.4711, 85.68)
    >>> int(res.contains("4").sum())
    8
    """
    method = check_choice("method", method, METHODS)
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    if not 2 <= k <= MAX_STUDIES:
        raise ParameterError(f"GOSH needs between 2 and {MAX_STUDIES} studies (subsets are "
                             f"64-bit masks); got k = {k}.")
    limit = DEFAULT_MAX_SUBSETS if max_subsets is None else _check_count(
        "max_subsets", max_subsets, 1)
    n_possible = (1 << k) - 1
    sampled = n_possible > limit
    used_seed: int | None = None
    if sampled:
        used_seed = (_check_count("seed", seed, 0) if seed is not None
                     else int(np.random.SeedSequence().entropy))  # type: ignore[arg-type]
    n = limit if sampled else n_possible
    if n > _MAX_FITS:
        raise ParameterError(f"{n:,} subset fits would not fit in memory; lower max_subsets "
                             f"to at most {_MAX_FITS:,}.")
    chunks = (_sampled_chunks(y, v, method, n, used_seed) if used_seed is not None
              else _exhaustive_chunks(y, v, method))
    out = _collect(chunks, n, scheduler)
    messages = []
    if (failed := int(np.sum(~out["converged"]))) > 0:
        messages.append(f"The {method} estimator of tau2 did not converge in {failed:,} of "
                        f"{n:,} subsets (see result.converged).")
        warnings.warn(messages[-1], ConvergenceWarning, stacklevel=2)
    options: dict[str, object] = {"measure": measure, "max_subsets": limit,
                                  "seed": used_seed, "sampled": sampled}
    return GoshResult(
        study=labels, yi=y, vi=v, measure=measure, method=method, k=popcount(out["subset"]),
        sampled=sampled, n_possible=n_possible, max_subsets=limit, seed=used_seed,
        warnings=tuple(messages),
        provenance=Provenance(__version__, "gosh", method, options, k,
                              input_digest(y, v, labels=labels)),
        **out,
    )


def _collect(chunks: list[GoshChunk], n: int, scheduler: str | None) -> dict[str, Any]:
    """Run the chunks (in order) and fill the result arrays."""
    from livingmeta.batch import run_chunks

    out: dict[str, Any] = {name: np.empty(n) for name in ("estimate", "tau2", "I2", "Q", "H2")}
    out["subset"] = np.empty(n, dtype=np.uint64)
    out["converged"] = np.empty(n, dtype=bool)
    at = 0
    for fit in run_chunks(fit_gosh_chunk, chunks, scheduler=scheduler, name="livingmeta-gosh"):
        size = fit.subset.size
        for name, values in out.items():
            values[at:at + size] = getattr(fit, name)
        at += size
    return out
