"""Lan-DeMets error-spending functions (one-sided, vectorized over information fractions).

A spending function ``a(t)`` gives the cumulative probability of a type I error (alpha
spending) or a type II error (beta spending) allowed up to information fraction ``t``:
``a(0) = 0``, non-decreasing, ``a(t) = a`` for ``t >= 1`` (Lan & DeMets 1983). Every
function here is the *one-sided* function at level ``a``; a two-sided test at ``alpha``
spends ``alpha / 2`` on each side with the one-sided function at ``alpha / 2`` (as rpact,
gsDesign and ldbounds do; :mod:`livingmeta.sequential.boundaries`).

- ``"obf"``: the O'Brien-Fleming type, ``a(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t))``
  (Lan & DeMets 1983, eq. for alpha_1*; rpact ``asOF``/``bsOF``);
- ``"pocock"``: the Pocock type, ``a(t) = a ln(1 + (e - 1) t)`` (Lan & DeMets 1983,
  alpha_2*; rpact ``asP``/``bsP``).

References
----------
Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials.
Biometrika 70(3):659-663.
Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical
Trials. Chapman & Hall/CRC, section 7.2.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray
from scipy import special

from livingmeta.errors import ParameterError, check_choice

__all__ = [
    "SPENDING_FUNCTIONS",
    "obrien_fleming_spending",
    "pocock_spending",
    "spend",
]

FloatArray = NDArray[np.float64]


def _fractions(t: object) -> FloatArray:
    try:
        x = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"Information fractions must be numbers. Got {t!r}.") from None
    if np.any(np.isnan(x)) or np.any(x < 0):
        raise ParameterError(f"Information fractions must be >= 0. Got {t!r}.")
    return np.minimum(x, 1.0)


def _level(a: float) -> float:
    if isinstance(a, bool) or not isinstance(a, (int, float, np.floating)) or not 0 < a < 1:
        raise ParameterError(f"The spending level must be a float in (0, 1). Got {a!r}.")
    return float(a)


def obrien_fleming_spending(t: object, a: float) -> FloatArray:
    """O'Brien-Fleming-type spending, one-sided at level ``a``.

    ``a(t) = 2 - 2 Phi(z_{1-a/2} / sqrt(t))`` for ``0 < t <= 1``, ``a(0) = 0``,
    ``a(t) = a`` for ``t > 1`` (Lan & DeMets 1983, alpha_1*(t); rpact ``asOF``).

    Examples
    --------
    >>> [round(float(x), 6) for x in obrien_fleming_spending([0.0, 0.5, 1.0], 0.025)]
    [0.0, 0.001525, 0.025]
    """
    x = _fractions(t)
    z = float(special.ndtri(1.0 - _level(a) / 2.0))
    with np.errstate(divide="ignore"):
        # 2 (1 - Phi(z / sqrt(t))) computed as 2 Phi(-z / sqrt(t)) (no cancellation);
        # Lan & DeMets 1983, alpha_1*(t).
        out = 2.0 * special.ndtr(-z / np.sqrt(x))
    return np.where(x > 0, out, 0.0)


def pocock_spending(t: object, a: float) -> FloatArray:
    """Pocock-type spending, one-sided at level ``a``: ``a ln(1 + (e - 1) t)``.

    Lan & DeMets 1983, alpha_2*(t); rpact ``asP``.

    Examples
    --------
    >>> [round(float(x), 6) for x in pocock_spending([0.0, 0.5, 1.0], 0.025)]
    [0.0, 0.015503, 0.025]
    """
    x = _fractions(t)
    return _level(a) * np.log1p((math.e - 1.0) * x)  # Lan & DeMets 1983, alpha_2*(t)


#: Spending functions by code: ``(t, a) -> a(t)``, one-sided at level ``a``.
SPENDING_FUNCTIONS: dict[str, Callable[[object, float], FloatArray]] = {
    "obf": obrien_fleming_spending,
    "pocock": pocock_spending,
}


def spend(kind: str, t: object, a: float) -> FloatArray:
    """Cumulative error spent at fractions ``t`` by the spending function ``kind``.

    Examples
    --------
    >>> float(spend("pocock", 1.0, 0.05))
    0.05
    """
    check_choice("spending", kind, SPENDING_FUNCTIONS)
    return SPENDING_FUNCTIONS[kind](t, a)
