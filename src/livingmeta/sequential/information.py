"""Required information size (RIS) of a meta-analysis, with a heterogeneity correction.

The RIS is the size of one fixed-design, two-arm trial with equal allocation that detects
the anticipated effect ``delta`` with power ``1 - beta`` at level ``alpha`` (Wetterslev et
al. 2008; Thorlund et al. 2011, TSA manual ch. 2), inflated for between-trial
heterogeneity: ``RIS_adj = RIS / (1 - H)`` with ``H`` the diversity D² (default; Wetterslev
et al. 2009), I² (Higgins & Thompson 2002) or 0 (none).

Convention for ``delta`` (the anticipated effect, or the minimal important difference):

- ``MD``: the mean difference, with ``sd`` the common standard deviation;
- ``SMD``: the standardized mean difference (``sd`` = 1);
- ``RD``: the risk difference ``p_E - p_C``, with ``control_risk`` = ``p_C``;
- ``RR``, ``OR``: the anticipated *ratio* (e.g. 0.8 for a 20% relative risk reduction),
  turned into the intervention risk ``p_E`` with ``control_risk``
  (``p_E = RR p_C``; ``p_E = OR p_C / (1 - p_C + OR p_C)``).

Only the size of ``delta`` matters: the sign (or the side of 1) is not used.

References
----------
Wetterslev J, Thorlund K, Brok J, Gluud C (2008). Trial sequential analysis may establish
when firm evidence is reached in cumulative meta-analysis. J Clin Epidemiol 61:64-75.
Wetterslev J, Thorlund K, Brok J, Gluud C (2009). Estimating required information size by
quantifying diversity in random-effects model meta-analyses. BMC Med Res Methodol 9:86.
Thorlund K, Engstrøm J, Wetterslev J, Brok J, Imberger G, Gluud C (2011). User manual for
trial sequential analysis (TSA). Copenhagen Trial Unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from livingmeta.errors import ParameterError, check_choice
from livingmeta.results import jsonable
from livingmeta.sequential.boundaries import check_error_rates

__all__ = [
    "HETEROGENEITY_CORRECTIONS",
    "INFORMATION_UNITS",
    "TSA_MEASURES",
    "RequiredInformationSize",
    "diversity",
    "required_information_size",
]

#: Measures with a required information size.
TSA_MEASURES = ("MD", "SMD", "RR", "OR", "RD")
#: Heterogeneity corrections of the RIS.
HETEROGENEITY_CORRECTIONS = ("D2", "I2", "none")
#: Units of information.
INFORMATION_UNITS = ("participants", "statistical")


@dataclass(frozen=True, slots=True)
class RequiredInformationSize:
    """A required information size and how it was computed.

    Attributes
    ----------
    ris : float
        Required information size after the heterogeneity correction (participants in
        both arms together, or statistical information ``1 / variance``), not rounded.
    ris_unadjusted : float
        Fixed-design size, before the correction.
    information : str
        ``"participants"`` or ``"statistical"``.
    formula : str
        The formula with the numbers substituted, and the correction.
    heterogeneity_correction : str
        ``"D2"``, ``"I2"`` or ``"none"``.
    heterogeneity : float
        The D² or I² used, as a fraction in [0, 1) (0 for none).
    adjustment_factor : float
        ``1 / (1 - heterogeneity)``.
    measure : str
        Effect measure.
    delta : float
        Anticipated effect as given (a ratio for RR and OR).
    effect : float
        Anticipated effect on the analysis scale (``log(delta)`` for RR and OR).
    sd : float or None
        Standard deviation (MD; 1 for SMD).
    control_risk, intervention_risk : float or None
        ``p_C`` and ``p_E`` (binary measures).
    alpha, power : float
        Type I error and power.
    sides : int
        1 or 2: ``z_{1-alpha/sides}``.
    """

    ris: float
    ris_unadjusted: float
    information: str
    formula: str
    heterogeneity_correction: str
    heterogeneity: float
    adjustment_factor: float
    measure: str
    delta: float
    effect: float
    sd: float | None
    control_risk: float | None
    intervention_risk: float | None
    alpha: float
    power: float
    sides: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dictionary of every field."""
        out: dict[str, Any] = jsonable(self)
        return out


