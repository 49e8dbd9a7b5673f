"""Cumulative meta-analysis (metafor's ``cumul`` for ``rma.uni`` fits).

The studies are put in order (e.g. by publication year) and the model is refitted after
each study is added: step j pools the first j studies with the same method, test and
level (Lau et al. 1992, N Engl J Med 327:248-254; Viechtbauer 2010, J Stat Softw 36(3)).
Step 1 is metafor's defined k = 1 fit (tau2 = 0, Q = 0, the estimate is the study's).
The steps have different k, so each is one :func:`~livingmeta.models.rma` call (k fits).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import (
    ConvergenceWarning,
    LivingMetaWarning,
    ParameterError,
    SingleStudyWarning,
    ZeroTau2Warning,
)
from livingmeta.models.random import rma
from livingmeta.results import MetaAnalysisResult, Provenance, check_level, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["CumulativeResult", "cumulative"]

FloatArray = NDArray[np.float64]
_COLUMNS = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_pval",
            "tau2", "I2", "H2")


@dataclass(frozen=True, slots=True)
class CumulativeResult:
    """The model refitted after each study is added, in the given order.

    Attributes
    ----------
    study : tuple of str
        The study added at each step (the input labels, in analysis order).
    order : ndarray of int, shape (k,)
        Input positions (0-based) of the studies in analysis order.
    k : int
        Number of studies (steps).
    measure, method, test : str
        As passed to :func:`~livingmeta.models.rma`.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    estimate, se, statistic, pval, ci_low, ci_high : ndarray, shape (k,)
        Pooled estimate after each step with its standard error, z (or t) statistic,
        p-value and confidence interval (step 1: z, as metafor's k = 1 fit).
    Q, Q_pval, tau2, I2, H2 : ndarray, shape (k,)
        Heterogeneity after each step (step 1: Q = 0, p = 1, tau2 = 0, I2 = 0, H2 = 1).
    converged : ndarray of bool, shape (k,)
        Whether each step's tau2 estimator converged.
    warnings : tuple of str
        Messages of the warnings issued (one per kind, naming the steps).
    provenance : Provenance
        Version, options and a digest of yi and vi (in input order).
    """

    study: tuple[str, ...]
    order: NDArray[np.int64]
    k: int
    measure: str
    method: str
    test: str
    level: float
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    Q: FloatArray
    Q_pval: FloatArray
    tau2: FloatArray
    I2: FloatArray
    H2: FloatArray
    converged: NDArray[np.bool_]
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row per step (index: the study added), metafor's ``cumul`` columns."""
        return pd.DataFrame({name: getattr(self, name) for name in _COLUMNS},
                            index=pd.Index(list(self.study), name="added"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` with one row per step."""
        from livingmeta.summary import Summary, frame_table

        title = (f"Cumulative meta-analysis: {self.measure}, method {self.method}, "
                 f"test {self.test} (k = {self.k})")
        return Summary(title, tuple(f"warning: {w}" for w in self.warnings),
                       (frame_table("Cumulative", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _analysis_order(order: object, k: int) -> NDArray[np.int64]:
    if order is None:
        return np.arange(k)
    try:
        key = np.asarray(order, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ParameterError(f"The 'order' parameter must be numeric sort keys (e.g. years); "
                             f"got {order!r}.") from None
    if key.size != k or not np.isfinite(key).all():
        raise ParameterError(f"The 'order' parameter must give one finite sort key per study "
                             f"({k}); got {key.size} values, {int(np.sum(~np.isfinite(key)))} "
                             "not finite.")
    # Stable, as R's order(): tied studies keep their input order.
    return np.argsort(key, kind="stable").astype(np.int64)


def _step_warnings(fits: list[MetaAnalysisResult], caught: list[list[type[Warning]]],
                   labels: tuple[str, ...]) -> list[tuple[str, type[LivingMetaWarning]]]:
    def steps(cls: type[Warning]) -> list[str]:
        return [f"{j + 1} ({labels[j]})" for j, got in enumerate(caught) if cls in got]

    out: list[tuple[str, type[LivingMetaWarning]]] = []
    if steps(SingleStudyWarning):
        out.append(("Step 1 rests on a single study: tau2 = 0 and the estimate is that "
                    "study's.", SingleStudyWarning))
    if zero := steps(ZeroTau2Warning):
        out.append((f"tau2 was estimated at 0 at step(s) {', '.join(zero)}.", ZeroTau2Warning))
    if failed := steps(ConvergenceWarning):
        out.append((f"The {fits[0].method} estimator of tau2 did not converge at step(s) "
                    f"{', '.join(failed)}.", ConvergenceWarning))
    return out


def cumulative(
    yi: object,
    vi: object,
    *,
    order: object = None,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    study: object = None,
    measure: str = "GEN",
) -> CumulativeResult:
    """Cumulative meta-analysis: refit after adding each study (metafor ``cumul``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0).
    order : array_like, shape (k,), optional
        Sort keys (e.g. publication years); studies are added in increasing order, ties
        in input order. Default: input order.
    method, test, level, measure :
        As in :func:`~livingmeta.models.rma`.
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).

    Returns
    -------
    CumulativeResult

    Warns
    -----
    SingleStudyWarning
        Always: step 1 has one study (a defined fit, as metafor's).
    ZeroTau2Warning
        tau2 estimated at 0 at some step (the steps are named).
    ConvergenceWarning
        The tau2 estimator did not converge at some step.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = cumulative([0.9, 0.1, 0.5], [0.04, 0.05, 0.04], order=[2001, 1999, 2005],
    ...                      method="DL")
    >>> res.study, [round(float(x), 4) for x in res.estimate]
    (('2', '1', '3'), [0.1, 0.5062, 0.5085])
    """
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    idx = _analysis_order(order, k)
    ys, vs = y[idx], v[idx]
    ordered = tuple(labels[i] for i in idx)
    fits: list[MetaAnalysisResult] = []
    caught: list[list[type[Warning]]] = []
    for j in range(1, k + 1):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always", LivingMetaWarning)
            fits.append(cast(MetaAnalysisResult, rma(ys[:j], vs[:j], method=method, test=test,
                                                     level=level, measure=measure)))
        caught.append([w.category for w in record])
    messages = _step_warnings(fits, caught, ordered)
    for msg, cls in messages:
        warnings.warn(msg, cls, stacklevel=2)
    values = {name: np.array([getattr(f, name) for f in fits], dtype=float)
              for name in _COLUMNS}
    return CumulativeResult(
        study=ordered, order=idx, k=k, measure=measure, method=method, test=test, level=level,
        converged=np.array([f.converged for f in fits], dtype=bool),
        warnings=tuple(m for m, _ in messages),
        provenance=Provenance(__version__, "cumulative", method,
                              {"test": test, "level": level, "measure": measure,
                               "order": None if order is None else idx.tolist()}, k,
                              input_digest(y, v)),
        **values,
    )
