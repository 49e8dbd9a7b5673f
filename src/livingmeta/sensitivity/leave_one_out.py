"""Leave-one-out sensitivity analysis (metafor's ``leave1out`` for ``rma.uni`` fits).

Each study in turn is omitted and the model is refitted to the other k - 1 studies with
the same method, test and level (Viechtbauer & Cheung 2010, section 3.2). With k >= 3
the k refits run at once through :func:`livingmeta.models.random.fit_batch` on the
``(k, k - 1)`` stack of the remaining studies (no Python loop); with k = 2 each refit has
a single study and goes through :func:`~livingmeta.models.random.rma` (the k = 1 path).
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
from livingmeta.errors import ConvergenceWarning, MethodNotApplicableError, SingleStudyWarning
from livingmeta.models.random import fit_batch, rma
from livingmeta.results import (
    MetaAnalysisResult,
    Provenance,
    check_level,
    input_digest,
    jsonable,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["LeaveOneOutResult", "leave_one_out"]

FloatArray = NDArray[np.float64]
_COLUMNS = ("estimate", "se", "statistic", "pval", "ci_low", "ci_high", "Q", "Q_pval",
            "tau2", "I2", "H2")


@dataclass(frozen=True, slots=True)
class LeaveOneOutResult:
    """The model refitted k times, each time without one study.

    Attributes
    ----------
    study : tuple of str
        The study omitted in each refit (one entry per study, in input order).
    k : int
        Number of studies in the full analysis (each refit uses k - 1).
    measure, method, test : str
        As passed to :func:`~livingmeta.models.rma`.
    level : float
        Confidence level of ``ci_low``/``ci_high``.
    df : int or None
        t degrees of freedom of each refit under ``test="knha"`` (k - 2); None under z.
    estimate, se, statistic, pval, ci_low, ci_high : ndarray, shape (k,)
        Pooled estimate of each refit, its standard error, z (or t) statistic, two-sided
        p-value and confidence interval.
    Q, Q_pval : ndarray, shape (k,)
        Cochran's Q of each refit and its p-value (``Q_df = k - 2``).
    Q_df : int
        Degrees of freedom of each Q.
    tau2, I2, H2 : ndarray, shape (k,)
        Between-study variance (0 for EE), I2 (percent) and H2 of each refit.
    converged : ndarray of bool, shape (k,)
        Whether each refit's tau2 estimator converged.
    path : str
        ``"batch"`` (one vectorised fit of the (k, k-1) stack) or ``"loop"`` (k = 2).
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi and vi.
    """

    study: tuple[str, ...]
    k: int
    measure: str
    method: str
    test: str
    level: float
    df: int | None
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    Q: FloatArray
    Q_df: int
    Q_pval: FloatArray
    tau2: FloatArray
    I2: FloatArray
    H2: FloatArray
    converged: NDArray[np.bool_]
    path: str
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row per omitted study (index: its label), metafor's ``leave1out`` columns."""
        frame = pd.DataFrame({name: getattr(self, name) for name in _COLUMNS},
                             index=pd.Index(list(self.study), name="omitted"))
        return frame

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` (render with as_text/as_markdown/as_html)."""
        from livingmeta.summary import summarize

        return summarize(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _loop(y: FloatArray, v: FloatArray, method: str, test: str, level: float,
          measure: str) -> dict[str, Any]:
    """Refit study by study (used for k = 2, whose refits have one study each)."""
    fits = []
    with warnings.catch_warnings():
        # Each refit of one study would warn SingleStudyWarning; we warn once instead.
        warnings.simplefilter("ignore", SingleStudyWarning)
        for i in range(y.size):
            keep = np.arange(y.size) != i
            fits.append(cast(MetaAnalysisResult, rma(y[keep], v[keep], method=method,
                                                     test=test, level=level, measure=measure)))
    values: dict[str, Any] = {name: np.array([getattr(f, name) for f in fits])
                              for name in _COLUMNS}
    values.update(Q_df=fits[0].Q_df, df=fits[0].df,
                  converged=np.array([f.converged for f in fits]))
    return values


def leave_one_out(
    yi: object,
    vi: object,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    study: object = None,
    measure: str = "GEN",
) -> LeaveOneOutResult:
    """Refit the meta-analysis k times, omitting each study once (metafor ``leave1out``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 2.
    method, test, level, measure :
        As in :func:`~livingmeta.models.rma`.
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).

    Returns
    -------
    LeaveOneOutResult

    Raises
    ------
    DataValidationError
        Non-finite yi/vi or vi <= 0 (every row reported at once).
    MethodNotApplicableError
        k = 1: there is nothing left after omitting the study.

    Warns
    -----
    SingleStudyWarning
        k = 2: each refit rests on one study.
    ConvergenceWarning
        The tau2 estimator did not converge in some refits (named).

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
    meta-analysis. Res Synth Methods 1:112-125.

    Examples
    --------
    >>> res = leave_one_out([0.1, 0.3, 0.5, 0.9], [0.04, 0.05, 0.04, 0.06], method="DL")
    >>> [round(float(x), 4) for x in res.estimate]
    [0.5519, 0.4829, 0.4172, 0.3]
    """
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    if k < 2:
        raise MethodNotApplicableError(
            f"leave-one-out needs k >= 2 studies; got k = {k} (study {labels[0]!r}).")
    messages: list[str] = []
    if k >= 3:
        rows = ~np.eye(k, dtype=bool)
        batch = fit_batch(y[None, :].repeat(k, 0)[rows].reshape(k, k - 1),
                          v[None, :].repeat(k, 0)[rows].reshape(k, k - 1),
                          method=method, test=test, level=level)
        values: dict[str, Any] = {name: np.asarray(getattr(batch, name), dtype=float)
                                  for name in _COLUMNS}
        values.update(Q_df=batch.Q_df, df=batch.df,
                      converged=np.asarray(batch.converged, dtype=bool))
        path = "batch"
    else:
        values = _loop(y, v, method, test, level, measure)
        path = "loop"
        messages.append("k = 2: each leave-one-out refit rests on a single study.")
        warnings.warn(messages[-1], SingleStudyWarning, stacklevel=2)
    if not values["converged"].all():
        failed = [s for s, ok in zip(labels, values["converged"], strict=True) if not ok]
        messages.append(f"The {method} estimator of tau2 did not converge when omitting "
                        f"{', '.join(failed)}.")
        warnings.warn(messages[-1], ConvergenceWarning, stacklevel=2)
    return LeaveOneOutResult(
        study=labels, k=k, measure=measure, method=method, test=test, level=level,
        path=path, warnings=tuple(messages),
        provenance=Provenance(__version__, "leave_one_out", method,
                              {"test": test, "level": level, "measure": measure}, k,
                              input_digest(y, v)),
        **values,
    )
