"""Pooling many meta-analyses of ragged size at once: the batch engine.

The input is long format, one row per study with the id of its meta-analysis. Rows
without a usable effect (``yi`` or ``vi`` missing, or ``vi <= 0``) are dropped from their
meta-analysis. The meta-analyses are then grouped by their number of studies ``k`` with
numpy (``pandas.factorize``, ``bincount``, one stable ``argsort``) and each group of equal
``k`` is fitted in one vectorized pass of :func:`~livingmeta.models.fit_batch`, the same
kernels as :func:`~livingmeta.models.rma` (Viechtbauer 2010, J Stat Softw 36(3)). The
Python work per call is proportional to the number of distinct ``k``, not to the number
of meta-analyses.

``k = 1`` gets metafor's defined single-study fit, as ``rma`` gives it: the common-effect
model with a z test (tau2 = 0, Q = 0, I2 = 0, H2 = 1; the prediction interval equals the
confidence interval for random-effects methods and is undefined for EE). ``k = 0`` (every
row dropped) is reported in :attr:`BatchTable.skipped` and left out of the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta.errors import ParameterError, Problem, check_choice
from livingmeta.models import fit_batch
from livingmeta.models._core import fit_core
from livingmeta.models.common import COMMON_EFFECT_CODES
from livingmeta.models.random import METHODS, TESTS
from livingmeta.results import Provenance, check_level, critical_value, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["OUTPUT_COLUMNS", "BatchTable", "SkippedAnalysis", "pool_groups"]

FloatArray = NDArray[np.float64]

#: The columns of the batch output, in order (the ``livingmeta batch`` file contract).
OUTPUT_COLUMNS = ("id", "k", "estimate", "se", "statistic", "pval", "ci_low", "ci_high",
                  "pi_low", "pi_high", "tau2", "tau2_ci_low", "tau2_ci_high", "I2", "H2",
                  "Q", "Q_pval", "converged", "warnings")
_FLOATS = OUTPUT_COLUMNS[2:17]
# Bits of the per-meta-analysis warning code (see _warning_texts).
_SINGLE, _ZERO_TAU2, _NOT_CONVERGED = 1, 2, 4


@dataclass(frozen=True, slots=True)
class SkippedAnalysis:
    """A meta-analysis left out of the batch output, and why.

    Attributes
    ----------
    id : object
        Its id (None for rows without an id).
    reason : str
        ``"bad rows"`` (invalid cells or effect-size inputs), ``"k = 0"`` (no row with a
        usable yi and vi) or ``"no id"`` (rows without an id).
    problems : tuple of Problem
        The located problems (row, column, value, rule), when the rows were invalid.
    """

    id: object
    reason: str
    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        head = "rows without an id" if self.id is None else f"meta-analysis {self.id!r}"
        detail = "; ".join(str(p) for p in self.problems)
        return f"{head} skipped ({self.reason})" + (f": {detail}" if detail else "")

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary: id, reason, message and every problem's fields."""
        return {"id": jsonable(self.id), "reason": self.reason, "message": str(self),
                "problems": [jsonable(p) for p in self.problems]}


