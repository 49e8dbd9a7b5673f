"""View models of the report: plain dataclasses of formatted strings.

Nothing is computed here but formatting: every number comes from the
:class:`~livingmeta.review.ReviewResult` (ratio measures are shown as ``exp`` of their
analysis-scale values, as the result's own ``ratio()`` does).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from livingmeta._format import fmt_interval, fmt_num, fmt_p, fmt_value
from livingmeta.review.results import (
    MeasureResult,
    OutcomeResult,
    PooledEstimate,
    ReviewResult,
)
from livingmeta.review.summary import summarize_review

__all__ = ["Cell", "FigureRef", "MeasureSection", "OutcomeSection", "Table", "answer_lines",
           "outcome_sections", "provenance_table", "software_table", "syntheses_table"]



@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: text, optionally a link (``href``) and a tooltip (``title``)."""

    text: str
    href: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class Table:
    """A captioned table of cells."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class FigureRef:
    """Where a figure goes: its id, caption and alt text."""

    id: str
    caption: str
    alt: str


@dataclass(frozen=True, slots=True)
class MeasureSection:
    """Everything shown for one outcome on one measure."""

    anchor: str
    heading: str
    note: str
    summary: str
    figures: tuple[FigureRef, ...]
    tables: tuple[Table, ...]
    small_study: tuple[str, ...] = ()
    small_study_figures: tuple[FigureRef, ...] = ()
    small_study_tables: tuple[Table, ...] = ()
    not_run: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutcomeSection:
    """One outcome: its declaration and a section per measure."""

    anchor: str
    heading: str
    description: str
    measures: tuple[MeasureSection, ...] = field(default_factory=tuple)


def row(*values: object) -> tuple[Cell, ...]:
    """A table row of plain-text cells."""
    return tuple(v if isinstance(v, Cell) else Cell(str(v)) for v in values)


def _estimate_text(est: PooledEstimate) -> str:
    pct = f"{100 * est.level:g}%"
    text = (f"{est.measure} {fmt_value(est.estimate, est.measure)} ({pct} CI "
            f"{fmt_interval(est.ci_low, est.ci_high, est.measure)}")
    if math.isfinite(est.pi_low):
        text += f"; prediction interval {fmt_interval(est.pi_low, est.pi_high, est.measure)}"
    return text + f"), k = {est.k}"


def _what_changed(result: ReviewResult) -> list[str]:
    """The latest study year in the data, what adding its studies did to the primary
    estimate (from the cumulative analysis), and how it relates to published syntheses."""
    res = result.primary_outcome.main
    included = [e for e in res.effects if e.status == "included"]
    if not included:
        return []
    latest = max(e.year for e in included)
    newest = [e.study for e in included if e.year == latest]
    lines = [f"Latest study year in the data: {latest} ({', '.join(newest)})."]
    cum = res.diagnostic("cumulative")
    if cum is not None and cum.result is not None and res.primary is not None:
        c = cum.result
        years = {e.study: e.year for e in included}
        first = next((i for i, s in enumerate(c.study) if years.get(s) == latest), None)
        if first is not None and first >= 1:
            m = res.measure
            before = (f"{fmt_value(c.estimate[first - 1], m)} "
                      f"({fmt_interval(c.ci_low[first - 1], c.ci_high[first - 1], m)}; "
                      f"k = {first}, studies up to {max(years[s] for s in c.study[:first])})")
            now = (f"{fmt_value(c.estimate[-1], m)} "
                   f"({fmt_interval(c.ci_low[-1], c.ci_high[-1], m)}; k = {len(c.study)})")
            lines.append(f"Adding {', '.join(newest)} moved the pooled {m} from {before} "
                         f"to {now}.")
    published = [p for p in result.published
                 if p.outcome_id == result.primary_outcome.outcome.id and p.year is not None]
    if published:
        last = max(p.year for p in published if p.year is not None)
        after = [e.study for e in included if e.year >= last]
        lines.append(
            f"Published syntheses of this outcome date from "
            f"{min(p.year for p in published if p.year is not None)} to {last}; studies "
            f"from {last} or later, which they may not include: "
            f"{', '.join(after) if after else 'none'}.")
    return lines


def _narrow_knha_caution(res: MeasureResult) -> str:
    """A caution when the primary Knapp-Hartung interval is narrower than the z interval
    of the same estimator (its scale factor below 1, as happens with k = 2 or 3 and tau2
    near 0: Roever, Knapp & Friede 2015), pointing to the modified (ad hoc) profile."""
    est = res.primary
    if est is None or est.settings.get("test") != "knha":
        return ""
    by_test = {(p.settings.get("method"), p.settings.get("test")): p for p in res.profiles
               if p.settings.get("model", "RE") != "MH"}
    z = by_test.get((est.settings.get("method"), "z"))
    if z is None or (est.ci_high - est.ci_low) >= (z.ci_high - z.ci_low):
        return ""
    text = (f" Caution: this Knapp-Hartung interval is narrower than the z interval "
            f"({fmt_interval(z.ci_low, z.ci_high, res.measure)}), which happens when few "
            f"studies agree closely")
    adhoc = by_test.get((est.settings.get("method"), "adhoc"))
    if adhoc is not None:
        text += (f"; the modified Knapp-Hartung profile {adhoc.profile} gives "
                 f"{fmt_interval(adhoc.ci_low, adhoc.ci_high, res.measure)}")
    return text + "."


def answer_lines(result: ReviewResult) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The answer in plain words (the primary outcome), then one line per outcome."""
    summary = summarize_review(result)
    lines = [*summary.lines, *_what_changed(result)]
    per_outcome = []
    for outcome in result.outcomes:
        for res in outcome.measures:
            est = res.primary
            text = _estimate_text(est) if est is not None else "not pooled ({}): {}".format(
                res.note, "; ".join(f"{e.study} {res.measure} {fmt_value(e.yi, res.measure)}"
                                    for e in res.effects))
            per_outcome.append(f"{outcome.outcome.label} ({res.measure}): {text}."
                               + _narrow_knha_caution(res))
    return tuple(lines), tuple(per_outcome)


