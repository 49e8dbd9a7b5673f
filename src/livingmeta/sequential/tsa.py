"""Trial sequential analysis (TSA): a cumulative meta-analysis monitored by boundaries.

The cumulative z statistic (the model refitted after each trial, in the given order) is
compared with Lan-DeMets monitoring boundaries laid over the required information size
(RIS; Wetterslev et al. 2008; Thorlund et al. 2011). As in the TSA program:

- the RIS is corrected for heterogeneity estimated from the *full* data set (D² by
  default, Wetterslev et al. 2009), and the information of each look is the cumulative
  number of participants, or the statistical information ``sum(1 / vi)`` (the inverse
  variance of the common-effect pooled estimate: heterogeneity then enters once, through
  the RIS correction, since ``1 / v_F = (1 / v_R) / (1 - D²)``; random-effects information
  would count it twice and can decrease when a trial is added);
- the boundaries are those of the planned design: the looks below the RIS plus a final
  look at the RIS (:func:`~livingmeta.sequential.boundaries.group_sequential_boundaries`),
  with non-binding futility bounds from beta spending with the same spending type;
- once the RIS is reached (fraction >= 1) all alpha has been spent: looks from there on
  are judged against the conventional boundary ``z_{1-alpha/sides}`` and the TSA-adjusted
  interval is the conventional one (Thorlund et al. 2011, TSA manual: the monitoring
  boundaries end at the RIS). A result that has not crossed it then counts as firm
  evidence against an effect of size ``delta`` (futility);
- futility bounds that would lie on the wrong side of 0 are not drawn (NaN), as in the
  TSA program, and play no part in the verdict.

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
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray
from scipy import special

from livingmeta import __version__
from livingmeta._validation import check_effects
from livingmeta.errors import (
    DataValidationError,
    LivingMetaWarning,
    ParameterError,
    Problem,
    SingleStudyWarning,
    check_choice,
)
from livingmeta.models.random import rma
from livingmeta.results import MetaAnalysisResult, Provenance, input_digest, jsonable
from livingmeta.sequential._tsa_looks import TSALook, look_bounds, tsa_verdict
from livingmeta.sequential.boundaries import (
    GroupSequentialBoundaries,
    group_sequential_boundaries,
)
from livingmeta.sequential.cumulative import cumulative
from livingmeta.sequential.information import (
    HETEROGENEITY_CORRECTIONS,
    INFORMATION_UNITS,
    TSA_MEASURES,
    RequiredInformationSize,
    diversity,
    required_information_size,
)

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.summary import Summary

__all__ = ["TSALook", "TSAResult", "boundary_curve", "trial_sequential_analysis"]

FloatArray = NDArray[np.float64]
DIRECTIONS = ("lower", "higher")


@dataclass(frozen=True, slots=True)
class TSAResult:
    """A trial sequential analysis.

    Attributes
    ----------
    ris : RequiredInformationSize
        The required information size, its formula and heterogeneity correction.
    looks : tuple of TSALook
        One per trial, in analysis order.
    design : GroupSequentialBoundaries
        The planned design: the looks below the RIS and a final look at fraction 1.
    adjusted_ci : tuple of float
        TSA-adjusted confidence interval at the last look (analysis scale):
        ``estimate +- c se`` with ``c`` the efficacy bound at the current fraction
        (conventional once the RIS is reached).
    verdict : str
        ``"firm evidence of benefit"``, ``"firm evidence of harm"``, ``"firm evidence of
        no important effect (futility)"`` or ``"not yet conclusive"``.
    verdict_reason : str
        One sentence with the numbers behind the verdict.
    measure, method, spending, information, direction : str
        Options as passed.
    sides : int
        1 or 2.
    alpha, power, delta : float
        Options as passed.
    warnings : tuple of str
        Messages of the warnings issued.
    provenance : Provenance
        Version, options and a digest of yi, vi and n.
    """

    ris: RequiredInformationSize
    looks: tuple[TSALook, ...]
    design: GroupSequentialBoundaries
    adjusted_ci: tuple[float, float]
    verdict: str
    verdict_reason: str
    measure: str
    method: str
    spending: str
    information: str
    direction: str
    sides: int
    alpha: float
    power: float
    delta: float
    warnings: tuple[str, ...]
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``livingmeta tsa --json`` (keys stable; see the README)."""
        last = self.looks[-1]
        out: dict[str, Any] = {
            "ris": self.ris.ris, "ris_unadjusted": self.ris.ris_unadjusted,
            "ris_formula": self.ris.formula,
            "heterogeneity_correction": self.ris.heterogeneity_correction,
            "heterogeneity": self.ris.heterogeneity,
            "adjustment_factor": self.ris.adjustment_factor,
            "information": self.information,
            "looks": [jsonable(look) for look in self.looks],
            "adjusted_ci": list(self.adjusted_ci), "estimate": last.estimate, "se": last.se,
            "verdict": self.verdict, "verdict_reason": self.verdict_reason,
            "measure": self.measure, "method": self.method, "spending": self.spending,
            "sides": self.sides, "alpha": self.alpha, "power": self.power,
            "delta": self.delta, "direction": self.direction,
            "drift": self.design.drift, "inflation_factor": self.design.inflation_factor,
            "boundaries_note": self.design.description,
            "warnings": list(self.warnings), "provenance": self.provenance,
        }
        return cast(dict[str, Any], jsonable(out))

    def summary(self) -> Summary:
        """A :class:`~livingmeta.summary.Summary`: verdict, RIS and one row per look."""
        from livingmeta._format import fmt_num
        from livingmeta.summary import Summary, SummaryTable

        rows = tuple((look.study, fmt_num(look.information),
                      fmt_num(look.information_fraction), fmt_num(look.z),
                      fmt_num(look.upper), fmt_num(look.lower), fmt_num(look.futility_upper),
                      fmt_num(look.futility_lower)) for look in self.looks)
        table = SummaryTable("Looks (z scale)", ("study", "information", "fraction", "z",
                                                 "upper", "lower", "futility upper",
                                                 "futility lower"), rows)
        lo, hi = self.adjusted_ci
        lines = (f"verdict: {self.verdict}. {self.verdict_reason}",
                 f"RIS: {self.ris.ris:.1f} {self.information} ({self.ris.formula})",
                 f"TSA-adjusted CI ({self.measure}, analysis scale): [{fmt_num(lo)}, "
                 f"{fmt_num(hi)}]", self.design.description,
                 *(f"warning: {w}" for w in self.warnings))
        title = (f"Trial sequential analysis: {self.measure}, {self.method}, "
                 f"{self.spending} spending, {self.sides}-sided alpha {self.alpha:g}, "
                 f"power {self.power:g}, delta {self.delta:g}")
        return Summary(title, lines, (table,))


