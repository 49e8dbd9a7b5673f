"""Group-sequential boundaries from error-spending functions, by recursive integration.

The cumulative z statistics ``Z_1, ..., Z_K`` at information fractions ``t_1 < ... < t_K``
are a Brownian motion observed at those times: the score ``S_k = Z_k sqrt(t_k)`` has
independent increments ``S_k - S_{k-1} ~ N(eta (t_k - t_{k-1}), t_k - t_{k-1})``, where the
drift ``eta`` is ``E[Z]`` at ``t = 1`` (0 under the null hypothesis). The probability of
first crossing a boundary at look ``k`` is computed by the recursion of Armitage, McPherson
& Rowe (1969) on the sub-density of ``Z_k`` over the continuation region, evaluated on
Jennison & Turnbull's grid with Simpson's rule (Jennison & Turnbull 2000, ch. 19, eqs.
19.1-19.5). No closed form: each bound is the root (brentq, xtol 1e-12) of "probability of
crossing at this look = error spent at this look".

- Efficacy bounds spend alpha under the null (drift 0). A two-sided test at ``alpha``
  spends ``alpha / 2`` on each side with the one-sided spending function at ``alpha / 2``
  (symmetric bounds; rpact, gsDesign and ldbounds do the same).
- Futility bounds are non-binding: the efficacy bounds ignore them (rpact
  ``bindingFutility = FALSE``). They spend beta under the alternative with the drift ``eta``
  chosen so that the last futility bound meets the last efficacy bound (Pampallona &
  Tsiatis 1994; rpact ``typeBetaSpending``). One-sided: stop for futility when
  ``Z_k < b_k`` (``b_k`` may be negative). Two-sided: stop when ``|Z_k| < b_k``; where the
  one-sided rule would put the bound at or below 0 the look has no futility bound (NaN)
  and the unspent beta carries over to the next look (rpact ``betaAdjustment = FALSE``).

References
----------
Armitage P, McPherson CK, Rowe BC (1969). Repeated significance tests on accumulating
data. J R Stat Soc A 132(2):235-244.
Lan KKG, DeMets DL (1983). Discrete sequential boundaries for clinical trials.
Biometrika 70(3):659-663.
Pampallona S, Tsiatis AA (1994). Group sequential designs for one-sided and two-sided
hypothesis testing with provision for early stopping in favor of the null hypothesis.
J Stat Plan Inference 42:19-35.
Reboussin DM, DeMets DL, Kim K, Lan KKG (2000). Computations for group sequential
boundaries using the Lan-DeMets spending function method. Control Clin Trials 21:190-207.
Jennison C, Turnbull BW (2000). Group Sequential Methods with Applications to Clinical
Trials. Chapman & Hall/CRC, chapter 19.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy import optimize, special

from livingmeta.errors import ParameterError, check_choice
from livingmeta.results import jsonable
from livingmeta.sequential.spending import SPENDING_FUNCTIONS, spend

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["GRID_R", "GroupSequentialBoundaries", "check_error_rates",
           "group_sequential_boundaries"]

FloatArray = NDArray[np.float64]

#: Jennison & Turnbull's grid parameter r (ch. 19): 12 r - 3 Simpson points per look.
#: r = 16 gives ~1e-6 on crossing probabilities; 48 brings the bounds within ~1e-8 of r = 96.
GRID_R = 48
_XTOL = 1e-12
_REACH = 12.0  # bounds are searched within +-_REACH of the drift


@dataclass(frozen=True, slots=True)
class _Density:
    """Sub-density of Z_k on the continuation region: Simpson nodes, weights, values."""

    z: FloatArray
    w: FloatArray
    h: FloatArray
    t: float


def _simpson_grid(mean: float, low: float, high: float, r: int) -> tuple[FloatArray, FloatArray]:
    """Jennison & Turnbull (2000) eq. 19.3 grid on [low, high] with Simpson weights (19.4)."""
    i = np.arange(1, 6 * r, dtype=float)
    x = np.where(i < r, -3.0 - 4.0 * np.log(r / i),
                 np.where(i <= 5 * r, -3.0 + 3.0 * (i - r) / (2.0 * r),
                          3.0 + 4.0 * np.log(r / np.maximum(6 * r - i, 1.0)))) + mean
    lo = max(low, x[0]) if math.isfinite(low) else x[0]
    hi = min(high, x[-1]) if math.isfinite(high) else x[-1]
    inner = x[(x > lo) & (x < hi)]
    nodes = np.concatenate([[lo], inner, [hi]]) if hi > lo else np.array([lo, lo])
    mids = (nodes[:-1] + nodes[1:]) / 2.0
    z = np.empty(2 * nodes.size - 1)
    z[0::2], z[1::2] = nodes, mids
    d = np.diff(nodes)
    w = np.zeros(z.size)
    w[0:-1:2] += d / 6.0  # Simpson's rule on each interval: (d/6) [f(a) + 4 f(m) + f(b)]
    w[1::2] += 4.0 * d / 6.0
    w[2::2] += d / 6.0
    return z, w


def _first_density(t: float, eta: float, region: tuple[float, float], r: int) -> _Density:
    mean = eta * math.sqrt(t)
    z, w = _simpson_grid(mean, *region, r)
    return _Density(z, w, np.exp(-0.5 * (z - mean) ** 2) / math.sqrt(2 * math.pi), t)


def _next_density(prev: _Density, t: float, eta: float, region: tuple[float, float],
                  r: int) -> _Density:
    """h_k(z) = int h_{k-1}(u) sqrt(t_k/D) phi((z sqrt t_k - u sqrt t_{k-1} - eta D)/sqrt D) du
    (Jennison & Turnbull 2000, eq. 19.5; D = t_k - t_{k-1})."""
    dt = t - prev.t
    z, w = _simpson_grid(eta * math.sqrt(t), *region, r)
    arg = (z[:, None] * math.sqrt(t) - prev.z[None, :] * math.sqrt(prev.t) - eta * dt)
    kernel = np.exp(-0.5 * arg**2 / dt) * math.sqrt(t / dt) / math.sqrt(2 * math.pi)
    return _Density(z, w, kernel @ (prev.w * prev.h), t)


def _exit_above(prev: _Density | None, t: float, eta: float, c: float) -> float:
    """P(reach look k in the continuation region, Z_k >= c)."""
    if prev is None:
        return float(special.ndtr(eta * math.sqrt(t) - c))
    dt = t - prev.t
    arg = (prev.z * math.sqrt(prev.t) + eta * dt - c * math.sqrt(t)) / math.sqrt(dt)
    return float(np.dot(prev.w * prev.h, special.ndtr(arg)))


def _exit_below(prev: _Density | None, t: float, eta: float, c: float) -> float:
    """P(reach look k in the continuation region, Z_k < c)."""
    if prev is None:
        return float(special.ndtr(c - eta * math.sqrt(t)))
    dt = t - prev.t
    arg = (c * math.sqrt(t) - prev.z * math.sqrt(prev.t) - eta * dt) / math.sqrt(dt)
    return float(np.dot(prev.w * prev.h, special.ndtr(arg)))


def _solve(func: Any, target: float, low: float, high: float) -> float:
    """Root of func(c) = target for a monotone func on [low, high].

    When the root lies outside, the side it lies on: -inf below ``low``, +inf above ``high``.
    """
    f_low, f_high = func(low) - target, func(high) - target
    if f_low == f_high:  # no probability mass left to spend: every path has stopped
        return math.inf
    if f_low * f_high > 0:
        increasing = f_high > f_low
        below_low = (f_low > 0) == increasing
        return -math.inf if below_low else math.inf
    root: float = optimize.brentq(lambda c: func(c) - target, low, high, xtol=_XTOL,
                                  rtol=4 * np.finfo(float).eps, maxiter=500)
    return root


def _efficacy(t: FloatArray, increments: FloatArray, sides: int, r: int) -> FloatArray:
    """Efficacy bounds under the null: P(first exit above c_k at k) = increment k (per side)."""
    bounds = np.empty(t.size)
    prev: _Density | None = None
    for k in range(t.size):
        def exit_prob(c: float, prev: _Density | None = prev, tk: float = float(t[k])) -> float:
            return _exit_above(prev, tk, 0.0, c)

        if increments[k] <= 0:
            bounds[k] = math.inf
        else:
            bounds[k] = _solve(exit_prob, float(increments[k]), -_REACH, _REACH + 30.0)
        if k + 1 < t.size:
            c = bounds[k]
            region = (-c if sides == 2 else -math.inf, c)
            prev = (_first_density(float(t[k]), 0.0, region, r) if prev is None
                    else _next_density(prev, float(t[k]), 0.0, region, r))
    return bounds


def _futility(t: FloatArray, upper: FloatArray, beta_cum: FloatArray, eta: float,
              sides: int, r: int) -> tuple[FloatArray, FloatArray]:
    """Futility bounds b_k under drift eta and the beta actually spent at each look."""
    bounds = np.full(t.size, math.nan)
    spent = np.zeros(t.size)
    prev: _Density | None = None
    total = 0.0
    for k in range(t.size):
        tk, c = float(t[k]), float(upper[k])
        mean = eta * math.sqrt(tk)

        def below(b: float, prev: _Density | None = prev, tk: float = tk) -> float:
            return _exit_below(prev, tk, eta, b)

        def inside(b: float, prev: _Density | None = prev, tk: float = tk) -> float:
            return _exit_below(prev, tk, eta, b) - _exit_below(prev, tk, eta, -b)

        target = float(beta_cum[k]) - total
        # The last bound is left uncapped: _drift needs its sign against c_K.
        cap = c if k + 1 < t.size else math.inf
        top = mean + _REACH
        b = min(_solve(below, target, mean - _REACH, top) if target > 0 else -math.inf, cap)
        if sides == 2:
            # |Z_k| < b: no bound where the one-sided rule puts it at or below 0.
            b = min(_solve(inside, target, 0.0, top), cap) if b > 0 else math.nan
            total += inside(b) if math.isfinite(b) else 0.0
        else:
            total += below(b) if math.isfinite(b) else 0.0
        bounds[k], spent[k] = b, total
        if k + 1 < t.size:
            if sides == 1:
                regions = [(b if math.isfinite(b) else -math.inf, c)]
            else:
                regions = [(-c, c)] if not math.isfinite(b) else [(-c, -b), (b, c)]
            prev = _union_density(prev, tk, eta, regions, r)
    return bounds, spent


def _union_density(prev: _Density | None, t: float, eta: float,
                   regions: list[tuple[float, float]], r: int) -> _Density:
    parts = [(_first_density(t, eta, reg, r) if prev is None
              else _next_density(prev, t, eta, reg, r)) for reg in regions if reg[1] > reg[0]]
    if not parts:
        return _Density(np.array([0.0]), np.array([0.0]), np.array([0.0]), t)
    return _Density(np.concatenate([p.z for p in parts]), np.concatenate([p.w for p in parts]),
                    np.concatenate([p.h for p in parts]), t)


def _drift(t: FloatArray, upper: FloatArray, beta_cum: FloatArray, sides: int,
           r: int) -> tuple[float, FloatArray, FloatArray]:
    """Drift at which the last futility bound meets the last efficacy bound (rpact's rule)."""
    def gap(eta: float) -> float:
        b = _futility(t, upper, beta_cum, eta, sides, r)[0][-1]
        if math.isnan(b):
            return -float(upper[-1]) - 1.0
        return float(np.clip(b - upper[-1], -100.0, 100.0))

    eta = optimize.brentq(gap, 1e-6, 3.0 * float(upper[-1]) + 3.0, xtol=_XTOL,
                          rtol=4 * np.finfo(float).eps, maxiter=500)
    bounds, spent = _futility(t, upper, beta_cum, eta, sides, r)
    bounds[-1] = upper[-1]  # equal at the root; remove the last xtol of noise
    return float(eta), bounds, spent


def _check_fractions(information_fraction: object) -> FloatArray:
    try:
        t = np.asarray(information_fraction, dtype=float).reshape(-1)
    except (TypeError, ValueError):
        raise ParameterError("The 'information_fraction' parameter must be numbers in (0, 1]. "
                             f"Got {information_fraction!r}.") from None
    if (t.size == 0 or not np.isfinite(t).all() or t[0] <= 0 or t[-1] > 1
            or np.any(np.diff(t) <= 0)):
        raise ParameterError("The 'information_fraction' parameter must be strictly increasing "
                             f"numbers in (0, 1]. Got {t.tolist()!r}.")
    return t


@dataclass(frozen=True, slots=True)
class GroupSequentialBoundaries:
    """Efficacy (and non-binding futility) bounds of a group-sequential design, as z values.

    Attributes
    ----------
    information_fraction : ndarray, shape (K,)
        The looks, as fractions of the maximum information.
    efficacy : ndarray, shape (K,)
        Efficacy bound ``c_k`` (> 0): reject when ``Z_k >= c_k`` (one-sided) or
        ``|Z_k| >= c_k`` (two-sided). ``inf`` where nothing is spent at a look.
    futility : ndarray, shape (K,)
        Non-binding futility bound ``b_k``: stop for futility when ``Z_k < b_k``
        (one-sided; may be negative) or ``|Z_k| < b_k`` (two-sided; NaN where the look has
        none). All NaN without futility bounds.
    alpha_spent : ndarray, shape (K,)
        Cumulative type I error spent, both sides together (two-sided: twice the one-sided
        function at ``alpha / 2``).
    beta_spent : ndarray, shape (K,)
        Cumulative type II error spent by the futility bounds (NaN without them).
    drift : float
        ``E[Z]`` at fraction 1 under the alternative, chosen so that the last futility
        bound meets the last efficacy bound (NaN without futility bounds). The maximum
        information is ``(drift / (z_{1-alpha/sides} + z_{1-beta}))^2`` times that of the
        fixed design (the inflation factor).
    alpha, power : float
        Overall type I error (two-sided: both sides) and power.
    sides : int
        1 or 2.
    spending, futility_spending : str
        Spending function codes (``"obf"``, ``"pocock"``); ``futility_spending`` is
        ``"none"`` without futility bounds.
    description : str
        How alpha and beta are spent, in words.
    """

    information_fraction: FloatArray
    efficacy: FloatArray
    futility: FloatArray
    alpha_spent: FloatArray
    beta_spent: FloatArray
    drift: float
    alpha: float
    power: float
    sides: int
    spending: str
    futility_spending: str
    description: str

    @property
    def inflation_factor(self) -> float:
        """Maximum over fixed-design information (NaN without futility bounds)."""
        fixed = (special.ndtri(1 - self.alpha / self.sides) + special.ndtri(self.power))
        return float((self.drift / fixed) ** 2)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field (infinite or NaN bounds become None)."""
        out: dict[str, Any] = jsonable(self)
        out["inflation_factor"] = jsonable(self.inflation_factor)
        return out

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary` with one row per look."""
        from livingmeta._format import fmt_num
        from livingmeta.summary import Summary, SummaryTable

        rows = tuple((fmt_num(float(t)), fmt_num(float(c)), fmt_num(float(b)),
                      fmt_num(float(a)), fmt_num(float(s)))
                     for t, c, b, a, s in zip(self.information_fraction, self.efficacy,
                                              self.futility, self.alpha_spent,
                                              self.beta_spent, strict=True))
        table = SummaryTable("Boundaries (z)", ("fraction", "efficacy", "futility",
                                                "alpha spent", "beta spent"), rows)
        return Summary(f"Group-sequential design, {self.sides}-sided", (self.description,),
                       (table,))


def check_error_rates(sides: object, alpha: object, power: object) -> None:
    """Raise ParameterError unless sides is 1 or 2 and alpha, power are in (0, 1)."""
    if sides not in (1, 2) or isinstance(sides, bool):
        raise ParameterError(f"The 'sides' parameter must be 1 or 2. Got {sides!r}.")
    for name, value in (("alpha", alpha), ("power", power)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
            raise ParameterError(f"The {name!r} parameter must be a float in (0, 1). "
                                 f"Got {value!r}.")


def group_sequential_boundaries(
    information_fraction: object,
    *,
    alpha: float = 0.05,
    sides: int = 2,
    spending: str = "obf",
    futility: str = "none",
    power: float = 0.8,
    grid_r: int = GRID_R,
) -> GroupSequentialBoundaries:
    """Lan-DeMets boundaries at arbitrary information fractions (recursive integration).

    Parameters
    ----------
    information_fraction : array_like, shape (K,)
        Strictly increasing fractions in (0, 1]; the design ends at the last one (pass 1
        last for a design that ends at the maximum information).
    alpha : float
        Overall type I error; two-sided designs spend ``alpha / 2`` per side with the
        one-sided spending function at ``alpha / 2``.
    sides : {1, 2}
        One-sided (upper) or symmetric two-sided test.
    spending : {"obf", "pocock"}
        Alpha-spending function (:mod:`livingmeta.sequential.spending`).
    futility : {"none", "obf", "pocock"}
        Beta-spending function of non-binding futility bounds, or none.
    power : float
        ``1 - beta`` for the beta spending.
    grid_r : int
        Jennison & Turnbull's grid parameter (accuracy; see :data:`GRID_R`).

    Returns
    -------
    GroupSequentialBoundaries

    Examples
    --------
    One look at fraction 1 is the fixed-sample test; an O'Brien-Fleming design at
    0.5 and 1 (rpact 3.3.4 ``getDesignGroupSequential(kMax = 2, alpha = 0.05, sided = 2,
    informationRates = c(0.5, 1), typeOfDesign = "asOF")``: 2.962588, 1.968596):

    >>> round(float(group_sequential_boundaries([1.0]).efficacy[0]), 6)
    1.959964
    >>> [round(float(c), 6) for c in group_sequential_boundaries([0.5, 1.0]).efficacy]
    [2.962588, 1.968596]
    """
    t = _check_fractions(information_fraction)
    check_choice("spending", spending, SPENDING_FUNCTIONS)
    check_choice("futility", futility, ("none", *SPENDING_FUNCTIONS))
    check_error_rates(sides, alpha, power)
    if isinstance(grid_r, bool) or not isinstance(grid_r, int) or grid_r < 4:
        raise ParameterError(f"The 'grid_r' parameter must be an integer >= 4. Got {grid_r!r}.")
    per_side = alpha / sides
    cum = spend(spending, t, per_side)
    upper = _efficacy(t, np.diff(cum, prepend=0.0), sides, grid_r)
    nan = np.full(t.size, math.nan)
    drift, bounds, beta_spent = math.nan, nan, nan
    if futility != "none":
        beta_cum = spend(futility, t, 1.0 - power)
        drift, bounds, beta_spent = _drift(t, upper, beta_cum, sides, grid_r)
    words = (f"Two-sided alpha {alpha:g}: alpha/2 = {per_side:g} on each side, each side "
             f"spending with the one-sided {spending} function at alpha/2"
             if sides == 2 else f"One-sided alpha {alpha:g} spent with the {spending} function")
    if futility != "none":
        words += (f"; non-binding futility bounds spend beta = {1 - power:g} with the "
                  f"{futility} function under the drift at which they meet the last "
                  "efficacy bound")
    return GroupSequentialBoundaries(
        information_fraction=t, efficacy=upper, futility=bounds, alpha_spent=sides * cum,
        beta_spent=beta_spent, drift=drift, alpha=float(alpha), power=float(power),
        sides=int(sides), spending=spending, futility_spending=futility,
        description=words + ".")
