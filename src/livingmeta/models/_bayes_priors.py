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

The published empirical priors are on ``tau^2``; the density on ``tau`` carries the
Jacobian ``d(tau^2)/d(tau) = 2 tau``: ``p_tau(t) = p_tau2(t^2) 2 t``.

The table values were transcribed from the papers' tables as printed (two decimals) and
checked against the transcription in the bayesmeta R package (``TurnerEtAlParameters``,
``RhodesEtAlParameters``, Röver 2020).

Longer than ~400 lines because of the two published tables; they could move to a data
module of their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from livingmeta.errors import ParameterError

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
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)
# log of the t(5) density's constant: Gamma(3) / (Gamma(5/2) sqrt(5 pi)).
_LOG_T5_CONST = math.lgamma(3.0) - math.lgamma(2.5) - 0.5 * math.log(5.0 * math.pi)

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


def _on_support(tau: object) -> tuple[FloatArray, NDArray[np.bool_]]:
    t = np.asarray(tau, dtype=float)
    return t, np.isfinite(t) & (t >= 0)


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
        """Log-density at ``mu``."""
        z = (np.asarray(mu, dtype=float) - self.mean) / self.sd
        return np.asarray(-0.5 * z * z - _LOG_SQRT_2PI - math.log(self.sd), dtype=float)


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
class HalfNormalPrior:
    """Half-normal prior for tau: the law of ``|X|``, ``X ~ N(0, scale^2)``."""

    scale: float

    def __post_init__(self) -> None:
        _positive("scale", self.scale)

    proper = True

    @property
    def description(self) -> str:
        """``"half-normal(scale=0.5)"``."""
        return f"half-normal(scale={self.scale:g})"

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau >= 0 (``-inf`` elsewhere)."""
        t, ok = _on_support(tau)
        z = np.where(ok, t, 0.0) / self.scale
        out = math.log(2.0) - _LOG_SQRT_2PI - math.log(self.scale) - 0.5 * z * z
        return np.where(ok, out, -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function."""
        t, ok = _on_support(tau)
        return np.where(ok, special.erf(np.where(ok, t, 0.0) / (self.scale * math.sqrt(2))),
                        0.0)

    def ppf(self, p: object) -> FloatArray:
        """Quantile function."""
        return np.asarray(self.scale * math.sqrt(2) * special.erfinv(np.asarray(p, float)))


@dataclass(frozen=True, slots=True)
class HalfCauchyPrior:
    """Half-Cauchy prior for tau: density ``2 / (pi scale (1 + (tau/scale)^2))``."""

    scale: float

    def __post_init__(self) -> None:
        _positive("scale", self.scale)

    proper = True

    @property
    def description(self) -> str:
        """``"half-Cauchy(scale=1)"``."""
        return f"half-Cauchy(scale={self.scale:g})"

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau >= 0 (``-inf`` elsewhere)."""
        t, ok = _on_support(tau)
        z = np.where(ok, t, 0.0) / self.scale
        out = math.log(2.0 / math.pi) - math.log(self.scale) - np.log1p(z * z)
        return np.where(ok, out, -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function ``(2/pi) arctan(tau/scale)``."""
        t, ok = _on_support(tau)
        return np.where(ok, 2.0 / math.pi * np.arctan(np.where(ok, t, 0.0) / self.scale), 0.0)

    def ppf(self, p: object) -> FloatArray:
        """Quantile function ``scale tan(pi p / 2)``."""
        return np.asarray(self.scale * np.tan(0.5 * math.pi * np.asarray(p, float)))