def diversity(v_random: float, v_common: float) -> float:
    """Diversity ``D² = (v_R - v_F) / v_R`` (Wetterslev et al. 2009, eq. 6).

    ``v_R`` and ``v_F`` are the variances of the pooled estimate under the random-effects
    and the common-effect model.

    Examples
    --------
    >>> round(diversity(0.02, 0.015), 12)
    0.25
    """
    if not (v_random > 0 and v_common > 0):
        raise ParameterError(f"Pooled variances must be > 0. Got {v_random!r}, {v_common!r}.")
    return max(0.0, (v_random - v_common) / v_random)


def _positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not (
            math.isfinite(float(value)) and float(value) > 0):
        raise ParameterError(f"The {name!r} parameter must be a finite number > 0. "
                             f"Got {value!r}.")
    return float(value)


def _risks(measure: str, delta: float, control_risk: object) -> tuple[float, float]:
    if control_risk is None:
        raise ParameterError(f"The 'control_risk' parameter is required for measure "
                             f"{measure!r}.")
    p_c = _positive("control_risk", control_risk)
    if p_c >= 1:
        raise ParameterError(f"The 'control_risk' parameter must be in (0, 1). Got {p_c!r}.")
    if measure == "RR":
        p_e = p_c * delta
    elif measure == "OR":
        p_e = delta * p_c / (1.0 - p_c + delta * p_c)
    else:
        p_e = p_c + delta
    if not 0 < p_e < 1 or p_e == p_c:
        raise ParameterError(f"The anticipated effect delta = {delta!r} with control risk "
                             f"{p_c!r} gives an intervention risk of {p_e:.4g}; it must be "
                             "in (0, 1) and differ from the control risk.")
    return p_c, p_e


def _effect(measure: str, delta: object) -> tuple[float, float]:
    if isinstance(delta, bool) or not isinstance(delta, (int, float, np.floating)) or not (
            math.isfinite(float(delta))):
        raise ParameterError(f"The 'delta' parameter must be a finite number. Got {delta!r}.")
    d = float(delta)
    if measure in ("RR", "OR"):
        if d <= 0 or d == 1:
            raise ParameterError(f"For measure {measure!r}, 'delta' is the anticipated ratio "
                                 f"(e.g. 0.8), > 0 and not 1. Got {delta!r}.")
        return d, math.log(d)
    if d == 0:
        raise ParameterError("The 'delta' parameter must not be 0 (no effect to detect).")
    return d, d


def _fixed_size(measure: str, effect: float, z2: float, sd: float | None,
                p: tuple[float, float] | None, information: str) -> tuple[float, str]:
    """Fixed-design size and its formula text (Wetterslev et al. 2008, eqs. 1-2)."""
    if information == "statistical":
        # Information for a z test: (z_a + z_b)^2 / theta^2 (Jennison & Turnbull 2000, 3.3).
        value = z2 / effect**2
        return value, f"I = (z_a + z_b)² / θ² = {z2:.4f} / {effect:.4g}² = {value:.4g}"
    if p is None:
        s = 1.0 if sd is None else sd
        value = 4.0 * z2 * s**2 / effect**2  # two arms of 2 (z_a + z_b)^2 sd^2 / delta^2
        return value, (f"N = 4 (z_a + z_b)² σ² / δ² = 4 × {z2:.4f} × {s:.4g}² / "
                       f"{effect:.4g}² = {value:.4g}")
    p_c, p_e = p
    p_bar = (p_c + p_e) / 2.0
    value = 4.0 * z2 * p_bar * (1.0 - p_bar) / (p_c - p_e) ** 2  # Wetterslev 2008, eq. 1
    return value, (f"N = 4 (z_a + z_b)² p̄(1 − p̄) / (p_C − p_E)² = 4 × {z2:.4f} × "
                   f"{p_bar:.4g} × {1 - p_bar:.4g} / ({p_c:.4g} − {p_e:.4g})² = {value:.4g}")


