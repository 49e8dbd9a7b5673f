"""Prior distributions of the Bayesian normal-normal hierarchical model (``bayes_meta``).

The effect ``mu`` gets a normal prior or the (improper) flat prior, the only two for which
``mu | tau, y`` stays normal in closed form (Röver 2020, J Stat Softw 93(6), sec. 2.3).
The heterogeneity ``tau`` (a standard deviation, not the variance) gets a proper prior:

- ``halfnormal:SCALE`` and ``halfcauchy:SCALE``: the weakly informative priors of
  Röver et al. 2021 (Res Synth Methods 12:448-474);
- ``lognormal:MU,SD``: ``log(tau) ~ N(MU, SD^2)``, i.e. the parameters are the mean and
  standard deviation of ``log(tau)`` (not of ``log(tau^2)``);
- ``turner:OUTCOME[/COMPARISON]``: Turner et al. 2015 (Stat Med 34:984-998, Table IV),
  log-normal predictive distributions for ``tau^2`` of log odds ratios;
- ``rhodes:OUTCOME[/COMPARISON]``: Rhodes et al. 2015 (J Clin Epidemiol 68:52-60,
  Table 3, medical areas other than respiratory and cancer), log-t(5) predictive
  distributions for ``tau^2`` of standardized mean differences.

Every density, distribution function and quantile function is scipy.stats' (a frozen
distribution built once per prior): the law of tau itself (``halfnorm``, ``halfcauchy``,
``lognorm``) or, for the published empirical priors on ``tau^2``, the law of
``x = log(tau^2)`` (``norm`` for Turner, ``t`` with 5 degrees of freedom for Rhodes),
carried to tau by the change of variables ``p_tau(t) = p_x(2 log t) |dx/dt|``,
``dx/dt = 2 / t``, ``P(tau <= t) = P(x <= 2 log t)``.

The published tables are in ``_bayes_prior_tables``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from livingmeta.errors import ParameterError
from livingmeta.models._bayes_prior_tables import (
    RHODES_COMPARISONS,
    RHODES_OUTCOMES,
    TURNER_COMPARISONS,
    TURNER_OUTCOMES,
    rhodes_parameters,
    turner_parameters,
)

__all__ = [
    "RHODES_COMPARISONS",
    "RHODES_OUTCOMES",
    "TURNER_COMPARISONS",
    "TURNER_OUTCOMES",
    "FlatPrior",
    "HalfCauchyPrior",
    "HalfNormalPrior",
    "LogNormalPrior",
    "LogNormalTau2Prior",
    "LogT5Tau2Prior",
    "MuPrior",
    "NormalPrior",
    "TauPrior",
    "parse_mu_prior",
    "parse_tau_prior",
    "rhodes_prior",
    "turner_prior",
]

FloatArray = NDArray[np.float64]

MU_PRIOR_FORMS = "'normal:MEAN,SD' or 'flat'"
TAU_PRIOR_FORMS = ("'halfnormal:SCALE', 'halfcauchy:SCALE', 'lognormal:MU,SD', "
                   "'turner:OUTCOME[/COMPARISON]' or 'rhodes:OUTCOME[/COMPARISON]'")


class TauPrior(Protocol):
    """What ``bayes_meta`` needs of a prior for tau (every one here is proper)."""

    @property
    def proper(self) -> bool: ...  # pragma: no cover

    @property
    def description(self) -> str: ...  # pragma: no cover

    def logpdf(self, tau: object) -> FloatArray: ...  # pragma: no cover

    def cdf(self, tau: object) -> FloatArray: ...  # pragma: no cover

    def ppf(self, p: object) -> FloatArray: ...  # pragma: no cover


def _positive(name: str, value: float) -> float:
    if not (math.isfinite(value) and value > 0):
        raise ParameterError(f"The {name!r} parameter must be a finite number > 0. "
                             f"Got {value!r}.")
    return float(value)


def _finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ParameterError(f"The {name!r} parameter must be a finite number. Got {value!r}.")
    return float(value)


@dataclass(frozen=True, slots=True)
class NormalPrior:
    """Normal prior ``mu ~ N(mean, sd^2)`` for the effect (proper)."""

    mean: float
    sd: float

    def __post_init__(self) -> None:
        _finite("mean", self.mean)
        _positive("sd", self.sd)

    @property
    def proper(self) -> bool:
        """Always True."""
        return True

    @property
    def description(self) -> str:
        """``"normal(mean=0, sd=1)"``."""
        return f"normal(mean={self.mean:g}, sd={self.sd:g})"

    def logpdf(self, mu: object) -> FloatArray:
        """Log-density at ``mu`` (``scipy.stats.norm``)."""
        return np.asarray(stats.norm.logpdf(np.asarray(mu, dtype=float), loc=self.mean,
                                            scale=self.sd), dtype=float)


@dataclass(frozen=True, slots=True)
class FlatPrior:
    """The improper uniform prior on the whole real line for the effect."""

    @property
    def proper(self) -> bool:
        """Always False."""
        return False

    @property
    def description(self) -> str:
        """``"flat (improper uniform)"``."""
        return "flat (improper uniform)"

    def logpdf(self, mu: object) -> FloatArray:
        """0 everywhere (the density is 1 up to an undefined constant)."""
        return np.zeros_like(np.asarray(mu, dtype=float))


MuPrior = NormalPrior | FlatPrior


@dataclass(frozen=True, slots=True)
class _LawOfTau:
    """A proper prior for tau whose law is a scipy.stats frozen distribution ``_law``.

    Subclasses name their parameters as dataclass fields and build the law (after checking
    the parameters) in ``_build``; ``_law`` is set once, outside ``repr`` and equality.
    Here ``_law`` is the distribution of tau itself (support tau >= 0).
    """

    _law: Any = field(init=False, repr=False, compare=False)
    proper: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "_law", self._build())

    def _build(self) -> Any:
        raise NotImplementedError  # pragma: no cover

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau >= 0 (``-inf`` elsewhere)."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t >= 0)
        return np.where(ok, self._law.logpdf(np.where(ok, t, 1.0)), -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function (0 at NaN)."""
        t = np.asarray(tau, dtype=float)
        return np.where(np.isnan(t), 0.0, self._law.cdf(t))

    def ppf(self, p: object) -> FloatArray:
        """Quantile function."""
        return np.asarray(self._law.ppf(np.asarray(p, dtype=float)), dtype=float)


