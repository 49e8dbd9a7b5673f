"""What would a pending or planned trial change? A vectorized simulation of the update.

For each draw the trial's true effect is taken as assumed, or drawn from the predictive
distribution of a new study's effect (the exact Bayesian posterior predictive of
:func:`~livingmeta.models.bayes_meta` when given, else the normal approximation
``N(mu_hat, se^2 + tau2_hat)`` of the current random-effects fit; Higgins, Thompson &
Spiegelhalter 2009, J R Stat Soc A 172:137-159). The trial's result is drawn from its
sampling distribution (:mod:`._trial_simulation`), added to the current studies, and all
updated meta-analyses are fitted at once by :func:`~livingmeta.models.fit_batch`, the same
kernels as :func:`~livingmeta.models.rma`. Each updated analysis is then read the way the
review reads it:

- **significance** under the given method and test: benefit, harm or no significant
  difference (the CI excludes 0 on one side, or includes it);
- **GRADE imprecision** (with a MID): the rule of
  :func:`~livingmeta.appraisal._grade_domains.imprecision_levels` on the updated CI and the
  participants against the optimal information size;
- **trial sequential analysis** (with a :class:`~livingmeta.sequential.TSAResult`): the
  updated cumulative Z against the monitoring boundaries at the trial's information,
  with the required information size held at the current plan's value (a TSA protocol
  fixes it in advance), read with the same rule as the TSA verdict.

The probability that the conclusion changes is the share of draws whose reading differs
from the current one.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.appraisal._grade_domains import IMPRECISION_JUDGMENTS, imprecision_levels
from livingmeta.errors import ParameterError, SimulationWarning, check_choice
from livingmeta.models.random import fit_batch, rma
from livingmeta.results import Provenance, check_level, input_digest, jsonable
from livingmeta.sequential._trial_simulation import (
    SIMULATED_MEASURES,
    PendingTrial,
    simulate_trial,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.models.bayes import BayesResult
    from livingmeta.sequential.tsa import TSAResult
    from livingmeta.summary import Summary

__all__ = ["SIGNIFICANCE_LABELS", "PendingTrial", "WhatIfCriterion", "WhatIfResult",
           "significance", "tally_criterion", "what_if"]

FloatArray = NDArray[np.float64]

#: Readings of an analysis by significance, indexed by -1 (harm), 0, +1 (benefit).
SIGNIFICANCE_LABELS = ("harm", "no significant difference", "benefit")
QUANTILES = (0.025, 0.25, 0.5, 0.75, 0.975)
RATIO_MEASURES = ("RR", "OR")


@dataclass(frozen=True, slots=True)
class WhatIfCriterion:
    """One way of reading the updated analysis, before and after the trial.

    Attributes
    ----------
    name : str
        ``"significance"``, ``"imprecision"`` or ``"tsa"``.
    current : str
        The reading of the current analysis.
    probabilities : dict of str to float
        Share of draws with each reading after the trial (every reading listed).
    p_change : float
        Share of draws whose reading differs from ``current``.
    note : str
        How the reading is made.
    """

    name: str
    current: str
    probabilities: dict[str, float]
    p_change: float
    note: str


@dataclass(frozen=True, slots=True)
class WhatIfResult:
    """The simulated update of a meta-analysis by one pending trial.

    Attributes
    ----------
    trial : PendingTrial
    measure, method, test : str
    level : float
    k : int
        Studies before the trial.
    draws : int
    seed : int or None
    effect_source : str
        Where the trial's true effect comes from, in words.
    current_estimate, current_ci_low, current_ci_high : float
        The current pooled estimate and CI (analysis scale).
    theta : ndarray, shape (draws,)
        The trial's true effect in each draw.
    trial_yi, trial_vi : ndarray, shape (draws,)
        The trial's simulated effect size and sampling variance in each draw.
    estimate, ci_low, ci_high, pval : ndarray, shape (draws,)
        The updated pooled estimate, CI and p-value in each draw.
    criteria : tuple of WhatIfCriterion
        Significance, then imprecision (with a MID) and TSA (with a TSA result).
    warnings : tuple of str
    provenance : Provenance
    """

    trial: PendingTrial
    measure: str
    method: str
    test: str
    level: float
    k: int
    draws: int
    seed: int | None
    effect_source: str
    current_estimate: float
    current_ci_low: float
    current_ci_high: float
    theta: FloatArray = field(repr=False)
    trial_yi: FloatArray = field(repr=False)
    trial_vi: FloatArray = field(repr=False)
    estimate: FloatArray = field(repr=False)
    ci_low: FloatArray = field(repr=False)
    ci_high: FloatArray = field(repr=False)
    pval: FloatArray = field(repr=False)
    criteria: tuple[WhatIfCriterion, ...]
    warnings: tuple[str, ...]
    provenance: Provenance

    def criterion(self, name: str) -> WhatIfCriterion:
        """The criterion called ``name`` (KeyError if it was not evaluated)."""
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(name)

    def quantiles(self, values: str = "estimate") -> dict[str, float]:
        """Quantiles (2.5, 25, 50, 75, 97.5%) over the draws of ``estimate``, ``ci_low``,
        ``ci_high``, ``theta`` or ``trial_yi``."""
        name = check_choice("values", values,
                            ("estimate", "ci_low", "ci_high", "theta", "trial_yi"))
        q = np.quantile(getattr(self, name), QUANTILES)
        return {f"q{100 * p:g}": float(v) for p, v in zip(QUANTILES, q, strict=True)}

    def percentile_of(self, estimate: float) -> float:
        """Share of draws whose updated estimate is at most ``estimate`` (in [0, 1]).

        Placing the estimate a trial actually gave in the simulated distribution.
        """
        return float(np.mean(self.estimate <= estimate))

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe summary (quantiles, not every draw)."""
        return jsonable({
            "trial": self.trial, "measure": self.measure, "method": self.method,
            "test": self.test, "level": self.level, "k": self.k, "draws": self.draws,
            "seed": self.seed, "effect_source": self.effect_source,
            "current": {"estimate": self.current_estimate, "ci_low": self.current_ci_low,
                        "ci_high": self.current_ci_high},
            "updated": {name: self.quantiles(name)
                        for name in ("estimate", "ci_low", "ci_high", "theta", "trial_yi")},
            "criteria": [c for c in self.criteria],
            "warnings": self.warnings, "provenance": self.provenance,
        })

    def summary(self) -> Summary:
        """Summary with the reading before the trial and the chance of each after it."""
        from livingmeta.sequential._whatif_summary import summarize_what_if

        return summarize_what_if(self)


