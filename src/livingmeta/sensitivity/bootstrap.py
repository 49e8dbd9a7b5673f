"""Bootstrap confidence intervals for the pooled estimate, tau2 and I2.

Two ways of making replicate data sets of the k studies (Efron & Tibshirani 1993, An
Introduction to the Bootstrap, ch. 6; Viechtbauer 2010, J Stat Softw 36(3), and metafor's
"bootstrapping" example):

* ``"parametric"``: draw ``yi* ~ N(mu, vi + tau2)`` from the fitted random-effects model
  (the fitted mu and tau2), keeping each study's vi;
* ``"nonparametric"``: resample k studies (yi with its vi) with replacement.

Each replicate is refitted by :func:`~livingmeta.models.fit_batch` (an ``(R, k)`` batch,
in chunks of :data:`CHUNK_SIZE` run by :func:`livingmeta.batch.run_chunks`; chunk ``i``
draws from ``SeedSequence(seed, spawn_key=(i,))``, so a Dask run equals the in-process
run). Intervals:

* ``"percentile"``: the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles of the
  replicates (E&T eq. 13.5), linear interpolation (``numpy.quantile``'s default, as
  ``scipy.stats.bootstrap``);
* ``"bca"``: bias-corrected and accelerated (Efron 1987, JASA 82:171-185; E&T eqs. 14.9
  to 14.15): the quantiles at ``Phi(z0 + (z0 + z_a) / (1 - a (z0 + z_a)))``, with ``z0``
  from the share of replicates below the observed value (ties counted half, as
  ``scipy.stats.bootstrap``) and the acceleration ``a`` from the jackknife over studies
  (leave-one-out refits). For the parametric bootstrap the jackknife acceleration is an
  approximation (Efron 1987, section 10, gives the parametric one); when the jackknife
  values are all equal ``a`` is set to 0 (a bias-corrected percentile interval).

Replicates whose tau2 estimator does not converge are left out (counted in
``replicates_used``).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import special

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.batch import run_chunks
from livingmeta.errors import (
    ConvergenceWarning,
    DegenerateBootstrapWarning,
    LivingMetaWarning,
    MethodNotApplicableError,
    ParameterError,
    check_choice,
)
from livingmeta.models.random import METHODS, fit_batch, rma
from livingmeta.results import MetaAnalysisResult, Provenance, check_level, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["CHUNK_SIZE", "INTERVALS", "KINDS", "QUANTITIES", "BootstrapResult",
           "DegenerateBootstrapWarning", "ReplicateSummary", "bootstrap_ci"]

FloatArray = NDArray[np.float64]

#: Replicates per chunk (one task on a Dask cluster).
CHUNK_SIZE = 10_000
KINDS = ("parametric", "nonparametric")
INTERVALS = ("percentile", "bca")
#: The bootstrapped quantities, in the column order of ``BootstrapResult.draws``.
QUANTITIES = ("estimate", "tau2", "I2")


@dataclass(frozen=True, slots=True)
class ReplicateSummary:
    """The bootstrap distribution of one quantity.

    Attributes
    ----------
    quantity : str
        ``"estimate"``, ``"tau2"`` or ``"I2"`` (percent).
    observed : float
        Its value in the fitted model.
    mean, sd, median : float
        Of the replicates (sd with ``R - 1`` in the denominator: the bootstrap SE).
    bias : float
        ``mean - observed``.
    bias_correction, acceleration : float
        BCa's ``z0`` and ``a`` (NaN for percentile intervals).
    """

    quantity: str
    observed: float
    mean: float
    sd: float
    median: float
    bias: float
    bias_correction: float
    acceleration: float


@dataclass(frozen=True, slots=True)
class BootstrapResult:
    """Bootstrap confidence intervals for the pooled estimate, tau2 and I2.

    Attributes
    ----------
    k : int
        Number of studies.
    measure, method : str
        Effect-size measure code and tau2 estimator (as :func:`~livingmeta.models.rma`).
    kind : str
        ``"parametric"`` or ``"nonparametric"``.
    interval : str
        ``"percentile"`` or ``"bca"``.
    level : float
        Confidence level of the stored intervals.
    replicates, replicates_used : int
        Replicates drawn, and those kept (their tau2 estimator converged).
    seed : int
        Seed of the draws (drawn and recorded when not given).
    estimate, ci_low, ci_high : float
        Pooled estimate and its bootstrap interval.
    tau2, tau2_ci_low, tau2_ci_high : float
        tau2 and its bootstrap interval.
    I2, I2_ci_low, I2_ci_high : float
        I2 (percent) and its bootstrap interval.
    distributions : tuple of ReplicateSummary
        One per quantity, in :data:`QUANTITIES` order.
    draws : ndarray, shape (replicates_used, 3)
        The replicates (columns as :data:`QUANTITIES`); not in ``to_dict``.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi, vi and the labels.
    """

    k: int
    measure: str
    method: str
    kind: str
    interval: str
    level: float
    replicates: int
    replicates_used: int
    seed: int
    estimate: float
    ci_low: float
    ci_high: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    I2: float
    I2_ci_low: float
    I2_ci_high: float
    distributions: tuple[ReplicateSummary, ...]
    draws: FloatArray
    warnings: tuple[str, ...]
    provenance: Provenance

    def confidence_interval(self, quantity: str = "estimate",
                            level: float | None = None) -> tuple[float, float]:
        """This result's kind of interval for ``quantity`` at another ``level``."""
        quantity = check_choice("quantity", quantity, QUANTITIES)
        level = self.level if level is None else check_level(level)
        j = QUANTITIES.index(quantity)
        d = self.distributions[j]
        return _bounds(self.draws[:, j], level, self.interval, d.bias_correction,
                       d.acceleration)

    def to_frame(self) -> pd.DataFrame:
        """One row per quantity: observed, ci_low, ci_high, mean, sd, median, bias."""
        bounds = [(self.ci_low, self.ci_high), (self.tau2_ci_low, self.tau2_ci_high),
                  (self.I2_ci_low, self.I2_ci_high)]
        return pd.DataFrame(
            [{"observed": d.observed, "ci_low": lo, "ci_high": hi, "mean": d.mean,
              "sd": d.sd, "median": d.median, "bias": d.bias}
             for d, (lo, hi) in zip(self.distributions, bounds, strict=True)],
            index=pd.Index(list(QUANTITIES), name="quantity"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` with one row per quantity."""
        from livingmeta.summary import Summary, frame_table

        title = (f"Bootstrap confidence intervals: {self.kind}, {self.interval}, "
                 f"{self.measure}, method {self.method} (k = {self.k})")
        lines = (f"{self.replicates} replicates (seed {self.seed}), {self.replicates_used} "
                 f"used; level {100 * self.level:g}%.",
                 *(f"warning: {w}" for w in self.warnings))
        return Summary(title, lines, (frame_table("Bootstrap", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field except ``draws``."""
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)
                if f.name != "draws"}


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One block of replicates (picklable, for a Dask worker)."""

    yi: FloatArray
    vi: FloatArray
    kind: str
    method: str
    mu: float
    tau2: float
    seed: int
    index: int
    size: int


def _chunk_replicates(chunk: _Chunk) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Replicates ``(size, 3)`` of one chunk and whether each fit converged."""
    rng = np.random.default_rng(np.random.SeedSequence(chunk.seed, spawn_key=(chunk.index,)))
    k = chunk.yi.shape[0]
    if chunk.kind == "parametric":
        # yi* ~ N(mu, vi + tau2) under the fitted random-effects model.
        y = chunk.mu + rng.standard_normal((chunk.size, k)) * np.sqrt(chunk.vi + chunk.tau2)
        v = np.broadcast_to(chunk.vi, y.shape)
    else:
        idx = rng.integers(0, k, size=(chunk.size, k))
        y, v = chunk.yi[idx], chunk.vi[idx]
    fit = fit_batch(y, v, chunk.method, "z")
    return np.column_stack([fit.estimate, fit.tau2, fit.I2]), fit.converged


def _jackknife(y: FloatArray, v: FloatArray, method: str) -> FloatArray:
    """Leave-one-out values ``(k, 3)`` of the three quantities (one batch of k fits)."""
    k = y.size
    keep = ~np.eye(k, dtype=bool)
    fit = fit_batch(np.broadcast_to(y, (k, k))[keep].reshape(k, k - 1),
                    np.broadcast_to(v, (k, k))[keep].reshape(k, k - 1), method, "z")
    return np.column_stack([fit.estimate, fit.tau2, fit.I2])


def _acceleration(jack: FloatArray) -> float:
    # E&T eq. 14.15: a = sum(d^3) / (6 sum(d^2)^1.5), d = mean(theta_(.)) - theta_(i).
    d = jack.mean() - jack
    s2 = float(np.sum(d * d))
    return 0.0 if s2 == 0.0 else float(np.sum(d ** 3)) / (6.0 * s2 ** 1.5)


def _bias_correction(draws: FloatArray, observed: float) -> float:
    # E&T eq. 14.14, ties counted half (scipy.stats.bootstrap's percentile of score).
    share = (np.count_nonzero(draws < observed) + np.count_nonzero(draws <= observed)) / (
        2.0 * draws.size)
    return float(special.ndtri(share))


def _bounds(draws: FloatArray, level: float, interval: str, z0: float,
            a: float) -> tuple[float, float]:
    alpha = (1.0 - level) / 2.0
    if interval == "percentile":
        probs = np.array([alpha, 1.0 - alpha])
    else:
        if not math.isfinite(z0):
            return math.nan, math.nan
        # E&T eq. 14.10: alpha_1 = Phi(z0 + (z0 + z_alpha) / (1 - a (z0 + z_alpha))).
        z = np.array([special.ndtri(alpha), -special.ndtri(alpha)]) + z0
        probs = special.ndtr(z0 + z / (1.0 - a * z))
    lo, hi = np.quantile(draws, probs)
    return float(lo), float(hi)


def _check_options(replicates: object, seed: object, k: int, interval: str) -> int:
    if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) \
            or replicates < 2:
        raise ParameterError(f"The 'replicates' parameter must be an integer >= 2. "
                             f"Got {replicates!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ParameterError(f"The 'seed' parameter must be a non-negative integer or None. "
                             f"Got {seed!r}.")
    need = 3 if interval == "bca" else 2
    if k < need:
        raise MethodNotApplicableError(
            f"A bootstrap {interval} interval needs at least {need} studies; got k = {k}.")
    return int(replicates)


def _observed(y: FloatArray, v: FloatArray, method: str, labels: tuple[str, ...],
              measure: str) -> tuple[MetaAnalysisResult, list[tuple[str, Any]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LivingMetaWarning)
        fit = cast(MetaAnalysisResult, rma(y, v, method=method, study=labels,
                                           measure=measure))
    return fit, [(str(w.message), w.category) for w in caught]


def bootstrap_ci(
    yi: object,
    vi: object,
    *,
    method: str = "REML",
    kind: str = "parametric",
    interval: str = "percentile",
    replicates: int = 1000,
    level: float = 0.95,
    seed: int | None = None,
    study: object = None,
    measure: str = "GEN",
    scheduler: str | None = None,
) -> BootstrapResult:
    """Bootstrap confidence intervals for the pooled estimate, tau2 and I2.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0); k >= 2 (k >= 3 for BCa).
    method, measure :
        As in :func:`~livingmeta.models.rma`.
    kind : {"parametric", "nonparametric"}
        Simulate from the fitted model, or resample studies.
    interval : {"percentile", "bca"}
        Percentile or bias-corrected and accelerated intervals.
    replicates : int
        Number of bootstrap replicates.
    level : float
        Confidence level in (0, 1).
    seed : int, optional
        Seed of the draws; a fresh one is drawn (and recorded) when None.
    study : sequence of str, optional
        Study labels.
    scheduler : str, optional
        Address of a Dask distributed scheduler (default: run in this process).

    Returns
    -------
    BootstrapResult

    Warns
    -----
    ZeroTau2Warning, ConvergenceWarning
        As :func:`~livingmeta.models.rma` for the observed fit; ConvergenceWarning also
        when replicates did not converge (they are left out).
    DegenerateBootstrapWarning
        A BCa interval is undefined (NaN bounds).

    References
    ----------
    Efron, B., & Tibshirani, R. J. (1993). An Introduction to the Bootstrap. Chapman &
    Hall, ch. 13-14. Efron, B. (1987). Better bootstrap confidence intervals. JASA 82,
    171-185.

    Examples
    --------
    >>> res = bootstrap_ci([-0.89, -1.59, -1.35, -1.44, -0.22, -0.79],
    ...                    [0.33, 0.19, 0.42, 0.02, 0.05, 0.007], method="DL",
    ...                    replicates=200, seed=1)
    >>> res.ci_low < res.estimate < res.ci_high, res.replicates_used
    (True, 200)
    """
    method = check_choice("method", method, METHODS)
    kind = check_choice("kind", kind, KINDS)
    interval = check_choice("interval", interval, INTERVALS)
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    replicates = _check_options(replicates, seed, y.size, interval)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy) % 2 ** 53  # type: ignore[arg-type]
    fit, messages = _observed(y, v, method, labels, measure)
    chunks = [_Chunk(y, v, kind, method, fit.estimate, fit.tau2, int(seed), i,
                     min(CHUNK_SIZE, replicates - start))
              for i, start in enumerate(range(0, replicates, CHUNK_SIZE))]
    parts = list(run_chunks(_chunk_replicates, chunks, scheduler=scheduler,
                            name="livingmeta-bootstrap"))
    ok = np.concatenate([c for _, c in parts])
    draws = np.concatenate([d for d, _ in parts])[ok]
    if not ok.all():
        messages.append((f"{ok.size - ok.sum()} of {ok.size} bootstrap replicates did not "
                         f"converge ({method}) and were left out.", ConvergenceWarning))
    observed = (fit.estimate, fit.tau2, fit.I2)
    jack = _jackknife(y, v, method) if interval == "bca" else None
    summaries, bounds = [], []
    for j, name in enumerate(QUANTITIES):
        z0 = a = math.nan
        if jack is not None:
            z0, a = _bias_correction(draws[:, j], observed[j]), _acceleration(jack[:, j])
            if not math.isfinite(z0):
                messages.append((f"The BCa interval for {name} is undefined: every replicate "
                                 "lies on one side of the estimate.",
                                 DegenerateBootstrapWarning))
        bounds.append(_bounds(draws[:, j], level, interval, z0, a) if draws.size
                      else (math.nan, math.nan))
        col = draws[:, j]
        mean = float(col.mean()) if col.size else math.nan
        summaries.append(ReplicateSummary(
            name, float(observed[j]), mean, float(col.std(ddof=1)) if col.size > 1 else math.nan,
            float(np.median(col)) if col.size else math.nan, mean - float(observed[j]), z0, a))
    for msg, cls in messages:
        warnings.warn(msg, cls, stacklevel=2)
    options: dict[str, object] = {"kind": kind, "interval": interval, "replicates": replicates,
                                  "level": level, "seed": seed, "measure": measure}
    return BootstrapResult(
        k=y.size, measure=measure, method=method, kind=kind, interval=interval, level=level,
        replicates=replicates, replicates_used=int(ok.sum()), seed=int(seed),
        estimate=fit.estimate, ci_low=bounds[0][0], ci_high=bounds[0][1], tau2=fit.tau2,
        tau2_ci_low=bounds[1][0], tau2_ci_high=bounds[1][1], I2=fit.I2,
        I2_ci_low=bounds[2][0], I2_ci_high=bounds[2][1], distributions=tuple(summaries),
        draws=draws, warnings=tuple(m for m, _ in messages),
        provenance=Provenance(__version__, "bootstrap_ci", method, options, y.size,
                              input_digest(y, v, labels=labels)),
    )
