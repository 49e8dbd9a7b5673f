"""Regression tests for funnel-plot asymmetry (Egger-type; metafor's ``regtest``).

The effects are regressed on a measure of precision, by default the standard error
(Egger et al. 1997, BMJ 315:629-634; Sterne & Egger 2005):

- ``model="rma"`` (metafor's default): the meta-regression ``y_i = b0 + b1 sei_i + u_i +
  e_i`` fitted by :func:`~livingmeta.models.rma` with the chosen tau2 estimator and test;
  the test is the z (or t) test of ``b1``.
- ``model="lm"``: the classical Egger test, weighted least squares with weights ``1/v_i``
  and a multiplicative dispersion factor (the residual mean square); this is the
  common-effect fit with the Knapp-Hartung factor, a t test of ``b1`` with ``k - 2`` df.

With predictor ``sei``, ``vi``, ``ninv`` or ``sqrtninv`` the intercept ``b0`` is the
"limit estimate", the effect expected at infinite precision (Stanley & Doucouliagos 2014,
PET/PEESE; Viechtbauer 2010, J Stat Softw 36(3)).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.bias.small_study import small_study_informative, uninformative_note
from livingmeta.errors import MethodNotApplicableError, ParameterError, check_choice
from livingmeta.models.random import rma
from livingmeta.results import MetaRegressionResult, Provenance, check_level, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["PREDICTORS", "RegTestResult", "regtest"]

PREDICTORS = ("sei", "vi", "ni", "ninv", "sqrtni", "sqrtninv")
_LIMIT_PREDICTORS = ("sei", "vi", "ninv", "sqrtninv")


@dataclass(frozen=True, slots=True)
class RegTestResult:
    """An Egger-type regression test for funnel-plot asymmetry.

    Attributes
    ----------
    model, predictor, method, test : str
        ``"rma"`` or ``"lm"``; the predictor; the tau2 estimator (``"EE"`` for lm) and
        ``"z"``/``"knha"`` (``"knha"`` for lm: the dispersion-scaled t test).
    k : int
        Number of studies.
    level : float
        Confidence level of the limit estimate's interval.
    statistic, pval : float
        z (or t) statistic of the predictor's coefficient and its two-sided p-value.
    df : int or None
        t degrees of freedom (``k - 2``) or None for a z test.
    limit_estimate, limit_ci_low, limit_ci_high : float
        The intercept and its confidence interval (NaN for predictors ni and sqrtni,
        whose intercept is not an effect at infinite precision).
    informative : bool
        k >= 10 (Sterne et al. 2011); below that the test is reported as uninformative.
    fit : MetaRegressionResult
        The fitted regression.
    warnings : tuple of str
        Messages of the warnings issued, plus the small-k note when k < 10.
    provenance : Provenance
    """

    model: str
    predictor: str
    method: str
    test: str
    k: int
    level: float
    statistic: float
    pval: float
    df: int | None
    limit_estimate: float
    limit_ci_low: float
    limit_ci_high: float
    informative: bool
    fit: MetaRegressionResult
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_frame(self) -> pd.DataFrame:
        """One row: the test and the limit estimate."""
        keys = ("statistic", "pval", "df", "limit_estimate", "limit_ci_low", "limit_ci_high")
        return pd.DataFrame({key: [getattr(self, key)] for key in keys},
                            index=pd.Index([f"{self.model}/{self.predictor}"], name="test"))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`."""
        from livingmeta.summary import Summary, frame_table

        title = (f"Regression test for funnel-plot asymmetry: model {self.model}, predictor "
                 f"{self.predictor}, method {self.method} (k = {self.k})")
        return Summary(title, tuple(f"note: {w}" for w in self.warnings),
                       (frame_table("Test", self.to_frame()),))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _predictor(name: str, v: np.ndarray, ni: object, k: int) -> np.ndarray:
    if name == "sei":
        return np.sqrt(v)
    if name == "vi":
        return v
    if ni is None:
        raise ParameterError(f"predictor={name!r} needs the sample sizes 'ni'.")
    n = np.asarray(ni, dtype=float).reshape(-1)
    if n.size != k or not (np.isfinite(n) & (n > 0)).all():
        raise ParameterError(f"The 'ni' parameter must give {k} sample sizes > 0.")
    return {"ni": n, "ninv": 1.0 / n, "sqrtni": np.sqrt(n), "sqrtninv": 1.0 / np.sqrt(n)}[name]