def significance(ci_low: FloatArray, ci_high: FloatArray, direction: str) -> NDArray[np.int8]:
    """-1 harm, 0 no significant difference, +1 benefit (CI excluding 0); index
    :data:`SIGNIFICANCE_LABELS` with the value + 1."""
    sign = np.where(ci_high < 0, -1, np.where(ci_low > 0, 1, 0))
    return (sign if direction == "higher" else -sign).astype(np.int8)


def tally_criterion(name: str, labels: tuple[str, ...], current: int, after: NDArray[Any],
               note: str, offset: int = 0) -> WhatIfCriterion:
    counts = np.bincount(np.asarray(after, dtype=np.int64) + offset, minlength=len(labels))
    probabilities = {lab: float(c) / after.size for lab, c in zip(labels, counts, strict=True)}
    return WhatIfCriterion(name, labels[current + offset], probabilities,
                           float(np.mean(after != current)), note)


def _predictive_draws(y: FloatArray, v: FloatArray, trial: PendingTrial,
                      predictive: BayesResult | None, draws: int, method: str,
                      rng: np.random.Generator) -> tuple[FloatArray, str]:
    if trial.effect is not None:
        return np.full(draws, float(trial.effect)), f"assumed true effect {trial.effect:g}"
    if predictive is not None:
        theta = np.asarray(predictive.sample(draws, rng)[2], dtype=float)
        return theta, f"posterior predictive of a new study's effect ({predictive.prior_text})"
    re_method = method if method not in ("EE", "FE") else "REML"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tau2 = 0 or k = 1 are fine for a predictive draw
        fit = rma(y, v, method=re_method, test="z")
    sd = math.sqrt(float(fit.se) ** 2 + float(fit.tau2))
    return (rng.normal(float(fit.estimate), sd, draws),
            f"normal predictive N(mu, se² + tau²) of the current {re_method} fit "
            f"(mean {float(fit.estimate):.3g}, SD {sd:.3g})")


