"""Sentences and tables of a :class:`~livingmeta.review.living_results.LivingEvidence`."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from livingmeta._format import fmt_interval, fmt_num, fmt_value
from livingmeta.summary import Summary, SummaryTable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.models.bayes import BayesResult
    from livingmeta.review.living_results import LivingEvidence, WhatIfComparison
    from livingmeta.sequential import TSAResult

__all__ = ["bayes_line", "headline", "living_lines", "summarize_living", "tsa_line",
           "whatif_lines"]

SPENDING = {"obf": "O'Brien-Fleming", "pocock": "Pocock"}


def _pct(p: float | None) -> str:
    return "n/a" if p is None or not math.isfinite(p) else f"{100 * p:.0f}%"


def tsa_line(t: TSAResult, label: str) -> str:
    """One sentence: the RIS and why, the information accrued, the verdict."""
    last = t.looks[-1]
    unit = "participants" if t.information == "participants" else "units of information"
    het = ("" if t.ris.heterogeneity_correction == "none" else
           f", {t.ris.heterogeneity_correction} {100 * t.ris.heterogeneity:.0f}%")
    return (f"Trial sequential analysis of {label.lower()} ({t.measure} {t.delta:g}, "
            f"{t.sides}-sided alpha {t.alpha:g}, power {t.power:g}, "
            f"{SPENDING.get(t.spending, t.spending)} boundaries{het}): the required "
            f"information size is {t.ris.ris:,.0f} {unit} ({t.ris.ris_unadjusted:,.0f} "
            f"before the heterogeneity correction); {last.information:,.0f} accrued "
            f"({100 * last.information_fraction:.1f}%). Verdict: {t.verdict}. "
            f"TSA-adjusted CI {fmt_interval(*t.adjusted_ci, t.measure)}.")


def bayes_line(b: BayesResult) -> str:
    """One sentence: the posterior of the effect and the probabilities of benefit."""
    m = b.mu
    side = "<" if b.direction == "lower" else ">"
    beyond = ("" if b.threshold is None or b.p_beyond_threshold is None else
              f"; P({b.measure} {side} {fmt_value(b.threshold, b.measure)}) = "
              f"{_pct(b.p_beyond_threshold)}")
    bf = ("" if b.bayes_factor_01 is None else
          f"; Bayes factor for no effect BF01 = {b.bayes_factor_01:.2f}")
    return (f"Bayesian ({b.prior_text}): {b.measure} median "
            f"{fmt_value(m.median, b.measure)} "
            f"(95% CrI {fmt_interval(m.ci_low, m.ci_high, b.measure)}), tau median "
            f"{b.tau.median:.2f}{beyond}; P(any benefit) = {_pct(b.p_benefit)}{bf}.")


def whatif_lines(c: WhatIfComparison, measure: str) -> tuple[str, ...]:
    """The simulated update from the earlier version, then what actually happened."""
    r = c.result
    q = r.quantiles("estimate")
    chances = "; ".join(
        f"{cr.name}: now {cr.current}, P(changes) {_pct(cr.p_change)}" for cr in r.criteria)
    simulated = {cr.name: cr.probabilities for cr in r.criteria}
    actual = "; ".join(
        f"{name}: {reading} (simulated probability {_pct(simulated[name].get(reading))})"
        for name, reading in c.actual_readings.items() if name in simulated)
    added = ", ".join(c.added) or "the next studies"
    return (
        f"What if ({c.before_label}, k = {r.k}): {r.trial.label} ({2 * r.trial.n_per_arm} "
        f"participants) would have moved the pooled {measure} to a median of "
        f"{fmt_value(q['q50'], measure)} (95% of simulations "
        f"{fmt_interval(q['q2.5'], q['q97.5'], measure)}); {chances}.",
        f"What happened ({c.after_label}): {added} gave "
        f"{fmt_value(c.actual_estimate, measure)} "
        f"({fmt_interval(c.actual_ci_low, c.actual_ci_high, measure)}), at the "
        f"{100 * c.actual_percentile:.0f}th percentile of the simulated estimates; {actual}.",
    )


def headline(e: LivingEvidence) -> str:
    """One sentence for the answer: the TSA verdict and P(beyond the threshold)."""
    parts = []
    if e.tsa is not None:
        last = e.tsa.looks[-1]
        parts.append(f"trial sequential analysis: {e.tsa.verdict} "
                     f"({100 * last.information_fraction:.0f}% of the required information "
                     f"size of {e.tsa.ris.ris:,.0f} {e.tsa.information})")
    probs = [b.p_beyond_threshold for b in e.bayes if b.p_beyond_threshold is not None]
    threshold = e.bayes[0].threshold if e.bayes else None
    if probs and threshold is not None:
        b = e.bayes[0]
        side = "<" if b.direction == "lower" else ">"
        span = (_pct(min(probs)) if len(probs) == 1 or min(probs) == max(probs)
                else f"{_pct(min(probs))} to {_pct(max(probs))}")
        parts.append(f"posterior probability of {b.measure} {side} "
                     f"{fmt_value(threshold, b.measure)}: {span} under {len(probs)} "
                     f"prior{'s' if len(probs) > 1 else ''} for tau")
    if not parts:
        return ""
    return f"Living evidence on {e.label.lower()}: " + "; ".join(parts) + "."


def living_lines(e: LivingEvidence) -> tuple[str, ...]:
    """The headline sentences of every part that was run."""
    lines: list[str] = []
    if e.tsa is not None:
        lines.append(tsa_line(e.tsa, e.label))
    lines += [bayes_line(b) for b in e.bayes]
    if e.whatif is not None:
        lines += whatif_lines(e.whatif, e.measure)
    if e.diff is not None:
        lines += e.diff.lines()
    return tuple(lines)


def _whatif_table(c: WhatIfComparison) -> SummaryTable:
    rows = []
    for cr in c.result.criteria:
        chances = "; ".join(f"{name} {_pct(p)}" for name, p in cr.probabilities.items())
        rows.append((cr.name, cr.current, chances, _pct(cr.p_change),
                     c.actual_readings.get(cr.name, "n/a")))
    return SummaryTable(
        f"What a trial of {2 * c.result.trial.n_per_arm} could have changed "
        f"({c.before_label}) and what happened ({c.after_label})",
        ("criterion", "before", "simulated after", "P(changes)", "actually after"),
        tuple(rows))


def _bayes_table(e: LivingEvidence) -> SummaryTable:
    rows = []
    for b in e.bayes:
        rows.append((b.tau_prior.description, b.mu_prior.description,
                     f"{fmt_value(b.mu.median, b.measure)} "
                     f"({fmt_interval(b.mu.ci_low, b.mu.ci_high, b.measure)})",
                     f"{fmt_value(b.theta_new.median, b.measure)} "
                     f"({fmt_interval(b.theta_new.ci_low, b.theta_new.ci_high, b.measure)})",
                     fmt_num(b.tau.median), _pct(b.p_beyond_threshold),
                     _pct(b.p_beyond_threshold_new), _pct(b.p_benefit),
                     "n/a" if b.bayes_factor_01 is None else f"{b.bayes_factor_01:.2f}"))
    threshold = next((b.threshold for b in e.bayes if b.threshold is not None), None)
    beyond = "P(beyond threshold)" if threshold is None else \
        f"P(effect beyond {fmt_value(threshold, e.measure)})"
    return SummaryTable(
        "Bayesian random-effects analyses (exact; one row per prior for tau)",
        ("tau prior", "mu prior", f"{e.measure} median (95% CrI)",
         "new study median (95% CrI)", "tau median", beyond, "same, new study",
         "P(any benefit)", "BF01"), tuple(rows))


def summarize_living(e: LivingEvidence) -> Summary:
    """Headline sentences, then the TSA looks, the Bayesian and the what-if tables."""
    tables: list[SummaryTable] = []
    notes = [n for n in (e.tsa_note and f"TSA not run: {e.tsa_note}",
                         e.whatif_note and f"What-if not run: {e.whatif_note}") if n]
    if e.tsa is not None:
        tables += list(e.tsa.summary().tables)
    if e.bayes:
        tables.append(_bayes_table(e))
    if e.whatif is not None:
        tables.append(_whatif_table(e.whatif))
    return Summary(f"Living evidence: {e.label}", (*living_lines(e), *notes), tuple(tables))
