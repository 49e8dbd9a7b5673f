"""The :class:`~livingmeta.summary.Summary` of a what-if simulation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from livingmeta._format import fmt_num
from livingmeta.summary import Summary, SummaryTable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.sequential.whatif import WhatIfResult

__all__ = ["summarize_what_if"]


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def summarize_what_if(r: WhatIfResult) -> Summary:
    """Title, the trial and its effect source, the updated estimate, and the criteria."""
    t = r.trial
    q = r.quantiles("estimate")
    lines = (
        f"{t.label}: {t.n_per_arm} per arm ({2 * t.n_per_arm} participants) added to "
        f"k = {r.k} studies; {r.draws} simulated trials (seed {r.seed}).",
        f"True effect of the trial: {r.effect_source}.",
        f"Now: {r.measure} {fmt_num(r.current_estimate)} ({100 * r.level:g}% CI "
        f"{fmt_num(r.current_ci_low)} to {fmt_num(r.current_ci_high)}), {r.method} with "
        f"{r.test} tests.",
        f"After the trial, the pooled {r.measure} has median {fmt_num(q['q50'])} "
        f"(95% of draws between {fmt_num(q['q2.5'])} and {fmt_num(q['q97.5'])}).",
        *r.warnings,
    )
    rows = []
    for c in r.criteria:
        chances = "; ".join(f"{name} {_pct(p)}" for name, p in c.probabilities.items())
        rows.append((c.name, c.current, chances, _pct(c.p_change), c.note))
    table = SummaryTable("How the conclusion could change",
                         ("criterion", "now", "after the trial", "P(changes)", "how read"),
                         tuple(rows))
    return Summary(f"What if: {t.label}", lines, (table,))