@dataclass(frozen=True, slots=True)
class BatchTable:
    """One row per pooled meta-analysis, in order of first appearance of each id.

    Attributes
    ----------
    measure, method, test : str
        Effect-size measure of yi, model code (``FE`` is reported as ``EE``) and test.
    level : float
        Confidence level of the intervals (fraction).
    tau2_ci : bool
        Whether the Q-profile tau2 intervals were computed (else NaN).
    id : ndarray, shape (n,)
        The id of each meta-analysis.
    k : ndarray of int, shape (n,)
        Studies pooled (rows kept).
    estimate, se, statistic, pval, ci_low, ci_high, pi_low, pi_high : ndarray
        As :class:`~livingmeta.results.MetaAnalysisResult` (``k = 1``: z test).
    tau2, tau2_ci_low, tau2_ci_high, I2, H2, Q, Q_pval : ndarray
        Heterogeneity as ``livingmeta pool`` reports it; the tau2 interval is NaN for EE
        and ``k = 1`` (``pool`` gives null).
    converged : ndarray of bool
        The tau2 estimator converged.
    warnings : ndarray of str
        Per meta-analysis, short warnings joined by ``"; "`` (``""`` when none).
    skipped : tuple of SkippedAnalysis
        Meta-analyses left out (bad rows, ``k = 0``).
    provenance : Provenance
        Version, options, total rows pooled and a digest of ids, yi and vi.
    """

    measure: str
    method: str
    test: str
    level: float
    tau2_ci: bool
    id: NDArray[Any]
    k: NDArray[np.int64]
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    pi_low: FloatArray
    pi_high: FloatArray
    tau2: FloatArray
    tau2_ci_low: FloatArray
    tau2_ci_high: FloatArray
    I2: FloatArray
    H2: FloatArray
    Q: FloatArray
    Q_pval: FloatArray
    converged: NDArray[np.bool_]
    warnings: NDArray[np.object_]
    skipped: tuple[SkippedAnalysis, ...]
    provenance: Provenance

    @property
    def n(self) -> int:
        """Number of pooled meta-analyses (rows)."""
        return int(self.k.shape[0])

    def to_frame(self) -> pd.DataFrame:
        """The output table: exactly :data:`OUTPUT_COLUMNS`, one row per meta-analysis."""
        return pd.DataFrame({name: getattr(self, name) for name in OUTPUT_COLUMNS})

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field (columns as lists, NaN as None)."""
        out: dict[str, Any] = jsonable(self)
        out["skipped"] = [s.to_dict() for s in self.skipped]
        return out

    def summary(self) -> Summary:
        """Counts of what was pooled and skipped, and the first rows of the table."""
        from livingmeta.summary import Summary, frame_table

        title = (f"Batch pooling: {self.n} meta-analyses, measure {self.measure}, "
                 f"method {self.method}, test {self.test}")
        lines = [f"k from {self.k.min()} to {self.k.max()}" if self.n else "nothing pooled",
                 f"k = 1: {int(np.sum(self.k == 1))}; tau2 = 0: "
                 f"{int(np.sum((self.tau2 == 0) & (self.k > 1)))}; not converged: "
                 f"{int(np.sum(~self.converged))}",
                 f"skipped: {len(self.skipped)}"]
        head = self.to_frame().head(10)
        return Summary(title, tuple(lines), (frame_table("First meta-analyses", head),))


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _check_inputs(ids: object, yi: object, vi: object) -> tuple[NDArray[Any], FloatArray,
                                                                 FloatArray]:
    try:
        y = np.asarray(yi, dtype=np.float64)
        v = np.asarray(vi, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"yi and vi must be numeric arrays: {exc}") from None
    labels = np.asarray(ids)
    if not (y.ndim == v.ndim == labels.ndim == 1 and y.shape == v.shape == labels.shape):
        raise ParameterError("ids, yi and vi must be 1-d arrays of one length; got shapes "
                             f"{labels.shape}, {y.shape} and {v.shape}.")
    return labels, y, v


def _single_study(y: FloatArray, v: FloatArray, method: str, level: float) -> dict[str, Any]:
    """metafor's k = 1 fit, as rma gives it: the common-effect model with a z test."""
    core = fit_core(y[:, None], v[:, None], None, "EE", "z")
    est, se = core.beta[:, 0], core.se[:, 0]
    half = critical_value(level, None) * se  # tau2 = 0, so the PI equals the CI
    pi_half = np.full_like(est, np.nan) if method in COMMON_EFFECT_CODES else half
    return dict(estimate=est, se=se, statistic=core.statistic[:, 0], pval=core.pval[:, 0],
                ci_low=est - half, ci_high=est + half, pi_low=est - pi_half,
                pi_high=est + pi_half, tau2=core.tau.tau2, I2=core.I2, H2=core.H2,
                Q=core.het.Q, Q_pval=core.het.Q_pval, converged=core.tau.converged)


def _fit_equal_k(y: FloatArray, v: FloatArray, method: str, test: str, level: float,
                 tau2_ci: bool) -> dict[str, Any]:
    res = fit_batch(y, v, method, test, level, tau2_ci=tau2_ci)
    out = {name: getattr(res, name) for name in _FLOATS if getattr(res, name, None) is not None}
    out["converged"] = res.converged
    return out


def _warning_texts(flags: NDArray[np.int64], dropped: NDArray[np.int64],
                   corrected: NDArray[np.int64], method: str, test: str) -> NDArray[np.object_]:
    """Short warning strings, built once per distinct combination (not per meta-analysis)."""
    width = int(dropped.max(initial=0)) + 1
    code = flags + 8 * (dropped + width * corrected)
    distinct, inverse = np.unique(code, return_inverse=True)
    texts = []
    for c in distinct.tolist():
        f, rest = c % 8, c // 8
        n_drop, n_corr = rest % width, rest // width
        parts = []
        if f & _SINGLE:
            parts.append("k = 1: tau2 set to 0, the estimate is the study's"
                         + ("; test set to z" if test != "z" else ""))
        if f & _NOT_CONVERGED:
            parts.append(f"{method} estimator of tau2 did not converge")
        if f & _ZERO_TAU2:
            parts.append("tau2 estimated at 0")
        if n_drop:
            parts.append(f"{n_drop} row{'s' if n_drop > 1 else ''} dropped "
                         "(missing yi/vi or vi <= 0)")
        if n_corr:
            parts.append(f"{n_corr} row{'s' if n_corr > 1 else ''} zero-cell corrected")
        texts.append("; ".join(parts))
    return np.asarray(texts, dtype=object)[inverse.reshape(-1)]


