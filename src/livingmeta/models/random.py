"""Random-effects and mixed-effects models: :func:`rma` and the batch entry :func:`fit_batch`.

The model is metafor's ``rma.uni`` (Viechtbauer 2010, J Stat Softw 36(3)):
``yi = x_i' beta + u_i + e_i`` with ``u_i ~ N(0, tau2)`` and ``e_i ~ N(0, vi)``. tau2 is
estimated by one of the estimators registered in :mod:`livingmeta.models.tau2`, then
``beta`` by weighted least squares with weights ``1/(vi + tau2)`` (Hedges & Olkin 1985;
DerSimonian & Laird 1986). ``test="knha"`` applies the Knapp-Hartung adjustment (Hartung &
Knapp 2001; Knapp & Hartung 2003) without truncation, as metafor does by default.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from numpy.typing import NDArray

from .. import __version__
from ..errors import (
    ConvergenceWarning,
    LivingMetaWarning,
    ParameterError,
    SingleStudyWarning,
    ZeroTau2Warning,
    check_choice,
)
from ..results import (
    BatchResult,
    MetaAnalysisResult,
    MetaRegressionResult,
    Provenance,
    check_level,
    critical_value,
    input_digest,
)
from ._core import CoreFit, fit_core
from .common import COMMON_EFFECT_CODES
from .heterogeneity import i2_h2_random
from .qprofile import tau2_bounds
from .regression import design_matrix, omnibus_test, pseudo_r2
from .tau2 import TAU2_ESTIMATORS

__all__ = ["METHODS", "TESTS", "fit_batch", "rma"]

FloatArray = NDArray[np.float64]
METHODS = (*TAU2_ESTIMATORS, *COMMON_EFFECT_CODES)
TESTS = ("z", "knha", "adhoc")


def _check_data(yi: object, vi: object, batch: bool,
                study: object = None) -> tuple[FloatArray, FloatArray]:
    try:
        y = np.asarray(yi, dtype=np.float64)
        v = np.asarray(vi, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ParameterError(f"yi and vi must be numeric arrays: {exc}") from None
    if (y.ndim < 1 if batch else y.ndim != 1) or y.shape != v.shape or y.shape[-1] < 1:
        want = "(..., k)" if batch else "(k,)"
        raise ParameterError(
            f"yi and vi must have the same shape {want} with k >= 1. "
            f"Got {y.shape} and {v.shape}."
        )
    if np.isfinite(y).all() and np.isfinite(v).all() and (v > 0.0).all():
        return y, v
    # Slow path, only on bad input: name every offending study (or batch position).
    flat_y, flat_v = y.reshape(-1), v.reshape(-1)
    labels = ([str(s) for s in study] if study is not None and not batch  # type: ignore[attr-defined]
              else [str(i + 1) for i in range(flat_y.size)])
    if len(labels) != flat_y.size:  # mismatched labels are reported later, by rma
        labels = [str(i + 1) for i in range(flat_y.size)]
    where = "study" if study is not None and not batch else "position"
    bad = [f"{name} of {where} {labels[i]!r} must be "
           + ("finite (drop missing studies first)" if not math.isfinite(a[i])
              else "> 0 (inverse-variance weights)") + f", got {a[i]}"
           for name, a in (("yi", flat_y), ("vi", flat_v)) for i in range(a.size)
           if not math.isfinite(a[i]) or (name == "vi" and a[i] <= 0.0)]
    raise ParameterError("; ".join(bad) + ".")


def _fit_warnings(
    core: CoreFit, method: str, k: int, test: str
) -> list[tuple[str, type[LivingMetaWarning]]]:
    out: list[tuple[str, type[LivingMetaWarning]]] = []
    if k == 1:
        note = "; test set to 'z'" if test != "z" else ""
        out.append((f"Only one study (k = 1): tau2 set to 0 and the estimate is that "
                     f"study's{note}.", SingleStudyWarning))
        return out
    if method in COMMON_EFFECT_CODES:
        return out
    if not bool(core.tau.converged):
        out.append((f"The {method} estimator of tau2 did not converge in "
                    f"{int(core.tau.iterations)} iterations.", ConvergenceWarning))
    if float(core.tau.tau2) == 0.0:
        out.append((f"tau2 was estimated at 0 ({method}): the random-effects estimate "
                    "equals the common-effect estimate.", ZeroTau2Warning))
    return out


def rma(
    yi: object,
    vi: object,
    *,
    mods: object = None,
    intercept: bool = True,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    study: object = None,
    measure: str = "GEN",
    moderator_names: object = None,
) -> MetaAnalysisResult | MetaRegressionResult:
    """Fit a common-, random- or mixed-effects model as metafor's ``rma.uni`` does.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effects and sampling variances (finite, vi > 0; drop missing studies first).
    mods : array_like, shape (k,) or (k, m), optional
        Moderators, without an intercept column: gives a :class:`MetaRegressionResult`.
    intercept : bool
        Add an intercept column to ``mods`` (required without mods).
    method : str
        tau2 estimator: ``"DL" "HE" "HS" "SJ" "ML" "REML" "EB" "PM"``, or ``"EE"``
        (alias ``"FE"``) for the common-effect model.
    test : str
        ``"z"``, ``"knha"`` (Knapp-Hartung; t and F with ``k - p`` df) or ``"adhoc"``
        (Knapp-Hartung with the scale factor truncated below at 1).
    level : float
        Confidence level in (0, 1) for every stored interval.
    study : sequence of str, optional
        Study labels (default ``"1"``, ``"2"``, ...).
    measure : str
        Effect-size measure code of yi, recorded on the result.
    moderator_names : sequence of str, optional
        Names of the m moderator columns.

    Returns
    -------
    MetaAnalysisResult or MetaRegressionResult

    Warns
    -----
    SingleStudyWarning
        k = 1: tau2 = 0, the estimate is the study's (test "z", as metafor).
    ZeroTau2Warning
        tau2 estimated at 0.
    ConvergenceWarning
        The tau2 estimator did not converge; ``result.converged`` is False.

    Examples
    --------
    >>> from livingmeta.models import rma
    >>> res = rma([-0.89, -1.59, -1.35, -1.44, -0.22], [0.33, 0.19, 0.42, 0.02, 0.05],
    ...           method="DL")
    >>> round(res.estimate, 4), round(res.tau2, 4), res.k
    (-1.0677, 0.4246, 5)
    >>> lo, hi = res.confidence_interval(level=0.9)
    >>> ci = res.tau2_confidence_interval()
    >>> ci.tau2_ci_low <= res.tau2 <= ci.tau2_ci_high
    True
    """
    method = check_choice("method", method, METHODS)
    test = check_choice("test", test, TESTS)
    level = check_level(level)
    y, v = _check_data(yi, vi, batch=False, study=study)
    k = y.shape[0]
    X: FloatArray | None
    names: tuple[str, ...]
    if mods is None:
        if not intercept:
            raise ParameterError("A model without mods needs intercept=True.")
        X, names = None, ("intrcpt",)
    else:
        X, names = design_matrix(mods, k, intercept, moderator_names)
    labels = tuple(str(i + 1) for i in range(k)) if study is None else tuple(map(str, study))  # type: ignore[call-overload]
    if len(labels) != k:
        raise ParameterError(f"The 'study' parameter must give {k} labels. Got {len(labels)}.")
    eff_test = "z" if k == 1 else test
    core = fit_core(y, v, X, "EE" if k == 1 else method, eff_test)
    messages = _fit_warnings(core, method, k, test)
    for msg, cls in messages:
        warnings.warn(msg, cls, stacklevel=2)
    options: dict[str, object] = {"test": test, "level": level, "intercept": intercept,
                                  "measure": measure}
    prov = Provenance(__version__, "rma", method, options, k, input_digest(y, v, X))
    common = dict(
        measure=measure, method=method, test=eff_test, level=level,
        tau2=float(core.tau.tau2), se_tau2=float(core.tau.se_tau2), Q=float(core.het.Q),
        Q_df=core.het.Q_df, Q_pval=float(core.het.Q_pval), I2=float(core.I2),
        H2=float(core.H2), typical_vi=float(core.het.typical_vi), weights=core.weights,
        yi=y, vi=v, study=labels, converged=bool(core.tau.converged),
        iterations=int(core.tau.iterations), warnings=tuple(m for m, _ in messages),
        provenance=prov,
    )
    if X is None:
        return _analysis_result(core, k, level, common)
    return _regression_result(core, X, names, intercept, level, y, v, method, common)


def _analysis_result(
    core: CoreFit, k: int, level: float, common: dict[str, object]
) -> MetaAnalysisResult:
    est, se = float(core.beta[0]), float(core.se[0])
    crit = critical_value(level, core.df)
    # A common-effect model predicts no distribution of true effects: no prediction
    # interval (NaN), as metafor's predict() gives none for EE/FE.
    half_pi = math.nan if common["method"] in COMMON_EFFECT_CODES else crit * math.sqrt(
        se * se + float(core.tau.tau2))
    return MetaAnalysisResult(
        k=k, estimate=est, se=se, statistic=float(core.statistic[0]),
        pval=float(core.pval[0]), ci_low=est - crit * se, ci_high=est + crit * se,
        pi_low=est - half_pi, pi_high=est + half_pi, df=core.df,
        **common,  # type: ignore[arg-type]
    )


def _regression_result(
    core: CoreFit,
    X: FloatArray,
    names: tuple[str, ...],
    intercept: bool,
    level: float,
    y: FloatArray,
    v: FloatArray,
    method: str,
    common: dict[str, object],
) -> MetaRegressionResult:
    crit = critical_value(level, core.df)
    first = 1 if intercept else 0
    qm, qm_df, qm_p = omnibus_test(core.beta, core.vcov, first, core.df)
    r2: float | None = None
    if intercept and method not in COMMON_EFFECT_CODES:
        tau2_re = TAU2_ESTIMATORS[method](y, v, None).tau2
        r2 = float(pseudo_r2(tau2_re, core.tau.tau2))
    return MetaRegressionResult(
        k=X.shape[0], p=X.shape[1], moderator_names=names, intercept=intercept,
        estimate=core.beta, se=core.se, statistic=core.statistic, pval=core.pval,
        ci_low=core.beta - crit * core.se, ci_high=core.beta + crit * core.se,
        vcov=core.vcov, df=core.df, QM=float(qm), QM_df=qm_df, QM_pval=float(qm_p), R2=r2,
        X=X, **common,  # type: ignore[arg-type]
    )


def fit_batch(
    yi: object,
    vi: object,
    method: str = "REML",
    test: str = "z",
    level: float = 0.95,
    *,
    tau2_ci: bool = False,
) -> BatchResult:
    """Fit many intercept-only meta-analyses of k studies each at once.

    The same kernels as :func:`rma`, vectorized over the leading axes: results equal
    those of ``rma`` applied to each row. No warnings are issued; inspect ``tau2 == 0``
    and ``converged`` instead.

    Parameters
    ----------
    yi, vi : array_like, shape (B, k) (or any leading batch shape), k >= 2
    method, test, level :
        As in :func:`rma`.
    tau2_ci : bool
        Also compute the Q-profile intervals for tau2, I2 and H2 (not for EE/FE).

    Examples
    --------
    >>> import numpy as np
    >>> b = fit_batch(np.array([[0.1, 0.5, 0.9], [0.2, 0.2, 0.3]]), np.full((2, 3), 0.04),
    ...               method="DL")
    >>> np.round(b.tau2, 6).tolist()
    [0.12, 0.0]
    """
    method = check_choice("method", method, METHODS)
    test = check_choice("test", test, TESTS)
    level = check_level(level)
    y, v = _check_data(yi, vi, batch=True)
    k = y.shape[-1]
    if k < 2:
        raise ParameterError(f"fit_batch needs k >= 2 studies per meta-analysis; got k = {k}.")
    if tau2_ci and method in COMMON_EFFECT_CODES:
        raise ParameterError("tau2_ci=True needs a random-effects method, not EE/FE.")
    core = fit_core(y, v, None, method, test)
    crit = critical_value(level, core.df)
    est, se, tau2 = core.beta[..., 0], core.se[..., 0], core.tau.tau2
    # No prediction interval for common-effect models (as metafor's predict()).
    half_pi = (np.full_like(est, np.nan) if method in COMMON_EFFECT_CODES
               else crit * np.sqrt(se * se + tau2))
    extra: dict[str, FloatArray] = {}
    if tau2_ci:
        b = tau2_bounds(y, v, None, tau2, core.het.Q, level)
        s2 = core.het.typical_vi
        for side, bound in (("low", b.tau2_ci_low), ("high", b.tau2_ci_high)):
            i2, h2 = i2_h2_random(bound, s2)
            extra |= {f"tau2_ci_{side}": bound, f"I2_ci_{side}": i2, f"H2_ci_{side}": h2}
    return BatchResult(
        k=k, method=method, test=test, level=level, df=core.df, estimate=est, se=se,
        statistic=core.statistic[..., 0], pval=core.pval[..., 0], ci_low=est - crit * se,
        ci_high=est + crit * se, pi_low=est - half_pi, pi_high=est + half_pi, tau2=tau2,
        se_tau2=core.tau.se_tau2, Q=core.het.Q, Q_df=core.het.Q_df, Q_pval=core.het.Q_pval,
        I2=core.I2, H2=core.H2, typical_vi=core.het.typical_vi,
        converged=core.tau.converged, iterations=core.tau.iterations, **extra,
    )