def _profile_table(label: str, res: MeasureResult) -> Table:
    rows = []
    for p in res.profiles:
        test = {"knha": "Hartung-Knapp (t)", "z": "z"}.get(str(p.settings["test"]),
                                                             str(p.settings["test"]))
        model = p.settings.get("model", "RE")
        estimator = "Mantel-Haenszel" if model == "MH" else str(p.settings["method"])
        rows.append(row(p.profile, estimator, test if model != "MH" else "z", p.k,
                        fmt_value(p.estimate, p.measure),
                        fmt_interval(p.ci_low, p.ci_high, p.measure),
                        fmt_interval(p.pi_low, p.pi_high, p.measure), fmt_num(p.tau2),
                        fmt_num(p.I2, 1)))
    return Table(f"{label} ({res.measure}): primary result under each method profile",
                 ("profile", "estimator", "test", "k", res.measure,
                  f"{100 * res.primary.level:g}% CI" if res.primary else "CI",
                  "prediction interval", "tau²", "I² (%)"), tuple(rows))


def _sensitivity_table(label: str, res: MeasureResult) -> Table | None:
    if not res.sensitivity:
        return None
    m = res.measure
    rows = tuple(row(s.label, s.setting, len(s.studies),
                     "—" if s.estimate is None else fmt_value(s.estimate.estimate, m),
                     "—" if s.estimate is None else fmt_interval(s.estimate.ci_low,
                                                                s.estimate.ci_high, m),
                     "—" if s.estimate is None else fmt_interval(s.estimate.pi_low,
                                                                s.estimate.pi_high, m),
                     "—" if s.estimate is None else fmt_num(s.estimate.I2, 1), s.note or "")
                 for s in res.sensitivity)
    return Table(f"{label} ({m}): sensitivity analyses (primary profile)",
                 ("analysis", "setting", "k", m, "CI", "prediction interval", "I² (%)", "note"),
                 rows)


def _subgroup_tables(label: str, res: MeasureResult) -> list[Table]:
    m = res.measure
    out = []
    for sub in res.subgroups:
        rows = tuple(row(g, k, fmt_value(e, m), fmt_interval(lo, hi, m))
                     for g, k, e, lo, hi in zip(sub.groups, sub.k, sub.estimate, sub.ci_low,
                                                sub.ci_high, strict=True))
        out.append(Table(f"{label} ({m}) by {sub.column}", ("subgroup", "k", m, "CI"), rows,
                         note=f"Test for subgroup differences: Q = {sub.Q_between:.2f} "
                              f"(df = {sub.Q_between_df}), p = {fmt_p(sub.Q_between_pval)}."))
    return out


