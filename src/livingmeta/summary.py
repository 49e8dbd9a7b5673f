"""One summary, several renderers (statsmodels' ``Summary``, lifelines' ``print_summary``).

A :class:`Summary` is a value: a title, a few lines of text and named tables of
already-formatted cells. Renderers turn it into plain text, Markdown or HTML; the CLI
renders the same value with rich. The library never prints.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING

from livingmeta._format import fmt_num, fmt_p

if TYPE_CHECKING:  # pragma: no cover
    from livingmeta.pooling import PooledAnalysis

__all__ = ["Summary", "SummaryTable", "summarize_pooled_analysis"]


@dataclass(frozen=True, slots=True)
class SummaryTable:
    """A titled table of formatted cells."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Summary:
    """A rendered-agnostic summary of an analysis."""

    title: str
    lines: tuple[str, ...]
    tables: tuple[SummaryTable, ...]

    def as_text(self) -> str:
        """Plain text with aligned columns."""
        out = [self.title, "=" * len(self.title), *self.lines]
        for table in self.tables:
            widths = [max(len(c) for c in col) for col in zip(table.header, *table.rows,
                                                               strict=True)]
            out += ["", table.title]
            out.append("  ".join(h.ljust(w) for h, w in zip(table.header, widths, strict=True)))
            out.append("  ".join("-" * w for w in widths))
            out += ["  ".join(c.rjust(w) if i else c.ljust(w)
                              for i, (c, w) in enumerate(zip(row, widths, strict=True)))
                    for row in table.rows]
        return "\n".join(out) + "\n"

    def as_markdown(self) -> str:
        """GitHub-flavoured Markdown."""
        out = [f"## {self.title}", "", *(f"{line}  " for line in self.lines)]
        for table in self.tables:
            out += ["", f"### {table.title}", "",
                    "| " + " | ".join(table.header) + " |",
                    "|" + "|".join(" --- " for _ in table.header) + "|"]
            out += ["| " + " | ".join(row) + " |" for row in table.rows]
        return "\n".join(out) + "\n"

    def as_html(self) -> str:
        """An HTML fragment (escaped)."""
        esc = html.escape
        out = [f"<section class='lm-summary'><h2>{esc(self.title)}</h2>"]
        out += [f"<p>{esc(line)}</p>" for line in self.lines]
        for table in self.tables:
            out.append(f"<table><caption>{esc(table.title)}</caption><thead><tr>")
            out += [f"<th>{esc(h)}</th>" for h in table.header]
            out.append("</tr></thead><tbody>")
            for row in table.rows:
                out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>")
            out.append("</tbody></table>")
        out.append("</section>")
        return "".join(out)


def _interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "—"
    return f"[{fmt_num(low)}, {fmt_num(high)}]"


def _estimate_rows(d: dict) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]]
    stat_name = "t" if d["test"] == "knha" else "z"
    rows = [
        ("estimate", fmt_num(d["estimate"])),
        ("standard error", fmt_num(d["se"])),
        (f"{stat_name} statistic" + (f" (df = {fmt_num(d['df'])})" if d["df"] else ""),
         fmt_num(d["statistic"])),
        ("p-value", fmt_p(d["pval"])),
        (f"{fmt_num(d['level'])}% CI", _interval(d["ci_low"], d["ci_high"])),
        (f"{fmt_num(d['level'])}% prediction interval", _interval(d["pi_low"], d["pi_high"])),
    ]
    back = d.get("back_transformed")
    if back:
        name = back["transform"]
        rows += [
            (f"{name}(estimate)", fmt_num(back["estimate"])),
            (f"{name}(CI)", _interval(back["ci_low"], back["ci_high"])),
            (f"{name}(PI)", _interval(back["pi_low"], back["pi_high"])),
        ]
    return rows


def _heterogeneity_rows(d: dict) -> list[tuple[str, ...]]:
    ci = d.get("tau2_ci")
    rows: list[tuple[str, ...]] = []
    if d["tau2"] is not None:
        rows.append(("tau²", fmt_num(d["tau2"]), _interval(*ci) if ci else "—"))
    rows += [
        ("I² (%)", fmt_num(d["I2"]), _interval(*d["I2_ci"]) if d.get("I2_ci") else "—"),
        ("H²", fmt_num(d["H2"]), _interval(*d["H2_ci"]) if d.get("H2_ci") else "—"),
        (f"Q (df = {d['Q_df']})", fmt_num(d["Q"]), f"p = {fmt_p(d['Q_pval'])}"),
    ]
    return rows


def summarize_pooled_analysis(analysis: PooledAnalysis) -> Summary:
    """Summary of a :class:`~livingmeta.pooling.PooledAnalysis` (what ``pool`` prints)."""
    d = analysis.to_dict()
    title = (f"{d['measure']} meta-analysis, method {d['method']}, test {d['test']} "
             f"(k = {d['k']})")
    tables: list[SummaryTable] = []
    if d.get("coefficients") is None:
        tables.append(SummaryTable("Pooled effect (analysis scale)", ("", "value"),
                                   tuple(_estimate_rows(d))))
    tables.append(SummaryTable("Heterogeneity", ("", "value", "CI / test"),
                               tuple(_heterogeneity_rows(d))))
    if d.get("coefficients") is not None:
        rows = tuple((c["name"], fmt_num(c["estimate"]), fmt_num(c["se"]),
                      fmt_num(c["statistic"]), fmt_p(c["pval"]),
                      _interval(c["ci_low"], c["ci_high"])) for c in d["coefficients"])
        tables.append(SummaryTable("Meta-regression coefficients",
                                   ("term", "estimate", "se", "statistic", "p", "CI"), rows))
        qm_df = d["QM_df"]
        df_text = ", ".join(str(x) for x in qm_df) if isinstance(qm_df, list) else str(qm_df)
        tables.append(SummaryTable("Moderators", ("", "value"), (
            (f"QM (df = {df_text})", fmt_num(d["QM"])), ("p-value", fmt_p(d["QM_pval"])),
            ("R² (%)", fmt_num(d["R2"])))))
    if d.get("subgroups"):
        rows = tuple((g["group"], str(g["k"]), fmt_num(g["estimate"]),
                      _interval(g["ci_low"], g["ci_high"]),
                      fmt_num(g["tau2"]), fmt_num(g["I2"])) for g in d["subgroups"])
        test = d["subgroup_test"]
        tables.append(SummaryTable(
            f"Subgroups (test for differences: Q = {fmt_num(test['Q'])}, "
            f"df = {test['df']}, p = {fmt_p(test['pval'])})",
            ("group", "k", "estimate", "CI", "tau²", "I² (%)"), rows))
    studies = tuple((s["study"], fmt_num(s["yi"]), fmt_num(s["vi"]), fmt_num(s["weight"]))
                    for s in d["studies"])
    tables.append(SummaryTable("Studies", ("study", "yi", "vi", "weight (%)"), studies))
    lines = tuple(f"warning: {w}" for w in d["warnings"])
    return Summary(title=title, lines=lines, tables=tuple(tables))