def what_if(
    yi: object,
    vi: object,
    trial: PendingTrial,
    *,
    measure: str,
    method: str = "REML",
    test: str = "knha",
    level: float = 0.95,
    direction: str = "lower",
    mid: float | None = None,
    participants: int | None = None,
    ois: int | None = None,
    predictive: BayesResult | None = None,
    tsa: TSAResult | None = None,
    draws: int = 10_000,
    seed: int | None = None,
    study: object = None,
) -> WhatIfResult:
    """Simulate adding ``trial`` to the meta-analysis of ``yi``, ``vi``.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Current studies' effects and sampling variances (analysis scale).
    trial : PendingTrial
        The trial to add: size per arm, and an assumed true effect or None.
    measure : {"MD", "SMD", "RR", "OR", "RD"}
    method, test, level :
        The model the review reads (its primary method profile), as in
        :func:`~livingmeta.models.rma`; MH and Peto are not available here.
    direction : {"lower", "higher"}
        Which values of the measure are a benefit.
    mid : float or None
        Minimal important difference (as ``GradeSettings.mid``): rates imprecision.
    participants, ois : int or None
        Participants in the current studies, and the optimal information size; with both,
        the imprecision rating also checks the OIS after adding ``2 n_per_arm``.
    predictive : BayesResult or None
        Draw the true effect from its posterior predictive (when ``trial.effect`` is None).
    tsa : TSAResult or None
        The current trial sequential analysis, to read the update against its boundaries.
    draws : int
        Number of simulated trials.
    seed : int or None
        Seed of ``numpy.random.default_rng``: the same seed gives the same result.
    study : sequence of str, optional

    Examples
    --------
    >>> r = what_if([-0.5, -0.3, 0.1], [0.04, 0.05, 0.03], PendingTrial(50, effect=0.0),
    ...             measure="SMD", mid=0.2, draws=2000, seed=1)
    >>> r.criterion("significance").current
    'no significant difference'
    >>> 0 <= r.criterion("significance").p_change <= 1
    True
    """
    measure = check_choice("measure", measure, SIMULATED_MEASURES)
    direction = check_choice("direction", direction, ("lower", "higher"))
    level = check_level(level)
    if method in ("MH", "PETO"):
        raise ParameterError(f"what_if refits with inverse-variance models; got method "
                             f"{method!r} (use EE or a tau2 estimator).")
    if isinstance(draws, bool) or not isinstance(draws, int) or draws < 1:
        raise ParameterError(f"The 'draws' parameter must be a positive integer. Got {draws!r}.")
    trial.check(measure)
    y, v, labels = check_effects(yi, vi, study)
    rng = np.random.default_rng(seed)
    theta, source = _predictive_draws(y, v, trial, predictive, draws, method, rng)
    new_y, new_v, clipped = simulate_trial(trial, measure, theta, rng)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        current = rma(y, v, method=method, test=test, level=level, study=labels)
    fit = fit_batch(np.column_stack([np.broadcast_to(y, (draws, y.size)), new_y]),
                    np.column_stack([np.broadcast_to(v, (draws, v.size)), new_v]),
                    method=method, test=test, level=level)
    criteria = [tally_criterion(
        "significance", SIGNIFICANCE_LABELS,
        int(significance(np.array(current.ci_low), np.array(current.ci_high), direction)),
        significance(fit.ci_low, fit.ci_high, direction),
        f"{100 * level:g}% CI of {method} with {test} tests excludes 0", offset=1)]
    if mid is not None:
        criteria.append(_imprecision(current, fit, mid, direction, measure, participants, ois,
                                     2 * trial.n_per_arm))
    if tsa is not None:
        from livingmeta.sequential._whatif_tsa import tsa_criterion

        criteria.append(tsa_criterion(tsa, y, v, new_y, new_v, 2 * trial.n_per_arm))
    issued = [(str(w.message), w.category) for w in caught]
    if clipped:
        issued.append((f"{clipped} of {draws} draws implied a treatment risk outside (0, 1); "
                       "it was clipped", SimulationWarning))
    for message, category in issued:
        warnings.warn(message, category, stacklevel=2)
    notes = [m for m, _ in issued]
    return WhatIfResult(
        trial=trial, measure=measure, method=method, test=test, level=level, k=y.size,
        draws=draws, seed=seed, effect_source=source,
        current_estimate=float(current.estimate), current_ci_low=float(current.ci_low),
        current_ci_high=float(current.ci_high), theta=theta, trial_yi=new_y, trial_vi=new_v,
        estimate=fit.estimate,
        ci_low=fit.ci_low, ci_high=fit.ci_high, pval=fit.pval, criteria=tuple(criteria),
        warnings=tuple(dict.fromkeys(notes)),
        provenance=Provenance(__version__, "what_if", method,
                              {"test": test, "level": level, "measure": measure,
                               "trial": jsonable(trial), "draws": draws, "seed": seed,
                               "direction": direction, "mid": mid},
                              y.size, input_digest(y, v)),
    )


def _imprecision(current: Any, fit: Any, mid: float, direction: str, measure: str,
                 participants: int | None, ois: int | None, added: int) -> WhatIfCriterion:
    from livingmeta.appraisal._grade_domains import mid_thresholds

    th = mid_thresholds(mid, direction, measure in RATIO_MEASURES)
    before_short = after_short = False
    oisnote = "no OIS given"
    if participants is not None and ois is not None:
        before_short, after_short = participants < ois, participants + added < ois
        oisnote = f"OIS {ois}: {participants} participants before, {participants + added} after"
    now = int(imprecision_levels(current.ci_low, current.ci_high, th, before_short))
    after = imprecision_levels(fit.ci_low, fit.ci_high, th, after_short)
    return tally_criterion("imprecision", IMPRECISION_JUDGMENTS, now, after,
                           "the computed GRADE imprecision rule (the suggestion, before a "
                           f"reviewer's decision) against the MID {mid:g} ({oisnote})")

