"""Simulated results of a two-arm trial (1:1), vectorized over draws of its true effect.

The trial's arm-level summaries are drawn from their exact sampling distributions and
then go through :func:`~livingmeta.effects.escalc`, so that the simulated ``yi`` and ``vi``
are what the review would compute from the trial's report:

- MD and SMD: outcome normal with SD ``sigma`` in both arms (``sigma = 1`` for SMD, the
  true effect then in SD units). Arm means ``N(mu_j, sigma^2 / n)`` and arm SDs
  ``sigma sqrt(chi^2_{n-1} / (n - 1))`` (Cochran's theorem; Hedges & Olkin 1985, ch. 5).
- RR, OR, RD: control risk ``p_c``; treatment risk from the true effect (``p_c exp(theta)``
  for RR, the odds ``p_c / (1 - p_c)`` times ``exp(theta)`` for OR, ``p_c + theta`` for RD);
  event counts binomial. Zero cells get escalc's default 0.5 correction.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from livingmeta.effects import escalc
from livingmeta.errors import ParameterError, check_choice

__all__ = ["SIMULATED_MEASURES", "PendingTrial", "simulate_trial"]

FloatArray = NDArray[np.float64]

#: Measures whose trial results can be simulated.
SIMULATED_MEASURES = ("MD", "SMD", "RR", "OR", "RD")
#: Treatment risks are kept inside (RISK_FLOOR, 1 - RISK_FLOOR).
RISK_FLOOR = 1e-9


@dataclass(frozen=True, slots=True)
class PendingTrial:
    """A pending or planned two-arm trial with equal arms.

    Attributes
    ----------
    n_per_arm : int
        Participants randomized to each arm (and analysed).
    effect : float or None
        Assumed true effect on the analysis scale (log for RR/OR); None draws it from the
        predictive distribution of a new study's effect.
    sd : float or None
        Outcome SD in both arms (MD only).
    control_risk : float or None
        Risk in the control arm (RR, OR, RD).
    label : str
        Name shown in tables.
    """

    n_per_arm: int
    effect: float | None = None
    sd: float | None = None
    control_risk: float | None = None
    label: str = "pending trial"

    def check(self, measure: str) -> None:
        """Raise ParameterError naming every argument the measure needs and lacks."""
        problems = []
        if isinstance(self.n_per_arm, bool) or int(self.n_per_arm) != self.n_per_arm \
                or self.n_per_arm < 2:
            problems.append(f"n_per_arm must be an integer >= 2, got {self.n_per_arm!r}")
        if measure == "MD" and not (self.sd is not None and self.sd > 0):
            problems.append(f"an MD trial needs the outcome SD (sd > 0), got {self.sd!r}")
        if measure in ("RR", "OR", "RD") and not (
                self.control_risk is not None and 0 < self.control_risk < 1):
            problems.append(f"a {measure} trial needs the control-arm risk in (0, 1), "
                            f"got {self.control_risk!r}")
        if self.effect is not None and not np.isfinite(self.effect):
            problems.append(f"effect must be a finite number, got {self.effect!r}")
        if problems:
            raise ParameterError(f"Pending trial '{self.label}': " + "; ".join(problems) + ".")


def _treatment_risk(measure: str, p_c: float, theta: FloatArray) -> FloatArray:
    """Treatment-arm risk implied by the true effect (unclipped)."""
    if measure == "RR":
        return p_c * np.exp(theta)
    if measure == "OR":
        odds = p_c / (1.0 - p_c) * np.exp(theta)
        return odds / (1.0 + odds)
    return p_c + theta


def simulate_trial(trial: PendingTrial, measure: str, theta: FloatArray,
                   rng: np.random.Generator) -> tuple[FloatArray, FloatArray, int]:
    """Draw the trial's ``yi`` and ``vi`` once per true effect in ``theta``.

    Returns ``(yi, vi, clipped)``: ``clipped`` counts draws whose treatment risk fell
    outside (0, 1) and was clipped (binary measures; 0 otherwise).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> yi, vi, _ = simulate_trial(PendingTrial(49), "SMD", np.full(20000, -0.3), rng)
    >>> round(float(yi.mean()), 2), round(float(vi.mean()), 3)
    (-0.3, 0.041)
    """
    measure = check_choice("measure", measure, SIMULATED_MEASURES)
    trial.check(measure)
    n = int(trial.n_per_arm)
    theta = np.asarray(theta, dtype=float)
    size = theta.shape
    if measure in ("MD", "SMD"):
        sigma = 1.0 if measure == "SMD" else float(trial.sd)  # type: ignore[arg-type]
        scale = sigma / np.sqrt(n)
        m1 = rng.normal(theta * (sigma if measure == "SMD" else 1.0), scale, size)
        m2 = rng.normal(0.0, scale, size)
        sd1, sd2 = (sigma * np.sqrt(rng.chisquare(n - 1, size) / (n - 1)) for _ in range(2))
        es = escalc(measure, m1i=m1, sd1i=sd1, n1i=np.full(size, n), m2i=m2, sd2i=sd2,
                    n2i=np.full(size, n))
        return es.yi, es.vi, 0
    p_c = float(trial.control_risk)  # type: ignore[arg-type]
    raw = _treatment_risk(measure, p_c, theta)
    clipped = int(np.count_nonzero((raw < RISK_FLOOR) | (raw > 1.0 - RISK_FLOOR)))
    p_t = np.clip(raw, RISK_FLOOR, 1.0 - RISK_FLOOR)
    ai = rng.binomial(n, p_t)
    ci = rng.binomial(n, p_c, size)
    with warnings.catch_warnings():
        # zero cells are expected in simulated small trials: escalc's 0.5 correction applies
        warnings.simplefilter("ignore")
        es = escalc(measure, ai=ai, bi=n - ai, ci=ci, di=n - ci)
    if not np.all(np.isfinite(es.yi)):  # pragma: no cover - escalc corrects every zero cell
        raise ParameterError("simulated trial results without a finite effect size")
    return es.yi, es.vi, clipped