def _check_options(measure: str, spending: str, heterogeneity: str, information: str,
                   direction: str, sides: object) -> None:
    check_choice("measure", measure, TSA_MEASURES)
    check_choice("spending", spending, ("obf", "pocock"))
    check_choice("heterogeneity", heterogeneity, HETEROGENEITY_CORRECTIONS)
    check_choice("information", information, INFORMATION_UNITS)
    check_choice("direction", direction, DIRECTIONS)
    if sides not in (1, 2) or isinstance(sides, bool):
        raise ParameterError(f"The 'sides' parameter must be 1 or 2. Got {sides!r}.")


def _participants(n: object, labels: tuple[str, ...]) -> FloatArray:
    if n is None:
        raise ParameterError("The 'n' parameter (participants per trial) is required with "
                             "information='participants'.")
    raw = np.asarray(n, dtype=object).reshape(-1)
    if raw.size != len(labels):
        raise DataValidationError([Problem(None, None, "n", None,
                                           f"must give one count per study ({len(labels)}); "
                                           f"got {raw.size}")])
    out, problems = np.empty(raw.size), []
    for i, value in enumerate(raw):
        try:
            out[i] = float(value)
        except (TypeError, ValueError):
            out[i] = math.nan
        if not (math.isfinite(out[i]) and out[i] > 0):
            problems.append(Problem(i + 1, labels[i], "n", value,
                                    "must be a number of participants > 0"))
    if problems:
        raise DataValidationError(problems)
    return out