@dataclass(frozen=True, slots=True)
class LogNormalPrior:
    """Log-normal prior on tau itself: ``log(tau) ~ N(mu, sd^2)``.

    ``mu`` and ``sd`` are the mean and standard deviation of ``log(tau)``; a log-normal
    prior ``log(tau^2) ~ N(m, s^2)`` is ``LogNormalPrior(m / 2, s / 2)``.
    """

    mu: float
    sd: float

    def __post_init__(self) -> None:
        _finite("mu", self.mu)
        _positive("sd", self.sd)

    proper = True

    @property
    def description(self) -> str:
        """``"log-normal(mu=-1, sd=0.5) on tau"``."""
        return f"log-normal on tau: log(tau) ~ N({self.mu:g}, {self.sd:g}^2)"

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau > 0 (``-inf`` at 0 and outside)."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        lt = np.log(np.where(ok, t, 1.0))
        z = (lt - self.mu) / self.sd
        return np.where(ok, -0.5 * z * z - _LOG_SQRT_2PI - math.log(self.sd) - lt, -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        z = (np.log(np.where(ok, t, 1.0)) - self.mu) / self.sd
        return np.where(ok, special.ndtr(z), np.where(t > 0, 1.0, 0.0))

    def ppf(self, p: object) -> FloatArray:
        """Quantile function."""
        return np.asarray(np.exp(self.mu + self.sd * special.ndtri(np.asarray(p, float))))


@dataclass(frozen=True, slots=True)
class LogNormalTau2Prior:
    """Log-normal prior on tau^2, ``log(tau^2) ~ N(mu, sd^2)`` (Turner et al. 2015).

    On tau this is log-normal with halved parameters; the density on tau is
    ``p_tau2(tau^2) 2 tau`` (change of variables).
    """

    mu: float
    sd: float
    source: str = ""

    def __post_init__(self) -> None:
        _finite("mu", self.mu)
        _positive("sd", self.sd)

    proper = True

    @property
    def description(self) -> str:
        """Parameters on tau^2 and the source."""
        text = f"log-normal on tau^2: log(tau^2) ~ N({self.mu:g}, {self.sd:g}^2)"
        return f"{text} [{self.source}]" if self.source else text

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau > 0: log-normal density of tau^2 plus ``log(2 tau)``."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        t2 = np.where(ok, t, 1.0) ** 2
        z = (np.log(t2) - self.mu) / self.sd
        dens_t2 = -0.5 * z * z - _LOG_SQRT_2PI - math.log(self.sd) - np.log(t2)
        return np.where(ok, dens_t2 + np.log(2.0 * np.where(ok, t, 1.0)), -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function (of tau^2 at tau^2)."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        z = (np.log(np.where(ok, t, 1.0) ** 2) - self.mu) / self.sd
        return np.where(ok, special.ndtr(z), np.where(t > 0, 1.0, 0.0))

    def ppf(self, p: object) -> FloatArray:
        """Quantile function (square root of the tau^2 quantile)."""
        return np.asarray(np.exp(0.5 * (self.mu + self.sd * special.ndtri(np.asarray(p, float)))))


@dataclass(frozen=True, slots=True)
class LogT5Tau2Prior:
    """Log-t prior on tau^2 with 5 degrees of freedom (Rhodes et al. 2015).

    ``(log(tau^2) - location) / scale ~ t_5``; the density on tau is
    ``p_tau2(tau^2) 2 tau``.
    """

    location: float
    scale: float
    source: str = ""

    def __post_init__(self) -> None:
        _finite("location", self.location)
        _positive("scale", self.scale)

    proper = True

    @property
    def description(self) -> str:
        """Parameters on tau^2 and the source."""
        text = (f"log-t(5) on tau^2: (log(tau^2) - ({self.location:g})) / {self.scale:g} "
                "~ t(5)")
        return f"{text} [{self.source}]" if self.source else text

    def logpdf(self, tau: object) -> FloatArray:
        """Log-density on tau > 0: t(5) density of ``log(tau^2)``, ``1/tau^2``, ``2 tau``."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        lt2 = 2.0 * np.log(np.where(ok, t, 1.0))
        z = (lt2 - self.location) / self.scale
        # log p_tau(t) = log t5(z) - log(scale) - log(t^2) + log(2 t)
        log_t5 = _LOG_T5_CONST - 3.0 * np.log1p(z * z / 5.0)   # Student t(5) density
        out = log_t5 - math.log(self.scale) + math.log(2.0) - 0.5 * lt2
        return np.where(ok, out, -np.inf)

    def cdf(self, tau: object) -> FloatArray:
        """Distribution function."""
        t = np.asarray(tau, dtype=float)
        ok = np.isfinite(t) & (t > 0)
        z = (2.0 * np.log(np.where(ok, t, 1.0)) - self.location) / self.scale
        return np.where(ok, stats.t.cdf(z, df=5), np.where(t > 0, 1.0, 0.0))

    def ppf(self, p: object) -> FloatArray:
        """Quantile function."""
        q = stats.t.ppf(np.asarray(p, float), df=5)
        return np.asarray(np.exp(0.5 * (self.location + self.scale * q)))


# Turner et al. 2015, Stat Med 34:984-998, Table IV: (mean, sd) of log(tau^2) for log odds
# ratios, by outcome type (rows) and type of comparison (columns, in TURNER_COMPARISONS
# order). "any" is the general (marginal) setting of p. 993.
TURNER_COMPARISONS = ("pharma-vs-placebo", "pharma-vs-pharma", "nonpharma-vs-placebo",
                      "nonpharma-vs-pharma", "nonpharma-vs-nonpharma")
_TURNER_TABLE: dict[str, tuple[tuple[float, float], ...]] = {
    "all-cause-mortality": ((-3.95, 1.34), (-4.18, 1.41), (-4.17, 1.55), (-2.92, 1.02),
                            (-3.50, 1.26)),
    "obstetric": ((-3.52, 1.74), (-3.75, 1.79), (-3.74, 1.91), (-2.49, 1.50), (-3.08, 1.68)),
    "cause-specific-mortality": ((-3.71, 1.74), (-3.95, 1.79), (-3.93, 1.91), (-2.68, 1.51),
                                 (-3.27, 1.68)),
    "resource-use": ((-2.34, 1.74), (-2.58, 1.79), (-2.56, 1.91), (-1.31, 1.50),
                     (-1.90, 1.68)),
    "surgical": ((-2.14, 1.74), (-2.37, 1.79), (-2.36, 1.91), (-1.11, 1.50), (-1.69, 1.68)),
    "withdrawals": ((-2.99, 1.74), (-3.23, 1.79), (-3.21, 1.91), (-1.96, 1.51),
                    (-2.55, 1.68)),
    "internal-structure": ((-2.71, 1.74), (-2.94, 1.79), (-2.93, 1.92), (-1.67, 1.51),
                           (-2.26, 1.68)),
    "general-physical-health": ((-2.29, 1.53), (-2.53, 1.58), (-2.51, 1.72), (-1.26, 1.25),
                                (-1.85, 1.46)),
    "adverse-events": ((-1.87, 1.52), (-2.10, 1.58), (-2.10, 1.71), (-0.84, 1.24),
                       (-1.43, 1.45)),
    "infection": ((-2.49, 1.52), (-2.73, 1.58), (-2.71, 1.71), (-1.46, 1.24), (-2.05, 1.45)),
    "signs-symptoms": ((-2.06, 1.51), (-2.29, 1.58), (-2.28, 1.71), (-1.03, 1.24),
                       (-1.61, 1.45)),
    "pain": ((-1.83, 1.52), (-2.06, 1.58), (-2.05, 1.71), (-0.80, 1.25), (-1.38, 1.45)),
    "quality-of-life": ((-2.54, 1.54), (-2.78, 1.60), (-2.77, 1.73), (-1.51, 1.27),
                        (-2.10, 1.47)),
    "mental-health": ((-2.12, 1.53), (-2.35, 1.60), (-2.34, 1.72), (-1.09, 1.27),
                      (-1.67, 1.47)),
    "biological-markers": ((-1.77, 1.52), (-2.00, 1.58), (-1.99, 1.71), (-0.74, 1.24),
                           (-1.33, 1.45)),
    "subjective": ((-2.70, 1.52), (-2.93, 1.58), (-2.92, 1.71), (-1.67, 1.25),
                   (-2.26, 1.45)),
}
_TURNER_ANY = (-2.56, 1.74)
TURNER_OUTCOMES = ("any", *_TURNER_TABLE)

# Rhodes et al. 2015, J Clin Epidemiol 68:52-60, Table 3 (medical areas other than
# respiratory and cancer): (location, scale) of the t(5) distribution of log(tau^2) for
# standardized mean differences, by outcome type (rows) and comparison (columns, in
# RHODES_COMPARISONS order). "any" is the general setting (beginning of sec. 3.3).
RHODES_COMPARISONS = ("pharma-vs-placebo", "pharma-vs-pharma", "nonpharma")
_RHODES_TABLE: dict[str, tuple[tuple[float, float], ...]] = {
    "obstetric": ((-4.13, 2.34), (-4.40, 2.31), (-3.99, 2.11)),
    "resource-use": ((-2.55, 2.73), (-2.83, 2.70), (-2.41, 2.57)),
    "internal-structure": ((-2.43, 2.50), (-2.70, 2.46), (-2.29, 2.32)),
    "general-physical-health": ((-3.16, 2.50), (-3.44, 2.44), (-3.02, 2.27)),
    "signs-symptoms": ((-3.00, 2.50), (-3.27, 2.47), (-2.86, 2.33)),
    "mental-health": ((-2.99, 2.16), (-3.27, 2.14), (-3.85, 1.93)),
    "biological-markers": ((-3.41, 2.83), (-3.68, 2.78), (-3.27, 2.66)),
    "subjective": ((-2.76, 2.58), (-3.03, 2.59), (-2.62, 2.41)),
}
_RHODES_ANY = (-3.44, 2.59)
# Rhodes et al. group several outcome types in one category; the members are accepted too.
_RHODES_ALIASES = {"pain": "general-physical-health", "adverse-events": "general-physical-health",
                   "quality-of-life": "general-physical-health",
                   "infection": "signs-symptoms"}
RHODES_OUTCOMES = ("any", *_RHODES_TABLE, *_RHODES_ALIASES)


def _lookup(name: str, outcome: str, comparison: str | None, outcomes: tuple[str, ...],
            comparisons: tuple[str, ...]) -> tuple[str, int]:
    key = outcome.strip().lower()
    if key not in outcomes:
        raise ParameterError(f"The {name} outcome must be one of {{{', '.join(outcomes)}}}. "
                             f"Got {outcome!r}.")
    comp = comparisons[0] if comparison is None else comparison.strip().lower()
    if comp not in comparisons:
        raise ParameterError(f"The {name} comparison must be one of "
                             f"{{{', '.join(comparisons)}}}. Got {comparison!r}.")
    return key, comparisons.index(comp)


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
    key, col = _lookup("Turner et al.", outcome, comparison, TURNER_OUTCOMES,
                       TURNER_COMPARISONS)
    mu, sd = _TURNER_ANY if key == "any" else _TURNER_TABLE[key][col]
    where = ("general setting, p. 993" if key == "any"
             else f"{key}, {TURNER_COMPARISONS[col]}, Table IV")
    return LogNormalTau2Prior(mu, sd, f"Turner et al. 2015, Stat Med 34:984-998; {where}")


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
    key, col = _lookup("Rhodes et al.", outcome, comparison, RHODES_OUTCOMES,
                       RHODES_COMPARISONS)
    key = _RHODES_ALIASES.get(key, key)
    location, scale = _RHODES_ANY if key == "any" else _RHODES_TABLE[key][col]
    where = ("general setting, sec. 3.3" if key == "any"
             else f"{key}, {RHODES_COMPARISONS[col]}, Table 3")
    return LogT5Tau2Prior(location, scale,
                          f"Rhodes et al. 2015, J Clin Epidemiol 68:52-60; {where}")


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
