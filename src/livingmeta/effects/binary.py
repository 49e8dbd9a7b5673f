"""Two groups, binary outcome (2x2 tables): OR, RR, RD, PETO.

Per study: events ``ai`` and non-events ``bi`` in group 1, ``ci`` and ``di`` in group 2,
or the events with the group sizes ``n1i, n2i`` (then ``bi = n1i - ai``, ``di = n2i -
ci``, row by row where bi/di are missing). Zero cells are handled as metafor does
(``add``, ``to``, ``drop00``; see :mod:`livingmeta.effects._zero_cells`).

References
----------
Borenstein M, Hedges LV, Higgins JPT, Rothstein HR (2009). Introduction to
Meta-Analysis, ch. 5. Wiley.
Yusuf S, Peto R, Lewis J, Collins R, Sleight P (1985). Beta blockade during and after
myocardial infarction: an overview of the randomized trials. Progress in Cardiovascular
Diseases 27:335-371.
"""

from __future__ import annotations

import numpy as np

from livingmeta.effects._checks import Columns, FloatArray, ProblemCollector
from livingmeta.effects._family import Computed, finite_or_nan, new_notes
from livingmeta.effects._zero_cells import plan_zero_cells, warn_zero_cells
from livingmeta.errors import Problem

__all__ = ["BINARY_MEASURES", "binary_effects", "validate_binary"]

BINARY_MEASURES = ("OR", "RR", "RD", "PETO")


def validate_binary(measure: str, cols: Columns, check: ProblemCollector) -> None:
    """Record every problem of the 2x2-table columns in ``check``."""
    check.require(cols, "ai", "ci")
    check.require_one_of(cols, "bi", "n1i")
    check.require_one_of(cols, "di", "n2i")
    check.count(cols, "ai", "bi", "ci", "di")
    check.sample_size(cols, "n1i", "n2i")
    check.at_most(cols, "ai", "n1i")
    check.at_most(cols, "ci", "n2i")
    for events, cell, size in (("ai", "bi", "n1i"), ("ci", "di", "n2i")):
        e, c, n = cols.get(events), cols.get(cell), cols.get(size)
        if e is None or c is None or n is None:
            continue
        with np.errstate(invalid="ignore"):
            bad = (e + c != n) & ~np.isnan(e + c + n)
        for i in np.flatnonzero(bad):
            check.problems.append(Problem(
                int(i) + 1, check.labels[i], cell, float(c[i]),
                f"must equal {size} - {events} ({n[i] - e[i]:g}) when both are given",
            ))


def _table(cols: Columns, k: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    nan = np.full(k, np.nan)
    ai = cols.get("ai")
    ci = cols.get("ci")
    ai = nan if ai is None else ai
    ci = nan if ci is None else ci

    def other(cell: str, size: str, events: FloatArray) -> FloatArray:
        given = cols.get(cell)
        n = cols.get(size)
        from_n = nan if n is None else n - events
        return from_n if given is None else np.where(np.isnan(given), from_n, given)

    return ai, other("bi", "n1i", ai), ci, other("di", "n2i", ci)


def binary_effects(measure: str, cols: Columns, k: int, add: float, to: str,
                   drop00: bool) -> Computed:
    """yi and vi for OR, RR, RD or PETO (metafor escalc defaults)."""
    ai, bi, ci, di = _table(cols, k)
    double_zero = ((ai == 0) & (ci == 0)) | ((bi == 0) & (di == 0))
    plan = plan_zero_cells([ai, bi, ci, di], double_zero, add, to, drop00)
    notes = new_notes(k)
    messages = warn_zero_cells(plan, "all cells", notes, to)
    extra = plan.amount()
    ai, bi, ci, di = ai + extra, bi + extra, ci + extra, di + extra
    n1, n2 = ai + bi, ci + di
    with np.errstate(all="ignore"):
        if measure == "OR":
            # log odds ratio and Woolf's variance (Borenstein et al. 2009, ch. 5)
            yi = np.log(ai * di / (bi * ci))
            vi = 1.0 / ai + 1.0 / bi + 1.0 / ci + 1.0 / di
        elif measure == "RR":
            # log risk ratio (Borenstein et al. 2009, ch. 5)
            yi = np.log((ai / n1) / (ci / n2))
            vi = 1.0 / ai - 1.0 / n1 + 1.0 / ci - 1.0 / n2
        elif measure == "RD":
            # risk difference, unpooled variance (Borenstein et al. 2009, ch. 5)
            p1, p2 = ai / n1, ci / n2
            yi = p1 - p2
            vi = p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2
        else:  # PETO
            # one-step (O - E)/V estimate of the log odds ratio (Yusuf et al. 1985)
            total = n1 + n2
            events, non_events = ai + ci, bi + di
            expected = events * n1 / total
            hyper_var = events * non_events * (n1 / total) * (n2 / total) / (total - 1.0)
            yi = (ai - expected) / hyper_var
            vi = 1.0 / hyper_var
    yi, vi = finite_or_nan(yi, vi)
    yi = np.where(plan.dropped, np.nan, yi)
    vi = np.where(plan.dropped, np.nan, vi)
    return Computed(yi, vi, notes, messages, plan.corrected, plan.dropped)
