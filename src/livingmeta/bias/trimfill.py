"""Duval & Tweedie's trim-and-fill method (metafor's ``trimfill.rma.uni``).

With the studies flipped (``y -> -y``) when the missing ones are on the right, so that
they are always sought on the left, each iteration (Duval & Tweedie 2000a, section 3):

1. fits the model to the studies left after trimming the k0 largest effects;
2. centres all k effects at that estimate and ranks their absolute values (average
   ranks); ``T`` is the sum of the ranks of the positive deviations (Wilcoxon);
3. estimates k0 (rounded to the nearest integer, at least 0):

   - ``L0 = (4 T - k (k + 1)) / (2 k - 1)``             (Duval & Tweedie 2000a, eq. 5)
   - ``R0 = gamma - 1``, gamma the run of the largest absolute deviations that are all
     positive                                           (Duval & Tweedie 2000a, eq. 4)
   - ``Q0 = k - 1/2 - sqrt(2 k^2 - 4 T + 1/4)``          (Duval & Tweedie 2000b)

until k0 no longer changes. The k0 trimmed studies are then mirrored about the last
estimate, ``2 mu - y_i`` with the same ``v_i``, and the model is refitted to all
``k + k0``. Standard errors of k0 (Duval & Tweedie 2000a, section 4, evaluated at the
unrounded estimate): ``Var(T) = (k(k+1)(2k+1) + 10 k0^3 + 27 k0^2 + 17 k0 - 18 k k0^2 -
18 k k0 + 6 k^2 k0) / 24``; ``se(L0) = 4 sqrt(Var T) / (2k - 1)``;
``se(Q0) = 2 sqrt(Var T) / sqrt(2 k^2 - 4 T + 1/4)``; ``se(R0) = sqrt(2 k0 + 2)``, and
R0 gives ``P(R0 >= k0 | no missing studies) = 0.5^(k0 + 1)``.

When ``side`` is None it is chosen as metafor does, from the sign of the slope of the
regression test (:mod:`.regtest`, predictor sei, same method): missing studies on the
left when the slope is positive (small studies show larger effects), else on the right.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import (
    ConvergenceWarning,
    LivingMetaWarning,
    MethodNotApplicableError,
    ParameterError,
    check_choice,
)
from livingmeta.models.random import METHODS, TESTS, rma
from livingmeta.results import (
    MetaAnalysisResult,
    MetaRegressionResult,
    Provenance,
    input_digest,
    jsonable,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["ESTIMATORS", "TrimFillResult", "trimfill"]

FloatArray = NDArray[np.float64]
ESTIMATORS = ("L0", "R0", "Q0")


@dataclass(frozen=True, slots=True)
class TrimFillResult:
    """Trim-and-fill: estimated missing studies and the model refitted with them.

    Attributes
    ----------
    k : int
        Observed studies.
    k0 : int
        Estimated number of missing studies.
    side : str
        ``"left"`` or ``"right"``: where the missing studies were imputed.
    estimator : str
        ``"L0"``, ``"R0"`` or ``"Q0"``.
    se_k0 : float
        Standard error of k0 (see the module docstring).
    p_k0 : float
        R0 only: p-value of the test of no missing studies on that side (else NaN).
    filled_yi, filled_vi : ndarray, shape (k0,)
        The imputed effects and their sampling variances.
    filled_study : tuple of str
        Labels of the imputed studies (``"filled: <mirrored study>"``).
    fit : MetaAnalysisResult
        The model fitted to the ``k + k0`` observed and imputed studies.
    iterations : int
        Trim-and-fill iterations.
    converged : bool
        k0 stopped changing within ``maxiter`` iterations.
    warnings : tuple of str
    provenance : Provenance
    """

    k: int
    k0: int
    side: str
    estimator: str
    se_k0: float
    p_k0: float
    filled_yi: FloatArray
    filled_vi: FloatArray
    filled_study: tuple[str, ...]
    fit: MetaAnalysisResult
    iterations: int
    converged: bool
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """The imputed studies (index: label), with yi and vi."""
        return pd.DataFrame({"yi": self.filled_yi, "vi": self.filled_vi},
                            index=pd.Index(list(self.filled_study), name="study"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`."""
        from livingmeta.summary import Summary, fmt_num, frame_table

        f = self.fit
        lines = (f"estimated missing studies ({self.estimator}): k0 = {self.k0} "
                 f"(se {fmt_num(self.se_k0)}) on the {self.side} side",
                 f"filled estimate {fmt_num(f.estimate)} [{fmt_num(f.ci_low)}, "
                 f"{fmt_num(f.ci_high)}], tau2 = {fmt_num(f.tau2)}, k = {f.k}",
                 *(f"warning: {w}" for w in self.warnings))
        return Summary(f"Trim and fill: method {f.method} (k = {self.k})", lines,
                       (frame_table("Imputed studies", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _quiet_estimate(y: FloatArray, v: FloatArray, method: str, mods: object = None) -> float:
    # Intermediate fits: their warnings (e.g. tau2 = 0 on a trimmed set) are not the
    # user's concern; the final fit warns normally.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", LivingMetaWarning)
        fit = rma(y, v, method=method, mods=mods)
    if isinstance(fit, MetaRegressionResult):
        return float(fit.estimate[1])
    return fit.estimate


def _k0(dev: FloatArray, estimator: str) -> tuple[float, float]:
    """Unrounded k0 and its standard error from deviations about the current estimate."""
    k = dev.size
    ranks = stats.rankdata(np.abs(dev))
    t = float(np.sum(ranks[dev > 0]))
    if estimator == "R0":
        negative = ranks[dev < 0]
        gamma = k - (float(np.max(negative)) if negative.size else 0.0)
        k0 = gamma - 1.0
        return k0, math.sqrt(2.0 * max(0.0, k0) + 2.0)
    if estimator == "L0":
        k0 = (4.0 * t - k * (k + 1)) / (2.0 * k - 1.0)
    else:
        k0 = k - 0.5 - math.sqrt(max(0.0, 2.0 * k * k - 4.0 * t + 0.25))
    var_t = (k * (k + 1) * (2 * k + 1) + 10 * k0**3 + 27 * k0**2 + 17 * k0
             - 18 * k * k0**2 - 18 * k * k0 + 6 * k**2 * k0) / 24.0
    if estimator == "L0":
        return k0, 4.0 * math.sqrt(max(var_t, 0.0)) / (2.0 * k - 1.0)
    return k0, 2.0 * math.sqrt(max(var_t, 0.0)) / math.sqrt(2.0 * k * k - 4.0 * t + 0.25)


def trimfill(
    yi: object,
    vi: object,
    *,
    side: str | None = None,
    estimator: str = "L0",
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    maxiter: int = 100,
    study: object = None,
    measure: str = "GEN",
) -> TrimFillResult:
    """Trim-and-fill (Duval & Tweedie 2000; metafor ``trimfill.rma.uni``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 3.
    side : {"left", "right"}, optional
        Side of the funnel plot where studies are missing; chosen from the regression
        test's slope when None (as metafor).
    estimator : {"L0", "R0", "Q0"}
        Estimator of the number of missing studies.
    method, test, level, measure :
        Model used while trimming and for the final fit (as :func:`~livingmeta.models.rma`;
        the trimming uses only the estimate, which the test does not change).
    maxiter : int
        Maximum trim-and-fill iterations.
    study : sequence of str, optional
        Study labels.

    Returns
    -------
    TrimFillResult

    Warns
    -----
    ConvergenceWarning
        k0 was still changing after ``maxiter`` iterations.
    ZeroTau2Warning, ConvergenceWarning
        From the final fit.

    References
    ----------
    Duval S, Tweedie R (2000a). A nonparametric "trim and fill" method of accounting for
    publication bias in meta-analysis. J Am Stat Assoc 95:89-98.
    Duval S, Tweedie R (2000b). Trim and fill: a simple funnel-plot-based method of
    testing and adjusting for publication bias in meta-analysis. Biometrics 56:455-463.

    Examples
    --------
    >>> res = trimfill([0.1, 0.3, 0.5, 0.9, 0.2, 0.6], [0.01, 0.04, 0.09, 0.16, 0.02, 0.1],
    ...                method="EE")
    >>> res.k0, res.side
    (3, 'left')
    """
    estimator = check_choice("estimator", estimator, ESTIMATORS)
    method = check_choice("method", method, METHODS)
    test = check_choice("test", test, TESTS)
    if side is not None:
        side = check_choice("side", side, ("left", "right"))
    if isinstance(maxiter, bool) or not isinstance(maxiter, int) or maxiter < 1:
        raise ParameterError(f"The 'maxiter' parameter must be an integer >= 1. Got {maxiter!r}.")
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    if k < 3:
        raise MethodNotApplicableError(f"trim and fill needs k >= 3 studies; got k = {k}.")
    if side is None:
        side = "left" if _quiet_estimate(y, v, method, mods=np.sqrt(v)) > 0 else "right"
    sign = -1.0 if side == "right" else 1.0
    # Sorted so that the studies to trim (the largest, after flipping) come last; stable.
    idx = np.argsort(sign * y, kind="stable")
    ys, vs = sign * y[idx], v[idx]
    k0, k0_prev, iterations = 0, -1, 0
    mu, se_k0 = math.nan, math.nan
    while k0 != k0_prev and iterations < maxiter:
        k0_prev, iterations = k0, iterations + 1
        mu = _quiet_estimate(ys[: k - k0], vs[: k - k0], method)
        raw, se_k0 = _k0(ys - mu, estimator)
        k0 = max(0, int(np.round(raw)))
    converged = k0 == k0_prev
    messages: list[str] = []
    if not converged:
        messages.append(f"Trim and fill did not converge in {maxiter} iterations "
                        f"(k0 = {k0_prev} then {k0}).")
        warnings.warn(messages[-1], ConvergenceWarning, stacklevel=2)
    # Mirror the k0 trimmed studies about the last estimate (from the k - k0 kept).
    trimmed = np.arange(k - k0_prev, k)
    filled_yi = sign * (2.0 * mu - ys[trimmed])
    filled_vi = vs[trimmed]
    fit = cast(MetaAnalysisResult, rma(
        np.concatenate([y, filled_yi]), np.concatenate([v, filled_vi]), method=method,
        test=test, level=level, measure=measure,
        study=[*labels, *(f"filled: {labels[i]}" for i in idx[trimmed])]))
    return TrimFillResult(
        k=k, k0=k0, side=side, estimator=estimator, se_k0=se_k0,
        p_k0=0.5 ** (k0 + 1) if estimator == "R0" else math.nan,
        filled_yi=filled_yi, filled_vi=filled_vi,
        filled_study=tuple(f"filled: {labels[i]}" for i in idx[trimmed]), fit=fit,
        iterations=iterations, converged=converged, warnings=(*messages, *fit.warnings),
        provenance=Provenance(__version__, "trimfill", method,
                              {"side": side, "estimator": estimator, "test": test,
                               "level": level, "maxiter": maxiter, "measure": measure}, k,
                              input_digest(y, v)),
    )