def regtest(
    yi: object,
    vi: object,
    *,
    model: str = "rma",
    predictor: str = "sei",
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    ni: object = None,
    study: object = None,
) -> RegTestResult:
    """Egger-type regression test for funnel-plot asymmetry (metafor ``regtest``).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effect sizes and sampling variances (finite, vi > 0), k >= 3.
    model : str
        ``"rma"`` (mixed-effects meta-regression; default) or ``"lm"`` (classical Egger).
    predictor : str
        ``"sei"`` (default), ``"vi"``, or with ``ni``: ``"ni" "ninv" "sqrtni" "sqrtninv"``.
    method, test : str
        tau2 estimator and test of the ``rma`` model (ignored for ``lm``).
    level : float
        Confidence level of the limit estimate's interval.
    ni : array_like, shape (k,), optional
        Sample sizes, for the sample-size predictors.
    study : sequence of str, optional
        Study labels.

    Returns
    -------
    RegTestResult

    Warns
    -----
    ZeroTau2Warning, ConvergenceWarning
        From the ``rma`` fit.

    References
    ----------
    Egger M, Davey Smith G, Schneider M, Minder C (1997). Bias in meta-analysis detected
    by a simple, graphical test. BMJ 315:629-634.
    Sterne JAC, Egger M (2005). Regression methods to detect publication and other bias
    in meta-analysis. In: Publication Bias in Meta-Analysis, Wiley, 99-110.

    Examples
    --------
    >>> res = regtest([0.1, 0.3, 0.5, 0.9, 0.2], [0.01, 0.04, 0.09, 0.16, 0.02],
    ...               model="lm")
    >>> round(res.statistic, 3), res.df
    (10.644, 3)
    """
    model = check_choice("model", model, ("rma", "lm"))
    predictor = check_choice("predictor", predictor, PREDICTORS)
    level = check_level(level)
    y, v, labels = check_effects(yi, vi, study)
    k = y.size
    if k < 3:
        raise MethodNotApplicableError(f"a regression test needs k >= 3 studies; got k = {k}.")
    x = _predictor(predictor, v, ni, k)
    fit_method, fit_test = ("EE", "knha") if model == "lm" else (method, test)
    # For "lm", EE with the Knapp-Hartung factor is exactly WLS with multiplicative
    # dispersion (the residual mean square), as lm(yi ~ sei, weights = 1/vi).
    fit = cast(MetaRegressionResult, rma(y, v, mods=x, method=fit_method, test=fit_test,
                                         level=level, study=labels, moderator_names=[predictor]))
    has_limit = predictor in _LIMIT_PREDICTORS
    note = uninformative_note(k)
    return RegTestResult(
        model=model, predictor=predictor, method=fit_method, test=fit_test, k=k, level=level,
        statistic=float(fit.statistic[1]), pval=float(fit.pval[1]), df=fit.df,
        limit_estimate=float(fit.estimate[0]) if has_limit else np.nan,
        limit_ci_low=float(fit.ci_low[0]) if has_limit else np.nan,
        limit_ci_high=float(fit.ci_high[0]) if has_limit else np.nan,
        informative=small_study_informative(k), fit=fit,
        warnings=(*fit.warnings, *([note] if note else [])),
        provenance=Provenance(__version__, "regtest", fit_method,
                              {"model": model, "predictor": predictor, "test": fit_test,
                               "level": level}, k, input_digest(y, v)),
    )
