"""Permutation tests of a model's coefficients (metafor's ``permutest`` for ``rma.uni``).

Under the null hypothesis the observed test statistics are compared with their
distribution over a reference set of rearranged data, refitting the model to each
(Higgins & Thompson 2004, Stat Med 23:1663-1682; Viechtbauer, López-López, Sánchez-Meca
& Marín-Martínez 2015, Psychol Methods 20:360-374):

* without moderators (H0: mu = 0) the signs of yi are flipped: all ``2^k`` patterns for
  the exact test, else independent random signs;
* with moderators (H0: no association of yi with the moderators) the rows of the design
  matrix are permuted over the studies, yi and vi staying in place: all
  ``k! / prod(m_i!)`` distinct arrangements (``m_i`` copies of each distinct row) for the
  exact test, else random permutations.

p-values are metafor's (``permutest.rma.uni``, metafor 3.8): for each coefficient the
share of the reference set with ``|z*| >= |z| - comptol``, and for the omnibus test the
share with ``QM* >= QM - comptol``, ``comptol = sqrt(machine eps)``, so that permutations
tying with the observed one count as at least as extreme. A random test puts the
observed data in place of the first random draw (Phipson & Smyth 2010, Stat Appl Genet
Mol Biol 9:39: a p-value is never 0), so ``permutations`` counts it. Permuted fits whose
tau2 estimator does not converge are left out, as metafor leaves out fits that fail.

Every permuted fit goes through the batch kernels (:func:`~livingmeta.models.fit_batch`,
and :func:`~livingmeta.models._core.fit_core` with a ``(P, k, p)`` stack of permuted
designs), in chunks of :data:`CHUNK_SIZE` run by :func:`livingmeta.batch.run_chunks`;
chunk ``i`` of a random test draws from ``SeedSequence(seed, spawn_key=(i,))``, so a
Dask run equals the in-process run.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.batch import run_chunks
from livingmeta.errors import (
    ConvergenceWarning,
    LivingMetaWarning,
    MethodNotApplicableError,
    ParameterError,
    check_choice,
)
from livingmeta.models._core import fit_core
from livingmeta.models.random import METHODS, TESTS, fit_batch, rma
from livingmeta.models.regression import omnibus_test
from livingmeta.results import (
    MetaAnalysisResult,
    MetaRegressionResult,
    Provenance,
    input_digest,
    jsonable,
)
from livingmeta.sensitivity._permutation_sets import (
    distinct_assignments,
    random_assignments,
    random_signs,
    sign_patterns,
    unrank_assignments,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["CHUNK_SIZE", "COMPARISON_TOLERANCE", "MAX_EXACT", "PermutationResult",
           "permutation_test"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: metafor's ``comptol`` (``.Machine$double.eps^0.5``): a permuted statistic within this
#: of the observed one counts as at least as extreme.
COMPARISON_TOLERANCE = float(np.finfo(np.float64).eps) ** 0.5
#: Permutations per chunk (one task on a Dask cluster).
CHUNK_SIZE = 10_000
#: Largest exact reference set enumerated (beyond, int64 ranks could overflow).
MAX_EXACT = 10**12
_DISTRIBUTIONS = ("permuted_statistic", "permuted_QM")


@dataclass(frozen=True, slots=True)
class PermutationResult:
    """Permutation p-values of a model's coefficients and of its omnibus test.

    Attributes
    ----------
    k, p : int
        Studies and coefficients.
    measure, method, test : str
        As passed to :func:`~livingmeta.models.rma`.
    moderator_names : tuple of str
        Coefficient names (``("intrcpt",)`` without moderators).
    estimate, se, statistic : ndarray, shape (p,)
        The fitted model's coefficients, standard errors and z (or t) statistics.
    model_pval : ndarray, shape (p,)
        Their normal-theory (or t) p-values, as :func:`~livingmeta.models.rma` gives them.
    pval : ndarray, shape (p,)
        Permutation p-values (metafor's ``pval``).
    QM, QM_df : float, int
        Omnibus test of the moderators (of the intercept without moderators: ``z^2``);
        under ``knha`` the F statistic, as metafor's QM.
    model_QM_pval, QM_pval : float
        Its chi-square (or F) p-value and its permutation p-value (metafor's ``QMp``).
    df : int or None
        t and F denominator degrees of freedom under ``knha``; None under z.
    exact : bool
        True: the whole reference set was enumerated.
    permutations : int
        Size of the reference distribution: every distinct permutation (exact), or the
        observed one plus the random draws. Fits left out are included in this count.
    exact_count : int
        Number of distinct permutations: ``2^k`` sign patterns, or ``k! / prod(m_i!)``.
    seed : int or None
        Seed of the random draws (None for an exact test).
    failed : int
        Permuted fits left out because their tau2 estimator did not converge.
    permuted_statistic : ndarray, shape (permutations, p)
        The statistics of every permuted fit (NaN rows were left out); not in ``to_dict``.
    permuted_QM : ndarray, shape (permutations,)
        QM of every permuted fit; not in ``to_dict``.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi, vi, the design and the labels.
    """

    k: int
    p: int
    measure: str
    method: str
    test: str
    moderator_names: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    model_pval: FloatArray
    pval: FloatArray
    QM: float
    QM_df: int
    model_QM_pval: float
    QM_pval: float
    df: int | None
    exact: bool
    permutations: int
    exact_count: int
    seed: int | None
    failed: int
    permuted_statistic: FloatArray
    permuted_QM: FloatArray
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row per coefficient: estimate, se, statistic, model_pval, pval."""
        return pd.DataFrame(
            {name: getattr(self, name) for name in
             ("estimate", "se", "statistic", "model_pval", "pval")},
            index=pd.Index(list(self.moderator_names), name="coefficient"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`: the reference set, QM, coefficients."""
        from livingmeta._format import fmt_num, fmt_p
        from livingmeta.summary import Summary, frame_table

        if self.exact:
            what = ("sign patterns of yi" if self.p == 1
                    else "distinct permutations of the moderators")
            reference = f"Exact test: all {self.permutations} {what}."
        else:
            reference = (f"Random test: {self.permutations} permutations (the observed data "
                         f"and {self.permutations - 1} random draws), seed {self.seed}.")
        omnibus = (f"Omnibus test (QM, df = {self.QM_df}): {fmt_num(self.QM)}, model p = "
                   f"{fmt_p(self.model_QM_pval)}, permutation p = {fmt_p(self.QM_pval)}.")
        title = (f"Permutation test: {self.measure}, method {self.method}, test {self.test} "
                 f"(k = {self.k})")
        lines = (reference, omnibus, *(f"warning: {w}" for w in self.warnings))
        return Summary(title, lines, (frame_table("Coefficients", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field except the permutation distributions."""
        return {f.name: jsonable(getattr(self, f.name)) for f in fields(self)
                if f.name not in _DISTRIBUTIONS}


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One block of permuted fits (picklable, for a Dask worker)."""

    yi: FloatArray
    vi: FloatArray
    rows: FloatArray | None  # distinct design rows (u, p); None: sign flips
    counts: tuple[int, ...]  # copies of each distinct row
    observed: IntArray | None  # distinct row of each study
    method: str
    test: str
    start: int
    size: int
    seed: int | None  # None: exact enumeration of ranks start .. start + size - 1
    index: int


def _chunk_statistics(chunk: _Chunk) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
    """Statistics ``(size, p)``, QM ``(size,)`` and convergence of one chunk's fits."""
    k = chunk.yi.shape[0]
    rng = None if chunk.seed is None else np.random.default_rng(
        np.random.SeedSequence(chunk.seed, spawn_key=(chunk.index,)))
    shape = (chunk.size, k)
    if chunk.rows is None:
        signs = (sign_patterns(chunk.start, chunk.size, k) if rng is None
                 else random_signs(rng, chunk.size, k))
        fit = fit_batch(signs * chunk.yi, np.broadcast_to(chunk.vi, shape), chunk.method,
                        chunk.test)
        # QM of an intercept-only model is z^2 (t^2 = F(1, k - 1) under knha), as metafor's.
        return fit.statistic[:, None], fit.statistic ** 2, fit.converged
    if rng is None:
        assign = unrank_assignments(chunk.start, chunk.size, chunk.counts)
    else:
        assign = random_assignments(rng, chunk.size, cast(IntArray, chunk.observed))
    core = fit_core(np.broadcast_to(chunk.yi, shape), np.broadcast_to(chunk.vi, shape),
                    chunk.rows[assign], chunk.method, chunk.test)
    qm = omnibus_test(core.beta, core.vcov, 1, core.df)[0]
    return core.statistic, qm, core.tau.converged


def _check_options(permutations: object, exact: object, seed: object) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) \
            or permutations < 2:
        raise ParameterError("The 'permutations' parameter must be an integer >= 2. "
                             f"Got {permutations!r}.")
    if not (exact is True or exact is False or exact == "auto"):
        raise ParameterError(f"The 'exact' parameter must be 'auto', True or False. "
                             f"Got {exact!r}.")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise ParameterError(f"The 'seed' parameter must be a non-negative integer or None. "
                             f"Got {seed!r}.")
    return int(permutations)


def _observed_fit(y: FloatArray, v: FloatArray, mods: object, moderator_names: object,
                  method: str, test: str, labels: tuple[str, ...], measure: str,
                  ) -> tuple[MetaAnalysisResult | MetaRegressionResult, list[tuple[str, Any]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LivingMetaWarning)
        fit = rma(y, v, mods=mods, moderator_names=moderator_names, method=method,
                  test=test, study=labels, measure=measure)
    return fit, [(str(w.message), w.category) for w in caught]


_Design = tuple[FloatArray | None, tuple[int, ...], IntArray | None]


def _reference_set(fit: MetaAnalysisResult | MetaRegressionResult) -> tuple[
        _Design, int, tuple[str, ...], FloatArray, float, int, float]:
    """The chunk's design fields, the number of distinct permutations, the coefficient
    names and the observed statistics, QM, its df and model p-value."""
    if isinstance(fit, MetaRegressionResult):
        # Distinct rows in lexicographic order, as metafor orders X before enumerating.
        rows, inverse, counts = np.unique(fit.X, axis=0, return_inverse=True,
                                          return_counts=True)
        multiplicity = tuple(int(c) for c in counts)
        design: _Design = (rows, multiplicity, inverse.reshape(-1).astype(np.int64))
        return (design, distinct_assignments(multiplicity), fit.moderator_names,
                fit.statistic, fit.QM, fit.QM_df, fit.QM_pval)
    # Without moderators metafor's QM is the square of the intercept's statistic.
    return ((None, (), None), 2 ** fit.k, ("intrcpt",), np.array([fit.statistic]),
            fit.statistic ** 2, 1, fit.pval)


def _pvalues(stat: FloatArray, qm: FloatArray, ok: NDArray[np.bool_], observed: FloatArray,
             observed_qm: float) -> tuple[FloatArray, float]:
    # metafor permutest.rma.uni: mean(abs(zval.perm) >= abs(zval) - comptol, na.rm = TRUE),
    # pval[pval > 1] <- 1; QMp <- mean(QM.perm >= QM - comptol, na.rm = TRUE).
    if not ok.any():
        return np.full(observed.shape, np.nan), float("nan")
    pval = np.mean(np.abs(stat[ok]) >= np.abs(observed) - COMPARISON_TOLERANCE, axis=0)
    return np.minimum(pval, 1.0), float(np.mean(qm[ok] >= observed_qm - COMPARISON_TOLERANCE))


def permutation_test(
    yi: object,
    vi: object,
    *,
    mods: object = None,
    moderator_names: object = None,
    method: str = "REML",
    test: str = "z",
    permutations: int = 1000,
    exact: bool | str = "auto",
    seed: int | None = None,
    study: object = None,
    measure: str = "GEN",
    scheduler: str | None = None,
) -> PermutationResult:
    """Permutation test of the pooled effect or of meta-regression coefficients.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 2.
    mods : array_like, shape (k,) or (k, m), optional
        Moderators (an intercept is added): permute their rows. Without: flip signs of yi.
    moderator_names : sequence of str, optional
        Names of the m moderator columns.
    method, test, measure :
        As in :func:`~livingmeta.models.rma`.
    permutations : int
        Size of the random reference set (the observed data and ``permutations - 1``
        draws); with ``exact="auto"`` the test is exact when there are at most this many
        distinct permutations (metafor's ``iter``).
    exact : {"auto", True, False}
        True: enumerate every distinct permutation (up to :data:`MAX_EXACT`); False:
        always random permutations; "auto": exact when feasible, as metafor's default.
    seed : int, optional
        Seed of the random draws; a fresh one is drawn (and recorded) when None.
    study : sequence of str, optional
        Study labels.
    scheduler : str, optional
        Address of a Dask distributed scheduler (default: run in this process).

    Returns
    -------
    PermutationResult

    Warns
    -----
    ZeroTau2Warning, ConvergenceWarning
        As :func:`~livingmeta.models.rma` for the observed fit; ConvergenceWarning also
        when permuted fits did not converge (they are left out).

    References
    ----------
    Viechtbauer, W., López-López, J. A., Sánchez-Meca, J., & Marín-Martínez, F. (2015).
    A comparison of procedures to test for moderators in mixed-effects meta-regression
    models. Psychological Methods, 20(3), 360-374.

    Examples
    --------
    >>> yi = [-0.89, -1.59, -1.35, -1.44, -0.22, -0.79]
    >>> vi = [0.33, 0.19, 0.42, 0.02, 0.05, 0.007]
    >>> res = permutation_test(yi, vi, method="DL")
    >>> res.exact, res.permutations, float(res.pval[0])
    (True, 64, 0.03125)
    >>> reg = permutation_test(yi, vi, mods=[44, 55, 42, 52, 13, 19], permutations=200,
    ...                        seed=1)
    >>> reg.exact, reg.permutations, reg.moderator_names
    (False, 200, ('intrcpt', 'mod1'))
    """
    method = check_choice("method", method, METHODS)
    test = check_choice("test", test, TESTS)
    permutations = _check_options(permutations, exact, seed)
    y, v, labels = check_effects(yi, vi, study)
    if y.size < 2:
        raise MethodNotApplicableError(
            f"A permutation test needs at least 2 studies; got k = {y.size}.")
    fit, messages = _observed_fit(y, v, mods, moderator_names, method, test, labels, measure)
    design, count, names, observed, observed_qm, qm_df, model_qm_p = _reference_set(fit)
    use_exact = exact is True or (exact == "auto" and count <= permutations)
    if use_exact and count > MAX_EXACT:
        raise ParameterError(f"An exact test would refit {count} permutations (more than "
                             f"{MAX_EXACT}); use exact=False or 'auto'.")
    if not use_exact and seed is None:
        seed = int(np.random.SeedSequence().entropy) % 2 ** 53  # type: ignore[arg-type]
    draws = count if use_exact else permutations - 1
    rows, counts, assignment = design
    chunks = [_Chunk(y, v, rows, counts, assignment, method, test, start,
                     min(CHUNK_SIZE, draws - start), None if use_exact else seed, i)
              for i, start in enumerate(range(0, draws, CHUNK_SIZE))]
    parts = list(run_chunks(_chunk_statistics, chunks, scheduler=scheduler,
                            name="livingmeta-permutest"))
    stat = np.concatenate([s for s, _, _ in parts])
    qm = np.concatenate([q for _, q, _ in parts])
    ok = np.concatenate([c for _, _, c in parts])
    if not use_exact:  # metafor replaces the first random draw by the observed data
        stat = np.vstack([observed[None, :], stat])
        qm = np.concatenate([[observed_qm], qm])
        ok = np.concatenate([[True], ok])
    pval, qm_pval = _pvalues(stat, qm, ok, observed, observed_qm)
    failed = int(ok.size - ok.sum())
    if failed:
        messages.append((f"{failed} of {ok.size} permuted fits did not converge "
                         f"({method}) and were left out.", ConvergenceWarning))
    for msg, cls in messages:
        warnings.warn(msg, cls, stacklevel=2)
    X = fit.X if isinstance(fit, MetaRegressionResult) else None
    options: dict[str, object] = {"test": test, "permutations": permutations,
                                  "exact": exact, "seed": seed, "measure": measure,
                                  "moderator_names": list(names)}
    return PermutationResult(
        k=y.size, p=len(names), measure=measure, method=method, test=test,
        moderator_names=tuple(names), estimate=np.atleast_1d(fit.estimate),
        se=np.atleast_1d(fit.se), statistic=np.asarray(observed, dtype=np.float64),
        model_pval=np.atleast_1d(fit.pval), pval=pval, QM=float(observed_qm), QM_df=qm_df,
        model_QM_pval=float(model_qm_p), QM_pval=qm_pval, df=fit.df, exact=use_exact,
        permutations=int(ok.size), exact_count=count, seed=None if use_exact else seed,
        failed=failed, permuted_statistic=np.where(ok[:, None], stat, np.nan),
        permuted_QM=np.where(ok, qm, np.nan), warnings=tuple(m for m, _ in messages),
        provenance=Provenance(__version__, "permutation_test", method, options, y.size,
                              input_digest(y, v, X, labels=labels)),
    )
