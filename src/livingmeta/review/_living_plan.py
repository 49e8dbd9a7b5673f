"""The living-evidence plan of a review: ``[analysis.tsa]``, ``[analysis.bayes]``,
``[analysis.whatif]`` in ``review.toml`` (documented in FORMAT.md).

Each table is optional; a review without them runs no trial sequential analysis,
Bayesian analysis or what-if simulation. Problems are collected by the caller's checker
(every one at once, naming the table, key, value and rule).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from livingmeta.errors import ParameterError

__all__ = ["BayesPlan", "LivingPlan", "TsaPlan", "WhatIfPlan", "parse_living_plan"]


@dataclass(frozen=True, slots=True)
class TsaPlan:
    """``[analysis.tsa]``: the trial sequential analysis of one outcome.

    ``delta`` is the anticipated effect (or MCID) on the outcome's measure: an SMD or MD
    difference, an RD, or for RR/OR the anticipated ratio; ``sd`` (MD) and
    ``control_risk`` (binary) as :func:`~livingmeta.sequential.trial_sequential_analysis`
    takes them.
    """

    outcome: str
    delta: float
    delta_source: str = ""
    sd: float | None = None
    control_risk: float | None = None
    alpha: float = 0.05
    power: float = 0.80
    spending: str = "obf"
    sides: int = 2
    heterogeneity: str = "D2"
    information: str = "participants"
    method: str = "DL"


@dataclass(frozen=True, slots=True)
class BayesPlan:
    """``[analysis.bayes]``: exact Bayesian random-effects analyses of one outcome.

    One analysis per tau prior (at least two defensible priors are recommended);
    ``threshold`` on the measure's analysis scale (e.g. -0.2 for "SMD better than -MCID").
    """

    outcome: str
    mu_prior: str
    tau_priors: tuple[str, ...]
    threshold: float | None = None
    threshold_source: str = ""


@dataclass(frozen=True, slots=True)
class WhatIfPlan:
    """``[analysis.whatif]``: what a pending trial of ``n_per_arm`` per arm could change.

    ``before``: a version id of ``versions.toml``; the simulation starts from that version
    and is set beside what the following version actually found. ``effect`` None draws the
    trial's effect from the Bayesian posterior predictive under the first tau prior.
    """

    outcome: str
    n_per_arm: int
    label: str = "pending trial"
    before: str | None = None
    effect: float | None = None
    draws: int = 10_000
    seed: int = 1


@dataclass(frozen=True, slots=True)
class LivingPlan:
    """The three optional living-evidence analyses."""

    tsa: TsaPlan | None = None
    bayes: BayesPlan | None = None
    whatif: WhatIfPlan | None = None


class _Checker(Protocol):  # the review.toml checker of _toml.py
    def bad(self, where: str, key: str | None, value: object, rule: str) -> None: ...

    def get(self, table: Mapping[str, Any], where: str, key: str,
            kind: type | tuple[type, ...], default: Any = ...) -> Any: ...

    def strings(self, table: Mapping[str, Any], where: str, key: str) -> tuple[str, ...]: ...

    def choice(self, where: str, key: str, value: Any, choices: tuple[str, ...]) -> None: ...


_KEYS = {
    "tsa": {"outcome", "delta", "delta_source", "sd", "control_risk", "alpha", "power",
            "spending", "sides", "heterogeneity", "information", "method"},
    "bayes": {"outcome", "mu_prior", "tau_priors", "threshold", "threshold_source"},
    "whatif": {"outcome", "n_per_arm", "label", "before", "effect", "draws", "seed"},
}


def _fraction(c: _Checker, table: Mapping[str, Any], where: str, key: str,
              default: float) -> float:
    value = c.get(table, where, key, (int, float), default)
    if value is not None and not 0.0 < value < 1.0:
        c.bad(where, key, value, "must be a fraction in (0, 1)")
    return float(value if value is not None else default)


def _outcome(c: _Checker, table: Mapping[str, Any], where: str, outcomes: tuple[str, ...],
             primary: str | None) -> str:
    outcome = c.get(table, where, "outcome", str, primary)
    if outcome is None:
        c.bad(where, "outcome", None, "must name an outcome (no outcome is primary)")
        return ""
    c.choice(where, "outcome", outcome, outcomes)
    return str(outcome)


def _tsa(c: _Checker, t: Mapping[str, Any], outcomes: tuple[str, ...],
         primary: str | None) -> TsaPlan:
    where = "[analysis.tsa]"
    delta = c.get(t, where, "delta", (int, float))
    if delta is None:
        c.bad(where, "delta", None, "must be given: the anticipated effect or MCID")
    spending = c.get(t, where, "spending", str, "obf")
    c.choice(where, "spending", spending, ("obf", "pocock"))
    sides = c.get(t, where, "sides", int, 2)
    if sides not in (None, 1, 2):
        c.bad(where, "sides", sides, "must be 1 or 2")
    het = c.get(t, where, "heterogeneity", str, "D2")
    c.choice(where, "heterogeneity", het, ("D2", "I2", "none"))
    info = c.get(t, where, "information", str, "participants")
    c.choice(where, "information", info, ("participants", "statistical"))
    method = c.get(t, where, "method", str, "DL")
    c.choice(where, "method", method, ("DL", "HE", "HS", "SJ", "ML", "REML", "EB", "PM", "EE"))
    return TsaPlan(
        outcome=_outcome(c, t, where, outcomes, primary), delta=float(delta or 0.0),
        delta_source=c.get(t, where, "delta_source", str, "") or "",
        sd=c.get(t, where, "sd", (int, float), None),
        control_risk=c.get(t, where, "control_risk", (int, float), None),
        alpha=_fraction(c, t, where, "alpha", 0.05), power=_fraction(c, t, where, "power", 0.8),
        spending=spending or "obf", sides=int(sides or 2), heterogeneity=het or "D2",
        information=info or "participants", method=method or "DL")


def _bayes(c: _Checker, t: Mapping[str, Any], outcomes: tuple[str, ...],
           primary: str | None) -> BayesPlan:
    from livingmeta.models._bayes_priors import parse_mu_prior, parse_tau_prior

    where = "[analysis.bayes]"
    mu = c.get(t, where, "mu_prior", str, "flat") or "flat"
    taus = c.strings(t, where, "tau_priors")
    if not taus:
        c.bad(where, "tau_priors", None, "must list at least one tau prior")
    for key, text, parse in (("mu_prior", mu, parse_mu_prior),
                             *(("tau_priors", s, parse_tau_prior) for s in taus)):
        try:
            parse(text)
        except ParameterError as exc:
            c.bad(where, key, text, str(exc).rstrip("."))
    return BayesPlan(outcome=_outcome(c, t, where, outcomes, primary), mu_prior=mu,
                     tau_priors=taus, threshold=c.get(t, where, "threshold", (int, float), None),
                     threshold_source=c.get(t, where, "threshold_source", str, "") or "")


def _whatif(c: _Checker, t: Mapping[str, Any], outcomes: tuple[str, ...],
            primary: str | None) -> WhatIfPlan:
    where = "[analysis.whatif]"
    n = c.get(t, where, "n_per_arm", int)
    if n is None or n < 2:
        c.bad(where, "n_per_arm", n, "must be an integer >= 2")
    draws = c.get(t, where, "draws", int, 10_000)
    if draws is not None and draws < 1:
        c.bad(where, "draws", draws, "must be a positive integer")
    return WhatIfPlan(
        outcome=_outcome(c, t, where, outcomes, primary), n_per_arm=int(n or 2),
        label=c.get(t, where, "label", str, "pending trial") or "pending trial",
        before=c.get(t, where, "before", str, None),
        effect=c.get(t, where, "effect", (int, float), None),
        draws=int(draws or 10_000), seed=int(c.get(t, where, "seed", int, 1) or 1))


def parse_living_plan(c: _Checker, analysis: Mapping[str, Any], outcomes: tuple[str, ...],
                      primary: str | None) -> LivingPlan:
    """Read the optional ``tsa``, ``bayes`` and ``whatif`` tables of ``[analysis]``."""
    parsers = {"tsa": _tsa, "bayes": _bayes, "whatif": _whatif}
    plans: dict[str, Any] = {}
    for name, parse in parsers.items():
        table = c.get(analysis, "[analysis]", name, dict, None)
        if table is None:
            continue
        for key in sorted(set(table) - _KEYS[name]):
            c.bad(f"[analysis.{name}]", key, table[key],
                  f"is not a known key (known: {sorted(_KEYS[name])})")
        plans[name] = parse(c, table, outcomes, primary)
    return LivingPlan(**plans)
