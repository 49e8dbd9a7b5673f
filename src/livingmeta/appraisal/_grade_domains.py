"""Suggested judgments of the five GRADE domains, each with the reason computed from data.

Every function returns ``(judgment or None, reason)``. The thresholds are this package's
operational reading of the GRADE guidance; they are constants here so that a report can
quote them and a test can pin their edges.

Risk of bias (Guyatt et al. 2011, GRADE 4, J Clin Epidemiol 64:407-415; Cochrane
Handbook 14.2.2): judged on the studies that carry the weight of the analysis. Very
serious when more than half of the weight comes from studies at High risk; serious when
more than half comes from studies at High risk or with Some concerns.

Inconsistency (Guyatt et al. 2011, GRADE 7, J Clin Epidemiol 64:1294-1302; Cochrane
Handbook 10.10.2 for the I² bands): serious when I² >= 50% ("substantial") or when the
prediction interval includes the null although the confidence interval excludes it;
very serious when I² >= 75% ("considerable") and study estimates lie on both sides of
the null.

Imprecision (Guyatt et al. 2011, GRADE 6, J Clin Epidemiol 64:1283-1293; Zeng et al.
2022, GRADE guidance 34, J Clin Epidemiol 150:216-224): with a minimal important
difference, very serious when the CI includes both an important benefit and an important
harm; serious when it includes an important effect and an unimportant one. Without one,
serious when the CI includes the null. When the CI alone would not downgrade, serious if
the participants fall short of the optimal information size (OIS: the size of a single
trial powered to detect the declared effect).

Publication bias (Guyatt et al. 2011, GRADE 5, J Clin Epidemiol 64:1277-1282; Sterne et
al. 2011, BMJ 343:d4002): with 10 or more studies, serious when Egger's test gives
p < 0.10; with fewer, serious when every study is small and industry-funded; otherwise
"not serious (undetected)".

Indirectness (Guyatt et al. 2011, GRADE 8, J Clin Epidemiol 64:1303-1310): entered by
the reviewer.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

from livingmeta.appraisal._grade_evidence import Evidence
from livingmeta.appraisal._grade_types import GradeSettings
from livingmeta.bias import small_study_informative
from livingmeta.errors import ParameterError

__all__ = [
    "EGGER_PVAL",
    "I2_SERIOUS",
    "I2_VERY_SERIOUS",
    "IMPRECISION_JUDGMENTS",
    "OIS_DEFAULT_RRR",
    "ROB_JUDGMENTS",
    "ROB_SHARE",
    "imprecision",
    "imprecision_levels",
    "inconsistency",
    "indirectness",
    "mid_thresholds",
    "optimal_information_size",
    "publication_bias",
    "risk_of_bias",
]

#: RoB 2 overall judgments (Sterne et al. 2019, BMJ 366:l4898).
ROB_JUDGMENTS = ("Low", "Some concerns", "High")
#: Share of the weight above which risk of bias downgrades (see module docstring).
ROB_SHARE = 0.5
#: I² (percent) from which inconsistency is serious / very serious.
I2_SERIOUS = 50.0
I2_VERY_SERIOUS = 75.0
#: Egger's test p-value below which publication bias is suspected (Egger et al. 1997).
EGGER_PVAL = 0.10
#: Relative risk reduction of the binary OIS when none is declared (GRADE 6).
OIS_DEFAULT_RRR = 0.25
#: Imprecision judgments by level (0, 1, 2) of :func:`imprecision_levels`.
IMPRECISION_JUDGMENTS = ("not serious", "serious", "very serious")

Result = tuple[str | None, str]


def _pct(x: float) -> str:
    return f"{100.0 * x:.0f}%"


def _fmt(ev: Evidence, x: float) -> str:
    return f"{math.exp(x):.2f}" if ev.is_ratio else f"{x:.2f}"


def _ci_text(ev: Evidence) -> str:
    return (f"{_pct(ev.level)} CI {_fmt(ev, ev.ci_low)} to {_fmt(ev, ev.ci_high)} "
            f"({ev.measure})")


def _normal_rob(value: str) -> str:
    for j in ROB_JUDGMENTS:
        if value.strip().lower() == j.lower():
            return j
    raise ParameterError(f"A risk-of-bias judgment must be one of {list(ROB_JUDGMENTS)}. "
                         f"Got {value!r}.")


def risk_of_bias(ev: Evidence, rob: Mapping[str, str] | None) -> Result:
    """Suggest from the weight share of studies at High risk / with Some concerns."""
    if rob is None:
        return None, "No risk-of-bias judgments were supplied for this outcome."
    judged = {s: _normal_rob(j) for s, j in rob.items() if s in ev.studies}
    share = {j: 0.0 for j in (*ROB_JUDGMENTS, "none")}
    for study, w in zip(ev.studies, ev.weights, strict=True):
        share[judged.get(study, "none")] += w
    missing = [s for s in ev.studies if s not in judged]
    if share["none"] > ROB_SHARE:
        return None, (f"Studies without a risk-of-bias judgment carry {_pct(share['none'])} "
                      f"of the weight ({', '.join(missing)}).")
    concern = share["High"] + share["Some concerns"]
    parts = [f"{_pct(share[j])} of the weight from studies at {j.lower()} risk"
             if j != "Some concerns" else f"{_pct(share[j])} with some concerns"
             for j in ROB_JUDGMENTS]
    text = "; ".join(parts)
    if missing:
        text += f"; not judged: {', '.join(missing)} ({_pct(share['none'])})"
    rule = f"(downgrade when more than {_pct(ROB_SHARE)} of the weight is at risk)"
    if share["High"] > ROB_SHARE:
        return "very serious", f"{text}: most of the weight is at high risk {rule}."
    if concern > ROB_SHARE:
        return "serious", f"{text}: most of the weight is at high risk or has some " \
                          f"concerns {rule}."
    return "not serious", f"{text} {rule}."


def inconsistency(ev: Evidence) -> Result:
    """Suggest from I² (with its CI), the prediction interval and effect directions."""
    if ev.k < 2:
        return "not serious", "Single study: inconsistency cannot be assessed " \
                              "(GRADE 7); imprecision reflects the single study."
    if not math.isfinite(ev.I2):
        return None, f"Not pooled ({ev.note or 'no pooled estimate'}): I² not available."
    below = sum(y < 0 for y in ev.yi)
    above = sum(y > 0 for y in ev.yi)
    both = below > 0 and above > 0
    i2 = f"I² = {ev.I2:.0f}%"
    if math.isfinite(ev.I2_ci_low) and math.isfinite(ev.I2_ci_high):
        i2 += f" ({_pct(ev.level)} CI {ev.I2_ci_low:.0f}% to {ev.I2_ci_high:.0f}%)"
    parts = [i2]
    if math.isfinite(ev.Q_pval):
        parts.append(f"Q test p = {ev.Q_pval:.2f}")
    parts.append(f"{below} of {ev.k} estimates below and {above} above the null")
    pi_changes = False
    if math.isfinite(ev.pi_low) and math.isfinite(ev.pi_high):
        parts.append(f"prediction interval {_fmt(ev, ev.pi_low)} to {_fmt(ev, ev.pi_high)}")
        ci_excludes = ev.ci_low > 0 or ev.ci_high < 0
        pi_changes = ci_excludes and ev.pi_low < 0 < ev.pi_high
    text = "; ".join(parts)
    if ev.I2 >= I2_VERY_SERIOUS and both:
        return "very serious", f"{text}: considerable heterogeneity (I² >= " \
                               f"{I2_VERY_SERIOUS:.0f}%) with effects in both directions."
    if ev.I2 >= I2_SERIOUS:
        return "serious", f"{text}: substantial heterogeneity (I² >= {I2_SERIOUS:.0f}%)."
    if pi_changes:
        return "serious", f"{text}: the prediction interval includes the null although " \
                          "the confidence interval does not."
    return "not serious", f"{text}: I² below {I2_SERIOUS:.0f}% and the prediction " \
                          "interval does not change the conclusion."


def optimal_information_size(ev: Evidence, s: GradeSettings) -> tuple[int | None, str]:
    """Participants a single trial needs (two arms, 1:1), and how it was computed.

    Continuous: ``n = 2 (z_{1-a/2} + z_{1-b})^2 sd^2 / delta^2`` per arm; binary:
    ``n = (z_{1-a/2} + z_{1-b})^2 [p1(1-p1) + p2(1-p2)] / (p1-p2)^2`` per arm with ``p2``
    the control risk ``p1`` changed by the relative risk reduction (GRADE 6, section
    "optimal information size"; Chow, Shao & Wang 2008, Sample Size Calculations in
    Clinical Research, 3.2 and 4.2).
    """
    z = float(special.ndtri(1 - s.ois_alpha / 2) + special.ndtri(s.ois_power))
    tail = f"alpha {s.ois_alpha:g}, power {s.ois_power:g}"
    if ev.is_ratio or ev.measure == "RD":
        p1 = s.ois_control_risk if s.ois_control_risk is not None else ev.control_risk
        if p1 is None or not 0 < p1 < 1:
            return None, "OIS not computed (no control risk)"
        rrr = s.ois_delta if s.ois_delta is not None else OIS_DEFAULT_RRR
        p2 = p1 * (1 + rrr) if s.direction == "higher" else p1 * (1 - rrr)
        if not 0 < p2 < 1:
            return None, f"OIS not computed (control risk {p1:.2f} cannot change by {rrr:g})"
        per_arm = z**2 * (p1 * (1 - p1) + p2 * (1 - p2)) / (p1 - p2) ** 2
        how = (f"control risk {p1:.2f}, relative {'increase' if p2 > p1 else 'reduction'} "
               f"{rrr:.0%}, {tail}")
    else:
        delta = s.ois_delta if s.ois_delta is not None else s.mid
        sd = 1.0 if ev.measure == "SMD" else s.ois_sd
        if delta is None or sd is None:
            return None, "OIS not computed (no MID/OIS difference or SD declared)"
        per_arm = 2 * z**2 * sd**2 / delta**2
        how = f"difference {delta:g} {ev.measure}" + ("" if ev.measure == "SMD" else
                                                       f", SD {sd:g}") + f", {tail}"
    return 2 * math.ceil(per_arm - 1e-9), how


def mid_thresholds(mid: float | None, direction: str,
                   is_ratio: bool) -> tuple[float, float] | None:
    """(benefit, harm) thresholds on the analysis scale, or None without a MID.

    >>> mid_thresholds(0.2, "lower", False)
    (-0.2, 0.2)
    """
    if mid is None:
        return None
    lo, hi = (math.log(1 - mid), math.log(1 + mid)) if is_ratio else (-mid, mid)
    return (lo, hi) if direction == "lower" else (hi, lo)


def _thresholds(ev: Evidence, s: GradeSettings) -> tuple[float, float] | None:
    return mid_thresholds(s.mid, s.direction, ev.is_ratio)


def _beyond(t: float, low: ArrayLike, high: ArrayLike) -> NDArray[np.bool_]:
    return np.asarray(low) < t if t < 0 else np.asarray(high) > t


def imprecision_levels(ci_low: ArrayLike, ci_high: ArrayLike,
                       thresholds: tuple[float, float] | None,
                       ois_short: ArrayLike = False) -> NDArray[np.int8]:
    """The imprecision rule of :func:`imprecision`, vectorized over confidence intervals.

    Returns 0 (not serious), 1 (serious) or 2 (very serious) per interval: 2 when the CI
    includes both an important benefit and an important harm, 1 when it includes an
    important effect and an unimportant one (or, with no MID, the null), else 1 when the
    optimal information size is not met (GRADE 6; Zeng et al. 2022).

    Parameters
    ----------
    ci_low, ci_high : array_like
        Confidence limits on the analysis scale (log for ratios).
    thresholds : (benefit, harm) or None
        The MID thresholds on the analysis scale, as :func:`mid_thresholds` gives them;
        None: the null is the only threshold.
    ois_short : array_like of bool
        Whether the participants fall short of the optimal information size.

    Examples
    --------
    >>> imprecision_levels([-0.57, -0.3, -0.1], [0.15, -0.25, 0.1], (-0.2, 0.2)).tolist()
    [1, 0, 0]
    """
    low, high = np.asarray(ci_low, dtype=float), np.asarray(ci_high, dtype=float)
    if thresholds is None:
        crosses = np.where((low < 0) & (high > 0), 1, 0)
    else:
        benefit, harm = thresholds
        b, h = _beyond(benefit, low, high), _beyond(harm, low, high)
        trivial = (high > min(thresholds)) & (low < max(thresholds))
        crosses = np.where(b & h, 2, np.where((b | h) & trivial, 1, 0))
    return np.where(crosses > 0, crosses, np.where(ois_short, 1, 0)).astype(np.int8)


def imprecision(ev: Evidence, s: GradeSettings) -> Result:
    """Suggest from the CI against the MID (or the null) and the OIS."""
    if not (math.isfinite(ev.ci_low) and math.isfinite(ev.ci_high)):
        return None, f"No confidence interval ({ev.note or 'not pooled'})."
    ois, how = optimal_information_size(ev, s)
    n = ev.total_participants
    if ois is None or n is None:
        ois_text, ois_short = how, False
    else:
        ois_short = n < ois
        ois_text = (f"{n} participants {'<' if ois_short else '>='} OIS {ois} ({how}): "
                    f"{'not met' if ois_short else 'met'}")
    ci = _ci_text(ev)
    th = _thresholds(ev, s)
    if th is None:
        crosses = 1 if ev.ci_low < 0 < ev.ci_high else 0
        ci_text = f"{ci} {'includes' if crosses else 'excludes'} the null (no MID declared)"
    else:
        benefit, harm = th
        b = bool(_beyond(benefit, ev.ci_low, ev.ci_high))
        crosses = int(imprecision_levels(ev.ci_low, ev.ci_high, th))
        mid = f"important benefit beyond {_fmt(ev, benefit)}, harm beyond {_fmt(ev, harm)}"
        where = {2: "includes both an important benefit and an important harm",
                 1: "includes an important " + ("benefit" if b else "harm") +
                    " and an unimportant effect",
                 0: "lies within one region of the MID"}[crosses]
        ci_text = f"{ci} {where} ({mid})"
    level = int(imprecision_levels(ev.ci_low, ev.ci_high, th, ois_short))
    judgment = IMPRECISION_JUDGMENTS[level]
    return judgment, f"{ci_text}; {ois_text}."


def publication_bias(ev: Evidence, s: GradeSettings) -> Result:
    """Suggest from Egger's test (k >= 10) or the pattern of sizes and funding."""
    notes = [s.publication_bias_note] if s.publication_bias_note else []
    if s.awaiting:
        notes.append(f"awaiting data: {', '.join(s.awaiting)}")
    tail = ("; " + "; ".join(notes)) if notes else ""
    if small_study_informative(ev.k):
        if ev.regtest_pval is None:
            return None, f"k = {ev.k}: Egger's test was not run{tail}."
        if ev.regtest_pval < EGGER_PVAL:
            return "serious", (f"Egger's test p = {ev.regtest_pval:.3f} < {EGGER_PVAL:g}: "
                               f"funnel-plot asymmetry (strongly suspected){tail}.")
        return "not serious", (f"Egger's test p = {ev.regtest_pval:.3f} >= {EGGER_PVAL:g}: "
                               f"undetected{tail}.")
    sizes = [n for n in ev.participants if n is not None]
    small = bool(sizes) and len(sizes) == ev.k and max(sizes) < s.small_study_n
    funding = [s.funding.get(st, "not reported") for st in ev.studies]
    industry = all(f == "industry" for f in funding)
    counts = ", ".join(f"{f} {funding.count(f)}" for f in sorted(set(funding)))
    size_text = (f"study sizes {min(sizes)} to {max(sizes)} participants"
                 if sizes else "study sizes unknown")
    text = (f"k = {ev.k} < 10: funnel-plot tests not informative (Sterne 2011); {size_text}"
            f" ({'all' if small else 'not all'} < {s.small_study_n}); funding: {counts}{tail}")
    if small and industry:
        return "serious", f"{text}: only small, industry-funded studies (GRADE 5)."
    return "not serious", f"{text}: undetected."


def indirectness(s: GradeSettings) -> Result:
    """The reviewer's judgment (GRADE 8), or None when not entered."""
    if s.indirectness is None:
        return None, "Indirectness was not entered by the reviewer."
    return s.indirectness, s.indirectness_reason or "Entered by the reviewer."