def _fits(y: FloatArray, v: FloatArray, labels: tuple[str, ...], method: str,
          measure: str) -> tuple[Any, float, float, list[warnings.WarningMessage]]:
    """Cumulative fits, and the full-data D² and I² (as fractions)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LivingMetaWarning)
        cum = cumulative(y, v, method=method, test="z", study=labels, measure=measure)
        common = cast(MetaAnalysisResult, rma(y, v, method="EE", measure=measure))
    d2 = diversity(float(cum.se[-1]) ** 2, common.se**2) if y.size > 1 else 0.0
    kept = [w for w in caught if not issubclass(w.category, SingleStudyWarning)]
    return cum, d2, float(cum.I2[-1]) / 100.0, kept


def trial_sequential_analysis(
    yi: object,
    vi: object,
    n: object,
    *,
    measure: str,
    delta: float,
    sd: float | None = None,
    control_risk: float | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    spending: str = "obf",
    sides: int = 2,
    heterogeneity: str = "D2",
    information: str = "participants",
    method: str = "DL",
    direction: str = "lower",
    study: object = None,
) -> TSAResult:
    """Trial sequential analysis of trials in the given (e.g. chronological) order.

    Parameters
    ----------
    yi, vi : array_like, shape (k,)
        Effects and sampling variances on the analysis scale (log for RR and OR).
    n : array_like, shape (k,) or None
        Participants per trial (both arms); may be None with ``information="statistical"``.
    measure : {"MD", "SMD", "RR", "OR", "RD"}
        Effect measure.
    delta : float
        Anticipated effect (or minimal important difference): a difference for MD, SMD
        and RD, a ratio for RR and OR (e.g. 0.8); see
        :mod:`livingmeta.sequential.information`.
    sd, control_risk : float, optional
        Standard deviation (MD) or control-group risk (RR, OR, RD).
    alpha, power : float
        Type I error (two-sided: alpha/2 per side) and power.
    spending : {"obf", "pocock"}
        Alpha- and beta-spending type (Lan-DeMets O'Brien-Fleming or Pocock).
    sides : {1, 2}
        Two-sided (benefit and harm) or one-sided (benefit) monitoring.
    heterogeneity : {"D2", "I2", "none"}
        Heterogeneity correction of the RIS, from the full data set.
    information : {"participants", "statistical"}
        Cumulative participants, or statistical information ``sum(1 / vi)`` (see the
        module docstring).
    method : str
        Model of the cumulative meta-analysis (a tau2 estimator such as ``"DL"``, or
        ``"EE"``); z tests.
    direction : {"lower", "higher"}
        Which values favour the intervention (pain scores: lower).
    study : sequence of str, optional
        Trial labels.

    Returns
    -------
    TSAResult

    Warns
    -----
    ZeroTau2Warning, ConvergenceWarning
        From the cumulative fits (the single-trial first look is expected and not warned).

    Examples
    --------
    The LDN-for-fibromyalgia pain outcome (SMD, four trials in year order; the review's
    minimal important difference SMD 0.2):

    >>> import warnings
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     res = trial_sequential_analysis(
    ...         [-0.4857, -0.1113, -0.2206, 0.19], [0.03993, 0.01735, 0.04065, 0.04102],
    ...         [28, 58, 99, 98], measure="SMD", delta=0.2,
    ...         study=["Younger 2013", "Bested 2023", "FINAL 2024", "INNOVA 2026"])
    >>> res.verdict, round(res.ris.ris_unadjusted), round(res.ris.heterogeneity, 3)
    ('not yet conclusive', 785, 0.523)
    >>> round(res.ris.ris), [look.information for look in res.looks]
    (1644, [28.0, 86.0, 185.0, 283.0])
    """
    _check_options(measure, spending, heterogeneity, information, direction, sides)
    y, v, labels = check_effects(yi, vi, study)
    cum, d2, i2, caught = _fits(y, v, labels, method, measure)
    ris = required_information_size(
        measure=measure, delta=delta, sd=sd, control_risk=control_risk, alpha=alpha,
        power=power, sides=sides, information=information, heterogeneity_correction=heterogeneity,
        heterogeneity={"D2": d2, "I2": i2, "none": 0.0}[heterogeneity])
    counts: FloatArray | None
    if information == "participants":
        counts = _participants(n, labels)
        info = np.cumsum(counts)
    else:
        counts = None if n is None else _participants(n, labels)
        # Common-effect information sum(1 / vi): heterogeneity enters once, through the
        # RIS correction (D² = 1 - v_F / v_R), and the information never decreases.
        info = np.cumsum(1.0 / v)
    fractions = info / ris.ris
    planned = np.append(fractions[fractions < 1.0], 1.0)
    design = group_sequential_boundaries(planned, alpha=alpha, sides=sides, spending=spending,
                                         futility=spending, power=power)
    conventional = float(special.ndtri(1.0 - alpha / sides))
    bounds = look_bounds(fractions, design, conventional, sides, direction)
    looks = tuple(TSALook(labels[i], float(info[i]), float(fractions[i]),
                          float(cum.statistic[i]), float(cum.estimate[i]), float(cum.se[i]),
                          *bounds[i]) for i in range(y.size))
    last = looks[-1]
    word, reason, crit = tsa_verdict(last, sides, direction, information)
    for w in caught:
        warnings.warn(str(w.message), w.category, stacklevel=2)
    return TSAResult(
        ris=ris, looks=looks, design=design,
        adjusted_ci=(last.estimate - crit * last.se, last.estimate + crit * last.se),
        verdict=word, verdict_reason=reason, measure=measure, method=method,
        spending=spending, information=information, direction=direction, sides=int(sides),
        alpha=float(alpha), power=float(power), delta=float(delta),
        warnings=tuple(str(w.message) for w in caught),
        provenance=Provenance(__version__, "trial_sequential_analysis", method,
                              {"measure": measure, "delta": delta, "sd": sd,
                               "control_risk": control_risk, "alpha": alpha, "power": power,
                               "spending": spending, "sides": sides,
                               "heterogeneity": heterogeneity, "information": information,
                               "direction": direction}, int(y.size),
                              input_digest(y, v, counts, labels=labels)))


def boundary_curve(result: TSAResult, *, points: int = 40) -> GroupSequentialBoundaries:
    """The design's boundaries on an even grid of ``points`` fractions up to 1 (drawing).

    The bounds are those of a design with a look at every grid point: smooth curves that
    agree with the planned design's up to the small effect of the extra looks (the exact
    bounds at the looks are in ``result.looks``).
    """
    if isinstance(points, bool) or not isinstance(points, int) or points < 2:
        raise ParameterError(f"The 'points' parameter must be an integer >= 2. Got {points!r}.")
    grid = np.linspace(0.0, 1.0, points + 1)[1:]
    return group_sequential_boundaries(grid, alpha=result.alpha, sides=result.sides,
                                       spending=result.spending, futility=result.spending,
                                       power=result.power, grid_r=12)
