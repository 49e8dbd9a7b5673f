"""The words of a :class:`~livingmeta.review.ReviewDiff`: one sentence per change
and the summary tables, for a guideline panel.

An outcome reads (numbers on the reporting scale, exp for RR/OR)::

    Pain intensity: SMD -0.24 (95% CI -0.70 to 0.23; k = 3) -> -0.15 (-0.57 to 0.27;
    k = 4); certainty Low -> Low.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from livingmeta.summary import Summary, SummaryTable

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.review.diff_results import OutcomeSnapshot, ReviewDiff

__all__ = ["diff_lines", "outcome_sentence", "summarize_diff"]

_STATUS_WORDS = {"included": "included", "sensitivity-only": "sensitivity analysis only",
                 "awaiting-data": "awaiting data", "excluded": "excluded"}
_DASH = "—"


def _num(x: float) -> str:
    return "NA" if not math.isfinite(x) else f"{x:.2f}".replace("-0.00", "0.00")


def _status(status: str | None) -> str:
    return "not identified" if status is None else _STATUS_WORDS.get(status, status)


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _level(o: OutcomeSnapshot) -> str:
    return f"{100 * o.level:g}% CI"


def _estimate(o: OutcomeSnapshot, with_level: bool) -> str:
    if not o.pooled:
        return f"not pooled (k = {o.k})"
    ci = f"{_level(o)} " if with_level else ""
    return (f"{_num(o.shown('estimate'))} ({ci}{_num(o.shown('ci_low'))} to "
            f"{_num(o.shown('ci_high'))}; k = {o.k})")


def _certainty(c: str | None) -> str:
    return "not assessed" if c is None else c


def outcome_sentence(before: OutcomeSnapshot, after: OutcomeSnapshot) -> str:
    """One sentence: the estimate before and after, and the certainty before and after.

    >>> from livingmeta.review.diff_results import OutcomeSnapshot
    >>> b = OutcomeSnapshot("pain", "Pain", "SMD", True, "", 3, (), -0.236, -0.705, 0.233,
    ...                     float("nan"), float("nan"), 0.95, "Low")
    >>> a = OutcomeSnapshot("pain", "Pain", "SMD", True, "", 4, (), -0.153, -0.574, 0.268,
    ...                     -0.853, 0.547, 0.95, "Low")
    >>> print(outcome_sentence(b, a))  # doctest: +NORMALIZE_WHITESPACE
    Pain: SMD -0.24 (95% CI -0.70 to 0.23; k = 3) -> -0.15 (-0.57 to 0.27; k = 4);
    certainty Low -> Low.
    """
    certainty = f"certainty {_certainty(before.certainty)} -> {_certainty(after.certainty)}"
    if not before.pooled and not after.pooled:
        return (f"{after.label}: {after.measure} not pooled in either version "
                f"(k = {before.k} -> {after.k}); {certainty}.")
    text = (f"{after.label}: {after.measure} {_estimate(before, True)} -> "
            f"{_estimate(after, not before.pooled)}; {certainty}")
    b, a = before.ci_excludes_null, after.ci_excludes_null
    if b is not None and a is not None and a != b:
        text += (f"; the {_level(after)} now {'excludes' if a else 'includes'} "
                 "no effect")
    return text + "."


def _study_lines(diff: ReviewDiff) -> list[str]:
    out = []
    for s in diff.studies:
        if s.change == "new":
            out.append(f"New study: {s.study} ({_status(s.after)}).")
        elif s.change == "removed":
            out.append(f"Study no longer listed: {s.study} (was {_status(s.before)}).")
        else:
            out.append(f"Status changed: {s.study}, {_status(s.before)} -> "
                       f"{_status(s.after)}.")
    return out or ["No study was added, removed or changed status."]


def _record_line(diff: ReviewDiff) -> list[str]:
    if diff.after.flow is None:
        return []
    new = diff.new_records
    gone = f"; {_plural(len(diff.removed_records), 'record')} no longer listed" if (
        diff.removed_records) else ""
    if not new:
        return [f"No new records{gone}."]
    by_source = ", ".join(f"{name} {n}" for name, n in Counter(r.source for r in new).items())
    duplicates = sum(r.decision == "duplicate" for r in new)
    dup = (f", {duplicates} removed as {'a duplicate' if duplicates == 1 else 'duplicates'}"
           if duplicates else "")
    return [f"Records: {len(new)} new ({by_source}){dup}{gone}."]


def _prisma_line(diff: ReviewDiff) -> list[str]:
    p = diff.prisma
    if p is None:
        return []
    return [f"PRISMA 2020 (updated review): {_plural(p.previous_studies, 'study')} in "
            f"{_plural(p.previous_reports, 'report')} from version {diff.before.version.id}; "
            f"{p.studies_included} new {'study' if p.studies_included == 1 else 'studies'} "
            f"in {_plural(p.reports_included, 'report')}; {_plural(p.total_studies, 'study')}"
            f" in {_plural(p.total_reports, 'report')} in total."]


def _living_lines(diff: ReviewDiff) -> list[str]:
    b, a = diff.before, diff.after
    out = []
    if b.tsa_status is not None or a.tsa_status is not None:
        out.append(f"Trial sequential analysis: {b.tsa_status or 'not available'} -> "
                   f"{a.tsa_status or 'not available'}.")
    if b.p_benefit_mcid is not None or a.p_benefit_mcid is not None:
        def p(x: float | None) -> str:
            return "not available" if x is None else f"{x:.2f}"
        out.append(f"Probability of a benefit beyond the MCID: {p(b.p_benefit_mcid)} -> "
                   f"{p(a.p_benefit_mcid)}.")
    return out


def diff_lines(diff: ReviewDiff) -> tuple[str, ...]:
    """Every sentence of the diff: studies, records, outcomes, PRISMA, living numbers."""
    return (*_study_lines(diff), *_record_line(diff),
            *(o.sentence for o in diff.outcomes), *_prisma_line(diff), *_living_lines(diff))


def _interval(o: OutcomeSnapshot, low: str, high: str) -> str:
    lo, hi = o.shown(low), o.shown(high)
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return _DASH
    return f"{_num(lo)} to {_num(hi)}"


def _cell(o: OutcomeSnapshot) -> str:
    if not o.pooled:
        return "not pooled"
    return f"{_num(o.shown('estimate'))} ({_interval(o, 'ci_low', 'ci_high')})"


def _outcome_table(diff: ReviewDiff) -> SummaryTable:
    b, a = diff.before.version.id, diff.after.version.id
    ci = _level(diff.after.outcomes[0]) if diff.after.outcomes else "CI"
    pi = ci.replace("CI", "PI")
    rows = tuple((o.after.label, o.after.measure, _cell(o.before), str(o.before.k),
                  _cell(o.after), str(o.after.k),
                  _interval(o.after, "pi_low", "pi_high") if o.after.pooled else _DASH,
                  f"{_certainty(o.before.certainty)} -> {_certainty(o.after.certainty)}")
                 for o in diff.outcomes)
    return SummaryTable(f"Outcomes ({diff.profile} profile)",
                        ("Outcome", "Measure", f"{b}: estimate ({ci})", f"{b}: k",
                         f"{a}: estimate ({ci})", f"{a}: k", f"{a}: {pi}", "Certainty"),
                        rows)


def summarize_diff(diff: ReviewDiff) -> Summary:
    """The sentences and the tables of outcomes, studies, new records and PRISMA counts."""
    b, a = diff.before.version, diff.after.version
    statuses = [(s, b.status(s), a.status(s))
                for s in dict.fromkeys([*dict(b.statuses), *dict(a.statuses)])]
    tables = [_outcome_table(diff),
              SummaryTable("Studies", ("Study", b.id, a.id),
                           tuple((s, _status(x), _status(y)) for s, x, y in statuses))]
    if diff.new_records:
        tables.append(SummaryTable(
            "New records", ("Record", "Source", "Title", "Decision"),
            tuple((r.record_id, r.source, r.title if len(r.title) <= 60 else
                   r.title[:59] + "…", r.decision + (f" ({r.study})" if r.study else ""))
                  for r in diff.new_records)))
    p = diff.prisma
    if p is not None:
        tables.append(SummaryTable("PRISMA 2020 (updated review)",
                                   ("", "Studies", "Reports"),
                                   ((f"Previous version ({b.id})", str(p.previous_studies),
                                     str(p.previous_reports)),
                                    ("New", str(p.studies_included), str(p.reports_included)),
                                    ("Total", str(p.total_studies), str(p.total_reports)))))
    return Summary(title=f"{diff.title}: what changed from {b.id} ({b.label}, {b.date}) "
                         f"to {a.id} ({a.label}, {a.date})",
                   lines=diff.lines(), tables=tuple(tables))
