"""Frozen result objects of the pooling models.

Every public field is documented; level-dependent quantities are methods that default to
the result's own level (also stored as fields). ``to_dict()`` is JSON-safe: numpy values
become Python floats/lists and NaN or infinite values become None. Rendering lives in
``summary.py``, not here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import special

from .errors import MethodNotApplicableError, ParameterError

__all__ = [
    "BatchResult",
    "MetaAnalysisResult",
    "MetaRegressionResult",
    "Provenance",
    "Tau2Interval",
]

FloatArray = NDArray[np.float64]


def check_level(level: object) -> float:
    """A confidence level as a fraction in (0, 1); raises ParameterError otherwise."""
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating)):
        raise ParameterError(f"The 'level' parameter must be a float in (0, 1). Got {level!r}.")
    value = float(level)
    if not 0.0 < value < 1.0:
        raise ParameterError(f"The 'level' parameter must be a float in (0, 1). Got {level!r}.")
    return value


def critical_value(level: float, df: int | None) -> float:
    """Two-sided critical value: normal quantile, or ``t`` with ``df`` degrees of freedom."""
    p = 0.5 + level / 2.0
    return float(special.ndtri(p) if df is None else special.stdtrit(df, p))


def jsonable(value: Any) -> Any:
    """Convert numpy values, tuples, mappings and dataclasses to JSON-safe Python values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()] if value.ndim else jsonable(value.item())
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return jsonable(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def input_digest(*arrays: Any, labels: Sequence[str] = ()) -> str:
    """SHA-256 of the inputs, for provenance: each array's shape and float64 bytes, then
    the labels. A living review compares digests to tell a stale analysis from a current
    one, so every result computes it the same way (``None`` arrays are skipped)."""
    h = hashlib.sha256()
    for a in arrays:
        if a is not None:
            arr = np.ascontiguousarray(a, dtype="<f8")
            h.update(str(arr.shape).encode())
            h.update(arr.tobytes())
    h.update("\x1f".join(labels).encode())
    return h.hexdigest()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a result came from, to tell a stale analysis from a current one.

    Attributes
    ----------
    package_version : str
        livingmeta version that computed the result.
    function : str
        Public function called (``"rma"``).
    method : str
        tau2 estimator code (or ``"EE"``/``"FE"``).
    options : dict
        Every other option that changes the numbers (test, level, intercept, ...).
    k : int
        Number of studies.
    input_digest : str
        SHA-256 hex digest of the float64 bytes of yi, vi and the moderators.
    """

    package_version: str
    function: str
    method: str
    options: dict[str, object]
    k: int
    input_digest: str


@dataclass(frozen=True, slots=True)
class Tau2Interval:
    """Q-profile confidence intervals for tau2, tau, I2 and H2 (metafor ``confint``).

    Attributes
    ----------
    level : float
        Confidence level (fraction).
    tau2, tau2_ci_low, tau2_ci_high : float
        Estimate and bounds of tau2.
    tau_ci_low, tau_ci_high : float
        Bounds for tau, the square roots.
    I2, I2_ci_low, I2_ci_high : float
        I2 (percent) and its bounds, ``100 tau2 / (s2 + tau2)`` at the tau2 bounds.
    H2, H2_ci_low, H2_ci_high : float
        H2 and its bounds, ``(s2 + tau2) / s2``.
    low_status, high_status : str
        ``"ok"``; ``"below"`` when the bound is set to 0 because ``Q(0)`` is below the
        chi-square quantile (metafor shows 0); ``"above"`` when the root
        lies beyond ``max(100, 10 tau2)`` and the bound is set there (metafor's ``>``).
    null_set : bool
        Both bounds are below 0: the interval is the null set (reported as [0, 0]).
    converged : bool
        The root finder met its tolerance for every bound it searched.
    """

    level: float
    tau2: float
    tau2_ci_low: float
    tau2_ci_high: float
    tau_ci_low: float
    tau_ci_high: float
    I2: float
    I2_ci_low: float
    I2_ci_high: float
    H2: float
    H2_ci_low: float
    H2_ci_high: float
    low_status: str
    high_status: str
    null_set: bool
    converged: bool

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def _tau2_interval(
    yi: FloatArray,
    vi: FloatArray,
    X: FloatArray | None,
    tau2: float,
    typical_vi: float,
    Q: float,
    level: float,
) -> Tau2Interval:
    from .models.qprofile import tau2_bounds

    b = tau2_bounds(yi, vi, X, np.float64(tau2), np.float64(Q), level)
    lo, hi = float(b.tau2_ci_low), float(b.tau2_ci_high)
    s2 = typical_vi
    return Tau2Interval(
        level=level,
        tau2=tau2,
        tau2_ci_low=lo,
        tau2_ci_high=hi,
        tau_ci_low=math.sqrt(lo),
        tau_ci_high=math.sqrt(hi),
        I2=100.0 * tau2 / (s2 + tau2),
        I2_ci_low=100.0 * lo / (s2 + lo),
        I2_ci_high=100.0 * hi / (s2 + hi),
        H2=(s2 + tau2) / s2,
        H2_ci_low=(s2 + lo) / s2,
        H2_ci_high=(s2 + hi) / s2,
        low_status=str(b.low_status.item()),
        high_status=str(b.high_status.item()),
        null_set=bool(b.high_status.item() == "below"),
        converged=bool(b.converged),
    )


def _not_applicable(method: str, df: int, k: int) -> None:
    if method in ("EE", "FE"):
        raise MethodNotApplicableError(
            "A Q-profile interval for tau2 needs a random-effects model; "
            f"this model is common-effect (method={method!r})."
        )
    if df < 1 or k < 2:
        raise MethodNotApplicableError(
            f"A Q-profile interval for tau2 needs k - p >= 1; got k = {k}, k - p = {df}."
        )


@dataclass(frozen=True, slots=True)
class MetaAnalysisResult:
    """A pooled estimate from a common-effect or random-effects model (metafor ``rma.uni``).

    Attributes
    ----------
    k : int
        Number of studies.
    measure : str
        Effect-size measure code of yi (``"GEN"`` when generic).
    method : str
        tau2 estimator code (DL HE HS SJ ML REML EB PM) or ``"EE"``/``"FE"``.
    test : str
        ``"z"`` (normal) or ``"knha"`` (Knapp-Hartung, t with ``k - 1`` df).
    level : float
        Confidence level of the stored intervals (fraction, e.g. 0.95).
    estimate, se : float
        Pooled estimate and its standard error (Knapp-Hartung-scaled under ``knha``).
    statistic, pval : float
        z (or t) statistic and its two-sided p-value.
    ci_low, ci_high : float
        Confidence interval of the estimate at ``level``.
    pi_low, pi_high : float
        Prediction interval, ``estimate +- crit * sqrt(se^2 + tau2)`` (metafor ``predict``).
    df : int or None
        Degrees of freedom of the t distribution (``k - 1``); None under ``z``.
    tau2, se_tau2 : float
        Between-study variance (0 for EE) and its standard error (NaN when undefined).
    Q, Q_df, Q_pval : float, int, float
        Cochran's Q test for heterogeneity (inverse-variance weights).
    I2, H2 : float
        I2 (percent) and H2 as metafor defines them (from tau2 and the typical
        within-study variance; Q-based for EE models).
    typical_vi : float
        The 'typical' within-study variance ``(k - 1) / (sum w - sum w^2 / sum w)``.
    weights : ndarray, shape (k,)
        Study weights in percent of the total.
    yi, vi : ndarray, shape (k,)
        The effects and sampling variances analysed.
    study : tuple of str
        Study labels (``"1"``, ``"2"``, ... when none were given).
    converged : bool
        The tau2 estimator converged.
    iterations : int
        Iterations of the tau2 estimator (0 for closed forms).
    warnings : tuple of str
        Messages of the warnings issued while fitting.
    provenance : Provenance
        Version, options and input digest.
    """

    k: int
    measure: str
    method: str
    test: str
    level: float
    estimate: float
    se: float
    statistic: float
    pval: float
    ci_low: float
    ci_high: float
    pi_low: float
    pi_high: float
    df: int | None
    tau2: float
    se_tau2: float
    Q: float
    Q_df: int
    Q_pval: float
    I2: float
    H2: float
    typical_vi: float
    weights: FloatArray
    yi: FloatArray
    vi: FloatArray
    study: tuple[str, ...]
    converged: bool
    iterations: int
    warnings: tuple[str, ...]
    provenance: Provenance

    def confidence_interval(self, level: float | None = None) -> tuple[float, float]:
        """Confidence interval of the pooled estimate at ``level`` (default: own level)."""
        crit = critical_value(self.level if level is None else check_level(level), self.df)
        return self.estimate - crit * self.se, self.estimate + crit * self.se

    def prediction_interval(self, level: float | None = None) -> tuple[float, float]:
        """Prediction interval ``estimate +- crit * sqrt(se^2 + tau2)`` (metafor ``predict``).

        NaN for common-effect models (EE), which predict no distribution of true effects.
        """
        crit = critical_value(self.level if level is None else check_level(level), self.df)
        if self.method in ("EE", "FE"):
            return math.nan, math.nan
        half = crit * math.sqrt(self.se**2 + self.tau2)
        return self.estimate - half, self.estimate + half

    def tau2_confidence_interval(self, level: float | None = None) -> Tau2Interval:
        """Q-profile interval for tau2, I2 and H2 (Viechtbauer 2007; metafor ``confint``).

        Raises
        ------
        MethodNotApplicableError
            For common-effect models and for k = 1.
        """
        lv = self.level if level is None else check_level(level)
        _not_applicable(self.method, self.Q_df, self.k)
        return _tau2_interval(self.yi, self.vi, None, self.tau2, self.typical_vi, self.Q, lv)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field plus ``tau2_ci`` (None when not applicable)."""
        out: dict[str, Any] = jsonable(self)
        out["tau2_ci"] = _interval_dict(self)
        return out


@dataclass(frozen=True, slots=True)
class MetaRegressionResult:
    """A mixed-effects (or common-effect) meta-regression (metafor ``rma.uni`` with mods).

    Attributes
    ----------
    k, p : int
        Studies and model coefficients.
    measure, method, test, level :
        As in :class:`MetaAnalysisResult`; under ``knha`` t tests use ``k - p`` df.
    moderator_names : tuple of str
        One name per coefficient (``"intrcpt"`` first when the intercept is included).
    intercept : bool
        Whether an intercept column was added.
    estimate, se, statistic, pval, ci_low, ci_high : ndarray, shape (p,)
        Coefficients with standard errors, z (or t) statistics, p-values and intervals.
    vcov : ndarray, shape (p, p)
        Covariance of the coefficients.
    df : int or None
        ``k - p`` under ``knha``; None under ``z``.
    tau2, se_tau2 : float
        Residual between-study variance and its standard error.
    Q, Q_df, Q_pval : float, int, float
        Test for residual heterogeneity (QE, ``k - p`` df).
    I2, H2 : float
        Residual I2 (percent) and H2.
    typical_vi : float
        ``(k - p) / tr(P)`` with inverse-variance weights.
    QM, QM_df, QM_pval : float, int, float
        Omnibus test of the coefficients other than the intercept (all when no
        intercept): chi^2 with ``QM_df`` df under ``z``; under ``knha`` QM is the F
        statistic with (``QM_df``, ``df``) degrees of freedom.
    R2 : float or None
        Pseudo-R2 (percent), ``100 (tau2_RE - tau2) / tau2_RE`` with the intercept-only
        model fitted by the same method, truncated to [0, 100]; 0 when tau2_RE = 0; None
        without intercept or for common-effect models.
    weights : ndarray, shape (k,)
        Study weights in percent.
    yi, vi : ndarray, shape (k,)
        The data analysed.
    X : ndarray, shape (k, p)
        The design matrix.
    study, converged, iterations, warnings, provenance :
        As in :class:`MetaAnalysisResult`.
    """

    k: int
    p: int
    measure: str
    method: str
    test: str
    level: float
    moderator_names: tuple[str, ...]
    intercept: bool
    estimate: FloatArray
    se: FloatArray
    statistic: FloatArray
    pval: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    vcov: FloatArray
    df: int | None
    tau2: float
    se_tau2: float
    Q: float
    Q_df: int
    Q_pval: float
    I2: float
    H2: float
    typical_vi: float
    QM: float
    QM_df: int
    QM_pval: float
    R2: float | None
    weights: FloatArray
    yi: FloatArray
    vi: FloatArray
    X: FloatArray
    study: tuple[str, ...]
    converged: bool
    iterations: int
    warnings: tuple[str, ...]
    provenance: Provenance

    def confidence_interval(self, level: float | None = None) -> tuple[FloatArray, FloatArray]:
        """Confidence intervals of the coefficients at ``level`` (default: own level)."""
        crit = critical_value(self.level if level is None else check_level(level), self.df)
        return self.estimate - crit * self.se, self.estimate + crit * self.se

    def tau2_confidence_interval(self, level: float | None = None) -> Tau2Interval:
        """Q-profile interval for the residual tau2, I2 and H2 (metafor ``confint``)."""
        lv = self.level if level is None else check_level(level)
        _not_applicable(self.method, self.Q_df, self.k)
        return _tau2_interval(self.yi, self.vi, self.X, self.tau2, self.typical_vi, self.Q, lv)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field plus ``tau2_ci`` (None when not applicable)."""
        out: dict[str, Any] = jsonable(self)
        out["tau2_ci"] = _interval_dict(self)
        return out


def _interval_dict(result: MetaAnalysisResult | MetaRegressionResult) -> dict[str, Any] | None:
    try:
        return result.tau2_confidence_interval().to_dict()
    except MethodNotApplicableError:
        return None


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Many intercept-only meta-analyses fitted at once (arrays of shape ``(B,)``).

    Attributes
    ----------
    k : int
        Studies per meta-analysis.
    method, test : str
        tau2 estimator code and ``"z"``/``"knha"``.
    level : float
        Confidence level of the intervals.
    df : int or None
        ``k - 1`` under ``knha``; None under ``z``.
    estimate, se, statistic, pval, ci_low, ci_high, pi_low, pi_high : ndarray
        As the fields of :class:`MetaAnalysisResult`, one per meta-analysis.
    tau2, se_tau2, Q, Q_pval, I2, H2, typical_vi : ndarray
        Heterogeneity, one per meta-analysis.
    Q_df : int
        ``k - 1``.
    converged : ndarray of bool
    iterations : ndarray of int
    tau2_ci_low, tau2_ci_high, I2_ci_low, I2_ci_high, H2_ci_low, H2_ci_high : ndarray or None
        Q-profile intervals when requested (``tau2_ci=True``), else None.
    """

    k: int
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
    pi_low: FloatArray
    pi_high: FloatArray
    tau2: FloatArray
    se_tau2: FloatArray
    Q: FloatArray
    Q_df: int
    Q_pval: FloatArray
    I2: FloatArray
    H2: FloatArray
    typical_vi: FloatArray
    converged: NDArray[np.bool_]
    iterations: NDArray[np.int64]
    tau2_ci_low: FloatArray | None = None
    tau2_ci_high: FloatArray | None = None
    I2_ci_low: FloatArray | None = None
    I2_ci_high: FloatArray | None = None
    H2_ci_low: FloatArray | None = None
    H2_ci_high: FloatArray | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out