def _cumulative_table(label: str, res: MeasureResult) -> Table | None:
    step = res.diagnostic("cumulative")
    if step is None or step.result is None:
        return None
    c, m = step.result, res.measure
    years = {e.study: e.year for e in res.effects}
    rows = tuple(row(f"+ {s}" if i else s, years.get(s, ""), i + 1,
                     fmt_value(c.estimate[i], m), fmt_interval(c.ci_low[i], c.ci_high[i], m),
                     fmt_p(c.pval[i]), fmt_num(c.tau2[i]), fmt_num(c.I2[i], 1))
                 for i, s in enumerate(c.study))
    return Table(f"{label} ({m}): cumulative meta-analysis by publication year",
                 ("study added", "year", "k", m, "CI", "p", "tau²", "I² (%)"), rows)


def _loo_table(label: str, res: MeasureResult) -> Table | None:
    step = res.diagnostic("leave_one_out")
    if step is None or step.result is None:
        return None
    r, m = step.result, res.measure
    rows = tuple(row(s, fmt_value(r.estimate[i], m),
                     fmt_interval(r.ci_low[i], r.ci_high[i], m), fmt_p(r.pval[i]),
                     fmt_num(r.tau2[i]), fmt_num(r.I2[i], 1), fmt_p(r.Q_pval[i]))
                 for i, s in enumerate(r.study))
    return Table(f"{label} ({m}): leave-one-out (each study omitted in turn)",
                 ("study omitted", m, "CI", "p", "tau²", "I² (%)", "Q p-value"), rows)


def _influence_table(label: str, res: MeasureResult) -> Table | None:
    step = res.diagnostic("influence")
    if step is None or step.result is None:
        return None
    r = step.result
    rows = tuple(row(s, fmt_num(r.rstudent[i], 3), fmt_num(r.dffits[i], 3),
                     fmt_num(r.cook_d[i], 3), fmt_num(r.cov_r[i], 3), fmt_num(r.hat[i], 3),
                     f"{r.weight[i]:.1f}%", "yes" if r.inf[i] else "")
                 for i, s in enumerate(r.study))
    return Table(f"{label} ({res.measure}): influence diagnostics",
                 ("study", "rstudent", "DFFITS", "Cook's distance", "cov. ratio", "hat",
                  "weight", "influential"), rows,
                 note="'influential' is metafor's flag: |DFFITS| > 3√(1/(k−1)), Cook's "
                      "distance beyond the median of χ²(1), hat > 3/k or |DFBETAS| > 1 "
                      "(conventions, not tests).")


def _small_study(res: MeasureResult) -> tuple[list[str], list[Table]]:
    lines: list[str] = []
    flag = res.diagnostic("small_study_informative")
    if flag is not None:
        lines.append(("Interpretable: " if flag.result else "Not informative: ") + flag.note
                     + ".")
    rows = []
    reg = res.diagnostic("regtest")
    if reg is not None and reg.result is not None:
        g = reg.result
        stat = "z" if g.df is None else f"t({g.df})"
        rows.append(row("Egger regression test (predictor: standard error)",
                        f"{stat} = {g.statistic:.2f}, p = {fmt_p(g.pval)}",
                        f"limit estimate {fmt_value(g.limit_estimate, res.measure)} "
                        f"({fmt_interval(g.limit_ci_low, g.limit_ci_high, res.measure)})"))
    rank = res.diagnostic("ranktest")
    if rank is not None and rank.result is not None:
        g = rank.result
        rows.append(row("Begg rank correlation test", f"Kendall's tau = {g.tau:.3f}, "
                        f"p = {fmt_p(g.pval)}{' (exact)' if g.exact else ''}", ""))
    tf = res.diagnostic("trimfill")
    if tf is not None and tf.result is not None:
        g = tf.result
        fit = g.fit
        rows.append(row("Trim-and-fill (estimator " + g.estimator + ")",
                        f"k0 = {g.k0} missing on the {g.side}",
                        f"adjusted estimate {fmt_value(fit.estimate, res.measure)} "
                        f"({fmt_interval(fit.ci_low, fit.ci_high, res.measure)}), "
                        f"k = {g.k + g.k0}"))
    tables = [Table("Small-study effects", ("method", "result", "estimate"), tuple(rows))] \
        if rows else []
    return lines, tables


