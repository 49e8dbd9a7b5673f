"""Exact Bayesian random-effects meta-analysis (the normal-normal hierarchical model).

``y_i ~ N(theta_i, v_i)``, ``theta_i ~ N(mu, tau^2)``, with a normal or flat prior on the
effect ``mu`` and a proper prior on the heterogeneity ``tau``. The posterior is computed
without MCMC, as in bayesmeta (Röver 2020, J Stat Softw 93(6); Röver & Friede 2017,
J Comput Graph Stat 26(1):158-165): conditional on tau, mu is normal in closed form, and
the one-dimensional marginal posterior of tau is integrated by adaptive Gauss-Legendre
quadrature (``_bayes_posterior``), so that the marginals of mu, the shrunken study effects
theta_i and a new study's effect theta_new are normal mixtures evaluated exactly.

Priors and the empirical heterogeneity priors of Turner et al. 2015 and Rhodes et al.
2015 are in ``_bayes_priors`` (:func:`parse_mu_prior`, :func:`parse_tau_prior`).

Longer than ~400 lines: the result's methods (densities, CDFs, quantiles, intervals,
sampling) belong with the result; the numerics are in ``_bayes_posterior``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import ConvergenceWarning, LivingMetaWarning, ParameterError, check_choice
from livingmeta.models._bayes_posterior import (
    Mixture,
    TauPosterior,
    conditional,
    fit_tau_posterior,
    tau_cdf,
    tau_cdf_table,
    tau_ppf,
)
from livingmeta.models._bayes_priors import (
    MuPrior,
    NormalPrior,
    TauPrior,
    parse_mu_prior,
    parse_tau_prior,
)
from livingmeta.results import Provenance, check_level, input_digest, jsonable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["BayesResult", "PosteriorSummary", "bayes_meta"]

FloatArray = NDArray[np.float64]
PARAMETERS = ("mu", "tau", "theta_new")


@dataclass(frozen=True, slots=True)
class PosteriorSummary:
    """Summary of one marginal posterior.

    Attributes
    ----------
    mean, median, sd : float
        Posterior mean, median and standard deviation.
    ci_low, ci_high : float
        Central credible interval (equal tail probabilities) at the result's level.
    hpd_low, hpd_high : float
        Shortest credible interval at that level (NaN where not computed).
    """

    mean: float
    median: float
    sd: float
    ci_low: float
    ci_high: float
    hpd_low: float = math.nan
    hpd_high: float = math.nan


def _shortest(ppf: Callable[[float], float], pdf: Callable[[float], float], level: float,
              bounded_at_zero: bool) -> tuple[float, float]:
    """Shortest interval of mass ``level`` for a unimodal density: the lower tail p with
    ``pdf(Q(p)) = pdf(Q(p + level))`` (Box & Tiao 1973, sec. 2.8), or ``[0, Q(level)]``
    when the density decreases from a boundary at 0."""
    if bounded_at_zero and pdf(0.0) >= pdf(ppf(level)):
        return 0.0, ppf(level)

    def gap(p: float) -> float:
        return pdf(ppf(p)) - pdf(ppf(p + level))

    eps = 1e-12
    lo, hi = eps, 1.0 - level - eps
    if gap(lo) < 0 < gap(hi):
        p = optimize.brentq(gap, lo, hi, xtol=1e-14, rtol=1e-14, maxiter=200)
    else:  # not unimodal in the usual way: minimise the width directly
        p = optimize.minimize_scalar(lambda q: ppf(q + level) - ppf(q), bounds=(lo, hi),
                                     method="bounded", options={"xatol": 1e-12}).x
    return ppf(p), ppf(p + level)


def _mixture_summary(mix: Mixture, level: float, hpd: bool) -> PosteriorSummary:
    tail = 0.5 * (1.0 - level)
    low, high = (_shortest(mix.ppf, lambda x: float(mix.pdf(x)), level, False) if hpd
                 else (math.nan, math.nan))
    return PosteriorSummary(mix.mean, mix.ppf(0.5), mix.sd, mix.ppf(tail), mix.ppf(1 - tail),
                            low, high)


@dataclass(frozen=True, slots=True)
class BayesResult:
    """Posterior of the Bayesian normal-normal hierarchical model (:func:`bayes_meta`).

    Attributes
    ----------
    k : int
        Number of studies.
    measure : str
        Effect-size measure (label only).
    study : tuple of str
        Study labels.
    yi, vi : ndarray, shape (k,)
        Effects and sampling variances.
    level : float
        Credible level of the intervals (fraction).
    mu_prior, tau_prior : prior objects
        The priors (``description`` names each and its source).
    mu, tau, theta_new : PosteriorSummary
        Marginal posteriors of the effect, the heterogeneity and a new study's effect.
    studies : tuple of PosteriorSummary
        Shrinkage (posterior) estimates of each study's effect theta_i (central intervals).
    threshold : float or None
        Threshold of clinical relevance on the analysis scale.
    direction : str
        ``"lower"`` (lower values are benefit) or ``"higher"``.
    p_beyond_threshold, p_beyond_threshold_new : float or None
        P(mu beyond the threshold) and P(theta_new beyond it), in the benefit direction.
    p_benefit : float
        P(mu < 0) (direction lower) or P(mu > 0).
    bayes_factor_01 : float or None
        Savage-Dickey Bayes factor for mu = 0 against mu != 0 (proper mu prior only).
    bayes_factor_note : str
        Why the Bayes factor is None, or how it was computed.
    posterior : TauPosterior
        The quadrature of the marginal posterior of tau (nodes, weights, panels).
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, priors and options, k and a digest of yi, vi and the labels.
    """

    k: int
    measure: str
    study: tuple[str, ...]
    yi: FloatArray
    vi: FloatArray
    level: float
    mu_prior: MuPrior
    tau_prior: TauPrior
    mu: PosteriorSummary
    tau: PosteriorSummary
    theta_new: PosteriorSummary
    studies: tuple[PosteriorSummary, ...]
    threshold: float | None
    direction: str
    p_beyond_threshold: float | None
    p_beyond_threshold_new: float | None
    p_benefit: float
    bayes_factor_01: float | None
    bayes_factor_note: str
    posterior: TauPosterior = field(repr=False)
    warnings: tuple[str, ...]
    provenance: Provenance

    @property
    def prior_text(self) -> str:
        """Both priors in one line: ``"mu ~ normal(mean=0, sd=1); tau ~ half-normal(...)"``."""
        return f"mu ~ {self.mu_prior.description}; tau ~ {self.tau_prior.description}"

    # -- distributions ---------------------------------------------------------------
    def _logpost(self, tau: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):
            return np.asarray(self.tau_prior.logpdf(tau)
                              + conditional(self.yi, self.vi, self.mu_prior, tau).loglik)

    def mixture(self, parameter: str) -> Mixture:
        """The marginal posterior of ``"mu"`` or ``"theta_new"`` (or ``"theta:I"``, study
        I counted from 0) as a normal mixture over the tau quadrature nodes."""
        nodes, weights = self.posterior.nodes, self.posterior.weights
        cond = conditional(self.yi, self.vi, self.mu_prior, nodes)
        if parameter == "mu":
            return Mixture(weights, cond.mu_hat, np.sqrt(cond.var_mu))
        if parameter == "theta_new":   # Röver 2020, eq. 11
            return Mixture(weights, cond.mu_hat, np.sqrt(cond.var_mu + nodes ** 2))
        if parameter.startswith("theta:"):
            i = int(parameter.split(":", 1)[1])
            b = self.vi[i] / (self.vi[i] + nodes ** 2)   # shrinkage, Röver 2020, eq. 12
            return Mixture(weights, b * cond.mu_hat + (1 - b) * self.yi[i],
                           np.sqrt(b * nodes ** 2 + b * b * cond.var_mu))
        check_choice("parameter", parameter, PARAMETERS)
        raise ParameterError("tau is the integration variable, not a mixture; use "
                             "density/cdf/quantile('tau', ...).")

    def density(self, parameter: str, x: object) -> FloatArray:
        """Posterior density of ``"mu"``, ``"tau"`` or ``"theta_new"`` at ``x`` (for plots)."""
        check_choice("parameter", parameter, PARAMETERS)
        xa = np.asarray(x, dtype=float)
        if parameter == "tau":
            ok = xa >= 0
            dens = np.exp(self._logpost(np.where(ok, xa, 0.0).reshape(-1))
                          - self.posterior.log_norm).reshape(xa.shape)
            return np.where(ok, dens, 0.0)
        return self.mixture(parameter).pdf(xa)

    def cdf(self, parameter: str, x: float) -> float:
        """Posterior distribution function of ``"mu"``, ``"tau"`` or ``"theta_new"``."""
        check_choice("parameter", parameter, PARAMETERS)
        if parameter == "tau":
            return tau_cdf(self.posterior, self._logpost, float(x))
        return float(self.mixture(parameter).cdf(float(x)))

    def quantile(self, parameter: str, p: float) -> float:
        """Posterior quantile of ``"mu"``, ``"tau"`` or ``"theta_new"``."""
        check_choice("parameter", parameter, PARAMETERS)
        if not 0.0 < float(p) < 1.0:
            raise ParameterError(f"The 'p' parameter must be in (0, 1). Got {p!r}.")
        if parameter == "tau":
            return tau_ppf(self.posterior, self._logpost, float(p))
        return self.mixture(parameter).ppf(float(p))

    def credible_interval(self, parameter: str, level: float | None = None,
                          kind: str = "central") -> tuple[float, float]:
        """Central or shortest (``kind="shortest"``) credible interval."""
        check_choice("kind", kind, ("central", "shortest"))
        lev = self.level if level is None else check_level(level)
        if kind == "central":
            return (self.quantile(parameter, 0.5 - lev / 2),
                    self.quantile(parameter, 0.5 + lev / 2))
        return _shortest(lambda p: self.quantile(parameter, p),
                         lambda x: float(self.density(parameter, x)), lev, parameter == "tau")

    def prior_density(self, parameter: str, x: object) -> FloatArray | None:
        """Prior density of ``"mu"`` (None for the flat prior) or ``"tau"`` at ``x``."""
        check_choice("parameter", parameter, ("mu", "tau"))
        prior = self.mu_prior if parameter == "mu" else self.tau_prior
        if not prior.proper:
            return None
        return np.exp(prior.logpdf(np.asarray(x, dtype=float)))

    def sample(self, size: int, rng: np.random.Generator | int | None = None
               ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Exact posterior draws of (mu, tau, theta_new).

        tau is drawn by inverting its posterior CDF, tabulated exactly on 16 points per
        quadrature panel and interpolated linearly in between; then ``mu | tau, y`` and
        ``theta_new | mu, tau`` are drawn from their normal distributions.
        """
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ParameterError(f"The 'size' parameter must be a positive integer. "
                                 f"Got {size!r}.")
        gen = np.random.default_rng(rng)
        table, u_table = tau_cdf_table(self.posterior, self._logpost)
        table, first = np.unique(table, return_index=True)
        u = np.interp(gen.random(int(size)), table, u_table[first])
        tau = self.posterior.c * u / (1.0 - u)
        mu = np.empty_like(tau)
        for start in range(0, tau.size, 65536):
            part = slice(start, start + 65536)
            cond = conditional(self.yi, self.vi, self.mu_prior, tau[part])
            mu[part] = cond.mu_hat + np.sqrt(cond.var_mu) * gen.standard_normal(cond.mu_hat.size)
        theta_new = mu + tau * gen.standard_normal(tau.size)
        return mu, tau, theta_new

    # -- presentation ----------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """The ``livingmeta bayes --json`` object (level in percent)."""
        out: dict[str, Any] = {
            "k": self.k, "measure": self.measure, "level": _percent(self.level),
            "mu_prior": {"description": self.mu_prior.description,
                         "proper": self.mu_prior.proper},
            "tau_prior": {"description": self.tau_prior.description,
                          "proper": self.tau_prior.proper},
            "mu": jsonable(self.mu), "tau": jsonable(self.tau),
            "theta_new": jsonable(self.theta_new),
            "threshold": self.threshold, "direction": self.direction,
            "p_beyond_threshold": self.p_beyond_threshold,
            "p_beyond_threshold_new": self.p_beyond_threshold_new,
            "p_benefit": self.p_benefit, "bayes_factor_01": self.bayes_factor_01,
            "bayes_factor_note": self.bayes_factor_note,
            "studies": [{"study": s, "yi": float(y), "vi": float(v), "mean": t.mean,
                         "median": t.median, "sd": t.sd, "ci_low": t.ci_low,
                         "ci_high": t.ci_high}
                        for s, y, v, t in zip(self.study, self.yi, self.vi, self.studies,
                                              strict=True)],
            "quadrature": {"panels": self.posterior.panels,
                           "nodes": int(self.posterior.nodes.size),
                           "converged": self.posterior.converged},
            "warnings": list(self.warnings), "provenance": jsonable(self.provenance),
        }
        return dict(jsonable(out))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`: priors, probabilities, posteriors."""
        from livingmeta._format import fmt_num
        from livingmeta.summary import Summary, SummaryTable

        pct = f"{100 * self.level:g}%"
        sign = "<" if self.direction == "lower" else ">"
        lines = [f"mu prior: {self.mu_prior.description}",
                 f"tau prior: {self.tau_prior.description}",
                 f"P(mu {sign} 0) = {fmt_num(self.p_benefit)}"]
        if self.threshold is not None:
            lines.append(f"P(mu {sign} {self.threshold:g}) = "
                         f"{fmt_num(self.p_beyond_threshold)}; P(theta_new {sign} "
                         f"{self.threshold:g}) = {fmt_num(self.p_beyond_threshold_new)}")
        lines.append(f"BF01 (mu = 0): {fmt_num(self.bayes_factor_01)} "
                     f"({self.bayes_factor_note})")
        lines += [f"warning: {w}" for w in self.warnings]
        header = ("", "mean", "median", "sd", f"{pct} central", f"{pct} shortest")
        rows = tuple(
            (name, fmt_num(s.mean), fmt_num(s.median), fmt_num(s.sd),
             f"[{fmt_num(s.ci_low)}, {fmt_num(s.ci_high)}]",
             f"[{fmt_num(s.hpd_low)}, {fmt_num(s.hpd_high)}]")
            for name, s in (("mu", self.mu), ("tau", self.tau), ("theta_new", self.theta_new)))
        shrink = tuple((name, fmt_num(float(y)), fmt_num(t.mean), fmt_num(t.median),
                        f"[{fmt_num(t.ci_low)}, {fmt_num(t.ci_high)}]")
                       for name, y, t in zip(self.study, self.yi, self.studies, strict=True))
        return Summary(
            f"Bayesian random-effects meta-analysis: {self.measure} (k = {self.k})",
            tuple(lines),
            (SummaryTable("Marginal posteriors", header, rows),
             SummaryTable("Shrinkage estimates", ("study", "yi", "mean", "median",
                                                  f"{pct} central"), shrink)))


def _as_prior(value: object, parse: Callable[[str], Any], name: str) -> Any:
    if isinstance(value, str):
        return parse(value)
    if not hasattr(value, "logpdf") or not hasattr(value, "proper"):
        raise ParameterError(f"The {name!r} parameter must be a prior object or a prior "
                             f"string. Got {value!r}.")
    return value


def _threshold(threshold: object) -> float | None:
    if threshold is None:
        return None
    try:
        value = float(threshold)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ParameterError(f"The 'threshold' parameter must be a finite number or None. "
                             f"Got {threshold!r}.")
    return value


def bayes_meta(
    yi: object,
    vi: object,
    *,
    mu_prior: MuPrior | str,
    tau_prior: TauPrior | str,
    level: float = 0.95,
    threshold: float | None = None,
    direction: str = "lower",
    study: object = None,
    measure: str = "GEN",
) -> BayesResult:
    """Exact Bayesian random-effects meta-analysis (bayesmeta's model, no MCMC).

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effects and sampling variances (finite, vi > 0); k = 1 is allowed.
    mu_prior : NormalPrior, FlatPrior or str
        Prior of the effect: ``"normal:MEAN,SD"`` or ``"flat"``.
    tau_prior : prior object or str
        Proper prior of the heterogeneity tau: ``"halfnormal:SCALE"``,
        ``"halfcauchy:SCALE"``, ``"lognormal:MU,SD"`` (on log tau),
        ``"turner:OUTCOME[/COMPARISON]"``, ``"rhodes:OUTCOME[/COMPARISON]"``.
    level : float
        Credible level of the intervals.
    threshold : float, optional
        Threshold of clinical relevance (analysis scale), e.g. -0.2 for an SMD.
    direction : {"lower", "higher"}
        Which side of the threshold (and of 0) is benefit.
    study : sequence of str, optional
        Study labels.
    measure : str
        Effect-size measure (label only).

    Returns
    -------
    BayesResult

    Warns
    -----
    ConvergenceWarning
        The quadrature of tau's posterior did not meet its tolerance.

    References
    ----------
    Röver C (2020). Bayesian random-effects meta-analysis using the bayesmeta R package.
    J Stat Softw 93(6):1-51.

    Examples
    --------
    Eight schools (Rubin 1981), priors of the bayesmeta vignette:

    >>> y = [28.39, 7.94, -2.75, 6.82, -0.64, 0.63, 18.01, 12.16]
    >>> se = [14.9, 10.2, 16.3, 11.0, 9.4, 11.4, 10.4, 17.6]
    >>> res = bayes_meta(y, [s * s for s in se], mu_prior="normal:0,50",
    ...                  tau_prior="halfcauchy:25")
    >>> round(res.mu.median, 2), round(res.tau.hpd_high, 2)
    (7.96, 15.17)
    """
    level = check_level(level)
    check_choice("direction", direction, ("lower", "higher"))
    cut = _threshold(threshold)
    mu_p: MuPrior = _as_prior(mu_prior, parse_mu_prior, "mu_prior")
    tau_p: TauPrior = _as_prior(tau_prior, parse_tau_prior, "tau_prior")
    y, v, labels = check_effects(yi, vi, study)
    messages: list[tuple[str, type[LivingMetaWarning]]] = []
    if not tau_p.proper:
        messages.append(("The tau prior is improper: the posterior may be improper "
                         "(especially for small k).", LivingMetaWarning))
    post = fit_tau_posterior(y, v, mu_p, tau_p)
    if not post.converged:
        messages.append(("The quadrature of the posterior of tau did not reach its "
                         "tolerance within 4000 panels.", ConvergenceWarning))
    for msg, cls in messages:
        warnings.warn(msg, cls, stacklevel=2)
    draft = BayesResult(
        k=y.size, measure=measure, study=labels, yi=y, vi=v, level=level, mu_prior=mu_p,
        tau_prior=tau_p, mu=PosteriorSummary(*[math.nan] * 5),
        tau=PosteriorSummary(*[math.nan] * 5), theta_new=PosteriorSummary(*[math.nan] * 5),
        studies=(), threshold=cut, direction=direction, p_beyond_threshold=None,
        p_beyond_threshold_new=None, p_benefit=math.nan, bayes_factor_01=None,
        bayes_factor_note="", posterior=post, warnings=tuple(m for m, _ in messages),
        provenance=Provenance(__version__, "bayes_meta", "exact quadrature",
                              {"mu_prior": mu_p.description, "tau_prior": tau_p.description,
                               "level": level, "threshold": cut, "direction": direction,
                               "measure": measure}, y.size, input_digest(y, v, labels=labels)),
    )
    return _complete(draft)


def _tau_summary(res: BayesResult) -> PosteriorSummary:
    nodes, weights = res.posterior.nodes, res.posterior.weights
    mean = float(weights @ nodes)
    sd = math.sqrt(max(float(weights @ (nodes - mean) ** 2), 0.0))
    tail = 0.5 * (1.0 - res.level)
    low, high = res.credible_interval("tau", kind="shortest")
    return PosteriorSummary(mean, res.quantile("tau", 0.5), sd, res.quantile("tau", tail),
                            res.quantile("tau", 1 - tail), low, high)


def _complete(draft: BayesResult) -> BayesResult:
    """Fill the summaries and probabilities of a result holding its tau posterior."""
    from dataclasses import replace

    mu_mix, new_mix = draft.mixture("mu"), draft.mixture("theta_new")
    lower = draft.direction == "lower"

    def beyond(mix: Mixture, x: float) -> float:
        return float(mix.cdf(x) if lower else mix.sf(x))

    if isinstance(draft.mu_prior, NormalPrior):   # Savage-Dickey density ratio
        bf: float | None = float(mu_mix.pdf(0.0)) / float(np.exp(draft.mu_prior.logpdf(0.0)))
        note = "Savage-Dickey ratio: posterior over prior density of mu at 0"
    else:
        bf, note = None, "not defined: the flat prior of mu is improper"
    cut = draft.threshold
    return replace(
        draft,
        mu=_mixture_summary(mu_mix, draft.level, True),
        theta_new=_mixture_summary(new_mix, draft.level, True),
        tau=_tau_summary(draft),
        studies=tuple(_mixture_summary(draft.mixture(f"theta:{i}"), draft.level, False)
                      for i in range(draft.k)),
        p_beyond_threshold=None if cut is None else beyond(mu_mix, cut),
        p_beyond_threshold_new=None if cut is None else beyond(new_mix, cut),
        p_benefit=beyond(mu_mix, 0.0), bayes_factor_01=bf, bayes_factor_note=note)


def _percent(level: float) -> float | int:
    """The level in percent, as the CLI takes it (95, or 97.5)."""
    value = round(100.0 * level, 10)
    return int(value) if value.is_integer() else value
