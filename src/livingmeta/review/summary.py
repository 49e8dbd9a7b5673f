"""The short, plain-words summary of a review result (what ``livingmeta run`` prints)."""

from __future__ import annotations

import math

from livingmeta._format import fmt_num
from livingmeta.review.results import MeasureResult, PooledEstimate, ReviewResult
from livingmeta.summary import Summary, SummaryTable

__all__ = ["summarize_review"]


def _r(x: float) -> str:
    return "—" if not math.isfinite(x) else f"{x:.2f}"


def _interval(est: PooledEstimate, low: float, high: float, ratio: bool) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "—"
    if ratio:
        return f"{math.exp(low):.2f} to {math.exp(high):.2f}"
    return f"{_r(low)} to {_r(high)}"


def _value(est: PooledEstimate, ratio: bool) -> str:
    return f"{math.exp(est.estimate):.2f}" if ratio else _r(est.estimate)


def _magnitude(smd: float) -> str:
    """Cohen's rough benchmarks for an SMD (Cochrane Handbook 15.5.3.1)."""
    size = abs(smd)
    return ("trivial" if size < 0.2 else "small" if size < 0.5 else "moderate"
            if size < 0.8 else "large")


def _meaning(est: PooledEstimate, direction: str, names: tuple[str, str]) -> str:
    null = 1.0 if est.measure in ("RR", "OR") else 0.0
    scale = math.exp if est.measure in ("RR", "OR") else (lambda x: x)
    lo, hi = scale(est.ci_low), scale(est.ci_high)
    better_low = direction == "lower"
    if lo <= null <= hi:
        text = ("The confidence interval includes no difference: the studies do not show "
                f"that {names[0]} differs from {names[1]}")
    else:
        favours = (hi < null) == better_low
        text = f"The estimate favours {names[0] if favours else names[1]}"
    if est.measure == "SMD":
        def side(x: float) -> str:
            if abs(x) < 0.2:
                return "a trivial difference"
            good = (x < 0) == better_low
            return f"a {_magnitude(x)} benefit of {names[0] if good else names[1]}"
        text += (f"; the point estimate is {side(est.estimate)}, and the interval runs from "
                 f"{side(est.ci_low)} to {side(est.ci_high)}")
    if math.isfinite(est.pi_low):
        text += ("; the prediction interval, where a new trial's true effect may lie, runs "
                 f"from {_r(scale(est.pi_low))} to {_r(scale(est.pi_high))}")
    return text + "."


def _caveats(res: MeasureResult, est: PooledEstimate) -> list[str]:
    out = [f"only {est.k} studies, too few for small-study (funnel) tests"] if est.k < 10 \
        else []
    crossover = [e.study for e in res.effects
                 if e.conversion == "smd_from_paired_t" and e.status == "included"]
    if crossover:
        out.append(f"{', '.join(crossover)}: SMDs converted from p-values with an assumed "
                   "within-person correlation (varied in sensitivity)")
    derived = [e.study for e in res.effects if e.derived and e.status == "included"]
    if derived:
        out.append(f"{', '.join(derived)}: rests on derived or substituted numbers")
    if math.isfinite(est.I2) and est.I2 >= 50:
        out.append(f"substantial heterogeneity (I² = {est.I2:.0f}%)")
    return out


def summarize_review(result: ReviewResult) -> Summary:
    """A :class:`~livingmeta.summary.Summary`: the answer for the primary outcome in plain
    words (estimate, CI, PI, what it means, certainty caveats) and the profile table."""
    outcome = result.primary_outcome
    res = outcome.main
    lines = [f"Question: {result.question['intervention']} vs "
             f"{result.question['comparator']} in {result.question['population'].lower()}."]
    tables: list[SummaryTable] = []
    names = (result.question["intervention_label"], result.question["comparator_label"])
    est = res.primary
    if est is None:
        lines.append(f"{outcome.outcome.label}: {res.note}.")
    else:
        ratio = est.measure in ("RR", "OR")
        pct = f"{100 * est.level:g}%"
        low_side = "below 1" if ratio else "negative"
        good = names[0] if outcome.outcome.direction == "lower" else names[1]
        lines.append(
            f"{outcome.outcome.label} ({est.measure}, {outcome.outcome.direction} is better; "
            f"{low_side} favours {good}): {_value(est, ratio)} ({pct} CI "
            f"{_interval(est, est.ci_low, est.ci_high, ratio)}; {pct} prediction interval "
            f"{_interval(est, est.pi_low, est.pi_high, ratio)}), k = {est.k} studies, "
            f"profile {est.profile} ({est.settings['method']}, {est.settings['test']}).")
        lines.append(_meaning(est, outcome.outcome.direction, names))
        caveats = _caveats(res, est)
        if caveats:
            lines.append("Certainty caveats: " + "; ".join(caveats) + ".")
        rows = tuple((p.profile, p.settings["method"], p.settings["test"], str(p.k),
                      _value(p, ratio), _interval(p, p.ci_low, p.ci_high, ratio),
                      _interval(p, p.pi_low, p.pi_high, ratio), fmt_num(p.tau2),
                      fmt_num(p.I2, 1)) for p in res.profiles)
        tables.append(SummaryTable(
            f"{outcome.outcome.label}: primary result under each method profile",
            ("profile", "estimator", "test", "k", est.measure, "CI", "PI", "tau²", "I² (%)"),
            rows))
        sens = tuple((s.label, s.setting, str(len(s.studies)),
                      "—" if s.estimate is None else _value(s.estimate, ratio),
                      "—" if s.estimate is None else _interval(
                          s.estimate, s.estimate.ci_low, s.estimate.ci_high, ratio))
                     for s in res.sensitivity)
        if sens:
            tables.append(SummaryTable("Sensitivity analyses (primary profile)",
                                       ("analysis", "setting", "k", est.measure, "CI"), sens))
    awaiting = [s["study"] for s in result.studies if s["status"] == "awaiting-data"]
    if awaiting:
        lines.append(f"Awaiting data: {', '.join(str(a) for a in awaiting)}.")
    lines.append(f"Data as of {result.provenance.data_date}; review digest "
                 f"{result.provenance.review_digest[:12]}; livingmeta "
                 f"{result.provenance.package_version}.")
    return Summary(title=result.title, lines=tuple(lines), tables=tuple(tables))