def pool_groups(
    ids: object,
    yi: object,
    vi: object,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    tau2_ci: bool = True,
    measure: str = "GEN",
    zero_cell_corrected: object = None,
) -> BatchTable:
    """Pool every meta-analysis of a long-format table of effect sizes.

    Parameters
    ----------
    ids : array_like, shape (n,)
        The meta-analysis of each row (any hashable values; need not be contiguous).
    yi, vi : array_like, shape (n,)
        Effect sizes and sampling variances. Rows with a NaN or ``vi <= 0`` are dropped
        from their meta-analysis (counted in its ``warnings``).
    method : str
        ``"EE"`` (alias ``"FE"``) or a tau2 estimator ``DL HE HS SJ ML REML EB PM``.
    test : {"z", "knha", "adhoc"}
        As in :func:`~livingmeta.models.rma`.
    level : float
        Confidence level (fraction) of the CI, PI and tau2 CI.
    tau2_ci : bool
        Compute the Q-profile interval of tau2 (Viechtbauer 2007); ignored for EE.
    measure : str
        Measure code of yi, recorded on the result.
    zero_cell_corrected : array_like of bool, shape (n,), optional
        Rows whose effect size had a zero-cell correction (counted in ``warnings``).

    Returns
    -------
    BatchTable
        Results agree with ``rma`` (and ``livingmeta pool``) on each meta-analysis.

    Examples
    --------
    >>> t = pool_groups(["a", "a", "a", "b", "c", "c"],
    ...                 [0.1, 0.5, 0.9, 0.3, 0.2, float("nan")], [0.04] * 6, method="DL")
    >>> t.id.tolist(), t.k.tolist()
    (['a', 'b', 'c'], [3, 1, 1])
    >>> round(float(t.tau2[0]), 4), float(t.estimate[1])
    (0.12, 0.3)
    >>> str(t.warnings[2])
    "k = 1: tau2 set to 0, the estimate is the study's; 1 row dropped (missing yi/vi or vi <= 0)"
    """
    method = check_choice("method", method, METHODS)
    method = "EE" if method == "FE" else method
    test = check_choice("test", test, TESTS)
    level = check_level(level)
    labels, y, v = _check_inputs(ids, yi, vi)
    corrected = (np.zeros(y.shape, bool) if zero_cell_corrected is None
                 else np.asarray(zero_cell_corrected, dtype=bool).reshape(y.shape))
    codes, uniques = pd.factorize(labels, sort=False)
    if (codes < 0).any():
        raise ParameterError(f"ids must not be missing; row {int(np.argmax(codes < 0)) + 1} "
                             "has none.")
    g = len(uniques)
    with np.errstate(invalid="ignore"):
        valid = np.isfinite(y) & np.isfinite(v) & (v > 0.0)
    k = np.bincount(codes[valid], minlength=g).astype(np.int64)
    dropped = np.bincount(codes, minlength=g) - k
    random_effects = method not in COMMON_EFFECT_CODES
    cols = {name: np.full(g, np.nan) for name in _FLOATS}
    converged = np.ones(g, dtype=bool)
    flags = np.zeros(g, dtype=np.int64)
    # Rows ordered by (k of their meta-analysis, first appearance of the id, input order):
    # each group of equal k is then one contiguous (n_k, k) block.
    cv = codes[valid]
    order = np.argsort(k[cv] * g + cv, kind="stable")
    y_sorted, v_sorted = y[valid][order], v[valid][order]
    start = 0
    for size in np.unique(k[k > 0]).tolist():
        members = np.flatnonzero(k == size)
        stop = start + size * members.size
        yb = y_sorted[start:stop].reshape(members.size, size)
        vb = v_sorted[start:stop].reshape(members.size, size)
        start = stop
        if size == 1:
            fit = _single_study(yb[:, 0], vb[:, 0], method, level)
            flags[members] |= _SINGLE
        else:
            fit = _fit_equal_k(yb, vb, method, test, level, tau2_ci and random_effects)
            if random_effects:
                flags[members] |= np.where(fit["tau2"] == 0.0, _ZERO_TAU2, 0)
                flags[members] |= np.where(fit["converged"], 0, _NOT_CONVERGED)
        for name, values in fit.items():
            (converged if name == "converged" else cols[name])[members] = values
    keep = k > 0
    skipped = tuple(SkippedAnalysis(_python(uniques[i]), "k = 0", (Problem(
        None, None, None, None, f"no usable yi and vi in its {int(dropped[i])} row(s) "
        "(missing, or vi <= 0)"),)) for i in np.flatnonzero(~keep).tolist())
    n_corrected = np.bincount(codes[valid & corrected], minlength=g)
    texts = _warning_texts(flags[keep], dropped[keep], n_corrected[keep], method, test)
    prov = Provenance(__version__, "pool_groups", method,
                      {"test": test, "level": level, "tau2_ci": tau2_ci, "measure": measure},
                      int(valid.sum()), input_digest(codes, y, v))
    return BatchTable(
        measure=measure, method=method, test=test, level=level,
        tau2_ci=bool(tau2_ci and random_effects), id=np.asarray(uniques)[keep], k=k[keep],
        **{name: values[keep] for name, values in cols.items()},
        converged=converged[keep], warnings=texts, skipped=skipped, provenance=prov,
    )
