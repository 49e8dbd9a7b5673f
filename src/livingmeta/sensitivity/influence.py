"""Outlier and influence diagnostics (metafor's ``influence.rma.uni``).

For an intercept-only model with estimate ``mu`` (variance ``vb``), hat values ``h_i``
(the weights as fractions) and, for each study i, the refit without it (estimate
``mu_i``, variance ``vb_i``, between-study variance ``tau2_i``; Knapp-Hartung factor
``s2_i``, 1 under ``test="z"``), metafor 3.8.1 reports (Viechtbauer & Cheung 2010,
sections 3.1-3.3; Belsley, Kuh & Welsch 1980 for the regression originals):

- externally standardized residual ``(y_i - mu_i) / sqrt(s2_i (v_i + tau2_i) + vb_i)``;
- DFFITS ``(mu - mu_i) / sqrt(s2_i h_i (tau2_i + v_i))``;
- Cook's distance ``(mu - mu_i)^2 / vb``;
- covariance ratio ``vb_i / vb``;
- DFBETAS ``(mu - mu_i) / sqrt(s2_i / sum_j 1 / (v_j + tau2_i))`` (all k studies);
- ``tau2_del = tau2_i`` and ``QE_del``, Cochran's Q of the refit.

The k refits run at once through :func:`~livingmeta.models.random.fit_batch` on the
``(k, k - 1)`` stack (O(k^2) memory, no Python loop).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import ConvergenceWarning, MethodNotApplicableError
from livingmeta.models.random import fit_batch, rma
from livingmeta.results import (
    BatchResult,
    MetaAnalysisResult,
    Provenance,
    check_level,
    input_digest,
    jsonable,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["InfluenceResult", "influence"]

FloatArray = NDArray[np.float64]
_COLUMNS = ("rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "QE_del", "hat", "weight",
            "dfbetas", "inf")


@dataclass(frozen=True, slots=True)
class InfluenceResult:
    """Leave-one-out influence diagnostics, one value per study.

    Attributes
    ----------
    study : tuple of str
        Study labels, in input order.
    k : int
        Number of studies.
    measure, method, test : str
        As passed to :func:`~livingmeta.models.rma`.
    level : float
        Confidence level of the underlying fit.
    rstudent : ndarray, shape (k,)
        Externally standardized (deleted) residuals.
    dffits : ndarray, shape (k,)
        Change of the fitted value, in standard deviations, when the study is omitted.
    cook_d : ndarray, shape (k,)
        Cook's distances.
    cov_r : ndarray, shape (k,)
        Covariance ratios (below 1: omitting the study makes the estimate more precise).
    tau2_del : ndarray, shape (k,)
        tau2 of each leave-one-out refit (0 for EE).
    QE_del : ndarray, shape (k,)
        Cochran's Q of each leave-one-out refit.
    hat : ndarray, shape (k,)
        Diagonal of the hat matrix (the weights as fractions for this model).
    weight : ndarray, shape (k,)
        Weights in percent.
    dfbetas : ndarray, shape (k,)
        Change of the coefficient, in standard deviations, when the study is omitted.
    inf : ndarray of bool, shape (k,)
        metafor's influence flag (its asterisk): True when ``|dffits| > 3 sqrt(p/(k-p))``,
        or the chi-square(p) lower tail area at ``cook_d`` exceeds 0.5, or
        ``hat > 3 p / k``, or ``|dfbetas| > 1`` (p = 1 here). The cut-offs are
        conventions, not tests.
    estimate, tau2 : float
        Estimate and tau2 of the full fit.
    converged : ndarray of bool, shape (k,)
        Whether each refit's tau2 estimator converged.
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
    rstudent: FloatArray
    dffits: FloatArray
    cook_d: FloatArray
    cov_r: FloatArray
    tau2_del: FloatArray
    QE_del: FloatArray
    hat: FloatArray
    weight: FloatArray
    dfbetas: FloatArray
    inf: NDArray[np.bool_]
    estimate: float
    tau2: float
    converged: NDArray[np.bool_]
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row per study (index: its label), metafor's ``influence`` columns."""
        return pd.DataFrame({name: getattr(self, name) for name in _COLUMNS},
                            index=pd.Index(list(self.study), name="study"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` with one table of the diagnostics."""
        from livingmeta.summary import Summary, frame_table

        title = (f"Influence diagnostics: {self.measure}, method {self.method}, "
                 f"test {self.test} (k = {self.k})")
        flagged = [s for s, f in zip(self.study, self.inf, strict=True) if f]
        lines = (f"influential (metafor's cut-offs): {', '.join(flagged) or 'none'}",
                 *(f"warning: {w}" for w in self.warnings))
        return Summary(title, lines, (frame_table("Influence", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def leave_one_out_stack(y: FloatArray, v: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The ``(k, k - 1)`` arrays whose row i holds every study but study i."""
    k = y.size
    rows = ~np.eye(k, dtype=bool)
    return (np.broadcast_to(y, (k, k))[rows].reshape(k, k - 1),
            np.broadcast_to(v, (k, k))[rows].reshape(k, k - 1))


def refit_without_each(y: FloatArray, v: FloatArray, labels: tuple[str, ...], method: str,
                       test: str, level: float, name: str) -> tuple[BatchResult, FloatArray,
                                                                     FloatArray, list[str]]:
    """Batch refit without each study; also returns the stack and warning messages."""
    k = y.size
    if k < 3:
        raise MethodNotApplicableError(
            f"{name} needs k >= 3 studies (each refit needs two); got k = {k}.")
    ys, vs = leave_one_out_stack(y, v)
    batch = fit_batch(ys, vs, method=method, test=test, level=level)
    messages: list[str] = []
    if not np.all(batch.converged):
        failed = [s for s, ok in zip(labels, batch.converged, strict=True) if not ok]
        messages.append(f"The {method} estimator of tau2 did not converge when omitting "
                        f"{', '.join(failed)}.")
        warnings.warn(messages[-1], ConvergenceWarning, stacklevel=3)
    return batch, ys, vs, messages




def influence(
    yi: object,
    vi: object,
    *,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    study: object = None,
    measure: str = "GEN",
) -> InfluenceResult:
    """Leave-one-out outlier and influence diagnostics (metafor ``influence.rma.uni``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 3.
    method, test, level, measure :
        As in :func:`~livingmeta.models.rma`.
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).

    Returns
    -------
    InfluenceResult

    Raises
    ------
    DataValidationError
        Non-finite yi/vi or vi <= 0 (every row reported at once).
    MethodNotApplicableError
        k < 3.

    Warns
    -----
    ZeroTau2Warning
        tau2 of the full fit estimated at 0.
    ConvergenceWarning
        The tau2 estimator did not converge in the full fit or some refits.

    References
    ----------
    Viechtbauer W, Cheung MW-L (2010). Outlier and influence diagnostics for
    meta-analysis. Res Synth Methods 1:112-125.
    Viechtbauer W (2010). Conducting meta-analyses in R with the metafor package.
    J Stat Softw 36(3).

    Examples
    --------
    >>> res = influence([0.1, 0.3, 0.5, 0.9], [0.04, 0.05, 0.04, 0.06], method="DL")
    >>> [round(float(x), 4) for x in res.cook_d]
    [0.5254, 0.0915, 0.0101, 0.6695]
    """
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    batch, ys, vs, messages = refit_without_each(y, v, labels, method, test, level,
                                                 "influence diagnostics")
    full = cast(MetaAnalysisResult, rma(y, v, method=method, test=test, level=level,
                                        study=labels, measure=measure))
    mu, vb = full.estimate, full.se**2
    mu_i, vb_i, tau2_i = batch.estimate, batch.se**2, batch.tau2
    if test in ("knha", "adhoc"):
        # Knapp-Hartung factor of each refit (Knapp & Hartung 2003): its weighted
        # residual sum of squares over k - 2 (at least 1 under the ad hoc modification).
        w_del = 1.0 / (vs + tau2_i[:, None])
        s2 = np.sum(w_del * (ys - mu_i[:, None]) ** 2, axis=1) / (k - 2)
        if test == "adhoc":
            s2 = np.maximum(s2, 1.0)
    else:
        s2 = np.ones(k)
    hat = full.weights / 100.0
    diff = mu - mu_i
    rstudent = (y - mu_i) / np.sqrt(s2 * (v + tau2_i) + vb_i)
    dffits = diff / np.sqrt(s2 * hat * (tau2_i + v))
    cook_d = diff**2 / vb
    # Variance of the full-data estimate at each refit's tau2 (the DFBETAS scale).
    vb_full_at_tau2_i = 1.0 / np.sum(1.0 / (v[None, :] + tau2_i[:, None]), axis=1)
    dfbetas = diff / np.sqrt(s2 * vb_full_at_tau2_i)
    p = 1
    inf = ((np.abs(dffits) > 3.0 * np.sqrt(p / (k - p)))
           | (stats.chi2.cdf(cook_d, p) > 0.5)
           | (hat > 3.0 * p / k)
           | (np.abs(dfbetas) > 1.0))
    return InfluenceResult(
        study=labels, k=k, measure=measure, method=method, test=test, level=level,
        rstudent=rstudent, dffits=dffits, cook_d=cook_d, cov_r=vb_i / vb,
        tau2_del=np.asarray(tau2_i, dtype=float), QE_del=np.asarray(batch.Q, dtype=float),
        hat=hat, weight=np.asarray(full.weights, dtype=float), dfbetas=dfbetas, inf=inf,
        estimate=mu, tau2=full.tau2, converged=np.asarray(batch.converged, dtype=bool),
        warnings=(*full.warnings, *messages),
        provenance=Provenance(__version__, "influence", method,
                              {"test": test, "level": level, "measure": measure}, k,
                              input_digest(y, v)),
    )