@dataclass(frozen=True, slots=True)
class _LawOfLogTau2(_LawOfTau):
    """``_law`` is the distribution of ``x = log(tau^2)``; tau's density carries the
    Jacobian ``dx/dtau = 2 / tau`` (support tau > 0)."""

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau > 0: ``log p_x(2 log tau) + log(2) - log(tau)``."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        log_t = np.log(np.where(ok, t, 1.0))
        return np.where(ok, self._law.logpdf(2.0 * log_t) + math.log(2.0) - log_t, -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function ``P(x <= 2 log tau)`` (0 at NaN)."""
        t = np.asarray(tau, dtype=float)
        with np.errstate(divide="ignore"):
            x = 2.0 * np.log(np.where(t > 0, t, 0.0))      # -inf at and below 0
        return np.where(np.isnan(t), 0.0, self._law.cdf(x))

    def ppf(self, p: object) -> FloatArray:
        """Quantile function ``exp(x_p / 2)``."""
        return np.asarray(np.exp(0.5 * self._law.ppf(np.asarray(p, dtype=float))))


@dataclass(frozen=True, slots=True)
class _ScaleFamilyOfTau(_LawOfTau):
    """A scipy scale family on tau >= 0 (``_family``), named ``_name`` in descriptions."""

    scale: float
    _family: ClassVar[Any]
    _name: ClassVar[str]

    def _build(self) -> Any:
        return self._family(scale=_positive("scale", self.scale))

    @property
    def description(self) -> str:
        """``"half-normal(scale=0.5)"``, ``"half-Cauchy(scale=1)"``."""
        return f"{self._name}(scale={self.scale:g})"


@dataclass(frozen=True, slots=True)
class HalfNormalPrior(_ScaleFamilyOfTau):
    """Half-normal prior for tau: the law of ``|X|``, ``X ~ N(0, scale^2)``."""

    _family = stats.halfnorm
    _name = "half-normal"


@dataclass(frozen=True, slots=True)
class HalfCauchyPrior(_ScaleFamilyOfTau):
    """Half-Cauchy prior for tau: density ``2 / (pi scale (1 + (tau/scale)^2))``."""

    _family = stats.halfcauchy
    _name = "half-Cauchy"


@dataclass(frozen=True, slots=True)
class LogNormalPrior(_LawOfTau):
    """Log-normal prior on tau itself: ``log(tau) ~ N(mu, sd^2)``.

    ``mu`` and ``sd`` are the mean and standard deviation of ``log(tau)``; a log-normal
    prior ``log(tau^2) ~ N(m, s^2)`` is ``LogNormalPrior(m / 2, s / 2)``.
    """

    mu: float
    sd: float

    def _build(self) -> Any:
        # scipy's lognorm: shape s = sd of log(tau), scale = exp(mean of log(tau))
        return stats.lognorm(scale=math.exp(_finite("mu", self.mu)), s=_positive("sd", self.sd))

    @property
    def description(self) -> str:
        """``"log-normal(mu=-1, sd=0.5) on tau"``."""
        return f"log-normal on tau: log(tau) ~ N({self.mu:g}, {self.sd:g}^2)"


@dataclass(frozen=True, slots=True)
class LogNormalTau2Prior(_LawOfLogTau2):
    """Log-normal prior on tau^2, ``log(tau^2) ~ N(mu, sd^2)`` (Turner et al. 2015).

    On tau this is log-normal with halved parameters; the density on tau is
    ``p_tau2(tau^2) 2 tau`` (change of variables).
    """

    mu: float
    sd: float
    source: str = ""

    def _build(self) -> Any:
        return stats.norm(loc=_finite("mu", self.mu), scale=_positive("sd", self.sd))

    @property
    def description(self) -> str:
        """Parameters on tau^2 and the source."""
        text = f"log-normal on tau^2: log(tau^2) ~ N({self.mu:g}, {self.sd:g}^2)"
        return f"{text} [{self.source}]" if self.source else text


@dataclass(frozen=True, slots=True)
class LogT5Tau2Prior(_LawOfLogTau2):
    """Log-t prior on tau^2 with 5 degrees of freedom (Rhodes et al. 2015).

    ``(log(tau^2) - location) / scale ~ t_5``; the density on tau is
    ``p_tau2(tau^2) 2 tau``.
    """

    location: float
    scale: float
    source: str = ""

    def _build(self) -> Any:
        location = _finite("location", self.location)
        return stats.t(df=5, loc=location, scale=_positive("scale", self.scale))

    @property
    def description(self) -> str:
        """Parameters on tau^2 and the source."""
        text = (f"log-t(5) on tau^2: (log(tau^2) - ({self.location:g})) / {self.scale:g} "
                "~ t(5)")
        return f"{text} [{self.source}]" if self.source else text


def turner_prior(outcome: str, comparison: str | None = None) -> LogNormalTau2Prior:
    """Turner et al. 2015 (Table IV) log-normal prior on tau^2 for log odds ratios.

    Parameters
    ----------
    outcome : str
        One of :data:`TURNER_OUTCOMES` (``"any"``: the general setting, p. 993).
    comparison : str, optional
        One of :data:`TURNER_COMPARISONS`; default ``"pharma-vs-placebo"``
        (ignored for ``"any"``).

    Examples
    --------
    >>> turner_prior("pain").mu, turner_prior("pain").sd
    (-1.83, 1.52)
    """
    return LogNormalTau2Prior(*turner_parameters(outcome, comparison))


def rhodes_prior(outcome: str, comparison: str | None = None) -> LogT5Tau2Prior:
    """Rhodes et al. 2015 (Table 3) log-t(5) prior on tau^2 for standardized mean
    differences.

    Parameters
    ----------
    outcome : str
        One of :data:`RHODES_OUTCOMES`; ``pain``, ``adverse-events`` and
        ``quality-of-life`` are members of the ``general-physical-health`` category and
        ``infection`` of ``signs-symptoms``; ``"any"`` is the general setting.
    comparison : str, optional
        One of :data:`RHODES_COMPARISONS`; default ``"pharma-vs-placebo"``.

    Examples
    --------
    >>> p = rhodes_prior("pain")
    >>> p.location, p.scale
    (-3.16, 2.5)
    """
    return LogT5Tau2Prior(*rhodes_parameters(outcome, comparison))


def _numbers(text: str, count: int, form: str, forms: str) -> list[float]:
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise ParameterError(f"Cannot read the prior {form!r}: expected {forms}.")
    return values


def parse_mu_prior(text: str) -> MuPrior:
    """Read a prior for mu: ``normal:MEAN,SD`` or ``flat``.

    Examples
    --------
    >>> parse_mu_prior("normal:0,1")
    NormalPrior(mean=0.0, sd=1.0)
    >>> parse_mu_prior("flat")
    FlatPrior()
    """
    kind, _, args = str(text).strip().partition(":")
    kind = kind.strip().lower()
    if kind == "flat" and not args.strip():
        return FlatPrior()
    if kind == "normal":
        mean, sd = _numbers(args, 2, text, MU_PRIOR_FORMS)
        return NormalPrior(mean, sd)
    raise ParameterError(f"The mu prior must be {MU_PRIOR_FORMS}. Got {text!r}.")


def parse_tau_prior(text: str) -> TauPrior:
    """Read a prior for tau (see the module docstring for the forms).

    Examples
    --------
    >>> parse_tau_prior("halfnormal:0.5")
    HalfNormalPrior(scale=0.5)
    >>> parse_tau_prior("rhodes:pain").location
    -3.16
    >>> parse_tau_prior("turner:pain/pharma-vs-pharma").mu
    -2.06
    """
    kind, _, args = str(text).strip().partition(":")
    kind = kind.strip().lower()
    if kind in ("halfnormal", "halfcauchy"):
        (scale,) = _numbers(args, 1, text, TAU_PRIOR_FORMS)
        return HalfNormalPrior(scale) if kind == "halfnormal" else HalfCauchyPrior(scale)
    if kind == "lognormal":
        mu, sd = _numbers(args, 2, text, TAU_PRIOR_FORMS)
        return LogNormalPrior(mu, sd)
    if kind in ("turner", "rhodes") and args.strip():
        outcome, _, comparison = args.partition("/")
        build = turner_prior if kind == "turner" else rhodes_prior
        return build(outcome, comparison or None)
    raise ParameterError(f"The tau prior must be {TAU_PRIOR_FORMS}. Got {text!r}.")