def required_information_size(
    *,
    measure: str,
    delta: float,
    sd: float | None = None,
    control_risk: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    sides: int = 2,
    information: str = "participants",
    heterogeneity_correction: str = "none",
    heterogeneity: float = 0.0,
) -> RequiredInformationSize:
    """Required information size, heterogeneity-adjusted: ``RIS / (1 - H)``.

    Parameters
    ----------
    measure : {"MD", "SMD", "RR", "OR", "RD"}
        Effect measure (see the module docstring for the convention of ``delta``).
    delta : float
        Anticipated effect: a difference (MD, SMD, RD) or a ratio (RR, OR).
    sd : float, optional
        Standard deviation of the outcome (required for MD; SMD uses 1).
    control_risk : float, optional
        Control-group risk (required for RR, OR, RD).
    alpha, power : float
        Type I error and power; ``z_a = z_{1-alpha/sides}``, ``z_b = z_{power}``.
    sides : {1, 2}
        One- or two-sided test.
    information : {"participants", "statistical"}
        Participants (both arms) or statistical information (1 / variance of the effect).
    heterogeneity_correction : {"none", "D2", "I2"}
        Name of the correction; ``heterogeneity`` is its value as a fraction in [0, 1).
    heterogeneity : float
        D² (:func:`diversity`) or I² as a fraction (0.25, not 25).

    Returns
    -------
    RequiredInformationSize

    Examples
    --------
    SMD 0.2, two-sided alpha 0.05, power 0.8: ``4 (1.96 + 0.8416)² / 0.2²`` participants.

    >>> r = required_information_size(measure="SMD", delta=0.2)
    >>> round(r.ris, 1)
    784.9
    >>> round(required_information_size(measure="SMD", delta=0.2, heterogeneity=0.5,
    ...                                 heterogeneity_correction="D2").ris, 1)
    1569.8
    """
    check_choice("measure", measure, TSA_MEASURES)
    check_choice("information", information, INFORMATION_UNITS)
    check_choice("heterogeneity_correction", heterogeneity_correction,
                 HETEROGENEITY_CORRECTIONS)
    check_error_rates(sides, alpha, power)
    h = 0.0 if heterogeneity_correction == "none" else float(heterogeneity)
    if not 0 <= h < 1:
        raise ParameterError(f"The 'heterogeneity' parameter must be a fraction in [0, 1). "
                             f"Got {heterogeneity!r}.")
    d, effect = _effect(measure, delta)
    risks = None
    sd_used: float | None = None
    if measure in ("RR", "OR", "RD"):
        risks = _risks(measure, d, control_risk)
    elif measure == "MD":
        if sd is None:
            raise ParameterError("The 'sd' parameter is required for measure 'MD'.")
        sd_used = _positive("sd", sd)
    else:
        sd_used = 1.0
    z_a = float(special.ndtri(1.0 - alpha / sides))
    z_b = float(special.ndtri(power))
    fixed, text = _fixed_size(measure, effect, (z_a + z_b) ** 2, sd_used, risks, information)
    factor = 1.0 / (1.0 - h)
    text = f"z_a = z(1 − {alpha:g}/{sides}) = {z_a:.4f}, z_b = z({power:g}) = {z_b:.4f}; " + text
    if heterogeneity_correction == "none":
        text += "; no heterogeneity correction"
    else:
        name = "D²" if heterogeneity_correction == "D2" else "I²"
        text += (f"; {name} = {h:.4f}: RIS = {fixed:.4g} / (1 − {h:.4f}) = "
                 f"{fixed * factor:.4g}")
    return RequiredInformationSize(
        ris=fixed * factor, ris_unadjusted=fixed, information=information, formula=text,
        heterogeneity_correction=heterogeneity_correction, heterogeneity=h,
        adjustment_factor=factor, measure=measure, delta=d, effect=effect, sd=sd_used,
        control_risk=None if risks is None else risks[0],
        intervention_risk=None if risks is None else risks[1], alpha=float(alpha),
        power=float(power), sides=int(sides))