def _measure_section(result: ReviewResult, outcome: OutcomeResult, res: MeasureResult,
                     figures: Mapping[str, Any]) -> MeasureSection:
    from livingmeta.report.figures import figure_id

    oid, m, label = outcome.outcome.id, res.measure, outcome.outcome.label

    def ref(*parts: str) -> list[FigureRef]:
        fid = figure_id(oid, m, *parts)
        f = figures.get(fid)
        return [FigureRef(fid, f.title, f.alt)] if f is not None else []

    figs = [*ref("forest")]
    for sub in res.subgroups:
        figs += ref("subgroups", sub.column)
    figs += ref("cumulative") + ref("baujat")
    tables: list[Table] = []
    if res.primary is not None:
        tables.append(_profile_table(label, res))
    tables += [t for t in (_sensitivity_table(label, res),) if t is not None]
    tables += _subgroup_tables(label, res)
    tables += [t for t in (_cumulative_table(label, res), _loo_table(label, res),
                           _influence_table(label, res)) if t is not None]
    lines, small_tables = _small_study(res) if res.diagnostics else ([], [])
    not_run = tuple(f"{d.name.replace('_', '-')} ({d.note.removeprefix('not run: ')})"
                    for d in res.diagnostics if d.result is None and d.note)
    derived = [e.study for e in res.effects if e.derived]
    note = res.note
    if derived:
        note = "; ".join(x for x in (note, "* rests on derived or substituted numbers: "
                                     + ", ".join(derived)) if x)
    return MeasureSection(
        anchor=f"{oid}-{m}".lower(), heading=f"{label}: {m}", note=note,
        summary=_estimate_text(res.primary) if res.primary is not None else "",
        figures=tuple(figs), tables=tuple(tables), small_study=tuple(lines),
        small_study_figures=tuple(ref("funnel")), small_study_tables=tuple(small_tables),
        not_run=not_run)


def outcome_sections(result: ReviewResult, figures: Mapping[str, Any],
                     ) -> tuple[OutcomeSection, ...]:
    """A section per outcome, each with a sub-section per measure."""
    out = []
    for outcome in result.outcomes:
        o = outcome.outcome
        desc = (f"{o.scale}; {o.direction} is better"
                + ("; primary outcome" if o.primary else "")
                + ("" if o.pool else "; declared not to be pooled"))
        out.append(OutcomeSection(
            anchor=f"outcome-{o.id}".lower(), heading=o.label, description=desc,
            measures=tuple(_measure_section(result, outcome, m, figures)
                           for m in outcome.measures)))
    return tuple(out)


def syntheses_table(result: ReviewResult, rows: Sequence[Any]) -> Table:
    """The published syntheses charted, as printed."""
    return Table(
        "Published pooled estimates of the primary outcome (as printed)",
        ("review", "year", "search date", "studies", "analysis", "measure", "model",
         "estimate", "CI", "verification"),
        tuple(row(Cell(p.review, href=p.source_url, title=p.citation), p.year or "",
                  p.search_date, p.studies, p.analysis, p.measure, p.model,
                  f"{p.estimate:g}",
                  "—" if p.ci_low is None or p.ci_high is None
                  else f"{p.ci_low:g} to {p.ci_high:g}", p.verification) for p in rows))


def provenance_table(result: ReviewResult) -> Table:
    """Every effect size of every outcome and measure, with where it came from."""
    rows = []
    for e in result.provenance_rows():
        se = math.sqrt(e.vi) if math.isfinite(e.vi) and e.vi >= 0 else math.nan
        rows.append(row(
            e.study, e.outcome, e.measure, e.status, fmt_num(e.yi), fmt_num(e.vi),
            fmt_num(se), e.conversion + (f" (r = {e.ri:g})" if e.ri is not None else ""),
            e.notes, "yes" if e.derived else "",
            f"{e.source_file} row {e.source_row}; record rows "
            + ", ".join(str(r) for r in e.source_rows),
            Cell(e.source_quote or "source", href=e.source_url, title=e.source_url)))
    return Table("Every study effect: value, conversion, assumptions and source",
                 ("study", "outcome", "measure", "status", "yi", "vi", "SE", "conversion",
                  "notes (every assumption)", "derived", "source rows", "source and quote"),
                 tuple(rows),
                 note="yi and vi are on the analysis scale (log for RR and OR), "
                      "intervention minus comparator.")


def software_table(result: ReviewResult, versions: Mapping[str, str]) -> Table:
    """Software and data versions and the digests of the inputs."""
    p = result.provenance
    rows = [row("livingmeta", p.package_version), row("Python", p.python_version),
            *(row(name, v) for name, v in versions.items()),
            row("review folder", p.review_path), row("review version", p.review_version),
            row("date of the data", p.data_date), row("primary profile", result.profile),
            row("digest of the review folder (SHA-256)", p.review_digest),
            *(row(f"file {name} (SHA-256)", digest) for name, digest in p.files)]
    return Table("Software, data versions and input digests", ("item", "value"), tuple(rows))
